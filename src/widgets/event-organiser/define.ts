import { CercleEventOrganiser } from './event-organiser.js';

CercleEventOrganiser.define('cercle-event-organiser');
