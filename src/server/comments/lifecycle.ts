import type { Comment } from '../../contract/resources.js';
import type { EventBus } from '../domain/events.js';
import { DiscussionStore } from '../store/discussion.js';
import { ModerationStore } from '../store/moderation.js';
import type { Store } from '../store/store.js';

/**
 * What happens to a comment once it exists: a moderator approves, hides, restores or deletes it, its
 * author erases it. Inline moderation and the queue's bulk actions both come here, so that a change of
 * state always brings the same ledger entries, flags resolved, audit entry and domain event (from which
 * live streams, the moderation queue and webhooks follow).
 */

export type ModerationAction = 'approve' | 'hide' | 'restore' | 'delete';
type Status = Comment['status'];

/** The states each action moves a comment from, and to. */
export const MODERATION_FROM: Record<ModerationAction, Status[]> = {
  approve: ['pending'], hide: ['published', 'pending'], restore: ['hidden'], delete: ['published', 'pending', 'hidden'],
};
export const MODERATION_TO: Record<ModerationAction, Status> = { approve: 'published', hide: 'hidden', restore: 'published', delete: 'deleted' };

const EVENT = { approve: 'comment.approved', hide: 'comment.hidden', restore: 'comment.restored', delete: 'comment.erased' } as const;

export const chapterOf = (audience: string) => (audience.startsWith('chapter:') ? audience.slice(8) : null);

export interface ModerationRequest {
  site: string;
  ids: string[];
  action: ModerationAction;
  moderatorPk: string;
  note?: string | null;
  at: string;
}

export interface ModerationResult {
  id: string;
  changed: boolean;
  /** The comment's status afterwards, or as found when it could not move. */
  status: Status;
}

export class CommentLifecycle {
  private readonly ds: DiscussionStore;
  private readonly ms: ModerationStore;

  constructor(private readonly store: Store, private readonly bus: EventBus) {
    this.ds = new DiscussionStore(store);
    this.ms = new ModerationStore(store);
  }

  /**
   * Moves every listed comment that may make this move, in one transaction (re-read inside it: another
   * moderator may have acted meanwhile); the others are reported unchanged. Events follow the commit.
   */
  async moderate(req: ModerationRequest): Promise<ModerationResult[]> {
    const { site, ids, action, at } = req;
    const moved: { id: string; thread_key: string; thread_audience: string }[] = [];
    const results = await this.store.db.transaction().execute(async (tx) => {
      const rows = new Map((await this.ms.commentsWithThreads(site, ids, tx)).map((r) => [r.id, r]));
      const out: ModerationResult[] = [];
      for (const id of ids) {
        const r = rows.get(id);
        if (!r) continue;
        if (!MODERATION_FROM[action].includes(r.status)) {
          out.push({ id, changed: false, status: r.status });
          continue;
        }
        if (action === 'delete') {
          if (r.status === 'published') await this.ds.unearn(tx, site, id);
          await this.ds.erase(tx, site, id, at);
        } else if (action === 'hide') {
          if (r.status === 'published') await this.ds.unearn(tx, site, id);
          await this.ds.setStatus(tx, site, id, 'hidden');
          await this.ds.resolveFlags(tx, site, id, at);
        } else {
          await this.ds.setStatus(tx, site, id, 'published');
          await this.ds.earn(tx, site, id);
          await this.ds.resolveFlags(tx, site, id, at);
        }
        await this.ms.audit(tx, {
          site_id: site, moderator_pk: req.moderatorPk, comment_id: id, thread_pk: r.thread_pk, action,
          chapter_id: chapterOf(r.thread_audience), note: req.note || null, details: ids.length > 1 ? { bulk: ids.length } : null,
        }, at);
        moved.push(r);
        out.push({ id, changed: true, status: MODERATION_TO[action] });
      }
      return out;
    });
    for (const r of moved) {
      const ref = { site, comment: r.id, thread: { key: r.thread_key, audience: r.thread_audience } };
      if (action === 'delete') await this.bus.emit('comment.erased', { ...ref, by: 'moderator' });
      else await this.bus.emit(EVENT[action], ref);
    }
    return results;
  }

  /** Its author erases a comment: the text, its mentions and reactions go; replies stay under the tombstone. */
  async eraseByAuthor(site: string, id: string, thread: { key: string; audience: string }, at: string): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      await this.ds.unearn(tx, site, id);
      await this.ds.erase(tx, site, id, at);
    });
    await this.bus.emit('comment.erased', { site, comment: id, thread, by: 'author' });
  }
}
