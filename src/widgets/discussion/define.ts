import '../../context/define.js';
import { CercleDiscussion } from './discussion.js';

CercleDiscussion.define('cercle-discussion');
