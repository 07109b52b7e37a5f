import '../../context/define.js';
import { CercleEventFeed } from './event-feed.js';

CercleEventFeed.define('cercle-event-feed');
