import { chapterOf } from '../../comments/lifecycle.js';
import type { CommentRef } from '../../domain/events.js';
import type { AppServices } from '../../http/types.js';

/** Who hears of changes to the queue of a thread of this audience. */
const queueAudience = (audience: string) => (chapterOf(audience) ? `moderators:${chapterOf(audience)}` : 'role:moderator');

/** The queue's live updates: a comment entered it, left it, or was flagged. */
export function subscribeQueue({ bus, live }: AppServices) {
  const changed = (e: CommentRef) =>
    live.publish(e.site, {
      topic: 'site:moderation',
      kind: 'moderation.changed',
      ref: e.comment,
      audience: queueAudience(e.thread.audience),
    });
  for (const type of ['comment.held', 'comment.approved', 'comment.hidden', 'comment.restored', 'comment.flagged'] as const)
    bus.on(type, changed);
  bus.on('comment.erased', (e) => (e.by === 'moderator' ? changed(e) : undefined));
}
