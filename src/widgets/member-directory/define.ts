import '../member-card/define.js';
import { CercleMemberDirectory } from './member-directory.js';

CercleMemberDirectory.define('cercle-member-directory');
