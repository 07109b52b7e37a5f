import { type ExpressionBuilder, type Kysely, type Transaction, sql } from 'kysely';
import type { QueueFilter } from '../../contract/moderation.js';
import { newId, nowIso } from '../domain/ids.js';
import type { Database, MemberRow, SanctionRow } from './schema.js';
import type { CommentWithAuthor, Store } from './store.js';

type Exec = Kysely<Database> | Transaction<Database>;

/** What a moderator may act on: the whole site, or the threads of some chapters. */
export interface ModScope {
  siteWide: boolean;
  chapters: string[];
}

export interface QueueRow extends CommentWithAuthor {
  thread_key: string;
  thread_title: string | null;
  thread_audience: string;
  thread_locked: number;
  thread_created_at: string;
  open_flags: number | string;
}

export interface AuditInsert {
  site_id: string;
  action: string;
  moderator_pk?: string | null;
  actor?: 'cli' | 'system' | 'site' | null;
  comment_id?: string | null;
  thread_pk?: string | null;
  member_pk?: string | null;
  chapter_id?: string | null;
  note?: string | null;
  details?: Record<string, unknown> | null;
}

export interface AuditRow {
  id: string;
  created_at: string;
  action: string;
  actor: string | null;
  comment_id: string | null;
  thread_key: string | null;
  note: string | null;
  details: string | null;
  chapter_id: string | null;
  actor_host_id: string | null;
  actor_name: string | null;
  actor_picture: string | null;
  actor_chapters: string | null;
  member_host_id: string | null;
  member_name: string | null;
  member_picture: string | null;
  member_chapters: string | null;
}

const AUTHOR_FIELDS = [
  'm.host_id as author_host_id',
  'm.name as author_name',
  'm.picture as author_picture',
  'm.chapters as author_chapters',
] as const;

/** Threads a scope covers, as audiences (`chapter:<id>`); undefined for the whole site. */
const audiencesOf = (scope: ModScope, chapter?: string) =>
  chapter ? [`chapter:${chapter}`] : scope.siteWide ? undefined : scope.chapters.map((c) => `chapter:${c}`);

/**
 * Queries of moderation and administration: the review queue, sanctions and the audit log (the
 * discussion's moderation log, extended to every administration action). Every query filters by site.
 */
export class ModerationStore {
  constructor(readonly store: Store) {}

  get db() {
    return this.store.db;
  }

  // ---- the queue ---------------------------------------------------------------------

  private queueBase(siteId: string, scope: ModScope, filter: QueueFilter, chapter?: string) {
    const audiences = audiencesOf(scope, chapter);
    let q = this.db
      .selectFrom('comments as c')
      .innerJoin('threads as t', 't.pk', 'c.thread_pk')
      .leftJoin('members as m', 'm.pk', 'c.author_pk')
      .where('c.site_id', '=', siteId);
    if (audiences) q = q.where('t.audience', 'in', audiences.length ? audiences : ['-']);
    const openFlags = (eb: ExpressionBuilder<Database & { c: Database['comments'] }, 'c'>) =>
      eb.exists(eb.selectFrom('flags as f').select('f.id').whereRef('f.comment_id', '=', 'c.id').where('f.resolved_at', 'is', null));
    return q.where((eb) => {
      const pending = eb('c.status', '=', 'pending');
      const flagged = eb.and([eb('c.status', '=', 'published'), openFlags(eb)]);
      switch (filter) {
        case 'pending':
          return pending;
        case 'word':
          return eb.and([pending, eb('c.held_reason', '=', 'word')]);
        case 'spam':
          return eb.and([pending, eb('c.held_reason', '=', 'spam')]);
        case 'flagged':
          return flagged;
        default:
          return eb.or([pending, flagged]);
      }
    });
  }

  /** One page of the queue, oldest first. */
  async queue(
    siteId: string,
    scope: ModScope,
    opts: { filter: QueueFilter; chapter?: string; after?: [string, string]; limit: number },
  ): Promise<QueueRow[]> {
    let q = this.queueBase(siteId, scope, opts.filter, opts.chapter)
      .selectAll('c')
      .select(AUTHOR_FIELDS)
      .select([
        't.key as thread_key',
        't.title as thread_title',
        't.audience as thread_audience',
        't.locked as thread_locked',
        't.created_at as thread_created_at',
      ])
      .select((eb) =>
        eb
          .selectFrom('flags as f')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('f.comment_id', '=', 'c.id')
          .where('f.resolved_at', 'is', null)
          .as('open_flags'),
      );
    if (opts.after) {
      const [t, id] = opts.after;
      q = q.where((eb) => eb.or([eb('c.created_at', '>', t), eb.and([eb('c.created_at', '=', t), eb('c.id', '>', id)])]));
    }
    return q.orderBy('c.created_at', 'asc').orderBy('c.id', 'asc').limit(opts.limit).execute() as unknown as Promise<QueueRow[]>;
  }

  async counts(siteId: string, scope: ModScope, chapter?: string) {
    const one = async (filter: QueueFilter) => {
      const r = await this.queueBase(siteId, scope, filter, chapter)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const [pending, flagged, word, spam] = await Promise.all([one('pending'), one('flagged'), one('word'), one('spam')]);
    return { pending, flagged, word, spam };
  }

  /** Open flags of these comments, counted by reason, and the latest notes. */
  async flagSummaries(siteId: string, ids: string[]) {
    const counts = new Map<string, { reason: string; count: number }[]>();
    const notes = new Map<string, string[]>();
    if (!ids.length) return { counts, notes };
    const rows = await this.db
      .selectFrom('flags')
      .select(['comment_id', 'reason', 'note', 'created_at'])
      .where('site_id', '=', siteId)
      .where('comment_id', 'in', ids)
      .where('resolved_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    for (const r of rows) {
      const list = counts.get(r.comment_id) ?? [];
      const hit = list.find((x) => x.reason === r.reason);
      if (hit) hit.count++;
      else list.push({ reason: r.reason, count: 1 });
      counts.set(r.comment_id, list);
      if (r.note && (notes.get(r.comment_id)?.length ?? 0) < 3) notes.set(r.comment_id, [...(notes.get(r.comment_id) ?? []), r.note]);
    }
    for (const list of counts.values()) list.sort((a, b) => b.count - a.count);
    return { counts, notes };
  }

  async publishedCounts(siteId: string, memberPks: string[]): Promise<Map<string, number>> {
    if (!memberPks.length) return new Map();
    const rows = await this.db
      .selectFrom('comments')
      .select((eb) => ['author_pk', eb.fn.countAll<number | string>().as('n')])
      .where('site_id', '=', siteId)
      .where('author_pk', 'in', memberPks)
      .where('status', '=', 'published')
      .groupBy('author_pk')
      .execute();
    return new Map(rows.map((r) => [r.author_pk!, Number(r.n)]));
  }

  /** Comments with their thread, for acting on them (in the caller's transaction when given). */
  async commentsWithThreads(siteId: string, ids: string[], tx: Exec = this.db) {
    if (!ids.length) return [];
    return tx
      .selectFrom('comments as c')
      .innerJoin('threads as t', 't.pk', 'c.thread_pk')
      .select(['c.id', 'c.status', 'c.author_pk', 'c.parent_id', 'c.thread_pk', 't.key as thread_key', 't.audience as thread_audience'])
      .where('c.site_id', '=', siteId)
      .where('c.id', 'in', ids)
      .execute();
  }

  // ---- sanctions --------------------------------------------------------------------------

  /** Sanctions in force now for these members. */
  async activeSanctions(siteId: string, memberPks: string[], at: string, tx: Exec = this.db): Promise<SanctionRow[]> {
    if (!memberPks.length) return [];
    return tx
      .selectFrom('sanctions')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('member_pk', 'in', memberPks)
      .where('lifted_at', 'is', null)
      .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', at)]))
      .orderBy('created_at', 'desc')
      .execute();
  }

  async sanctionList(siteId: string, at: string, opts: { scope: ModScope; memberPk?: string }) {
    let q = this.db
      .selectFrom('sanctions as s')
      .innerJoin('members as m', 'm.pk', 's.member_pk')
      .leftJoin('members as b', 'b.pk', 's.moderator_pk')
      .selectAll('s')
      .select([
        'm.host_id',
        'm.name',
        'm.picture',
        'm.chapters',
        'b.host_id as by_host_id',
        'b.name as by_name',
        'b.picture as by_picture',
        'b.chapters as by_chapters',
      ])
      .where('s.site_id', '=', siteId)
      .where('s.lifted_at', 'is', null)
      .where((eb) => eb.or([eb('s.ends_at', 'is', null), eb('s.ends_at', '>', at)]));
    if (!opts.scope.siteWide) q = q.where('s.chapter_id', 'in', opts.scope.chapters.length ? opts.scope.chapters : ['-']);
    if (opts.memberPk) q = q.where('s.member_pk', '=', opts.memberPk);
    return q.orderBy('s.created_at', 'desc').limit(500).execute();
  }

  async sanctionById(siteId: string, id: string) {
    return this.db
      .selectFrom('sanctions as s')
      .innerJoin('members as m', 'm.pk', 's.member_pk')
      .leftJoin('members as b', 'b.pk', 's.moderator_pk')
      .selectAll('s')
      .select([
        'm.host_id',
        'm.name',
        'm.picture',
        'm.chapters',
        'b.host_id as by_host_id',
        'b.name as by_name',
        'b.picture as by_picture',
        'b.chapters as by_chapters',
      ])
      .where('s.site_id', '=', siteId)
      .where('s.id', '=', id)
      .executeTakeFirst();
  }

  async insertSanction(tx: Exec, row: Omit<SanctionRow, 'id' | 'lifted_at' | 'lifted_by'>) {
    const id = newId();
    await tx
      .insertInto('sanctions')
      .values({ ...row, id, lifted_at: null, lifted_by: null })
      .execute();
    return id;
  }

  async liftSanction(tx: Exec, siteId: string, id: string, at: string, by: string | null) {
    await tx
      .updateTable('sanctions')
      .set({ lifted_at: at, lifted_by: by })
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .where('lifted_at', 'is', null)
      .execute();
  }

  // ---- audit log ------------------------------------------------------------------------

  /** Records one action; `details` must hold no secret. */
  async audit(tx: Exec, row: AuditInsert, at = nowIso()) {
    await tx
      .insertInto('moderation_log')
      .values({
        id: newId(),
        site_id: row.site_id,
        moderator_pk: row.moderator_pk ?? null,
        comment_id: row.comment_id ?? null,
        thread_pk: row.thread_pk ?? null,
        action: row.action,
        note: row.note ?? null,
        created_at: at,
        member_pk: row.member_pk ?? null,
        chapter_id: row.chapter_id ?? null,
        details: row.details ? JSON.stringify(row.details) : null,
        actor: row.actor ?? null,
      })
      .execute();
  }

  private auditBase(siteId: string) {
    return this.db
      .selectFrom('moderation_log as l')
      .leftJoin('members as a', 'a.pk', 'l.moderator_pk')
      .leftJoin('members as mb', 'mb.pk', 'l.member_pk')
      .leftJoin('threads as t', 't.pk', 'l.thread_pk')
      .select([
        'l.id',
        'l.created_at',
        'l.action',
        'l.actor',
        'l.comment_id',
        'l.note',
        'l.details',
        'l.chapter_id',
        't.key as thread_key',
        'a.host_id as actor_host_id',
        'a.name as actor_name',
        'a.picture as actor_picture',
        'a.chapters as actor_chapters',
        'mb.host_id as member_host_id',
        'mb.name as member_name',
        'mb.picture as member_picture',
        'mb.chapters as member_chapters',
      ])
      .where('l.site_id', '=', siteId);
  }

  /** Newest first, paged by (created_at, id). */
  async auditPage(
    siteId: string,
    opts: { before?: [string, string]; limit: number; action?: string; since?: string; until?: string },
  ): Promise<AuditRow[]> {
    let q = this.auditBase(siteId);
    if (opts.action) q = q.where((eb) => eb.or([eb('l.action', '=', opts.action!), eb('l.action', 'like', `${opts.action}.%`)]));
    if (opts.since) q = q.where('l.created_at', '>=', opts.since);
    if (opts.until) q = q.where('l.created_at', '<', opts.until);
    if (opts.before) {
      const [t, id] = opts.before;
      q = q.where((eb) => eb.or([eb('l.created_at', '<', t), eb.and([eb('l.created_at', '=', t), eb('l.id', '<', id)])]));
    }
    return q.orderBy('l.created_at', 'desc').orderBy('l.id', 'desc').limit(opts.limit).execute() as Promise<AuditRow[]>;
  }

  /** The whole log (or a period), oldest first, in slices (an export of any size never holds it all in memory). */
  async *auditAll(siteId: string, opts: { since?: string; until?: string }, slice = 500): AsyncGenerator<AuditRow> {
    let after: [string, string] | undefined;
    for (;;) {
      let q = this.auditBase(siteId);
      if (opts.since) q = q.where('l.created_at', '>=', opts.since);
      if (opts.until) q = q.where('l.created_at', '<', opts.until);
      if (after) {
        const [t, id] = after;
        q = q.where((eb) => eb.or([eb('l.created_at', '>', t), eb.and([eb('l.created_at', '=', t), eb('l.id', '>', id)])]));
      }
      const rows = (await q.orderBy('l.created_at', 'asc').orderBy('l.id', 'asc').limit(slice).execute()) as AuditRow[];
      for (const r of rows) yield r;
      if (rows.length < slice) return;
      const last = rows[rows.length - 1];
      after = [last.created_at, last.id];
    }
  }

  memberByHostId(siteId: string, hostId: string): Promise<MemberRow | undefined> {
    return this.store.memberByHostId(siteId, hostId);
  }

  /** Whether any row of `table` exists for the site (cheap checks before doing work). */
  async any(table: 'webhooks', siteId: string) {
    const r = await this.db
      .selectFrom(table)
      .select(sql<number>`1`.as('x'))
      .where('site_id', '=', siteId)
      .limit(1)
      .executeTakeFirst();
    return !!r;
  }
}
