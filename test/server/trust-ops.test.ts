import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { createApp, silentLogger, type Logger } from '../../src/server/app.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { webhooksOf } from '../../src/server/webhooks/webhooks.js';
import { LiveService } from '../../src/server/live/service.js';
import type { LiveBus, LiveChange, LiveRecord } from '../../src/server/live/bus.js';
import { storageProblem } from '../../src/server/http/storage.js';
import { startServer } from '../../src/server/main.js';
import { backends, call, ORIGIN, SECRET, token } from './support.js';

const DAY = 86_400_000;
const LIMITS = { commentBurst: 2, commentsPerMinute: 1, writeBurst: 3, writesPerMinute: 1 };

function capture(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, info: (f) => void lines.push(f), error: (f) => void lines.push({ level: 'error', ...f }) };
}

async function siteOn(store: Store, settings: Record<string, unknown> = {}) {
  await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: { rateLimits: false, ...settings } });
  await store.addKey('asso', { alg: 'HS256', secret: SECRET });
}

/** An event the test member may answer, made by an admin. */
async function anEvent(app: ReturnType<typeof createApp>) {
  const admin = await token({ sub: 'admin', name: 'Ada Admin', roles: ['member', 'admin'] });
  const r = await call(app, 'POST', '/v1/sites/asso/events', {
    token: admin,
    body: {
      title: 'Assemblée',
      timeZone: 'Europe/Paris',
      startsAt: new Date(Date.now() + 7 * DAY).toISOString(),
      endsAt: new Date(Date.now() + 7 * DAY + 3_600_000).toISOString(),
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id as string;
}

/** A request as it comes off a socket from `address`. */
function from(app: ReturnType<typeof createApp>, address: string, method: string, path: string, tok: string, body: unknown) {
  return app.request(
    path,
    {
      method,
      body: JSON.stringify(body),
      headers: { origin: ORIGIN, authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    },
    { incoming: { socket: { remoteAddress: address } } },
  );
}

for (const backend of backends()) {
  describe(`limits on writes (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let app: ReturnType<typeof createApp>;
    let eventId: string;
    before(async () => {
      ({ store, cleanup } = await backend.open());
      await siteOn(store, { rateLimits: LIMITS });
      app = createApp({ store, logger: silentLogger });
      eventId = await anEvent(app);
    });
    after(() => cleanup());

    it('limits RSVP flips per member: 429 with Retry-After and the text kept, before the handler runs', async () => {
      const t = await token({ sub: 'flipper', name: 'Flo Flip' });
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await call(app, 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, {
          token: t,
          body: { status: i % 2 ? 'declined' : 'going' },
        });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.equal(last!.body.code, 'rate.limited');
      assert.match(last!.body.detail, /kept/);
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      const member = await store.memberByHostId('asso', 'flipper');
      const row = await store.db
        .selectFrom('rsvps')
        .select('status')
        .where('event_id', '=', eventId)
        .where('member_pk', '=', member!.pk)
        .executeTakeFirst();
      assert.equal(row?.status, 'going', 'the refused flips changed nothing');
    });

    it('limits a network at three times a member: a fourth member from the same address is refused', async () => {
      const net = '203.0.113.9';
      const answers: number[] = [];
      for (const sub of ['n1', 'n2', 'n3', 'n4']) {
        const t = await token({ sub, name: `Membre ${sub}` });
        for (let i = 0; i < 3; i++) {
          answers.push(
            (await from(app, net, 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, t, { status: i % 2 ? 'declined' : 'going' })).status,
          );
        }
      }
      assert.deepEqual(answers.slice(0, 9), Array(9).fill(200));
      assert.deepEqual(answers.slice(9), [429, 429, 429]);
      // Another network is not affected.
      const other = await token({ sub: 'n5', name: 'Membre n5' });
      assert.equal(
        (await from(app, '198.51.100.4', 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, other, { status: 'going' })).status,
        200,
      );
    });

    it('limits reactions and unreactions, flags and introductions in their own buckets', async () => {
      const author = await token({ sub: 'author', name: 'Autrice' });
      const posted = await call(app, 'POST', '/v1/sites/asso/comments', { token: author, body: { thread: 'limits', body: 'Bonjour' } });
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const fan = await token({ sub: 'fan', name: 'Fan' });
      const base = `/v1/sites/asso/comments/${posted.body.id}/reactions`;
      const seq = [
        await call(app, 'POST', base, { token: fan, body: { kind: 'thanks' } }),
        await call(app, 'DELETE', `${base}/thanks`, { token: fan }),
        await call(app, 'POST', base, { token: fan, body: { kind: 'thanks' } }),
        await call(app, 'DELETE', `${base}/thanks`, { token: fan }),
      ].map((r) => r.status);
      assert.equal(seq[3], 429, JSON.stringify(seq));
      assert.ok(
        seq.slice(0, 3).every((s) => s < 300),
        JSON.stringify(seq),
      );
      // The RSVP budget spent above does not count against reactions, nor reactions against introductions.
      const intro = [];
      for (const to of ['author', 'flipper', 'n1', 'n2']) {
        intro.push(
          (await call(app, 'POST', '/v1/sites/asso/introductions', { token: fan, body: { to, message: 'Bonjour, ravi de vous lire.' } }))
            .status,
        );
      }
      assert.equal(intro[3], 429, JSON.stringify(intro));
    });

    it('does not limit reads, and a site with limits off is not limited', async () => {
      for (let i = 0; i < 6; i++) assert.equal((await call(app, 'GET', `/v1/sites/asso/events/${eventId}`)).status, 200);
    });
  });
}

const pgUrl = process.env.DATABASE_URL;
describe('limits shared by instances (postgres)', { skip: !pgUrl && 'set DATABASE_URL to run' }, () => {
  const schema = `cercle_rl${process.pid}_${Date.now().toString(36)}`;
  let a: Store;
  let b: Store;
  before(async () => {
    a = await openStore(pgUrl!, { schema });
    b = await openStore(pgUrl!, { schema });
    await siteOn(a, { rateLimits: LIMITS });
  });
  after(async () => {
    await a.close();
    await b.close();
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  });

  it("two apps on one database share a member's budget", async () => {
    const appA = createApp({ store: a, logger: silentLogger });
    const appB = createApp({ store: b, logger: silentLogger });
    const eventId = await anEvent(appA);
    const t = await token({ sub: 'twice', name: 'Deux Fois' });
    const path = `/v1/sites/asso/events/${eventId}/rsvp`;
    const seq = [];
    for (const [i, app] of [appA, appB, appA, appB, appA].entries()) {
      seq.push((await call(app, 'PUT', path, { token: t, body: { status: i % 2 ? 'declined' : 'going' } })).status);
    }
    assert.deepEqual(seq, [200, 200, 200, 429, 429]);
    const rows = await a.db.selectFrom('rate_buckets').select('key').execute();
    assert.ok(
      rows.some((r) => r.key.startsWith('asso|rsvp|m|')),
      'the bucket lives in the database',
    );
  });
});

for (const backend of backends()) {
  describe(`coalesced fan-out (${backend.name})`, () => {
    it('an RSVP flipped 200 times yields a few rsvp.changed deliveries, the last carrying the final answer', async () => {
      const { store, cleanup } = await backend.open();
      const got: { status: string; at: string }[] = [];
      const rx = createServer(async (req: IncomingMessage, res) => {
        let text = '';
        for await (const chunk of req) text += chunk;
        const p = JSON.parse(text);
        got.push({ status: p.data.status, at: p.createdAt });
        res.end('ok');
      });
      rx.listen(0, '127.0.0.1');
      await once(rx, 'listening');
      // A window longer than the test: every flip merges into the first delivery, which the test then makes due.
      const hooks = webhooksOf(store, { production: false, coalesceMs: 3_600_000 });
      try {
        await siteOn(store);
        const app = createApp({ store, logger: silentLogger });
        const admin = await token({ sub: 'admin', name: 'Ada Admin', roles: ['member', 'admin'] });
        const url = `http://127.0.0.1:${(rx.address() as { port: number }).port}/hook`;
        assert.equal(
          (await call(app, 'POST', '/v1/sites/asso/admin/webhooks', { token: admin, body: { url, events: ['rsvp.changed'] } })).status,
          201,
        );
        const eventId = await anEvent(app);
        const t = await token({ sub: 'flapper', name: 'Flap' });
        let final = '';
        for (let i = 0; i < 200; i++) {
          final = i % 2 ? 'declined' : 'going';
          const r = await call(app, 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, { token: t, body: { status: final } });
          assert.equal(r.status, 200, JSON.stringify(r.body));
        }
        const queued = await store.db.selectFrom('webhook_deliveries').select(['id', 'next_attempt_at']).execute();
        assert.equal(queued.length, 1, `${queued.length} deliveries queued for 200 flips`);
        assert.ok(Date.parse(queued[0].next_attempt_at!) > Date.now(), 'a flapping answer waits for its window');
        await store.db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date().toISOString() }).execute();
        await hooks.runDue();
        // Wait until every delivery is settled.
        for (;;) {
          await hooks.idle();
          const open = await store.db.selectFrom('webhook_deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
          if (!open.length) break;
          await new Promise((ok) => setTimeout(ok, 100));
        }
        const rows = await store.db.selectFrom('webhook_deliveries').select(['status']).execute();
        assert.equal(rows.length, 1);
        assert.ok(rows.every((r) => r.status === 'delivered'));
        assert.equal(got.length, rows.length);
        const latest = [...got].sort((x, y) => x.at.localeCompare(y.at)).at(-1)!;
        assert.equal(latest.status, final);
      } finally {
        await hooks.stop();
        webhooksOf(store, { production: false });
        rx.close();
        await cleanup();
      }
    });
  });
}

describe('coalesced live changes', () => {
  it('count changes for one thing go out at once, then merged; other kinds each go out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cercle-live-'));
    const store = await openStore(join(dir, 'live.db'));
    const published: LiveChange[] = [];
    const bus: LiveBus = {
      kind: 'local',
      healthy: true,
      async start() {},
      async close() {},
      async control() {},
      async publish(_site, change) {
        published.push(change);
        return { id: published.length, site: 'asso', ...change } as unknown as LiveRecord;
      },
    };
    const live = new LiveService({ store, bus, coalesceMs: 60_000 });
    try {
      const seen = () => published.map((p) => `${p.kind}:${p.ref}${p.version === undefined ? '' : `:${p.version}`}`);
      for (let i = 0; i < 100; i++)
        await live.publish('asso', { topic: 'thread:t', kind: 'reactions.changed', ref: 'c1', audience: 'public', version: i });
      await live.publish('asso', { topic: 'thread:u', kind: 'reactions.changed', ref: 'c2', audience: 'public', version: 0 });
      await live.publish('asso', { topic: 'thread:u', kind: 'reactions.changed', ref: 'c2', audience: 'public', version: 1 });
      // The first of each goes out at once; the 99 others for c1 are held as one.
      assert.deepEqual(seen(), ['reactions.changed:c1:0', 'reactions.changed:c2:0']);
      // Another kind on the same topic sends the held change first (a topic's changes stay in order); others each go out.
      for (let i = 0; i < 2; i++)
        await live.publish('asso', { topic: 'thread:t', kind: 'comment.created', ref: `n${i}`, audience: 'public' });
      assert.deepEqual(seen().slice(2), ['reactions.changed:c1:99', 'comment.created:n0', 'comment.created:n1']);
      // A window's last change goes out when it ends (here: at shutdown).
      await live.shutdown(0);
      assert.deepEqual(seen().slice(5), ['reactions.changed:c2:1']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of backends()) {
  describe(`health and readiness (${backend.name})`, () => {
    it('/v1/ready queries the database (503 storage.unavailable when it cannot); /v1/health touches nothing', async () => {
      const { store, cleanup } = await backend.open();
      const log = capture();
      const app = createApp({ store, logger: log });
      const ready = await call(app, 'GET', '/v1/ready', { origin: null });
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { ok: true, database: backend.name });
      await cleanup();
      const down = await call(app, 'GET', '/v1/ready', { origin: null });
      assert.equal(down.status, 503);
      assert.equal(down.body.code, 'storage.unavailable');
      assert.ok(down.headers.get('retry-after'));
      assert.ok(log.lines.some((l) => l.msg === 'ready.failed' && l.cause));
      const health = await call(app, 'GET', '/v1/health', { origin: null });
      assert.equal(health.status, 200, 'liveness does not depend on the database');
    });
  });
}

describe('storage failures (sqlite)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cercle-ops-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a full disk answers 503 storage.full, logs the real cause, and loses nothing already stored', async () => {
    const store = await openStore(join(dir, 'full.db'));
    try {
      await siteOn(store);
      const log = capture();
      const app = createApp({ store, logger: log });
      const t = await token({ sub: 'writer', name: 'Écrivain' });
      assert.equal(
        (await call(app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread: 'full', body: 'premier' } })).status,
        201,
      );
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
      await sql.raw(`pragma max_page_count = ${rows[0].page_count}`).execute(store.db);
      let refused: Awaited<ReturnType<typeof call>> | undefined;
      let stored = 1;
      for (let i = 0; i < 2000 && !refused; i++) {
        const r = await call(app, 'POST', '/v1/sites/asso/comments', {
          token: t,
          body: { thread: 'full', body: `commentaire ${i} ${'x'.repeat(2000)}` },
        });
        if (r.status === 201) stored++;
        else refused = r;
      }
      assert.ok(refused, 'the database filled up');
      assert.equal(refused.status, 503, JSON.stringify(log.lines.filter((l) => l.level === 'error')).slice(0, 1500));
      assert.equal(refused.body.code, 'storage.full');
      const line = log.lines.find((l) => l.msg === 'storage.full');
      assert.equal(line?.code, 'SQLITE_FULL');
      assert.match(String(line?.cause), /full/i);
      assert.equal(
        log.lines.some((l) => l.msg === 'unhandled'),
        false,
      );
      const count = await store.db
        .selectFrom('comments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), stored);
    } finally {
      await store.close();
    }
  });

  it("knows PostgreSQL's disk full (53100) and unreachable server as 503s with a code", () => {
    assert.equal(storageProblem(Object.assign(new Error('could not extend file'), { code: '53100' }))?.problem.code, 'storage.full');
    assert.equal(
      storageProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))?.problem.code,
      'storage.unavailable',
    );
    assert.equal(storageProblem(new Error('boom')), null);
  });

  it('a damaged or foreign file refuses to open, naming the file', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, Buffer.alloc(8192, 'not a database '));
    await assert.rejects(
      openStore(junk),
      (err: Error) => err.message.includes(junk) && /not a database|damaged|restore/i.test(err.message),
    );

    const file = join(dir, 'damaged.db');
    const store = await openStore(file);
    await siteOn(store);
    await sql`create table filler (id integer primary key, v text)`.execute(store.db);
    await sql`create index filler_v on filler (v)`.execute(store.db);
    for (let i = 0; i < 40; i++) {
      await sql`insert into filler (v) select hex(randomblob(200)) from (select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9 union all select 10)`.execute(
        store.db,
      );
    }
    await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
    await store.close();
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    // Scribble over the last pages (the filler table and its index).
    for (let at = size - 40 * 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(600, 0x5a), 0, 600, at + 100);
    closeSync(fd);
    await assert.rejects(
      openStore(file),
      (err: Error) => err.message.includes(file) && /damaged|malformed|corrupt|restore/i.test(err.message),
    );
  });

  it('a path that cannot be a database (a folder in the way) names the file', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    const file = join(blocker, 'cercle.db');
    await assert.rejects(openStore(file), (err: Error) => err.message.includes(file));
  });

  it("a write waits for another connection's lock (BEGIN IMMEDIATE) instead of failing", async () => {
    const file = join(dir, 'locked.db');
    const store = await openStore(file);
    try {
      await siteOn(store);
      const app = createApp({ store, logger: silentLogger });
      const t = await token({ sub: 'patient', name: 'Patiente' });
      assert.equal((await call(app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread: 'lock', body: 'avant' } })).status, 201);
      // A transaction that reads, then writes, while another connection holds the write lock and commits.
      const holder = new Worker(new URL('./lock-holder.mjs', import.meta.url), { workerData: { file, holdMs: 300 } });
      const exited = once(holder, 'exit');
      await once(holder, 'message');
      const done = store.db.transaction().execute(async (tx) => {
        const before = await tx.selectFrom('comments').select('id').execute();
        await sql`insert into lock_probe (x) values (${before.length})`.execute(tx);
      });
      await done;
      const r = await call(app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread: 'lock', body: 'après' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await exited;
      const probe = await sql<{ n: number }>`select count(*) as n from lock_probe`.execute(store.db);
      assert.equal(Number(probe.rows[0].n), 2, "both writers' rows are there");
    } finally {
      await store.close();
    }
  });
});

describe('start-up', () => {
  it('logs one JSON line on listening: address, database kind, version, timeouts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cercle-start-'));
    const log = capture();
    const server = await startServer({
      port: 0,
      database: join(dir, 'start.db'),
      logger: log,
      version: '9.9.9',
      timeouts: { headersMs: 1234 },
    });
    try {
      const line = log.lines.find((l) => l.msg === 'listening');
      assert.equal(line?.database, 'sqlite');
      assert.equal(line?.version, '9.9.9');
      assert.equal(line?.port, server.port);
      assert.equal((line?.timeouts as { headersMs: number }).headersMs, 1234);
      JSON.stringify(line);
      const res = await fetch(`${server.url}/v1/ready`);
      assert.equal(res.status, 200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
