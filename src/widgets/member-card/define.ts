import '../../context/define.js';
import { CercleMemberDirectory } from './directory.js';
import { CercleMemberCard } from './member-card.js';

CercleMemberCard.define('cercle-member-card');
CercleMemberDirectory.define('cercle-member-directory');
