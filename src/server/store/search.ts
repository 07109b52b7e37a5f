import { type Kysely, PostgresAdapter, type Transaction, sql } from 'kysely';
import { fts5Query, memberSearchRows, PG_FOLDED_BODY, tsQuery } from '../domain/search.js';
import type { Database, MemberProfileRow, MemberRow } from './schema.js';

type Exec = Kysely<Database> | Transaction<Database>;
type Kind = 'sqlite' | 'postgres';

const view = (db: Exec) => db as Kysely<Database>;

/**
 * Rewrites the directory's index rows of the given members (domain/search.ts says what each row holds),
 * inside the caller's transaction when given one. A member no longer there loses their rows.
 */
export async function indexMembers(db: Exec, siteId: string, pks: readonly string[]): Promise<void> {
  if (!pks.length) return;
  const d = view(db);
  // Outside a transaction, one of its own: the member rows are locked (PostgreSQL) before they are read, so
  // that of two rewrites racing, the last reads what the first committed and no stale row survives.
  if (!d.isTransaction) return d.transaction().execute((tx) => indexMembers(tx, siteId, pks));
  const pg = d.getExecutor().adapter instanceof PostgresAdapter;
  for (let i = 0; i < pks.length; i += 500) {
    const part = pks.slice(i, i + 500);
    let mq = d.selectFrom('members').selectAll().where('site_id', '=', siteId).where('pk', 'in', part);
    if (pg) mq = mq.forUpdate();
    const members = await mq.execute();
    await d.deleteFrom('member_search').where('site_id', '=', siteId).where('member_pk', 'in', part).execute();
    const profiles = await d
      .selectFrom('member_profiles')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('member_pk', 'in', part)
      .execute();
    await insertRows(d, siteId, members, new Map(profiles.map((p) => [p.member_pk, p])));
  }
}

async function insertRows(d: Kysely<Database>, siteId: string, members: MemberRow[], profiles: Map<string, MemberProfileRow>) {
  const rows = members.flatMap((m) =>
    memberSearchRows(m, profiles.get(m.pk) ?? null).map((r) => ({ site_id: siteId, member_pk: m.pk, sort_name: m.name, ...r })),
  );
  // 7 parameters a row: well under SQLite's 32,766 and PostgreSQL's 65,535 a statement.
  for (let i = 0; i < rows.length; i += 1000)
    await d
      .insertInto('member_search')
      .values(rows.slice(i, i + 1000))
      .execute();
}

/** Rebuilds the directory's index of one site, or of every site: after the migration, a bulk load or a restore. */
export async function rebuildMemberSearch(db: Exec, siteId?: string): Promise<number> {
  const d = view(db);
  let q = d.deleteFrom('member_search');
  if (siteId) q = q.where('site_id', '=', siteId);
  await q.execute();
  let after = '';
  let n = 0;
  for (;;) {
    let mq = d.selectFrom('members').selectAll().where('pk', '>', after);
    if (siteId) mq = mq.where('site_id', '=', siteId);
    const members = await mq.orderBy('pk').limit(2000).execute();
    if (!members.length) return n;
    const profiles = await d
      .selectFrom('member_profiles')
      .selectAll()
      .where(
        'member_pk',
        'in',
        members.map((m) => m.pk),
      )
      .execute();
    const bySite = new Map<string, MemberRow[]>();
    for (const m of members) bySite.set(m.site_id, [...(bySite.get(m.site_id) ?? []), m]);
    const byPk = new Map(profiles.map((p) => [p.member_pk, p]));
    for (const [site, list] of bySite) await insertRows(d, site, list, byPk);
    n += members.length;
    after = members[members.length - 1].pk;
  }
}

/**
 * The site condition on `members`: on SQLite written `+m.site_id`, which keeps the planner from walking the
 * site's members in name order and testing each against the matches (every member, for a rare word):
 * the matches are few, found through the index, and sorted.
 */
const siteOf = (kind: Kind) => (kind === 'sqlite' ? sql<string>`+m.site_id` : sql<string>`m.site_id`);

/** `from …where <match>` over the directory's index rows (`s`), led by the full-text index. */
function hitsFrom(kind: Kind, terms: string[], column: 'doc' | 'name') {
  return kind === 'postgres'
    ? sql`member_search s where to_tsvector('simple'::regconfig, ${sql.ref(`s.${column}`)}) @@ to_tsquery('simple', ${tsQuery(terms)})`
    : sql`member_search_fts f cross join member_search s on s.id = f.rowid where member_search_fts match ${fts5Query(terms, column)}`;
}

/** The members whose index rows in `scopes` match every term in `column`, led by the full-text index. */
function matchingMembers(kind: Kind, siteId: string, scopes: string[], terms: string[], column: 'doc' | 'name') {
  if (kind === 'postgres') {
    return sql<string>`(select s.member_pk from member_search s where s.site_id = ${siteId} and s.scope in (${sql.join(scopes)})
      and to_tsvector('simple'::regconfig, ${sql.ref(`s.${column}`)}) @@ to_tsquery('simple', ${tsQuery(terms)}))`;
  }
  return sql<string>`(select s.member_pk from member_search_fts f cross join member_search s on s.id = f.rowid
    where member_search_fts match ${fts5Query(terms, column)} and s.site_id = ${siteId} and s.scope in (${sql.join(scopes)}))`;
}

export interface CommentHit {
  id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  author_pk: string | null;
  thread_key: string;
  thread_title: string | null;
}

/** Searches over the indexes of migration 013. Every query filters by site. */
export class SearchStore {
  constructor(private readonly h: { db: Kysely<Database>; kind: Kind }) {}

  /**
   * One page of the directory's members whose visible fields match every term, in (name, pk) order after
   * `after`: only the index rows of the reader's `scopes` are searched, so a field hidden from them never
   * matches. `chapter` keeps members of that chapter.
   */
  async members(siteId: string, opts: { scopes: string[]; terms: string[]; chapter?: string; after?: [string, string]; limit: number }) {
    const d = view(this.h.db);
    if (opts.chapter) {
      let q = d
        .selectFrom('members as m')
        .selectAll('m')
        .where(siteOf(this.h.kind), '=', siteId)
        .where('m.pk', 'in', matchingMembers(this.h.kind, siteId, opts.scopes, opts.terms, 'doc'))
        .where('m.chapters', 'like', sql<string>`${jsonLike(opts.chapter)} escape '\\'`);
      if (opts.after) {
        const [name, pk] = opts.after;
        q = q.where((eb) => eb.or([eb('m.name', '>', name), eb.and([eb('m.name', '=', name), eb('m.pk', '>', pk)])]));
      }
      return q.orderBy('m.name').orderBy('m.pk').limit(opts.limit).execute();
    }
    // The page is chosen on the index rows alone (they carry the name the directory sorts by); only the
    // page's members are read.
    const cursor = opts.after
      ? sql`and (sort_name > ${opts.after[0]} or (sort_name = ${opts.after[0]} and member_pk > ${opts.after[1]}))`
      : sql``;
    const page = await sql<{ member_pk: string; sort_name: string }>`with hits as materialized (
        select distinct s.member_pk, s.sort_name from ${hitsFrom(this.h.kind, opts.terms, 'doc')}
        and s.site_id = ${siteId} and s.scope in (${sql.join(opts.scopes)}))
      select member_pk, sort_name from hits where true ${cursor}
      order by sort_name, member_pk limit ${opts.limit}`.execute(this.h.db);
    const pks = page.rows.map((r) => r.member_pk);
    if (!pks.length) return [];
    const rows = new Map(
      (await d.selectFrom('members').selectAll().where('site_id', '=', siteId).where('pk', 'in', pks).execute()).map((m) => [m.pk, m]),
    );
    return pks.map((pk) => rows.get(pk)).filter((m): m is MemberRow => !!m);
  }

  /**
   * Members whose name has words starting with every term, whom the reader may find (`scopes`), within a
   * thread's audience (its chapter, its role; admins read everything), the writer left out; by name.
   */
  async mentionCandidates(siteId: string, opts: { scopes: string[]; terms: string[]; audience: string; exclude: string; limit: number }) {
    const { audience } = opts;
    let within = sql``;
    if (audience.startsWith('chapter:') || audience.startsWith('role:')) {
      const [column, value] = audience.startsWith('chapter:')
        ? [sql.ref('m.chapters'), audience.slice(8)]
        : [sql.ref('m.roles'), audience.slice(5)];
      within = sql`and (${column} like ${jsonLike(value)} escape '\\' or m.roles like '%"admin"%')`;
    }
    // The matches first (materialized: found through the full-text index), then their members.
    const r = await sql<Pick<MemberRow, 'pk' | 'host_id' | 'name' | 'picture' | 'chapters'>>`with hits as materialized (
        select distinct s.member_pk, s.sort_name from ${hitsFrom(this.h.kind, opts.terms, 'name')}
        and s.site_id = ${siteId} and s.scope in (${sql.join(opts.scopes)}) and s.member_pk <> ${opts.exclude})
      select m.pk, m.host_id, m.name, m.picture, m.chapters from hits h join members m on m.pk = h.member_pk
      where m.site_id = ${siteId} ${within}
      order by h.sort_name, h.member_pk limit ${opts.limit}`.execute(this.h.db);
    return r.rows;
  }

  /**
   * Published comments matching every term, in threads of the given audiences (all when `audiences` is
   * null: an admin), newest first, after the cursor (created_at, id).
   */
  async comments(siteId: string, opts: { terms: string[]; audiences: string[] | null; after?: [string, string]; limit: number }) {
    const audience = opts.audiences ? sql`and t.audience in (${sql.join(opts.audiences.length ? opts.audiences : [''])})` : sql``;
    if (this.h.kind === 'sqlite') {
      // Driven by FTS5 in its rowid order, which is the comments' time (migration 013): newest first, and
      // it stops at the page. After a cursor: below the index id of the cursor's comment, else its time.
      const cursor = opts.after
        ? sql`and f.rowid < coalesce((select id from comment_search where comment_id = ${opts.after[1]}),
            cast(round(unixepoch(${opts.after[0]}, 'subsec') * 1000) as integer) * 1000)`
        : sql``;
      const r =
        await sql<CommentHit>`select c.id, c.body, c.created_at, c.edited_at, c.author_pk, t.key as thread_key, t.title as thread_title
        from comment_search_fts f
        cross join comment_search s on s.id = f.rowid
        cross join comments c on c.id = s.comment_id
        cross join threads t on t.pk = c.thread_pk
        where comment_search_fts match ${fts5Query(opts.terms)} and s.site_id = ${siteId} and c.status = 'published' ${audience} ${cursor}
        order by f.rowid desc limit ${opts.limit}`.execute(this.h.db);
      return r.rows;
    }
    const cursor = opts.after
      ? sql`and (c.created_at < ${opts.after[0]} or (c.created_at = ${opts.after[0]} and c.id < ${opts.after[1]}))`
      : sql``;
    const match = sql`to_tsvector('simple'::regconfig, ${sql.raw(PG_FOLDED_BODY.replace('body', 'c.body'))}) @@ to_tsquery('simple', ${tsQuery(opts.terms)})`;
    // A word in few comments: all of them through the GIN index, then sorted. A common one: newest first
    // along the comments' time index, stopping at the page. PostgreSQL's estimate of a prefix query cannot
    // tell them apart, so a bounded count through the GIN index decides.
    const few = await sql<{ n: number }>`select count(*)::int as n from (
        select 1 from comments c where c.site_id = ${siteId} and c.status = 'published' and ${match} limit ${FEW}) x`.execute(this.h.db);
    if (Number(few.rows[0]?.n) < FEW) {
      const hits = await sql<CommentHit>`with hits as materialized (
          select c.id from comments c where c.site_id = ${siteId} and c.status = 'published' and ${match} ${cursor})
        select c.id, c.body, c.created_at, c.edited_at, c.author_pk, t.key as thread_key, t.title as thread_title
        from hits h join comments c on c.id = h.id join threads t on t.pk = c.thread_pk
        where true ${audience}
        order by c.created_at desc, c.id desc limit ${opts.limit}`.execute(this.h.db);
      return hits.rows;
    }
    const r =
      await sql<CommentHit>`select c.id, c.body, c.created_at, c.edited_at, c.author_pk, t.key as thread_key, t.title as thread_title
      from comments c join threads t on t.pk = c.thread_pk
      where c.site_id = ${siteId} and c.status = 'published' and ${match}
        ${audience} ${cursor}
      order by c.created_at desc, c.id desc limit ${opts.limit}`.execute(this.h.db);
    return r.rows;
  }

  /** Whether the comments' full-text index holds this word (SQLite: the FTS5 index itself; PostgreSQL: the indexed expression). */
  async indexHolds(siteId: string, word: string): Promise<boolean> {
    if (this.h.kind === 'postgres') {
      const r = await sql<{ n: number }>`select count(*)::int as n from comments where site_id = ${siteId} and status = 'published'
        and to_tsvector('simple'::regconfig, ${sql.raw(PG_FOLDED_BODY)}) @@ to_tsquery('simple', ${tsQuery([word])})`.execute(this.h.db);
      return Number(r.rows[0]?.n) > 0;
    }
    const r = await sql<{
      n: number;
    }>`select count(*) as n from comment_search_fts where comment_search_fts match ${fts5Query([word])}`.execute(this.h.db);
    return Number(r.rows[0]?.n) > 0;
  }
}

/** Below this many matches, a PostgreSQL search sorts them all; from it on, it walks the comments newest first. */
const FEW = 2000;

/** A LIKE pattern finding `"value"` inside a JSON array of strings. */
const jsonLike = (value: string) => `%${JSON.stringify(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
