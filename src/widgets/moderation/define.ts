import '../../context/define.js';
import { CercleModeration } from './moderation.js';

CercleModeration.define('cercle-moderation');
