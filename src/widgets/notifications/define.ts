import '../../context/define.js';
import { CercleNotifications } from './notifications.js';

CercleNotifications.define('cercle-notifications');
