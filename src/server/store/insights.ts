import { sql, type RawBuilder } from 'kysely';
import type { Store } from './store.js';

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

const kindList = sql.join(KINDS.map((k) => sql`${k}`));

/**
 * The ledger read through the insights' covering index. SQLite's planner, seeing `kind in (…)`, may prefer the
 * (site, kind, ref) index and then fetch every row of those kinds (a million lookups): it is told which index
 * to use. PostgreSQL chooses well by itself.
 */
function ledger(store: Store, index: 'activities_insights' | 'activities_insights_chapter' | 'activities_member_time', alias = '') {
  const as = alias ? sql` ${sql.raw(alias)}` : sql``;
  return store.kind === 'postgres' ? sql`activities${as}` : sql`activities${as} indexed by ${sql.raw(index)}`;
}

export interface WeekCounts {
  wk: number;
  /** Distinct members who took part in any way. */
  members: number;
  /** Distinct members by way of taking part, keyed as `PARTICIPATION`. */
  by: Record<keyof typeof PARTICIPATION, number>;
}

/** Distinct members who took part, by week, in all and by way: one pass over the ledger's covering index. */
export async function participation(store: Store, siteId: string, p: Period): Promise<WeekCounts[]> {
  const chapter = p.chapter === null ? sql`` : sql`and chapter_id = ${p.chapter}`;
  const wk = weekOf(store, sql.ref('created_at'), p.from);
  const ways = Object.entries(PARTICIPATION) as [keyof typeof PARTICIPATION, string][];
  const r = await sql<Record<string, number>>`
    select wk, count(distinct member_pk) as members,
      ${sql.join(ways.map(([name, kind]) => sql`count(distinct case when kind = ${kind} then member_pk end) as ${sql.ref(name)}`))}
    from (
      select ${wk} as wk, kind, member_pk from ${ledger(store, p.chapter === null ? 'activities_insights' : 'activities_insights_chapter')}
      where site_id = ${siteId} ${chapter} and created_at >= ${p.from} and created_at < ${p.until} and kind in (${kindList})
    ) w
    group by wk`.execute(store.db);
  return r.rows.map((row) => ({
    wk: Number(row.wk),
    members: Number(row.members),
    by: Object.fromEntries(ways.map(([name]) => [name, Number(row[name])])) as WeekCounts['by'],
  }));
}

/** Members whose first contribution ever falls in the period, by the week of that first one. */
export async function newcomers(store: Store, siteId: string, p: Period): Promise<{ wk: number; n: number }[]> {
  const chapter = p.chapter === null ? sql`` : sql`and a.chapter_id = ${p.chapter}`;
  const wk = weekOf(store, sql.ref('f.first_at'), p.from);
  // The week is computed in a subquery and grouped by its alias: PostgreSQL would not match two parameterised copies.
  const r = await sql<{ wk: number; n: number }>`
    select wk, count(*) as n from (
      select ${wk} as wk from (
        select a.member_pk, min(a.created_at) as first_at from ${ledger(store, p.chapter === null ? 'activities_insights' : 'activities_insights_chapter', 'a')}
        where a.site_id = ${siteId} ${chapter} and a.created_at >= ${p.from} and a.created_at < ${p.until} and a.kind in (${kindList})
        group by a.member_pk
      ) f
      where not exists (
        select 1 from ${ledger(store, 'activities_member_time', 'b')}
        where b.member_pk = f.member_pk and b.created_at < ${p.from} and b.site_id = ${siteId} and b.kind in (${kindList})
      )
    ) w
    group by wk`.execute(store.db);
  return r.rows.map((x) => ({ wk: Number(x.wk), n: Number(x.n) }));
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

export interface WeekRow {
  week: string;
  members: number;
  posted: number;
  useful: number;
  attended: number;
  introduced: number;
  newcomers: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** How long the counts of a week that is over are kept before they are read from the ledger again. */
const KEEP_WEEK_MS = DAY_MS;

const monday = (week: string) => Date.parse(`${week}T00:00:00.000Z`);

/**
 * Participation and newcomers of whole weeks (Mondays, ISO dates). The counts of weeks that are over come from
 * `insight_weeks` while they are less than a day old; the others (the week under way, and weeks never or long ago
 * counted) are read from the ledger in one range, and those that are over are kept. A change to an old week's
 * ledger (a comment deleted) shows within a day.
 */
export async function participationWeeks(
  store: Store,
  siteId: string,
  chapter: string | null,
  weeks: string[],
  now: number,
): Promise<WeekRow[]> {
  const key = chapter ?? '';
  const over = weeks.filter((w) => monday(w) + WEEK_MS <= now);
  const cached = over.length
    ? await store.db
        .selectFrom('insight_weeks')
        .select(['week', 'counts'])
        .where('site_id', '=', siteId)
        .where('chapter_id', '=', key)
        .where('week', 'in', over)
        .where('computed_at', '>=', new Date(now - KEEP_WEEK_MS).toISOString())
        .execute()
    : [];
  const known = new Map<string, WeekRow>(cached.map((r) => [r.week, { ...(JSON.parse(r.counts) as WeekRow), week: r.week }]));
  const missing = weeks.filter((w) => !known.has(w));
  if (missing.length) {
    const start = monday(missing[0]);
    const p: Period = {
      from: new Date(start).toISOString(),
      until: new Date(monday(missing[missing.length - 1]) + WEEK_MS).toISOString(),
      chapter,
    };
    const [part, fresh] = await Promise.all([participation(store, siteId, p), newcomers(store, siteId, p)]);
    const at = new Date(now).toISOString();
    const keep: { site_id: string; chapter_id: string; week: string; counts: string; computed_at: string }[] = [];
    for (const week of missing) {
      const i = Math.round((monday(week) - start) / WEEK_MS);
      const w = part.find((r) => r.wk === i);
      const row: WeekRow = {
        week,
        members: w?.members ?? 0,
        posted: w?.by.posted ?? 0,
        useful: w?.by.useful ?? 0,
        attended: w?.by.attended ?? 0,
        introduced: w?.by.introduced ?? 0,
        newcomers: fresh.find((r) => r.wk === i)?.n ?? 0,
      };
      known.set(week, row);
      if (monday(week) + WEEK_MS <= now)
        keep.push({ site_id: siteId, chapter_id: key, week, counts: JSON.stringify(row), computed_at: at });
    }
    for (let i = 0; i < keep.length; i += 100) {
      await store.db
        .insertInto('insight_weeks')
        .values(keep.slice(i, i + 100))
        .onConflict((oc) =>
          oc
            .columns(['site_id', 'chapter_id', 'week'])
            .doUpdateSet((eb) => ({ counts: eb.ref('excluded.counts'), computed_at: eb.ref('excluded.computed_at') })),
        )
        .execute();
    }
  }
  return weeks.map((w) => known.get(w)!);
}
