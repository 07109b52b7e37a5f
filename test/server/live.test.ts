import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LiveEvent, LiveReady } from '../../src/contract/live.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { EventLog } from '../../src/server/live/log.js';
import { PgBus, splitControl } from '../../src/server/live/pg.js';
import { LiveService } from '../../src/server/live/service.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { backends, call, ORIGIN, SECRET, token } from './support.js';
import { StreamReader } from './live-support.js';

type App = ReturnType<typeof createApp>;

async function openStream(app: App, body: unknown, opts: { token?: string; lastEventId?: string } = {}) {
  const headers: Record<string, string> = { origin: ORIGIN, 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const res = await app.request('/v1/sites/asso/live', { method: 'POST', headers, body: JSON.stringify(body) });
  const streaming = res.status === 200 && res.body;
  return { res, reader: streaming ? new StreamReader(res.body!) : null };
}

async function ready(app: App, topics: string[], opts: { token?: string; lastEventId?: string } = {}) {
  const { res, reader } = await openStream(app, { topics }, opts);
  assert.equal(res.status, 200, res.status === 200 ? '' : await res.text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  const first = await reader!.next();
  assert.equal(first.event, 'ready');
  const info = LiveReady.parse(first.data);
  return { reader: reader!, info, cancel: () => reader!.cancel() };
}

async function nextChange(reader: StreamReader) {
  const f = await reader.next();
  assert.equal(f.event, 'change', `expected a change, got ${f.event} ${JSON.stringify(f.data)}`);
  const ev = LiveEvent.parse(f.data);
  assert.equal(f.id, ev.id);
  return ev;
}

for (const backend of backends()) {
  describe(`live streams (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let live: LiveService;
    let app: App;
    let clock = 0;

    before(async () => {
      ({ store, cleanup } = await backend.open());
      await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: {} });
      await store.addKey('asso', { alg: 'HS256', secret: SECRET });
      live = new LiveService({ store, logger: silentLogger, heartbeatMs: 40, maxCatchUp: 5, now: () => Date.now() + clock });
      app = createApp({ store, logger: silentLogger, live });
    });
    after(async () => {
      await live.shutdown(0);
      await cleanup();
    });

    test('a new comment reaches the streams following its thread, rendered, and no other', async () => {
      const a = await ready(app, ['thread:t-live']);
      const b = await ready(app, ['thread:elsewhere', 'event:e-1']);
      const tok = await token({ sub: 'm-live' });
      const posted = await call(app, 'POST', '/v1/sites/asso/comments', { token: tok, body: { thread: 't-live', body: 'Bonjour à tous' } });
      assert.equal(posted.status, 201);
      const ev = await nextChange(a.reader);
      assert.equal(ev.kind, 'comment.created');
      assert.equal(ev.topic, 'thread:t-live');
      assert.equal(ev.ref, posted.body.id);
      assert.equal((ev.data as { body: string }).body, 'Bonjour à tous');
      // b follows other topics: the next thing it sees is a change of its own topics.
      await live.publish('asso', { topic: 'event:e-1', kind: 'rsvp.changed', ref: 'e-1', version: 3 });
      const evB = await nextChange(b.reader);
      assert.equal(evB.kind, 'rsvp.changed');
      assert.equal(evB.version, 3);
      assert.ok(Number(evB.id) > Number(ev.id));
      await a.cancel();
      await b.cancel();
    });

    test('each stream gets only what its token may see', async () => {
      const anon = await ready(app, ['thread:club']);
      const camille = await ready(app, ['thread:club', 'member:m-cam'], { token: await token({ sub: 'm-cam', chapters: ['lyon'] }) });
      const other = await ready(app, ['thread:club', 'member:m-cam'], { token: await token({ sub: 'm-other' }) });
      await live.publish('asso', { topic: 'thread:club', kind: 'comment.deleted', ref: 'c-members', audience: 'members' });
      await live.publish('asso', { topic: 'thread:club', kind: 'comment.deleted', ref: 'c-lyon', audience: 'chapter:lyon' });
      await live.publish('asso', { topic: 'member:m-cam', kind: 'badge.awarded', ref: 'award-1', audience: 'member:m-cam' });
      await live.publish('asso', { topic: 'thread:club', kind: 'comment.deleted', ref: 'c-public' });
      assert.deepEqual([(await nextChange(anon.reader)).ref], ['c-public']);
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await nextChange(camille.reader)).ref);
      assert.deepEqual(seen, ['c-members', 'c-lyon', 'award-1', 'c-public']);
      assert.deepEqual([(await nextChange(other.reader)).ref, (await nextChange(other.reader)).ref], ['c-members', 'c-public']);
      for (const s of [anon, camille, other]) await s.cancel();
    });

    test('Last-Event-ID replays what was missed, once, then goes on live', async () => {
      const first = await ready(app, ['thread:replay']);
      const ids: string[] = [];
      for (const ref of ['r1', 'r2', 'r3']) await live.publish('asso', { topic: 'thread:replay', kind: 'comment.deleted', ref });
      for (let i = 0; i < 3; i++) ids.push((await nextChange(first.reader)).id);
      await first.cancel();
      const again = await ready(app, ['thread:replay'], { lastEventId: ids[0] });
      assert.equal(again.info.lastEventId, ids[0]);
      assert.deepEqual([(await nextChange(again.reader)).id, (await nextChange(again.reader)).id], ids.slice(1));
      await live.publish('asso', { topic: 'thread:replay', kind: 'comment.deleted', ref: 'r4' });
      const r4 = await nextChange(again.reader);
      assert.equal(r4.ref, 'r4');
      assert.ok(Number(r4.id) > Number(ids[2]));
      await again.cancel();
    });

    test('a client too far behind, older than the log or from another log is told to reload', async () => {
      const s = await ready(app, ['thread:far']);
      for (let i = 0; i < 7; i++) await live.publish('asso', { topic: 'thread:far', kind: 'comment.deleted', ref: `f${i}` });
      const firstId = (await nextChange(s.reader)).id;
      await s.cancel();
      const tooFar = await ready(app, ['thread:far'], { lastEventId: String(Number(firstId) - 1) });
      const f = await tooFar.reader.next();
      assert.equal(f.event, 'reload');
      assert.equal(f.data.reason, 'log.too_far');
      await tooFar.cancel();
      const future = await ready(app, ['thread:far'], { lastEventId: '999999999' });
      assert.equal((await future.reader.next()).data.reason, 'log.unknown');
      await future.cancel();
      // Prune everything: the same client is now older than the window.
      clock = 2 * 24 * 3600 * 1000;
      await live.prune();
      clock = 0;
      const expired = await ready(app, ['thread:far'], { lastEventId: firstId });
      const r = await expired.reader.next();
      assert.equal(r.event, 'reload');
      assert.equal(r.data.reason, 'log.expired');
      await expired.cancel();
    });

    test('topics change without reconnecting; the control key is required', async () => {
      const s = await ready(app, ['thread:one']);
      await live.publish('asso', { topic: 'thread:two', kind: 'comment.deleted', ref: 'before-add' });
      const bad = await call(app, 'POST', `/v1/sites/asso/live/${s.info.stream}`, { body: { key: 'x'.repeat(32), add: ['thread:three'] } });
      assert.equal(bad.status, 202); // accepted, but the key does not match: ignored
      const ok = await call(app, 'POST', `/v1/sites/asso/live/${s.info.stream}`, {
        body: { key: s.info.key, add: ['thread:two'], remove: ['thread:one'], after: s.info.lastEventId },
      });
      assert.equal(ok.status, 202);
      // What thread:two had since `after` is replayed for the widget that just loaded it.
      assert.equal((await nextChange(s.reader)).ref, 'before-add');
      await live.publish('asso', { topic: 'thread:one', kind: 'comment.deleted', ref: 'not-followed' });
      await live.publish('asso', { topic: 'thread:three', kind: 'comment.deleted', ref: 'bad-key' });
      await live.publish('asso', { topic: 'thread:two', kind: 'comment.deleted', ref: 'followed' });
      assert.equal((await nextChange(s.reader)).ref, 'followed');
      const invalid = await call(app, 'POST', `/v1/sites/asso/live/${s.info.stream}`, { body: { key: s.info.key, add: ['nope'] } });
      assert.equal(invalid.status, 400);
      await s.cancel();
    });

    test('heartbeats flow; a token about to expire gets a notice, then the stream closes with a reason', async () => {
      const now = Math.floor(Date.now() / 1000);
      const s = await ready(app, ['thread:hb'], { token: await token({ sub: 'm-exp', exp: now + 120 }) });
      assert.equal(s.info.tokenExpiresAt, new Date((now + 120) * 1000).toISOString());
      assert.equal((await s.reader.next({ heartbeats: true })).event, ':');
      clock = 90_000;
      const notice = await s.reader.next();
      assert.equal(notice.event, 'token');
      // A fresh token for the same member keeps the stream going.
      const fresh = await token({ sub: 'm-exp', exp: now + 600 });
      const r = await call(app, 'POST', `/v1/sites/asso/live/${s.info.stream}`, { token: fresh, body: { key: s.info.key } });
      assert.equal(r.status, 202);
      clock = 200_000;
      await live.publish('asso', { topic: 'thread:hb', kind: 'comment.deleted', ref: 'still-here' });
      assert.equal((await nextChange(s.reader)).ref, 'still-here');
      clock = 700_000;
      const closed = await s.reader.next();
      assert.deepEqual([closed.event, closed.data.reason], ['close', 'token.expired']);
      assert.deepEqual(await s.reader.end(), []);
      clock = 0;
    });

    test('a token for another member closes the stream', async () => {
      const s = await ready(app, ['thread:who'], { token: await token({ sub: 'm-a' }) });
      await call(app, 'POST', `/v1/sites/asso/live/${s.info.stream}`, { token: await token({ sub: 'm-b' }), body: { key: s.info.key } });
      const f = await s.reader.next();
      assert.deepEqual([f.event, f.data.reason], ['close', 'token.member_changed']);
    });

    test('bad requests are problems', async () => {
      const { res } = await openStream(app, { topics: ['thread:x'] }, { lastEventId: 'abc' });
      assert.equal(res.status, 400);
      const many = await openStream(app, { topics: Array.from({ length: 201 }, (_, i) => `thread:${i}`) });
      assert.equal(many.res.status, 400);
      const expired = await openStream(
        app,
        { topics: [] },
        { token: await token({ exp: Math.floor(Date.now() / 1000) - 300, iat: Math.floor(Date.now() / 1000) - 400 }) },
      );
      assert.equal(expired.res.status, 401);
      assert.equal((await expired.res.json()).code, 'auth.expired');
    });

    test('a client that does not read is dropped, not buffered without bound', async () => {
      const slowLive = new LiveService({ store, logger: silentLogger, maxBufferedBytes: 2048 });
      const slowApp = createApp({ store, logger: silentLogger, live: slowLive });
      const res = await slowApp.request('/v1/sites/asso/live', {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ topics: ['thread:slow'] }),
      });
      assert.equal(slowLive.connections, 1);
      for (let i = 0; i < 40 && slowLive.connections; i++) {
        await slowLive.publish('asso', { topic: 'thread:slow', kind: 'comment.deleted', ref: `x${i}`.padEnd(100, 'x') });
      }
      assert.equal(slowLive.connections, 0);
      await res.body?.cancel();
      await slowLive.shutdown(0);
    });

    test('on shutdown streams are told to reconnect elsewhere, and new ones are refused', async () => {
      const own = new LiveService({ store, logger: silentLogger });
      const ownApp = createApp({ store, logger: silentLogger, live: own });
      const s = await ready(ownApp, ['thread:bye']);
      await own.shutdown(1000);
      const f = await s.reader.next();
      assert.equal(f.event, 'close');
      assert.equal(f.data.reason, 'server.shutdown');
      assert.ok(f.data.retryMs >= 0 && f.data.retryMs <= 1500);
      const refused = await openStream(ownApp, { topics: [] });
      assert.equal(refused.res.status, 503);
      assert.ok(Number(refused.res.headers.get('retry-after')) >= 1);
      assert.equal((await refused.res.json()).code, 'live.unavailable');
    });
  });
}

test('control messages too long for one notification are split', () => {
  const topics = Array.from({ length: 200 }, (_, i) => `thread:https://asso.example.fr/${'x'.repeat(400)}/${i}`);
  const parts = splitControl({ site: 'asso', stream: 's', key: 'k', add: topics, remove: ['thread:a'] });
  assert.ok(parts.length > 10);
  for (const p of parts) assert.ok(Buffer.byteLength(JSON.stringify(p)) <= 7000);
  assert.deepEqual(
    parts.flatMap((p) => p.add ?? []),
    topics,
  );
  assert.deepEqual(
    parts.flatMap((p) => p.remove ?? []),
    ['thread:a'],
  );
});

const url = process.env.DATABASE_URL;
describe('live over LISTEN/NOTIFY: two instances on one PostgreSQL', { skip: url ? false : 'set DATABASE_URL=postgres://… to run' }, () => {
  const schema = `cercle_live_t${process.pid}_${Date.now().toString(36)}`;
  let store: Store;
  let a: LiveService;
  let b: LiveService;
  let appA: App;
  let appB: App;

  before(async () => {
    store = await openStore(url!, { schema });
    await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: {} });
    await store.addKey('asso', { alg: 'HS256', secret: SECRET });
    const bus = () => new PgBus(new EventLog(store.db, 'postgres'), { url: url!, schema, logger: silentLogger });
    a = new LiveService({ store, bus: bus(), logger: silentLogger });
    b = new LiveService({ store, bus: bus(), logger: silentLogger });
    await Promise.all([a.start(), b.start()]);
    appA = createApp({ store, logger: silentLogger, live: a });
    appB = createApp({ store, logger: silentLogger, live: b });
  });
  after(async () => {
    await a.shutdown(0);
    await b.shutdown(0);
    await store.close();
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  });

  test('a comment posted on one instance reaches streams on both, and controls reach the holding instance', async () => {
    const onA = await ready(appA, ['thread:pg']);
    const onB = await ready(appB, ['thread:pg']);
    const posted = await call(appA, 'POST', '/v1/sites/asso/comments', {
      token: await token({ sub: 'm-pg' }),
      body: { thread: 'pg', body: 'Salut' },
    });
    assert.equal(posted.status, 201);
    const [ea, eb] = await Promise.all([nextChange(onA.reader), nextChange(onB.reader)]);
    assert.equal(ea.ref, posted.body.id);
    assert.deepEqual(eb, ea);
    // The stream held by B is changed through A.
    const ctl = await call(appA, 'POST', `/v1/sites/asso/live/${onB.info.stream}`, {
      body: { key: onB.info.key, add: ['event:pg-e'], remove: ['thread:pg'] },
    });
    assert.equal(ctl.status, 202);
    // Wait until B applied it: a change of the old topic would otherwise still arrive.
    for (let i = 0; i < 100; i++) {
      await b.publish('asso', { topic: 'event:pg-e', kind: 'rsvp.changed', ref: 'pg-e', version: i });
      const ev = await nextChange(onB.reader);
      if (ev.topic === 'event:pg-e') break;
    }
    await a.publish('asso', { topic: 'thread:pg', kind: 'comment.deleted', ref: posted.body.id });
    await a.publish('asso', { topic: 'event:pg-e', kind: 'rsvp.changed', ref: 'pg-e', version: 1000 });
    const last = await nextChange(onB.reader);
    assert.deepEqual([last.kind, last.version], ['rsvp.changed', 1000]);
    await onA.cancel();
    await onB.cancel();
  });

  test('ids of one site become visible in increasing order under concurrent publishers', async () => {
    const s = await ready(appB, ['thread:order']);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).publish('asso', { topic: 'thread:order', kind: 'comment.deleted', ref: `o${i}` }),
      ),
    );
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(Number((await nextChange(s.reader)).id));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
    );
    assert.equal(new Set(ids).size, 40);
    await s.cancel();
  });
});
