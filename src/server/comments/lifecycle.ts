import type { Comment } from '../../contract/resources.js';
import type { EventBus } from '../domain/events.js';
import { DiscussionStore } from '../store/discussion.js';
import { ModerationStore } from '../store/moderation.js';
import type { CommentRow, ThreadRow } from '../store/schema.js';
import type { Site, Store } from '../store/store.js';
import { heldWord } from './words.js';

/**
 * What happens to a comment: it is posted (published, or held for a moderator), edited (perhaps back
 * into the queue), approved, hidden, restored, deleted by a moderator or erased by its author. The
 * routes check who may do what and what the text may say; every change of state comes here, so that it
 * always brings the same ledger entries, flags resolved, audit entry and domain event (from which live
 * streams, the moderation queue and webhooks follow). Inline moderation and the queue's bulk actions
 * share `moderate`.
 */

export type ModerationAction = 'approve' | 'hide' | 'restore' | 'delete';
type Status = Comment['status'];

/** The states each action moves a comment from, and to. */
export const MODERATION_FROM: Record<ModerationAction, Status[]> = {
  approve: ['pending'],
  hide: ['published', 'pending'],
  restore: ['hidden'],
  delete: ['published', 'pending', 'hidden'],
};
export const MODERATION_TO: Record<ModerationAction, Status> = {
  approve: 'published',
  hide: 'hidden',
  restore: 'published',
  delete: 'deleted',
};

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

/** Why a comment waits for a moderator. */
export type HeldReason = 'premoderation' | 'first_post' | 'word' | 'spam';

export interface PostRequest {
  site: Site;
  threadKey: string;
  /** The thread as the caller just read it (its checks were made on it); when absent, it is read or created. */
  thread?: ThreadRow;
  /** The thread's title, when this comment creates it. */
  title: string | null;
  parentId: string | null;
  authorPk: string;
  body: string;
  idempotencyKey: string | null;
  /** Hash of the canonical request, kept with the idempotency key. */
  idempotencyHash?: string | null;
  /** Members mentioned in the body (their keys). */
  mentioned: string[];
  /** Moderators of the thread publish at once; nothing is asked of the spam check. */
  moderator: boolean;
  /** Asks the site's spam check, when it has one (asked last: a comment already held is sent nowhere). */
  looksLikeSpam: () => Promise<boolean>;
}

export interface EditRequest {
  site: Site;
  comment: Pick<CommentRow, 'id' | 'status' | 'held_reason'>;
  thread: { key: string; audience: string };
  body: string;
  mentioned: string[];
  moderator: boolean;
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

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {
    this.ds = new DiscussionStore(store);
    this.ms = new ModerationStore(store);
  }

  /** Whether a new comment by this author waits for a moderator, and why. */
  async holdReason(req: Pick<PostRequest, 'site' | 'authorPk' | 'body' | 'moderator' | 'looksLikeSpam'>): Promise<HeldReason | null> {
    const { site, body } = req;
    const s = site.settings;
    if (req.moderator) return null;
    if (s.premoderation === 'everyone') return 'premoderation';
    if (heldWord(body, s.heldWords)) return 'word';
    if (s.premoderation === 'first-time' && !(await this.ds.hasPublished(site.id, req.authorPk))) return 'first_post';
    if (await req.looksLikeSpam()) return 'spam';
    return null;
  }

  /**
   * A member posts: the thread is created on its first comment, the comment published (and counted in
   * the author's ledger) or held for a moderator, in one transaction; `comment.posted` or `comment.held`
   * follows. A unique-index violation (a retried post that raced its first copy) is thrown as is.
   */
  async post(req: PostRequest): Promise<{ id: string; held: HeldReason | null; replayed: boolean }> {
    const { site } = req;
    const held = await this.holdReason(req);
    let audience = 'public';
    let threadPk = '';
    let replayed = false;
    const id = await this.store.db.transaction().execute(async (tx) => {
      const thread = req.thread ?? (await this.store.ensureThread(site.id, req.threadKey, { title: req.title }, tx));
      threadPk = thread.pk;
      audience = thread.audience;
      const r = await this.store.insertComment(
        {
          site_id: site.id,
          thread_pk: thread.pk,
          parent_id: req.parentId,
          author_pk: req.authorPk,
          body: req.body,
          status: held ? 'pending' : 'published',
          idempotency_key: req.idempotencyKey,
          idempotency_hash: req.idempotencyHash ?? null,
          held_reason: held,
        },
        tx,
      );
      // A replayed post (same idempotency key) already has its mentions and its credit.
      replayed = r.replayed;
      if (replayed) return r.id;
      await this.ds.setMentions(tx, site.id, r.id, req.mentioned, true);
      if (!held) await this.ds.earn(tx, site.id, r.id, { author_pk: req.authorPk, parent_id: req.parentId });
      return r.id;
    });
    const ref = { site: site.id, comment: id, thread: { key: req.threadKey, audience } };
    const by = { authorPk: req.authorPk, threadPk };
    if (held) await this.bus.emit('comment.held', { ...ref, ...by, via: 'post' });
    else await this.bus.emit('comment.posted', { ...ref, ...by });
    return { id, held, replayed };
  }

  /**
   * Its author edits a comment: a held word sends it (back) to the queue, out of the ledger if it was
   * readable; otherwise it keeps its state. `comment.held` follows for a comment now held,
   * `comment.edited` for a readable one.
   */
  async edit(req: EditRequest): Promise<void> {
    const { site, comment: row, thread } = req;
    const word = !req.moderator && heldWord(req.body, site.settings.heldWords);
    const status = word ? 'pending' : row.status;
    const heldReason = word ? 'word' : row.held_reason;
    await this.store.db.transaction().execute(async (tx) => {
      if (row.status === 'published' && status === 'pending') await this.ds.unearn(tx, site.id, row.id);
      await this.ds.updateBody(tx, site.id, row.id, {
        body: req.body,
        status,
        held_reason: status === 'pending' ? heldReason : null,
        edited_at: req.at,
      });
      await this.ds.setMentions(tx, site.id, row.id, req.mentioned);
    });
    const ref = { site: site.id, comment: row.id, thread };
    // Seconds: the event log's version is a 32-bit integer on PostgreSQL (milliseconds overflow it).
    const version = Math.floor(Date.parse(req.at) / 1000);
    if (status === 'pending') await this.bus.emit('comment.held', { ...ref, via: 'edit', withdrawn: row.status === 'published', version });
    else if (row.status === 'published') await this.bus.emit('comment.edited', { ...ref, version });
  }

  /**
   * Moves every listed comment that may make this move, in one transaction (re-read inside it: another
   * moderator may have acted meanwhile); the others are reported unchanged. Events follow the commit.
   */
  async moderate(req: ModerationRequest): Promise<ModerationResult[]> {
    const { site, ids, action, at } = req;
    const moved: { id: string; thread_key: string; thread_audience: string; status: string }[] = [];
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
        await this.ms.audit(
          tx,
          {
            site_id: site,
            moderator_pk: req.moderatorPk,
            comment_id: id,
            thread_pk: r.thread_pk,
            action,
            chapter_id: chapterOf(r.thread_audience),
            note: req.note || null,
            details: ids.length > 1 ? { bulk: ids.length } : null,
          },
          at,
        );
        moved.push(r);
        out.push({ id, changed: true, status: MODERATION_TO[action] });
      }
      return out;
    });
    for (const r of moved) {
      const ref = { site, comment: r.id, thread: { key: r.thread_key, audience: r.thread_audience } };
      if (action === 'delete') await this.bus.emit('comment.erased', { ...ref, by: 'moderator', was: r.status });
      else if (action === 'hide') await this.bus.emit('comment.hidden', { ...ref, was: r.status });
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
