import type { AppServices } from '../../http/types.js';
import { DiscussionStore } from '../../store/discussion.js';
import type { LiveKind } from '../../../contract/live.js';
import type { CommentRef } from '../../domain/events.js';

/**
 * Tells the live streams following the thread (ids only; the stream renders what its readers may see),
 * and renders reaction counts once per instance (the same for every reader; each page keeps its own `mine`).
 */
export function subscribeLive({ bus, live }: AppServices) {
  const say = (e: CommentRef, kind: LiveKind, opts: { audience?: string; version?: number } = {}) =>
    live.publish(e.site, {
      topic: `thread:${e.thread.key}`,
      kind,
      ref: e.comment,
      audience: opts.audience ?? e.thread.audience,
      version: opts.version,
    });
  bus.on('comment.posted', (e) => say(e, 'comment.created'));
  // A held comment is news for moderators only; an edit that sends a readable comment back to the queue withdraws it.
  bus.on('comment.held', (e) =>
    e.via === 'post'
      ? say(e, 'comment.created', { audience: 'role:moderator' })
      : e.withdrawn
        ? say(e, 'comment.hidden', { version: e.version })
        : undefined,
  );
  bus.on('comment.edited', (e) => say(e, 'comment.updated', { version: e.version }));
  bus.on('comment.approved', (e) => say(e, 'comment.created'));
  bus.on('comment.hidden', (e) => say(e, 'comment.hidden'));
  bus.on('comment.restored', (e) => say(e, 'comment.restored'));
  bus.on('comment.erased', (e) => say(e, 'comment.deleted'));
  bus.on('reactions.changed', (e) => say(e, 'reactions.changed'));
  live.hydrate(['reactions.changed'], async (store, rec) => {
    const counts = (await new DiscussionStore(store).reactionCounts(rec.site, [rec.ref])).get(rec.ref) ?? [];
    return { comment: rec.ref, reactions: counts.map(({ kind, count }) => ({ kind, count })) };
  });
}
