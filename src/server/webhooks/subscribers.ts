import type { AppServices } from '../http/types.js';
import type { Store } from '../store/store.js';
import { webhooksOf } from './webhooks.js';

/** `comment.created` for a comment that became readable, and `comment.reply` to the author it answers. */
async function commentEvents(store: Store, siteId: string, commentId: string) {
  const hooks = webhooksOf(store);
  // Most sites have no webhook: the comment and its thread are read only for one that will hear of it.
  if (!(await hooks.listens(siteId, ['comment.created', 'comment.reply']))) return;
  const c = await store.comment(siteId, commentId);
  if (!c || c.status !== 'published') return;
  const thread = await store.db
    .selectFrom('threads')
    .select(['key', 'title', 'audience'])
    .where('site_id', '=', siteId)
    .where('pk', '=', c.thread_pk)
    .executeTakeFirst();
  const data = {
    comment: {
      id: c.id,
      parentId: c.parent_id,
      body: c.body,
      createdAt: c.created_at,
      author: c.author_host_id ? { id: c.author_host_id, name: c.author_name } : null,
    },
    thread: thread ? { key: thread.key, title: thread.title, audience: thread.audience } : null,
  };
  await hooks.emit(siteId, 'comment.created', data);
  if (c.parent_id) {
    const p = await store.comment(siteId, c.parent_id);
    if (p?.author_host_id && p.author_pk !== c.author_pk && p.status === 'published') {
      await hooks.emit(siteId, 'comment.reply', { ...data, to: { id: p.author_host_id, name: p.author_name } });
    }
  }
}

/** The site's webhooks hear of comments becoming readable (posted, approved, restored), answers and introductions. */
export function subscribeWebhooks({ bus, store }: AppServices) {
  for (const type of ['comment.posted', 'comment.approved', 'comment.restored'] as const) {
    bus.on(type, (e) => commentEvents(store, e.site, e.comment));
  }
  // An answer flipped many times in a second goes out once or a few times, carrying the latest answer.
  bus.on('rsvp.changed', ({ site, ...data }) =>
    webhooksOf(store).emit(site, 'rsvp.changed', data, { coalesce: `${data.event.id}|${data.member.id}` }),
  );
  bus.on('introduction.requested', ({ site, ...data }) => webhooksOf(store).emit(site, 'introduction.requested', data));
}
