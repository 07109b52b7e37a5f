import '../../context/define.js';
import { CercleCommentCount } from './comment-count.js';

CercleCommentCount.define('cercle-comment-count');
