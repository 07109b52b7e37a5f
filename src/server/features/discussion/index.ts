import { discussionRoutes as d } from '../../../contract/discussion.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import * as h from './handlers.js';
import { subscribeLive } from './live.js';

/** Threads and comments: reading, writing, reactions, flags, read markers, inline moderation. */
export function install(register: Registrar, app: AppServices) {
  subscribeLive(app);
  register(routes.listComments, h.listComments);
  register(routes.postComment, h.postComment, { sanctions: 'handler' });
  register(d.editComment, h.editComment, { sanctions: 'handler' });
  register(d.deleteComment, h.deleteComment, { sanctions: 'open' });
  register(d.react, h.react, { sanctions: 'handler' });
  register(d.unreact, h.unreact, { sanctions: 'open' });
  register(d.reactors, h.reactors);
  register(d.flagComment, h.flagComment, { sanctions: 'handler' });
  register(d.moderateComment, h.moderateComment);
  register(d.updateThread, h.updateThread);
  register(d.markRead, h.markRead, { sanctions: 'open' });
  register(d.commentCounts, h.commentCounts);
  register(d.mentionCandidates, h.mentionCandidates);
}
