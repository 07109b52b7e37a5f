import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LiveEvent, LiveReady } from '../../src/contract/live.js';
import { Event } from '../../src/contract/resources.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { LiveService } from '../../src/server/live/service.js';
import type { Store } from '../../src/server/store/store.js';
import { StreamReader } from './live-support.js';
import { backends, call, ORIGIN, SECRET, token } from './support.js';

/** What the features publish on the live stream: what the widgets need to update in place. */

type App = ReturnType<typeof createApp>;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function ready(app: App, topics: string[], tok?: string) {
  const headers: Record<string, string> = { origin: ORIGIN, 'content-type': 'application/json' };
  if (tok) headers.authorization = `Bearer ${tok}`;
  const res = await app.request('/v1/sites/asso/live', { method: 'POST', headers, body: JSON.stringify({ topics }) });
  assert.equal(res.status, 200);
  const reader = new StreamReader(res.body!);
  const first = await reader.next();
  assert.equal(first.event, 'ready');
  LiveReady.parse(first.data);
  return reader;
}

async function next(reader: StreamReader) {
  const f = await reader.next();
  assert.equal(f.event, 'change', `expected a change, got ${f.event}`);
  return LiveEvent.parse(f.data);
}

for (const backend of backends()) {
  describe(`live: what the features publish (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let live: LiveService;
    let app: App;
    const readers: StreamReader[] = [];
    let admin: string;
    let ana: string;
    let ben: string;
    let cleo: string;

    before(async () => {
      ({ store, cleanup } = await backend.open());
      await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: { rateLimits: false } });
      await store.addKey('asso', { alg: 'HS256', secret: SECRET });
      // Each change as it is made: merging count changes in a window is covered by trust-ops.test.ts.
      live = new LiveService({ store, logger: silentLogger, coalesceMs: 0 });
      app = createApp({ store, logger: silentLogger, live });
      admin = await token({ sub: 'admin', name: 'Ada Admin', roles: ['member', 'admin'] });
      ana = await token({ sub: 'ana', name: 'Ana Roux' });
      ben = await token({ sub: 'ben', name: 'Ben Marchal' });
      cleo = await token({ sub: 'cleo', name: 'Cléo Faure' });
      for (const t of [admin, ana, ben, cleo]) await call(app, 'GET', '/v1/sites/asso/me', { token: t });
    });
    after(async () => {
      for (const r of readers) await r.cancel().catch(() => {});
      await live.shutdown(0);
      await cleanup();
    });
    const open = async (topics: string[], tok?: string) => {
      const r = await ready(app, topics, tok);
      readers.push(r);
      return r;
    };

    test("a reaction sends the comment's counts, the same for every reader", async () => {
      const posted = await call(app, 'POST', '/v1/sites/asso/comments', {
        token: ana,
        body: { thread: 'reactions', body: 'Qui vient samedi ?' },
      });
      assert.equal(posted.status, 201);
      const stream = await open(['thread:reactions']);
      assert.equal(
        (await call(app, 'POST', `/v1/sites/asso/comments/${posted.body.id}/reactions`, { token: ben, body: { kind: 'useful' } })).status,
        200,
      );
      const ev = await next(stream);
      assert.equal(ev.kind, 'reactions.changed');
      assert.equal(ev.ref, posted.body.id);
      assert.deepEqual(ev.data, { comment: posted.body.id, reactions: [{ kind: 'useful', count: 1 }] });
      // Taking it back: the count goes to nothing.
      await call(app, 'DELETE', `/v1/sites/asso/comments/${posted.body.id}/reactions/useful`, { token: ben });
      assert.deepEqual((await next(stream)).data, { comment: posted.body.id, reactions: [] });
    });

    test('an edit sends the new text with the members it mentions', async () => {
      const posted = await call(app, 'POST', '/v1/sites/asso/comments', { token: ana, body: { thread: 'edits', body: 'Bonjour' } });
      const stream = await open(['thread:edits']);
      const edited = await call(app, 'PATCH', `/v1/sites/asso/comments/${posted.body.id}`, {
        token: ana,
        body: { body: 'Bonjour @[Ben Marchal](ben)' },
      });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      const ev = await next(stream);
      assert.equal(ev.kind, 'comment.updated');
      const data = ev.data as { body: string; editedAt: string | null; mentions: { id: string; name: string }[] };
      assert.equal(data.body, 'Bonjour @[Ben Marchal](ben)');
      assert.ok(data.editedAt);
      assert.deepEqual(
        data.mentions.map((m) => [m.id, m.name]),
        [['ben', 'Ben Marchal']],
      );
    });

    test("answers send the event's counts; a promotion goes to the promoted member alone", async () => {
      const made = await call(app, 'POST', '/v1/sites/asso/events', {
        token: admin,
        body: {
          title: 'Visite',
          timeZone: 'Europe/Paris',
          startsAt: iso(Date.now() + 7 * DAY),
          endsAt: iso(Date.now() + 7 * DAY + 3_600_000),
          capacity: 1,
        },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const ev = Event.parse(made.body);
      const rsvp = (tok: string, status: string) =>
        call(app, 'PUT', `/v1/sites/asso/events/${ev.id}/rsvp`, { token: tok, body: { status } });
      const anon = await open([`event:${ev.id}`]);
      const benStream = await open([`event:${ev.id}`], ben);
      const cleoStream = await open([`event:${ev.id}`], cleo);

      assert.equal((await rsvp(ana, 'going')).status, 200);
      for (const s of [anon, benStream, cleoStream]) {
        const e = await next(s);
        assert.equal(e.kind, 'rsvp.changed');
        assert.deepEqual(e.data, { event: ev.id, capacity: 1, going: 1, taken: 1, maybe: 0, waitlist: 0, placesLeft: 0 });
      }
      assert.equal((await rsvp(ben, 'going')).body.myRsvp.status, 'waitlist');
      for (const s of [anon, benStream, cleoStream]) {
        assert.deepEqual((await next(s)).data, { event: ev.id, capacity: 1, going: 1, taken: 1, maybe: 0, waitlist: 1, placesLeft: 0 });
      }

      // Ana gives up her place: Ben is moved up, and only Ben's stream is told so.
      await rsvp(ana, 'declined');
      const counts = { event: ev.id, capacity: 1, going: 1, taken: 1, maybe: 0, waitlist: 0, placesLeft: 0 };
      assert.deepEqual((await next(anon)).data, counts);
      const forBen = [await next(benStream), await next(benStream)];
      assert.deepEqual(
        forBen.map((e) => e.kind),
        ['rsvp.changed', 'waitlist.promoted'],
      );
      assert.equal(forBen[1].ref, ev.id);
      assert.equal(forBen[1].topic, `event:${ev.id}`);
      // Cléo's next change is a later one: she never saw Ben's promotion.
      assert.equal((await next(cleoStream)).kind, 'rsvp.changed');
      await call(app, 'PATCH', `/v1/sites/asso/events/${ev.id}`, { token: admin, body: { title: 'Visite guidée' } });
      assert.equal((await next(cleoStream)).kind, 'event.updated');
      assert.equal((await next(anon)).kind, 'event.updated');
    });

    test('raising the capacity promotes from the waitlist and says so', async () => {
      const made = await call(app, 'POST', '/v1/sites/asso/events', {
        token: admin,
        body: {
          title: 'Atelier',
          timeZone: 'Europe/Paris',
          startsAt: iso(Date.now() + 9 * DAY),
          endsAt: iso(Date.now() + 9 * DAY + 3_600_000),
          capacity: 1,
        },
      });
      const id = made.body.id as string;
      await call(app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: ana, body: { status: 'going' } });
      await call(app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: cleo, body: { status: 'going' } });
      const cleoStream = await open([`event:${id}`], cleo);
      assert.equal((await call(app, 'PATCH', `/v1/sites/asso/events/${id}`, { token: admin, body: { capacity: 2 } })).status, 200);
      const kinds = [await next(cleoStream), await next(cleoStream), await next(cleoStream)];
      assert.deepEqual(
        kinds.map((e) => e.kind),
        ['event.updated', 'waitlist.promoted', 'rsvp.changed'],
      );
      assert.deepEqual(kinds[2].data, { event: id, capacity: 2, going: 2, taken: 2, maybe: 0, waitlist: 0, placesLeft: 0 });
      // Cancelling is news for everyone following the event.
      await call(app, 'POST', `/v1/sites/asso/events/${id}/cancel`, { token: admin, body: {} });
      assert.equal((await next(cleoStream)).kind, 'event.updated');
    });
  });
}
