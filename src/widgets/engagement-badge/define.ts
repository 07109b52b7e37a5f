import '../../context/define.js';
import { CercleEngagementBadge } from './engagement-badge.js';

CercleEngagementBadge.define('cercle-engagement-badge');
