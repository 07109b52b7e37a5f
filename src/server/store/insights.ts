import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { DbHandle as Store } from './schema.js';

/** Ledger kinds that count as taking part: posting, an answer found useful, coming to an event, an introduction made. */
export const PARTICIPATION = {
  posted: 'comment.posted',
  useful: 'useful.received',
  attended: 'event.attended',
  introduced: 'introduction.made',
} as const;
const KINDS = Object.values(PARTICIPATION);

export interface Period {
  /** First instant (a Monday, 00:00 UTC), ISO. */
  from: string;
  /** First instant after the period, ISO. */
  until: string;
  chapter: string | null;
}

/** The week (0, 1, …) a text ISO time falls in, counted from `from`: computed by the database, grouped by it. */
function weekOf(store: Store, column: RawBuilder<unknown>, from: string): RawBuilder<number> {
  return store.kind === 'postgres'
    ? sql<number>`floor(extract(epoch from (cast(${column} as timestamptz) - cast(${from} as timestamptz))) / 604800)::int`
    : sql<number>`cast((julianday(${column}) - julianday(${from})) / 7 as integer)`;
}

/** Introductions asked for in each week, and how many of them were accepted. */
export async function introductionWeeks(store: Store, siteId: string, p: Period) {
  const wk = weekOf(store, sql.ref('created_at'), p.from);
  const r = await sql<{ wk: number; requested: number; accepted: number }>`
    select wk, count(*) as requested, sum(case when status = 'accepted' then 1 else 0 end) as accepted
    from (select ${wk} as wk, status from introductions where site_id = ${siteId} and created_at >= ${p.from} and created_at < ${p.until}) i
    group by wk`.execute(store.db);
  return r.rows.map((x) => ({ wk: Number(x.wk), requested: Number(x.requested), accepted: Number(x.accepted ?? 0) }));
}

export interface EventFillRow {
  id: string;
  title: string;
  starts_at: string;
  capacity: number | null;
  taken: number;
  going: number;
  attended: number;
  marked: number;
}

/** Events that started in the period (not cancelled): places taken, members going, members marked present. */
export async function eventFill(store: Store, siteId: string, p: Period, limit = 200): Promise<EventFillRow[]> {
  let q = store.db
    .selectFrom('events as e')
    .leftJoin('rsvps as r', (j) => j.onRef('r.event_id', '=', 'e.id').onRef('r.site_id', '=', 'e.site_id'))
    .select(['e.id', 'e.title', 'e.starts_at', 'e.capacity'])
    .select(() => [
      sql<number>`coalesce(sum(case when r.status = 'going' then 1 + r.guests else 0 end), 0)`.as('taken'),
      sql<number>`coalesce(sum(case when r.status = 'going' then 1 else 0 end), 0)`.as('going'),
      sql<number>`coalesce(sum(case when r.attended = 1 then 1 else 0 end), 0)`.as('attended'),
      sql<number>`coalesce(sum(case when r.attended is not null then 1 else 0 end), 0)`.as('marked'),
    ])
    .where('e.site_id', '=', siteId)
    .where('e.starts_at', '>=', p.from)
    .where('e.starts_at', '<', p.until)
    .where('e.cancelled_at', 'is', null);
  if (p.chapter !== null) q = q.where('e.chapter_id', '=', p.chapter);
  const rows = await q.groupBy(['e.id', 'e.title', 'e.starts_at', 'e.capacity']).orderBy('e.starts_at').limit(limit).execute();
  return rows.map((r) => ({
    ...r,
    capacity: r.capacity === null ? null : Number(r.capacity),
    taken: Number(r.taken),
    going: Number(r.going),
    attended: Number(r.attended),
    marked: Number(r.marked),
  }));
}

export interface OpenedThread {
  key: string;
  title: string | null;
  opened_at: string;
  answered_at: string | null;
}

/**
 * Threads opened in the period with their first published comment and the first published answer by someone else.
 * The caller keeps those not answered within a week.
 */
export async function openedThreads(store: Store, siteId: string, p: Period, until: string): Promise<OpenedThread[]> {
  const chapter = p.chapter === null ? sql`` : sql`and t.audience = ${`chapter:${p.chapter}`}`;
  const r = await sql<OpenedThread>`
    select x.key, x.title, x.opened_at,
      (select min(c2.created_at) from comments c2
        where c2.thread_pk = x.pk and c2.status = 'published' and c2.author_pk <> x.opener) as answered_at
    from (
      select t.pk, t.key, t.title,
        (select c.author_pk from comments c where c.thread_pk = t.pk and c.status = 'published' order by c.created_at, c.id limit 1) as opener,
        (select min(c.created_at) from comments c where c.thread_pk = t.pk and c.status = 'published') as opened_at
      from threads t
      where t.site_id = ${siteId} ${chapter} and t.created_at >= ${p.from} and t.created_at < ${until}
    ) x
    where x.opener is not null
    order by x.opened_at`.execute(store.db);
  return r.rows;
}

// ---- participation kept by week, as the ledger is written ------------------------------------

type Exec = Kysely<Database> | Transaction<Database>;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** `insight_presence.kind` for "took part in any way". */
const ANY = '*';
/** `scope` for the whole site; otherwise a chapter id. */
const SITE = '';
const COLUMN: Record<string, keyof Counts> = {
  [ANY]: 'members',
  [PARTICIPATION.posted]: 'posted',
  [PARTICIPATION.useful]: 'useful',
  [PARTICIPATION.attended]: 'attended',
  [PARTICIPATION.introduced]: 'introduced',
};

interface Counts {
  members: number;
  posted: number;
  useful: number;
  attended: number;
  introduced: number;
  newcomers: number;
}

const isParticipation = (kind: string) => (KINDS as readonly string[]).includes(kind);

/** The Monday (ISO date, UTC) of the week an ISO time falls in. */
function mondayOf(at: string): string {
  const d = Math.floor(Date.parse(at) / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return new Date((d - ((d + 3) % 7)) * DAY_MS).toISOString().slice(0, 10);
}

const key = (...parts: string[]) => parts.join('\u0000');

/**
 * Brings the member's rows in `insight_presence` (one per scope, week and way of taking part) and
 * `insight_newcomers` (the scopes of the member's first week) in line with the ledger for `weeks` (or all of the
 * member's weeks), and moves the counters of `insight_counts` by what was added or taken away. Runs in the
 * ledger write's transaction. Inserts are insert-or-ignore and deletes count what they deleted, so two writers
 * racing on one member never count a row twice.
 */
export async function refreshParticipation(tx: Exec, siteId: string, memberPk: string, weeks: Iterable<string> | 'all') {
  const deltas: Deltas = new Map();
  await collect(tx, siteId, memberPk, weeks, deltas);
  await applyDeltas(tx, siteId, deltas);
}

/** Counter changes by (scope, week). */
type Deltas = Map<string, { scope: string; week: string; d: Partial<Counts> }>;

async function collect(tx: Exec, siteId: string, memberPk: string, weeks: Iterable<string> | 'all', deltas: Deltas) {
  const only = weeks === 'all' ? null : new Set(weeks);
  if (only && !only.size) return;
  let acts = tx
    .selectFrom('activities')
    .select(['kind', 'chapter_id', 'created_at'])
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk)
    .where('kind', 'in', KINDS);
  let present = tx
    .selectFrom('insight_presence')
    .select(['scope', 'week', 'kind'])
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk);
  if (only) {
    const sorted = [...only].sort();
    const from = `${sorted[0]}T00:00:00.000Z`;
    const until = new Date(Date.parse(`${sorted[sorted.length - 1]}T00:00:00.000Z`) + WEEK_MS).toISOString();
    acts = acts.where('created_at', '>=', from).where('created_at', '<', until);
    present = present.where('week', 'in', sorted);
  }
  const want = new Map<string, { scope: string; week: string; kind: string }>();
  for (const a of await acts.execute()) {
    const week = mondayOf(a.created_at);
    if (only && !only.has(week)) continue;
    for (const scope of a.chapter_id === null ? [SITE] : [SITE, a.chapter_id]) {
      for (const kind of [ANY, a.kind]) want.set(key(scope, week, kind), { scope, week, kind });
    }
  }
  const have = new Map((await present.execute()).map((r) => [key(r.scope, r.week, r.kind), r]));
  const bump = (scope: string, week: string, column: keyof Counts, by: number) => {
    const k = key(scope, week);
    const e = deltas.get(k) ?? { scope, week, d: {} };
    e.d[column] = (e.d[column] ?? 0) + by;
    deltas.set(k, e);
  };
  for (const [k, r] of want) {
    if (have.has(k)) continue;
    const ins = await tx
      .insertInto('insight_presence')
      .values({ site_id: siteId, scope: r.scope, week: r.week, kind: r.kind, member_pk: memberPk })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) > 0) bump(r.scope, r.week, COLUMN[r.kind], 1);
  }
  for (const [k, r] of have) {
    if (want.has(k)) continue;
    const del = await tx
      .deleteFrom('insight_presence')
      .where('site_id', '=', siteId)
      .where('scope', '=', r.scope)
      .where('week', '=', r.week)
      .where('kind', '=', r.kind)
      .where('member_pk', '=', memberPk)
      .executeTakeFirst();
    if (Number(del.numDeletedRows) > 0) bump(r.scope, r.week, COLUMN[r.kind], -1);
  }

  // Newcomers: the scopes the member took part in during their first week of taking part at all.
  const first = await tx
    .selectFrom('activities')
    .select('created_at')
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk)
    .where('kind', 'in', KINDS)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  const firstWeek = first ? mondayOf(first.created_at) : null;
  const newIn = firstWeek
    ? await tx
        .selectFrom('insight_presence')
        .select('scope')
        .where('site_id', '=', siteId)
        .where('member_pk', '=', memberPk)
        .where('week', '=', firstWeek)
        .where('kind', '=', ANY)
        .execute()
    : [];
  const wantNew = new Map(newIn.map((r) => [key(r.scope, firstWeek!), { scope: r.scope, week: firstWeek! }]));
  const haveNew = new Map(
    (
      await tx
        .selectFrom('insight_newcomers')
        .select(['scope', 'week'])
        .where('site_id', '=', siteId)
        .where('member_pk', '=', memberPk)
        .execute()
    ).map((r) => [key(r.scope, r.week), r]),
  );
  for (const [k, r] of haveNew) {
    if (wantNew.has(k)) continue;
    const del = await tx
      .deleteFrom('insight_newcomers')
      .where('site_id', '=', siteId)
      .where('member_pk', '=', memberPk)
      .where('scope', '=', r.scope)
      .where('week', '=', r.week)
      .executeTakeFirst();
    if (Number(del.numDeletedRows) > 0) bump(r.scope, r.week, 'newcomers', -1);
  }
  for (const [k, r] of wantNew) {
    if (haveNew.has(k)) continue;
    const ins = await tx
      .insertInto('insight_newcomers')
      .values({ site_id: siteId, member_pk: memberPk, scope: r.scope, week: r.week })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) > 0) bump(r.scope, r.week, 'newcomers', 1);
  }
}

/**
 * Moves the counters, in (scope, week) order: two transactions moving the same counters lock them in the same
 * order (PostgreSQL), so they wait for each other rather than deadlock.
 */
async function applyDeltas(tx: Exec, siteId: string, deltas: Deltas) {
  for (const { scope, week, d } of [...deltas.values()].sort((a, b) => cmp(a.scope, b.scope) || cmp(a.week, b.week))) {
    const row = { members: 0, posted: 0, useful: 0, attended: 0, introduced: 0, newcomers: 0, ...d };
    await tx
      .insertInto('insight_counts')
      .values({ site_id: siteId, scope, week, ...row })
      .onConflict((oc) =>
        oc
          .columns(['site_id', 'scope', 'week'])
          .doUpdateSet(
            Object.fromEntries(
              Object.keys(d).map((c) => [c, sql`${sql.ref(`insight_counts.${c}`)} + ${sql.ref(`excluded.${c}`)}`]),
            ) as Record<keyof Counts, RawBuilder<number>>,
          ),
      )
      .execute();
  }
}

/** `refreshParticipation` for each member whose ledger rows (kind, time) were just added or removed. */
export async function refreshAfter(tx: Exec, siteId: string, rows: { member_pk: string; kind: string; created_at: string }[]) {
  const weeks = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!isParticipation(r.kind)) continue;
    const s = weeks.get(r.member_pk) ?? new Set<string>();
    s.add(mondayOf(r.created_at));
    weeks.set(r.member_pk, s);
  }
  const deltas: Deltas = new Map();
  for (const [pk, w] of weeks) await collect(tx, siteId, pk, w, deltas);
  await applyDeltas(tx, siteId, deltas);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface WeekRow extends Counts {
  week: string;
}

/** Participation and newcomers of whole weeks (Mondays, ISO dates), read from the counters: one row a week at most. */
export async function participationWeeks(store: Store, siteId: string, chapter: string | null, weeks: string[]): Promise<WeekRow[]> {
  const rows = weeks.length
    ? await store.db
        .selectFrom('insight_counts')
        .select(['week', 'members', 'posted', 'useful', 'attended', 'introduced', 'newcomers'])
        .where('site_id', '=', siteId)
        .where('scope', '=', chapter ?? SITE)
        .where('week', 'in', weeks)
        .execute()
    : [];
  const by = new Map(rows.map((r) => [r.week, r]));
  return weeks.map((week) => {
    const r = by.get(week);
    return {
      week,
      members: Number(r?.members ?? 0),
      posted: Number(r?.posted ?? 0),
      useful: Number(r?.useful ?? 0),
      attended: Number(r?.attended ?? 0),
      introduced: Number(r?.introduced ?? 0),
      newcomers: Number(r?.newcomers ?? 0),
    };
  });
}
