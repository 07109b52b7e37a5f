import { type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { MemberSummary, ReactionCount } from '../../contract/resources.js';
import { USEFUL } from '../../contract/discussion.js';
import { newId, nowIso } from '../domain/ids.js';
import type { CommentRow, Database, MemberRow } from './schema.js';
import type { CommentWithAuthor, Store } from './store.js';
import { lockMembers } from './engagement.js';

type Exec = Kysely<Database> | Transaction<Database>;

export type Sort = 'oldest' | 'newest' | 'useful';

/** Where a page of top-level comments ends: its sort, then the last comment's sort keys. */
export interface ListCursor {
  sort: Sort;
  t: string;
  id: string;
  n?: number;
}

/** Who is reading: their member key (if signed in) and whether they moderate the thread. */
export interface Reader {
  pk?: string;
  moderator: boolean;
}

const AUTHOR_FIELDS = [
  'm.host_id as author_host_id',
  'm.name as author_name',
  'm.picture as author_picture',
  'm.chapters as author_chapters',
] as const;

const memberSummary = (m: Pick<MemberRow, 'host_id' | 'name' | 'picture' | 'chapters'>): MemberSummary => ({
  id: m.host_id,
  name: m.name,
  picture: m.picture,
  chapters: JSON.parse(m.chapters),
});

/**
 * Queries of the discussion (reactions, flags, mentions, read markers, moderation), over the
 * store's Kysely instance. Every query filters by site.
 */
export class DiscussionStore {
  constructor(readonly store: Store) {}

  get db() {
    return this.store.db;
  }

  /** What a reader sees of a thread: published comments, their own held ones, all for moderators, tombstones that still have replies. */
  private visible(reader: Reader) {
    return (eb: ExpressionBuilder<Database & { c: CommentRow }, 'c'>) => {
      const hasReplies = eb.exists(eb.selectFrom('comments as ch').select('ch.id').whereRef('ch.parent_id', '=', 'c.id'));
      const ors = [eb('c.status', '=', 'published'), eb.and([eb('c.status', 'in', ['deleted', 'hidden']), hasReplies])];
      if (reader.moderator) ors.push(eb('c.status', 'in', ['pending', 'hidden']));
      else if (reader.pk) ors.push(eb.and([eb('c.author_pk', '=', reader.pk), eb('c.status', 'in', ['pending', 'hidden'])]));
      return eb.or(ors);
    };
  }

  /** One page of a thread's top-level comments, in the requested order. */
  async roots(siteId: string, threadPk: string, opts: { sort: Sort; after?: ListCursor; limit: number; reader: Reader }) {
    let q = this.db
      .selectFrom('comments as c')
      .leftJoin('members as m', 'm.pk', 'c.author_pk')
      .selectAll('c')
      .select(AUTHOR_FIELDS)
      .where('c.site_id', '=', siteId)
      .where('c.thread_pk', '=', threadPk)
      .where('c.parent_id', 'is', null)
      .where(this.visible(opts.reader));
    const a = opts.after;
    if (opts.sort === 'useful') {
      if (a) {
        const n = a.n ?? 0;
        q = q.where((eb) =>
          eb.or([
            eb('c.useful_count', '<', n),
            eb.and([
              eb('c.useful_count', '=', n),
              eb.or([eb('c.created_at', '>', a.t), eb.and([eb('c.created_at', '=', a.t), eb('c.id', '>', a.id)])]),
            ]),
          ]),
        );
      }
      q = q.orderBy('c.useful_count', 'desc').orderBy('c.created_at', 'asc').orderBy('c.id', 'asc');
    } else {
      const dir = opts.sort === 'oldest' ? 'asc' : 'desc';
      const op = dir === 'asc' ? '>' : '<';
      if (a) q = q.where((eb) => eb.or([eb('c.created_at', op, a.t), eb.and([eb('c.created_at', '=', a.t), eb('c.id', op, a.id)])]));
      q = q.orderBy('c.created_at', dir).orderBy('c.id', dir);
    }
    return q.limit(opts.limit).execute() as Promise<CommentWithAuthor[]>;
  }

  /** The replies, at any depth, under these top-level comments, oldest first. */
  async replies(siteId: string, threadPk: string, rootIds: string[], reader: Reader): Promise<CommentWithAuthor[]> {
    if (!rootIds.length) return [];
    return (
      this.db
        .selectFrom('comments as c')
        .leftJoin('members as m', 'm.pk', 'c.author_pk')
        .selectAll('c')
        .select(AUTHOR_FIELDS)
        .where('c.site_id', '=', siteId)
        .where('c.thread_pk', '=', threadPk)
        .where('c.root_id', 'in', rootIds)
        // Replies only: their depth, not `parent_id is not null`, which the planner would take as a range on the
        // thread's page index (site, thread, parent) and read the whole thread through it.
        .where('c.depth', '>', 0)
        .where(this.visible(reader))
        .execute()
        .then((rows) =>
          // Sorted here, not by the query: an ORDER BY would draw the planner to the thread's time index, which
          // reads every comment of the thread instead of the replies of the page's top-level comments.
          (rows as CommentWithAuthor[]).sort((a, b) =>
            a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
          ),
        )
    );
  }

  async comment(siteId: string, id: string, tx: Exec = this.db): Promise<CommentWithAuthor | undefined> {
    return tx
      .selectFrom('comments as c')
      .leftJoin('members as m', 'm.pk', 'c.author_pk')
      .selectAll('c')
      .select(AUTHOR_FIELDS)
      .where('c.site_id', '=', siteId)
      .where('c.id', '=', id)
      .executeTakeFirst() as Promise<CommentWithAuthor | undefined>;
  }

  async threadByPk(siteId: string, pk: string) {
    return this.db.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('pk', '=', pk).executeTakeFirst();
  }

  /** Published comments by thread key, for the threads of `keys` that exist (the thread's own counter). */
  async publishedCounts(siteId: string, keys: string[]) {
    const rows = await this.db
      .selectFrom('threads')
      .select(['key', 'audience', 'published_count'])
      .where('site_id', '=', siteId)
      .where('key', 'in', keys)
      .execute();
    return new Map(rows.map((r) => [r.key, { audience: r.audience, count: Number(r.published_count) }]));
  }

  /** Whether the member has a comment that others could read (for "first-time poster" pre-moderation). */
  async hasPublished(siteId: string, memberPk: string) {
    const r = await this.db
      .selectFrom('comments')
      .select('id')
      .where('site_id', '=', siteId)
      .where('author_pk', '=', memberPk)
      .where('status', '=', 'published')
      .limit(1)
      .executeTakeFirst();
    return !!r;
  }

  // ---- per-comment details of a page -------------------------------------------

  /** Reaction counts of each comment, with whether the reader is among them. */
  async reactionCounts(siteId: string, ids: string[], readerPk?: string): Promise<Map<string, ReactionCount[]>> {
    const out = new Map<string, ReactionCount[]>();
    if (!ids.length) return out;
    const rows = await this.db
      .selectFrom('reactions')
      .select((eb) => [
        'comment_id',
        'kind',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn
          .sum<number | string>(
            eb
              .case()
              .when('member_pk', '=', readerPk ?? '')
              .then(1)
              .else(0)
              .end(),
          )
          .as('mine'),
      ])
      .where('site_id', '=', siteId)
      .where('comment_id', 'in', ids)
      .groupBy(['comment_id', 'kind'])
      .execute();
    for (const r of rows) {
      const list = out.get(r.comment_id) ?? [];
      list.push({ kind: r.kind, count: Number(r.n), mine: Number(r.mine) > 0 });
      out.set(r.comment_id, list);
    }
    return out;
  }

  async mentions(siteId: string, ids: string[]): Promise<Map<string, MemberSummary[]>> {
    const out = new Map<string, MemberSummary[]>();
    if (!ids.length) return out;
    const rows = await this.db
      .selectFrom('comment_mentions as cm')
      .innerJoin('members as m', 'm.pk', 'cm.member_pk')
      .select(['cm.comment_id', 'm.host_id', 'm.name', 'm.picture', 'm.chapters'])
      .where('cm.site_id', '=', siteId)
      .where('cm.comment_id', 'in', ids)
      .execute();
    for (const r of rows) out.set(r.comment_id, [...(out.get(r.comment_id) ?? []), memberSummary(r)]);
    return out;
  }

  async flaggedBy(siteId: string, ids: string[], memberPk: string): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db
      .selectFrom('flags')
      .select('comment_id')
      .where('site_id', '=', siteId)
      .where('member_pk', '=', memberPk)
      .where('comment_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.comment_id));
  }

  async openFlagCounts(siteId: string, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('flags')
      .select((eb) => ['comment_id', eb.fn.countAll<number | string>().as('n')])
      .where('site_id', '=', siteId)
      .where('comment_id', 'in', ids)
      .where('resolved_at', 'is', null)
      .groupBy('comment_id')
      .execute();
    return new Map(rows.map((r) => [r.comment_id, Number(r.n)]));
  }

  // ---- writing -------------------------------------------------------------------

  async setMentions(tx: Exec, siteId: string, commentId: string, memberPks: string[], fresh = false) {
    // A comment just written has no mentions to replace.
    if (!fresh) await tx.deleteFrom('comment_mentions').where('site_id', '=', siteId).where('comment_id', '=', commentId).execute();
    if (memberPks.length) {
      await tx
        .insertInto('comment_mentions')
        .values(memberPks.map((member_pk) => ({ site_id: siteId, comment_id: commentId, member_pk })))
        .execute();
    }
  }

  async updateBody(
    tx: Exec,
    siteId: string,
    id: string,
    patch: { body: string; status: CommentRow['status']; held_reason: string | null; edited_at: string },
  ) {
    await tx.updateTable('comments').set(patch).where('site_id', '=', siteId).where('id', '=', id).execute();
  }

  async setStatus(tx: Exec, siteId: string, id: string, status: CommentRow['status']) {
    await tx
      .updateTable('comments')
      .set({ status, ...(status === 'published' ? { held_reason: null } : {}) })
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .execute();
  }

  /** Erases a comment's text and what hangs on it (mentions, reactions); replies stay under its tombstone. */
  async erase(tx: Exec, siteId: string, id: string, at: string) {
    await tx
      .updateTable('comments')
      .set({ body: '', status: 'deleted', deleted_at: at, held_reason: null, useful_count: 0 })
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .execute();
    await tx.deleteFrom('comment_mentions').where('site_id', '=', siteId).where('comment_id', '=', id).execute();
    await tx.deleteFrom('reactions').where('site_id', '=', siteId).where('comment_id', '=', id).execute();
    await tx
      .updateTable('flags')
      .set({ resolved_at: at })
      .where('site_id', '=', siteId)
      .where('comment_id', '=', id)
      .where('resolved_at', 'is', null)
      .execute();
  }

  async log(
    tx: Exec,
    row: { site_id: string; moderator_pk: string; comment_id?: string; thread_pk?: string; action: string; note?: string | null },
  ) {
    await tx
      .insertInto('moderation_log')
      .values({
        id: newId(),
        site_id: row.site_id,
        moderator_pk: row.moderator_pk,
        comment_id: row.comment_id ?? null,
        thread_pk: row.thread_pk ?? null,
        action: row.action,
        note: row.note ?? null,
        created_at: nowIso(),
      })
      .execute();
  }

  // ---- the engagement ledger (through the store, which keeps levels and badges up to date) ---------

  /**
   * Credits what a readable comment earns: `comment.posted` to its author, `reply.received` to the
   * author of the comment it answers (ref: the reply), `useful.received` for each "useful" reaction
   * it holds (ref: `<comment id>:<reactor key>`).
   */
  async earn(tx: Exec, siteId: string, id: string, known?: { author_pk: string; parent_id: string | null }) {
    // A comment just written (`known`) is not read back, and holds no reaction yet.
    const c = known
      ? { id, ...known }
      : await tx
          .selectFrom('comments')
          .select(['id', 'author_pk', 'parent_id'])
          .where('site_id', '=', siteId)
          .where('id', '=', id)
          .executeTakeFirst();
    if (!c?.author_pk) return;
    const p = c.parent_id
      ? await tx
          .selectFrom('comments')
          .select(['author_pk', 'status'])
          .where('site_id', '=', siteId)
          .where('id', '=', c.parent_id)
          .executeTakeFirst()
      : undefined;
    // A reply credits two members: lock both at once, in order, before crediting either.
    await lockMembers(tx, this.store.kind, [...new Set([c.author_pk, p?.author_pk].filter((x): x is string => !!x))].sort());
    await this.store.recordActivity(siteId, c.author_pk, 'comment.posted', c.id, { tx });
    if (c.parent_id) {
      if (p?.author_pk && p.author_pk !== c.author_pk && p.status === 'published') {
        await this.store.recordActivity(siteId, p.author_pk, 'reply.received', c.id, { tx });
      }
    }
    if (known) return;
    const useful = await tx
      .selectFrom('reactions')
      .select('member_pk')
      .where('site_id', '=', siteId)
      .where('comment_id', '=', id)
      .where('kind', '=', USEFUL)
      .execute();
    for (const r of useful) await this.store.recordActivity(siteId, c.author_pk, 'useful.received', `${id}:${r.member_pk}`, { tx });
  }

  /** Takes back what `earn` credited, and the `reply.received` its author got for answers to it. */
  async unearn(tx: Exec, siteId: string, id: string) {
    await this.store.removeActivity(siteId, ['comment.posted', 'reply.received', 'useful.received'], id, { tx });
    const replies = await tx.selectFrom('comments').select('id').where('site_id', '=', siteId).where('parent_id', '=', id).execute();
    for (const r of replies) await this.store.removeActivity(siteId, 'reply.received', r.id, { tx });
  }

  // ---- reactions -------------------------------------------------------------------

  /** Adds a reaction once; "useful" also counts for the order and credits the author. Returns whether it was new. */
  async react(siteId: string, comment: { id: string; author_pk: string | null }, memberPk: string, kind: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const id = newId();
      const r = await tx
        .insertInto('reactions')
        .values({ id, site_id: siteId, comment_id: comment.id, member_pk: memberPk, kind, created_at: nowIso() })
        .onConflict((oc) => oc.columns(['comment_id', 'member_pk', 'kind']).doNothing())
        .executeTakeFirst();
      if (!Number(r.numInsertedOrUpdatedRows ?? 0)) return false;
      if (kind === USEFUL) {
        await tx
          .updateTable('comments')
          .set((eb) => ({ useful_count: eb('useful_count', '+', 1) }))
          .where('id', '=', comment.id)
          .execute();
        if (comment.author_pk)
          await this.store.recordActivity(siteId, comment.author_pk, 'useful.received', `${comment.id}:${memberPk}`, { tx });
      }
      return true;
    });
  }

  async unreact(siteId: string, commentId: string, memberPk: string, kind: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('reactions')
        .select('id')
        .where('site_id', '=', siteId)
        .where('comment_id', '=', commentId)
        .where('member_pk', '=', memberPk)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (!row) return false;
      await tx.deleteFrom('reactions').where('id', '=', row.id).execute();
      if (kind === USEFUL) {
        await tx
          .updateTable('comments')
          .set((eb) => ({ useful_count: eb('useful_count', '-', 1) }))
          .where('id', '=', commentId)
          .execute();
        await this.store.removeActivity(siteId, 'useful.received', `${commentId}:${memberPk}`, { tx });
      }
      return true;
    });
  }

  async reactors(siteId: string, commentId: string) {
    return this.db
      .selectFrom('reactions as r')
      .innerJoin('members as m', 'm.pk', 'r.member_pk')
      .select(['r.kind', 'm.host_id', 'm.name', 'm.picture', 'm.chapters'])
      .where('r.site_id', '=', siteId)
      .where('r.comment_id', '=', commentId)
      .orderBy('r.created_at', 'asc')
      .orderBy('r.id', 'asc')
      .execute()
      .then((rows) => rows.map((r) => ({ kind: r.kind, member: memberSummary(r) })));
  }

  // ---- flags ---------------------------------------------------------------------

  /** Records a member's flag once; a second flag by the same member returns the first. */
  async flag(siteId: string, commentId: string, memberPk: string, reason: string, note: string | null) {
    await this.db
      .insertInto('flags')
      .values({
        id: newId(),
        site_id: siteId,
        comment_id: commentId,
        member_pk: memberPk,
        reason,
        note,
        created_at: nowIso(),
        resolved_at: null,
      })
      .onConflict((oc) => oc.columns(['comment_id', 'member_pk']).doNothing())
      .execute();
    return this.db
      .selectFrom('flags')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('comment_id', '=', commentId)
      .where('member_pk', '=', memberPk)
      .executeTakeFirstOrThrow();
  }

  async resolveFlags(tx: Exec, siteId: string, commentId: string, at: string) {
    await tx
      .updateTable('flags')
      .set({ resolved_at: at })
      .where('site_id', '=', siteId)
      .where('comment_id', '=', commentId)
      .where('resolved_at', 'is', null)
      .execute();
  }

  // ---- read markers ----------------------------------------------------------------

  async readMarker(siteId: string, threadPk: string, memberPk: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('thread_reads')
      .select('read_at')
      .where('site_id', '=', siteId)
      .where('thread_pk', '=', threadPk)
      .where('member_pk', '=', memberPk)
      .executeTakeFirst();
    return r?.read_at ?? null;
  }

  /** Moves the marker forward only (a stale tab cannot make old comments "new" again). */
  async markRead(siteId: string, threadPk: string, memberPk: string, at: string): Promise<string> {
    await this.db
      .insertInto('thread_reads')
      .values({ site_id: siteId, thread_pk: threadPk, member_pk: memberPk, read_at: at })
      .onConflict((oc) => oc.columns(['thread_pk', 'member_pk']).doUpdateSet({ read_at: at }).where('thread_reads.read_at', '<', at))
      .execute();
    return (await this.readMarker(siteId, threadPk, memberPk))!;
  }
}
