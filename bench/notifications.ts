// Notifications benchmark: what a reply costs its request with and without a thousand followers (the
// fan-out runs after the response, and how long it takes is measured apart), and the daily digest of
// 10,000 members holding 100,000 notifications between them: its time and the process's peak memory.
import { SignJWT } from 'jose';
import { createApp, silentLogger } from '../src/server/app.js';
import { newId } from '../src/server/domain/ids.js';
import { createDigestJobs, runDigestJobs } from '../src/server/notifications/digest.js';
import { notifierOf } from '../src/server/notifications/service.js';
import { newSecret } from '../src/server/store/store.js';
import { webhooksOf } from '../src/server/webhooks/webhooks.js';
import { benchStore } from './support.js';

const FOLLOWERS = 1000;
const REPLIES = 20;
/** `BENCH_SCALE=0.1`: a tenth of the members and notifications, for a quicker run (ten notifications each either way). */
const SCALE = Number(process.env.BENCH_SCALE ?? 1) || 1;
const DIGEST_MEMBERS = Math.max(100, Math.round(10_000 * SCALE));
const DIGEST_NOTIFICATIONS = DIGEST_MEMBERS * 10;

const ms = (t: number) => Math.round(t * 10) / 10;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function members(store: Awaited<ReturnType<typeof benchStore>>['store'], n: number, prefix: string) {
  const at = new Date().toISOString();
  const rows = Array.from({ length: n }, (_, i) => ({
    pk: newId(),
    site_id: 'bench',
    host_id: `${prefix}${i}`,
    name: `Membre ${prefix}${i}`,
    picture: null,
    roles: '["member"]',
    chapters: '[]',
    claims_iat: 0,
    member_since: null,
    created_at: at,
    updated_at: at,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await store.db
      .insertInto('members')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows;
}

export async function benchNotifications(kind: 'sqlite' | 'postgres'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  {
    const { store, dispose } = await benchStore(kind, 'notif-fanout');
    const secret = newSecret();
    await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'], settings: { rateLimits: false } });
    await store.addKey('bench', { alg: 'HS256', secret });
    const app = createApp({ store, logger: silentLogger });
    const sign = (sub: string) =>
      new SignJWT({ name: `Membre ${sub}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('bench')
        .setAudience('cercle')
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(Buffer.from(secret, 'base64url'));
    const [author, replier] = [await sign('author'), await sign('replier')];
    const post = async (t: string, body: object) => {
      const started = performance.now();
      const r = await app.request('/v1/sites/bench/comments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t}`, origin: 'http://bench.example' },
        body: JSON.stringify(body),
      });
      const took = performance.now() - started;
      if (r.status !== 201) throw new Error(`post: ${r.status} ${await r.text()}`);
      return { took, id: ((await r.json()) as { id: string }).id };
    };
    const measure = async (thread: string) => {
      const first = await post(author, { thread, body: 'Question' });
      await notifierOf(store)!.idle();
      const latencies: number[] = [];
      const fanouts: number[] = [];
      for (let i = 0; i < REPLIES; i++) {
        const r = await post(replier, { thread, body: `Réponse ${i}`, parentId: first.id });
        latencies.push(r.took);
        const t0 = performance.now();
        await notifierOf(store)!.idle();
        fanouts.push(performance.now() - t0 + r.took);
      }
      return { latency: median(latencies), fanout: median(fanouts) };
    };
    const quiet = await measure('quiet');
    const followed = 'followed';
    await post(author, { thread: followed, body: 'Ouverture' });
    const thread = await store.db.selectFrom('threads').select('pk').where('key', '=', followed).executeTakeFirstOrThrow();
    const fans = await members(store, FOLLOWERS, 'f');
    const at = new Date().toISOString();
    for (let i = 0; i < fans.length; i += 500) {
      await store.db
        .insertInto('thread_follows')
        .values(
          fans.slice(i, i + 500).map((m) => ({ site_id: 'bench', thread_pk: thread.pk, member_pk: m.pk, following: 1, created_at: at })),
        )
        .execute();
    }
    const busy = await measure(followed);
    const made = await store.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'thread.comment')
      .executeTakeFirstOrThrow();
    out['reply, no followers: request p50 (ms)'] = ms(quiet.latency);
    out[`reply, ${FOLLOWERS} followers: request p50 (ms)`] = ms(busy.latency);
    out[`reply, ${FOLLOWERS} followers: request + fan-out done, p50 (ms)`] = ms(busy.fanout);
    out['thread.comment notifications made'] = Number(made.n);
    await dispose();
  }
  Object.assign(out, await benchDigest(kind));
  return out;
}

/** The daily digest of DIGEST_MEMBERS members holding ten notifications each: time and peak memory. */
export async function benchDigest(kind: 'sqlite' | 'postgres'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { store, dispose } = await benchStore(kind, 'notif-digest');
  await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'] });
  await store.db
    .insertInto('webhooks')
    .values({
      id: 'wh',
      site_id: 'bench',
      url: 'http://127.0.0.1:9/hook',
      secret: 'whsec_bench',
      events: '["notification.digest"]',
      description: null,
      active: 1,
      created_at: new Date().toISOString(),
    })
    .execute();
  const all = await members(store, DIGEST_MEMBERS, 'd');
  const actor = all[0];
  const created = new Date(Date.now() - 3_600_000).toISOString();
  const per = DIGEST_NOTIFICATIONS / DIGEST_MEMBERS;
  let batch: object[] = [];
  for (const m of all) {
    for (let k = 0; k < per; k++) {
      batch.push({
        site_id: 'bench',
        id: `ir:${newId()}`,
        member_pk: m.pk,
        kind: 'introduction.requested',
        actor_pk: actor.pk,
        thread_pk: null,
        comment_id: null,
        event_id: null,
        introduction_id: newId(),
        data: null,
        created_at: created,
        read_at: null,
        delivered_at: null,
      });
      if (batch.length === 500) {
        await store.db
          .insertInto('notifications')
          .values(batch as never)
          .execute();
        batch = [];
      }
    }
  }
  if (batch.length)
    await store.db
      .insertInto('notifications')
      .values(batch as never)
      .execute();
  // Deliveries are only queued here: the sender stays stopped (its receiver is not what is measured).
  await webhooksOf(store).stop();
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const jobs = await createDigestJobs(store, 'bench', 'daily', Date.now());
  const t1 = performance.now();
  const r = await runDigestJobs(store);
  const t2 = performance.now();
  clearInterval(sampler);
  out['digest: members / notifications'] = DIGEST_MEMBERS;
  out['digest: jobs made (one INSERT … SELECT), ms'] = ms(t1 - t0);
  out['digest: jobs made'] = jobs;
  out['digest: all digests queued, s'] = ms((t2 - t1) / 1000);
  out['digest: digests per second'] = Math.round(r.digests / ((t2 - t1) / 1000));
  out['digest: peak RSS above start, MB'] = Math.round((peak - base) / 1e6);
  out['digest: peak RSS, MB'] = Math.round(peak / 1e6);
  await dispose();
  return out;
}

export function printNotifications(title: string, rows: Record<string, number>) {
  console.log(`\n## ${title}`);
  for (const [k, v] of Object.entries(rows)) console.log(`- ${k}: ${v}`);
}
