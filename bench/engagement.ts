// Engagement benchmark: full recompute of 10,000 members and 1,000,000 activities, and the cost of one
// incremental update, on a real SQLite file (and PostgreSQL when DATABASE_URL is set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../src/server/domain/ids.js';
import { recomputeSite } from '../src/server/store/engagement.js';
import { openStore, type Store } from '../src/server/store/store.js';

const KINDS = [
  'comment.posted',
  'reply.received',
  'useful.received',
  'event.attended',
  'event.hosted',
  'introduction.made',
  'introduction.accepted',
];
const WEIGHTS = [30, 20, 25, 15, 2, 4, 4]; // what a real network looks like: many posts, few hosted events

export interface EngagementBench {
  [name: string]: number | string;
}

/** Peak heap while `fn` runs, sampled every 20 ms. */
async function withPeak<T>(fn: () => Promise<T>): Promise<{ value: T; peakHeapMb: number; peakRssMb: number }> {
  let heap = process.memoryUsage().heapUsed;
  let rss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 20);
  try {
    const value = await fn();
    const m = process.memoryUsage();
    return { value, peakHeapMb: Math.round(Math.max(heap, m.heapUsed) / 2 ** 20), peakRssMb: Math.round(Math.max(rss, m.rss) / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

export async function benchEngagement(
  kind: 'sqlite' | 'postgres',
  opts: { members?: number; activities?: number } = {},
): Promise<EngagementBench> {
  const members = opts.members ?? 10_000;
  const activities = opts.activities ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'cercle-bench-eng-'));
  const schema = `cercle_bench_eng_${Date.now().toString(36)}`;
  const store: Store = kind === 'sqlite' ? await openStore(join(dir, 'bench.db')) : await openStore(process.env.DATABASE_URL!, { schema });
  try {
    await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'] });
    // Members and their ledger, in bulk (multi-row inserts in a few transactions), dated over two years.
    const loadStart = performance.now();
    const now = new Date().toISOString();
    const pks = Array.from({ length: members }, () => newId());
    for (let i = 0; i < members; i += 1000) {
      await store.db
        .insertInto('members')
        .values(
          pks.slice(i, i + 1000).map((pk, j) => ({
            pk,
            site_id: 'bench',
            host_id: `m${i + j}`,
            name: `Membre ${i + j}`,
            picture: null,
            roles: '["member"]',
            chapters: JSON.stringify([['lyon', 'nantes', 'lille', 'paris'][(i + j) % 4]]),
            claims_iat: 0,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const total = WEIGHTS.reduce((a, b) => a + b, 0);
    const pickKind = () => {
      let r = rand(total);
      for (let k = 0; k < KINDS.length; k++) if ((r -= WEIGHTS[k]) < 0) return KINDS[k];
      return KINDS[0];
    };
    const start = Date.UTC(2025, 0, 1);
    const batch = kind === 'sqlite' ? 1000 : 2000;
    const perTx = 50_000;
    for (let done = 0; done < activities; done += perTx) {
      await store.db.transaction().execute(async (tx) => {
        for (let i = done; i < Math.min(done + perTx, activities); i += batch) {
          const rows = [];
          for (let j = i; j < Math.min(i + batch, activities); j++) {
            const kindOf = pickKind();
            rows.push({
              id: newId(),
              site_id: 'bench',
              member_pk: pks[j % members],
              kind: kindOf,
              ref: `r${j}`,
              created_at: new Date(start + rand(730) * 86_400_000 + rand(86_400_000)).toISOString(),
              chapter_id: kindOf.startsWith('event.') ? ['lyon', 'nantes', 'lille', 'paris'][rand(4)] : null,
            });
          }
          await tx.insertInto('activities').values(rows).execute();
        }
      });
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;

    global.gc?.();
    const cold = await withPeak(() => recomputeSite(store, 'bench'));
    const warm = await withPeak(() => recomputeSite(store, 'bench'));

    // Incremental: one new activity for a member holding ~100, through store.recordActivity.
    const samples: number[] = [];
    const deadline = performance.now() + 15_000;
    for (let i = 0; i < 500 && performance.now() < deadline; i++) {
      const t = performance.now();
      await store.recordActivity('bench', pks[rand(members)], 'useful.received', `inc-${i}`);
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) => +samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(2);
    const removeStart = performance.now();
    for (let i = 0; i < 50; i++) await store.removeActivity('bench', 'useful.received', `inc-${i}`);
    const removeMs = (performance.now() - removeStart) / 50;

    const awards = await store.db
      .selectFrom('engagement_awards')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      data: `${members.toLocaleString('en')} members, ${activities.toLocaleString('en')} activities (bulk load ${loadSeconds.toFixed(1)} s)`,
      'full recompute, from nothing': `${(cold.value.ms / 1000).toFixed(2)} s (${Math.round(activities / (cold.value.ms / 1000)).toLocaleString('en')} activities/s), ${cold.value.awardsAdded.toLocaleString('en')} badges awarded, peak heap ${cold.peakHeapMb} MB, peak RSS ${cold.peakRssMb} MB`,
      'full recompute, nothing changed': `${(warm.value.ms / 1000).toFixed(2)} s, peak heap ${warm.peakHeapMb} MB`,
      'one activity, incremental (recordActivity + re-evaluating the member)': `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (n=${samples.length})`,
      'one removal (removeActivity + re-evaluating the member)': `${removeMs.toFixed(2)} ms`,
      'badges held after': Number(awards.n),
    };
  } finally {
    await store.close();
    if (kind === 'postgres') {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printEngagement(title: string, rows: EngagementBench) {
  console.log(`\n## ${title}`);
  for (const [name, v] of Object.entries(rows)) console.log(`- ${name}: ${v}`);
}
