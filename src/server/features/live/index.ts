import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import { commentOut } from '../../domain/mapping.js';
import { DiscussionStore } from '../../store/discussion.js';
import * as h from './handlers.js';

/** The live stream and its control route. */
export function install(register: Registrar, { live }: AppServices) {
  // New and edited comments go out rendered once per instance, as the API returns them.
  live.hydrate(['comment.created', 'comment.updated', 'comment.restored'], async (store, rec) => {
    const row = await store.comment(rec.site, rec.ref);
    if (!row || row.status !== 'published') return undefined;
    // With its mentions, so that an edited comment shows the names it mentions.
    const mentions = (await new DiscussionStore(store).mentions(rec.site, [rec.ref])).get(rec.ref) ?? [];
    return { ...commentOut(row), mentions };
  });
  register(routes.liveOpen, h.liveOpen, { sanctions: 'open' });
  register(routes.liveControl, h.liveControl, { sanctions: 'open' });
}
