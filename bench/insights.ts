// Insights benchmark: each chart's query over a large ledger (100,000 members and 1,000,000 activities at
// BENCH_SCALE=1, the default; BENCH_SCALE=0.1 for a tenth), over twelve weeks, a whole year, and one chapter.
import { sql } from 'kysely';
import { periodOf } from '../src/server/features/insights/handlers.js';
import { eventFill, introductionWeeks, openedThreads, participationWeeks, type Period } from '../src/server/store/insights.js';
import { backfillParticipation } from '../src/server/store/migrations/018_insight_counts.js';
import type { Store } from '../src/server/store/store.js';
import type { Stats } from './server.js';
import { benchStore } from './support.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MEMBERS = Math.round(100_000 * SCALE);
const ACTIVITIES = Math.round(1_000_000 * SCALE);
const THREADS = Math.round(20_000 * SCALE);
const EVENTS = Math.round(2_000 * SCALE);
const INTRODUCTIONS = Math.round(20_000 * SCALE);
const CHAPTERS = ['paris', 'lyon', 'toulouse', 'lille', 'nantes', 'bordeaux', 'marseille', 'rennes'];
const KINDS = ['comment.posted', 'useful.received', 'event.attended', 'introduction.made', 'reply.received'];
const DAY = 86_400_000;
/** The ledger spans two years up to now. */
const SPAN = 730 * DAY;
const RUNS = 30;

/** A small deterministic generator, so that runs compare. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

async function inBatches<T>(store: Store, total: number, size: number, make: (i: number) => T, insert: (rows: T[]) => Promise<unknown>) {
  for (let i = 0; i < total; i += size) {
    const rows = Array.from({ length: Math.min(size, total - i) }, (_, k) => make(i + k));
    await insert(rows);
  }
  void store;
}

async function seed(store: Store, now: number) {
  const rnd = random(42);
  const db = store.db;
  const iso = (t: number) => new Date(t).toISOString();
  const when = () => iso(now - Math.floor(rnd() * SPAN));
  const pk = (i: number) => `m${i}`;
  // Rows of 7 to 16 columns: 200 a statement stays under PostgreSQL's and SQLite's parameter limits.
  await inBatches(
    store,
    MEMBERS,
    500,
    (i) => ({
      pk: pk(i),
      site_id: 'bench',
      host_id: `h${i}`,
      name: `Membre ${i}`,
      picture: null,
      roles: '["member"]',
      chapters: JSON.stringify([CHAPTERS[i % CHAPTERS.length]]),
      claims_iat: 1,
      member_since: null,
      created_at: iso(now - SPAN),
      updated_at: iso(now - SPAN),
    }),
    (rows) => db.insertInto('members').values(rows).execute(),
  );
  await inBatches(
    store,
    ACTIVITIES,
    1000,
    (i) => ({
      id: `a${i}`,
      site_id: 'bench',
      member_pk: pk(Math.floor(rnd() * MEMBERS)),
      kind: KINDS[Math.floor(rnd() * KINDS.length)],
      ref: `r${i}`,
      created_at: when(),
      chapter_id: CHAPTERS[Math.floor(rnd() * CHAPTERS.length)],
    }),
    (rows) => db.insertInto('activities').values(rows).execute(),
  );
  await inBatches(
    store,
    THREADS,
    500,
    (i) => ({
      pk: `t${i}`,
      site_id: 'bench',
      key: `https://bench.example/page/${i}`,
      title: `Page ${i}`,
      audience: rnd() < 0.5 ? 'public' : `chapter:${CHAPTERS[i % CHAPTERS.length]}`,
      locked: 0,
      published_count: 0,
      pending_count: 0,
      created_at: when(),
    }),
    (rows) => db.insertInto('threads').values(rows).execute(),
  );
  const threads = await db.selectFrom('threads').select(['pk', 'created_at']).where('site_id', '=', 'bench').execute();
  await inBatches(
    store,
    THREADS * 3,
    300,
    (i) => {
      const t = threads[i % threads.length];
      const first = i < threads.length;
      return {
        id: `c${i}`,
        site_id: 'bench',
        thread_pk: t.pk,
        parent_id: null,
        author_pk: pk(Math.floor(rnd() * MEMBERS)),
        body: 'text',
        status: 'published' as const,
        idempotency_key: null,
        idempotency_hash: null,
        created_at: iso(Date.parse(t.created_at) + (first ? 0 : Math.floor(rnd() * 14 * DAY))),
        edited_at: null,
        deleted_at: null,
        root_id: null,
        depth: first ? 0 : 1,
        useful_count: 0,
        held_reason: null,
      };
    },
    (rows) => db.insertInto('comments').values(rows).execute(),
  );
  await inBatches(
    store,
    EVENTS,
    300,
    (i) => {
      const start = now - Math.floor(rnd() * SPAN);
      return {
        id: `e${i}`,
        site_id: 'bench',
        chapter_id: CHAPTERS[i % CHAPTERS.length],
        title: `Rencontre ${i}`,
        description: '',
        starts_at: iso(start),
        ends_at: iso(start + 7_200_000),
        time_zone: 'Europe/Paris',
        place: null,
        online_url: null,
        capacity: 40,
        audience: 'public',
        cancelled_at: null,
        created_at: iso(start - 30 * DAY),
        organiser_pk: null,
        max_guests: 1,
        rsvp_deadline: null,
        cancel_reason: null,
        url: null,
        sequence: 0,
        updated_at: iso(start - 30 * DAY),
      };
    },
    (rows) => db.insertInto('events').values(rows).execute(),
  );
  await inBatches(
    store,
    EVENTS * 20,
    1000,
    (i) => ({
      site_id: 'bench',
      event_id: `e${i % EVENTS}`,
      member_pk: pk((i * 7919) % MEMBERS),
      status: (rnd() < 0.8 ? 'going' : 'declined') as 'going' | 'declined',
      guests: rnd() < 0.1 ? 1 : 0,
      created_at: iso(now - SPAN),
      updated_at: iso(now - SPAN),
      waitlist_seq: null,
      promoted_at: null,
      promotion_seen_at: null,
      attended: rnd() < 0.7 ? 1 : 0,
    }),
    (rows) =>
      db
        .insertInto('rsvps')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute(),
  );
  await inBatches(
    store,
    INTRODUCTIONS,
    1000,
    (i) => ({
      id: `i${i}`,
      site_id: 'bench',
      from_pk: pk(i % MEMBERS),
      to_pk: pk((i * 31 + 1) % MEMBERS),
      message: 'Bonjour',
      status: (rnd() < 0.6 ? 'accepted' : 'pending') as 'accepted' | 'pending',
      from_share: '[]',
      to_share: '[]',
      created_at: when(),
      answered_at: null,
    }),
    (rows) =>
      db
        .insertInto('introductions')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute(),
  );
  await sql`analyze`.execute(db);
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const seconds = s.reduce((a, b) => a + b, 0) / 1000;
  return { n: s.length, seconds, perSecond: Math.round(s.length / seconds), p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2) };
}

async function time(run: () => Promise<unknown>): Promise<Stats> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export async function benchInsights(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number>> {
  const { store, dispose } = await benchStore(kind, 'insights');
  try {
    await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'] });
    const now = Date.now();
    const started = performance.now();
    await seed(store, now);
    const out: Record<string, Stats | number> = {
      members: MEMBERS,
      activities: ACTIVITIES,
      'seconds to seed': Math.round((performance.now() - started) / 1000),
    };
    // The ledger was written directly: the counters are built as migration 018 builds them.
    const built = performance.now();
    await backfillParticipation(store.db);
    await sql`analyze`.execute(store.db);
    out['seconds to build the counters (migration 018)'] = Math.round((performance.now() - built) / 1000);
    const periods: [string, Period & { weeks: string[] }][] = [];
    for (const [label, weeks, chapter] of [
      ['12 weeks', 12, null],
      ['53 weeks', 53, null],
      ['12 weeks, one chapter', 12, 'lyon'],
    ] as const) {
      const { first, until, weeks: list } = periodOf({ from: new Date(now - (weeks - 1) * 7 * DAY).toISOString().slice(0, 10) }, now);
      periods.push([label, { from: new Date(first).toISOString(), until: new Date(until).toISOString(), chapter, weeks: list }]);
    }
    for (const [label, p] of periods) {
      const settled = new Date(Math.min(Date.parse(p.until), now - 7 * DAY)).toISOString();
      // Participation and newcomers come from one read of the week counters, the first read as every other.
      out[`participation and newcomers, ${label}`] = await time(() => participationWeeks(store, 'bench', p.chapter, p.weeks));
      out[`unanswered threads, ${label}`] = await time(() => openedThreads(store, 'bench', p, settled));
      out[`event fill, ${label}`] = await time(() => eventFill(store, 'bench', p));
      out[`introductions, ${label}`] = await time(() => introductionWeeks(store, 'bench', p));
    }
    // What a ledger write now costs: the activity, the member's awards and the week counters, in one transaction.
    let n = 0;
    out['recording an activity (awards and week counters)'] = await time(() =>
      store.recordActivity('bench', `m${(n * 7919) % MEMBERS}`, KINDS[n % 4], `bench-write-${n++}`, {
        chapter: CHAPTERS[n % CHAPTERS.length],
      }),
    );
    return out;
  } finally {
    await dispose();
  }
}
