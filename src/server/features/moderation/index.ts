import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { AppServices, Registrar } from '../../http/types.js';
import * as h from './handlers.js';
import { subscribeQueue } from './queue.js';

/** The moderation queue, its actions, sanctions. */
export function install(register: Registrar, app: AppServices) {
  subscribeQueue(app);
  register(m.moderationQueue, h.moderationQueue);
  register(m.moderationActions, h.moderationActions);
  register(m.sanctions, h.sanctions, { site: 'allow' });
  register(m.addSanction, h.addSanction, { site: 'allow' });
  register(m.liftSanction, h.liftSanction, { site: 'allow' });
}
