import '../../context/define.js';
import { CercleMemberCard } from './member-card.js';

CercleMemberCard.define('cercle-member-card');
