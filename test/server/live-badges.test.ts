import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LiveEvent, LiveReady } from '../../src/contract/live.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { EventBus } from '../../src/server/domain/events.js';
import { subscribeBadges } from '../../src/server/features/engagement/badges.js';
import type { AppServices } from '../../src/server/http/types.js';
import { LiveService } from '../../src/server/live/service.js';
import type { Store } from '../../src/server/store/store.js';
import { StreamReader } from './live-support.js';
import { backends, call, ORIGIN, SECRET, token } from './support.js';

/** New badges on the live stream: told to the member alone, once the transaction that awarded them committed. */

type App = ReturnType<typeof createApp>;

for (const backend of backends()) {
  describe(`live: badges (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let live: LiveService;
    let app: App;
    const readers: StreamReader[] = [];
    let ana: string;
    let ben: string;

    before(async () => {
      ({ store, cleanup } = await backend.open());
      await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: { rateLimits: false } });
      await store.addKey('asso', { alg: 'HS256', secret: SECRET });
      live = new LiveService({ store, logger: silentLogger });
      app = createApp({ store, logger: silentLogger, live });
      ana = await token({ sub: 'ana', name: 'Ana Roux' });
      ben = await token({ sub: 'ben', name: 'Ben Marchal' });
      for (const t of [ana, ben]) await call(app, 'GET', '/v1/sites/asso/me', { token: t });
    });
    after(async () => {
      for (const r of readers) await r.cancel().catch(() => {});
      await live.shutdown(0);
      await cleanup();
    });

    async function open(topics: string[], tok?: string) {
      const headers: Record<string, string> = { origin: ORIGIN, 'content-type': 'application/json' };
      if (tok) headers.authorization = `Bearer ${tok}`;
      const res = await app.request('/v1/sites/asso/live', { method: 'POST', headers, body: JSON.stringify({ topics }) });
      assert.equal(res.status, 200);
      const reader = new StreamReader(res.body!);
      const first = await reader.next();
      assert.equal(first.event, 'ready');
      LiveReady.parse(first.data);
      readers.push(reader);
      return reader;
    }
    const next = async (reader: StreamReader) => {
      const f = await reader.next();
      assert.equal(f.event, 'change', `expected a change, got ${f.event}`);
      return LiveEvent.parse(f.data);
    };
    const post = async (tok: string, body: string) => {
      const res = await call(app, 'POST', '/v1/sites/asso/comments', { token: tok, body: { thread: 'badges', body } });
      assert.equal(res.status, 201);
      return res.body.id as string;
    };

    /** The next change on a stream other than the member's notification count (a badge earned is also a notification). */
    const nextChange = async (s: Parameters<typeof next>[0]) => {
      for (;;) {
        const e = await next(s);
        if (e.kind !== 'notification') return e;
      }
    };

    test("a first comment's badge goes to its author alone, after the comment, once", async () => {
      const topics = ['member:ana', 'thread:badges'];
      const mine = await open(topics, ana);
      const other = await open(topics, ben);
      const anonymous = await open(topics);

      const first = await post(ana, 'Bonjour à toutes et à tous');
      const c1 = await nextChange(mine);
      assert.deepEqual([c1.kind, c1.ref], ['comment.created', first]);
      const badge = await nextChange(mine);
      assert.equal(badge.kind, 'badge.awarded');
      assert.equal(badge.topic, 'member:ana');
      assert.equal(badge.ref, 'premiere-contribution');
      // What the stream told is what the member's engagement now shows.
      const me = await call(app, 'GET', '/v1/sites/asso/engagement/members/me', { token: ana });
      assert.equal(me.status, 200);
      assert.ok(
        me.body.badges.some((b: { id: string }) => b.id === 'premiere-contribution'),
        JSON.stringify(me.body.badges),
      );

      // A second comment earns nothing new: no second announcement. The others never see Ana's badge:
      // the next thing on their streams after her first comment is her second.
      const second = await post(ana, 'Et une autre remarque');
      assert.deepEqual([(await nextChange(mine)).ref], [second]);
      for (const s of [other, anonymous]) {
        assert.deepEqual((await next(s)).ref, first);
        assert.deepEqual((await next(s)).ref, second);
      }
    });

    test('a badge awarded inside a transaction that rolls back is never announced', async () => {
      const stream = await open(['member:ben', 'thread:badges'], ben);
      const benPk = (
        await store.db
          .selectFrom('members')
          .select('pk')
          .where('site_id', '=', 'asso')
          .where('host_id', '=', 'ben')
          .executeTakeFirstOrThrow()
      ).pk;
      // A request whose transaction records Ben's first activity (awarding his first badge), then rolls back;
      // the request itself goes on. The engagement feature hears of the award after the request.
      const bus = new EventBus(silentLogger);
      let raised = 0;
      bus.on('badge.awarded', () => void raised++);
      subscribeBadges({ bus, store, live, logger: silentLogger, now: Date.now } satisfies AppServices);
      await bus.collecting(async () => {
        await store.db
          .transaction()
          .execute(async (tx) => {
            await store.recordActivity('asso', benPk, 'comment.posted', 'c-rolled-back', { tx });
            throw new Error('rolled back');
          })
          .catch(() => undefined);
      });
      assert.equal(raised, 1, 'raised inside the transaction');
      // Ben's real first comment: the comment, then his badge — the rolled-back one never came.
      const id = await post(ben, 'Premier message');
      assert.deepEqual([(await next(stream)).ref], [id]);
      const badge = await next(stream);
      assert.deepEqual([badge.kind, badge.ref], ['badge.awarded', 'premiere-contribution']);
    });
  });
}
