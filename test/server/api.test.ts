import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Comment, CommentPage, EventPage, Me, SitePublic } from '../../src/contract/resources.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Problem } from '../../src/contract/common.js';
import { routes } from '../../src/contract/routes.js';
import { backends, call, ORIGIN, SECRET, setup, token } from './support.js';

const THREAD = 'https://asso.example.fr/articles/transmission';

for (const backend of backends()) {
  describe(`HTTP API (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let alice: string;
    let bob: string;
    before(async () => {
      ctx = await setup(backend);
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
    });
    after(() => ctx.cleanup());

    const post = (body: unknown, t = alice, headers?: Record<string, string>) =>
      call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body, headers });
    const list = (q: string, t?: string) => call(ctx.app, 'GET', `/v1/sites/asso/comments?${q}`, { token: t });

    describe('CORS', () => {
      it('admits exactly the listed origin on a preflight', async () => {
        const r = await call(ctx.app, 'OPTIONS', '/v1/sites/asso/comments', {
          headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
        assert.equal(r.status, 204);
        assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
        assert.match(r.headers.get('access-control-allow-headers') ?? '', /authorization/);
        assert.match(r.headers.get('vary') ?? '', /Origin/);
        assert.equal(r.headers.get('access-control-allow-credentials'), null);
        // The browser keeps the answer two hours: one preflight per route and page, not one before every read.
        assert.equal(r.headers.get('access-control-max-age'), '7200');
      });

      for (const origin of [
        'https://asso.example.fr.evil.com',
        'https://evil-asso.example.fr',
        'http://asso.example.fr',
        'null',
        'https://evil.com',
      ]) {
        it(`refuses ${origin}, never reflecting it`, async () => {
          for (const method of ['OPTIONS', 'GET', 'POST']) {
            const r = await call(ctx.app, method, '/v1/sites/asso/comments?thread=x', {
              origin,
              token: alice,
              body: method === 'POST' ? { thread: 'x', body: 'hi' } : undefined,
            });
            assert.equal(r.status, 403, `${method} ${origin}`);
            assert.equal(r.body.code, 'cors.origin_not_allowed');
            assert.equal(r.headers.get('access-control-allow-origin'), null);
          }
          assert.equal(await ctx.store.thread('asso', 'x'), undefined);
        });
      }

      it('lets verifiers on any origin read public Open Badges documents, and nothing else', async () => {
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/ob/issuer', { origin: 'https://verifier.example' });
        assert.equal(r.headers.get('access-control-allow-origin'), '*');
        assert.notEqual(r.status, 403);
        const write = await call(ctx.app, 'POST', '/v1/sites/asso/ob/issuer', { origin: 'https://verifier.example', body: {} });
        assert.equal(write.status, 403);
        assert.equal(write.body.code, 'cors.origin_not_allowed');
      });

      it('takes an action without a body, and refuses a body that is not JSON', async () => {
        const r = await ctx.app.request('/v1/sites/asso/batch', {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'text/plain' },
          body: '{"reads":["/"]}',
        });
        assert.equal(r.status, 415);
        const empty = await ctx.app.request('/v1/sites/asso/batch', { method: 'POST', headers: { origin: ORIGIN } });
        assert.equal(empty.status, 400, 'an empty body reaches validation, not the content-type check');
        assert.equal((await empty.json()).code, 'request.malformed_json');
      });

      it('sends the exact origin on simple reads', async () => {
        const r = await call(ctx.app, 'GET', '/v1/sites/asso');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
        SitePublic.parse(r.body);
      });
    });

    describe('comments', () => {
      it('lists an empty, not-yet-created thread', async () => {
        const r = await list(`thread=${encodeURIComponent(THREAD)}`);
        assert.equal(r.status, 200);
        const page = CommentPage.parse(r.body);
        assert.deepEqual(page.items, []);
        assert.equal(page.thread.commentCount, 0);
        assert.equal(page.next, null);
      });

      it('stores a comment, creating the thread, and lists it to a signed-out reader', async () => {
        const r = await post({ thread: THREAD, body: '  Bonjour à tous, a <b & "c"  ', title: 'Transmission' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const c = Comment.parse(r.body);
        assert.equal(c.body, 'Bonjour à tous, a <b & "c"', "stored as text, trimmed; escaping is the renderer's job");
        assert.equal(c.author?.id, 'alice');
        const page = CommentPage.parse((await list(`thread=${encodeURIComponent(THREAD)}`)).body);
        assert.equal(page.items.length, 1);
        assert.equal(page.thread.title, 'Transmission');
        assert.equal(page.thread.commentCount, 1);
        const activity = await ctx.store.db.selectFrom('activities').selectAll().where('ref', '=', c.id).execute();
        assert.equal(activity.length, 1);
        assert.equal(activity[0].kind, 'comment.posted');
      });

      it('stores a retried post once (idempotency key)', async () => {
        const headers = { 'idempotency-key': 'retry-key-0001' };
        const first = await post({ thread: 'idem', body: 'Une fois' }, alice, headers);
        const second = await post({ thread: 'idem', body: 'Une fois' }, alice, headers);
        assert.equal(first.status, 201);
        assert.equal(second.status, 201);
        assert.equal(second.body.id, first.body.id);
        assert.equal(second.headers.get('idempotent-replayed'), 'true');
        const [a, b] = await Promise.all([
          post({ thread: 'idem', body: 'Concurrent' }, alice, { 'idempotency-key': 'race-key-0002' }),
          post({ thread: 'idem', body: 'Concurrent' }, alice, { 'idempotency-key': 'race-key-0002' }),
        ]);
        assert.equal(a.body.id, b.body.id);
        const page = CommentPage.parse((await list('thread=idem')).body);
        assert.equal(page.items.length, 2);
        // Another member's identical key is their own.
        const other = await post({ thread: 'idem', body: 'Moi aussi' }, bob, headers);
        assert.notEqual(other.body.id, first.body.id);
      });

      it('idempotency key reused with a different body: 422 idempotency.mismatch, nothing stored; same body still replays', async () => {
        const headers = { 'idempotency-key': 'mismatch-key-0003' };
        const first = await post({ thread: 'idem-mismatch', body: 'Premier texte' }, alice, headers);
        assert.equal(first.status, 201);
        for (const body of [
          { thread: 'idem-mismatch', body: 'Un autre texte' },
          { thread: 'idem-elsewhere', body: 'Premier texte' },
          { thread: 'idem-mismatch', body: 'Premier texte', parentId: first.body.id },
        ]) {
          const r = await post(body, alice, headers);
          assert.equal(r.status, 422, JSON.stringify(body));
          assert.equal(Problem.parse(r.body).code, 'idempotency.mismatch');
        }
        assert.equal(CommentPage.parse((await list('thread=idem-mismatch')).body).items.length, 1);
        assert.equal(CommentPage.parse((await list('thread=idem-elsewhere')).body).items.length, 0);
        // The same request (trimmed alike) still answers the first comment.
        const again = await post({ thread: 'idem-mismatch', body: '  Premier texte ' }, alice, headers);
        assert.equal(again.status, 201);
        assert.equal(again.body.id, first.body.id);
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
        // Two different bodies racing on one key: one is stored, the other refused.
        const raced = await Promise.all(
          ['Course A', 'Course B'].map((b) => post({ thread: 'idem-race', body: b }, alice, { 'idempotency-key': 'mismatch-race-0004' })),
        );
        assert.deepEqual(raced.map((r) => r.status).sort(), [201, 422]);
        assert.equal(CommentPage.parse((await list('thread=idem-race')).body).items.length, 1);
      });

      it('pages with an opaque cursor in both orders', async () => {
        for (let i = 0; i < 5; i++) assert.equal((await post({ thread: 'paged', body: `n°${i}` })).status, 201);
        const seen: string[] = [];
        let cursor = '';
        for (let n = 0; n < 5; n++) {
          const page = CommentPage.parse((await list(`thread=paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body);
          seen.push(...page.items.map((c) => c.body));
          if (!page.next) break;
          cursor = page.next;
        }
        assert.deepEqual(seen, ['n°0', 'n°1', 'n°2', 'n°3', 'n°4']);
        const newest = CommentPage.parse((await list('thread=paged&limit=2&sort=newest')).body);
        assert.deepEqual(
          newest.items.map((c) => c.body),
          ['n°4', 'n°3'],
        );
      });

      it('threads replies and refuses a parent from another thread', async () => {
        const parent = await post({ thread: 'replies', body: 'Question ?' });
        const reply = await post({ thread: 'replies', body: 'Réponse', parentId: parent.body.id }, bob);
        assert.equal(reply.status, 201);
        assert.equal(reply.body.parentId, parent.body.id);
        const elsewhere = await post({ thread: 'other-thread', body: 'Hors sujet', parentId: parent.body.id });
        assert.equal(elsewhere.status, 400);
        assert.equal(elsewhere.body.code, 'comment.parent_invalid');
        const unknown = await post({ thread: 'replies', body: 'x', parentId: 'nope' });
        assert.equal(unknown.body.code, 'comment.parent_invalid');
      });

      it("refuses a locked thread and a thread outside the member's audience", async () => {
        await ctx.store.setThread('asso', 'locked', { locked: true });
        const locked = await post({ thread: 'locked', body: 'Trop tard' });
        assert.equal(locked.status, 403);
        assert.equal(locked.body.code, 'thread.locked');

        await ctx.store.setThread('asso', 'toulouse-only', { audience: 'chapter:toulouse' });
        assert.equal((await post({ thread: 'toulouse-only', body: 'Entre nous' })).status, 201);
        const outsider = await post({ thread: 'toulouse-only', body: 'Moi ?' }, bob);
        assert.equal(outsider.status, 403);
        assert.equal(outsider.body.code, 'thread.forbidden');
        assert.equal((await list('thread=toulouse-only', bob)).body.code, 'thread.forbidden');
        const anonymous = await list('thread=toulouse-only');
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.body.code, 'auth.missing');
        assert.equal(CommentPage.parse((await list('thread=toulouse-only', alice)).body).items.length, 1);
      });
    });

    describe('bad input', () => {
      const cases: [string, () => ReturnType<typeof call>, number, string][] = [
        ['an empty body', () => post({ thread: THREAD, body: '   ' }), 400, 'request.invalid'],
        ['an unknown field', () => post({ thread: THREAD, body: 'x', admin: true }), 400, 'request.invalid'],
        ['a missing thread', () => post({ body: 'x' }), 400, 'request.invalid'],
        ['a body over the site limit', () => post({ thread: THREAD, body: 'x'.repeat(5001) }), 400, 'comment.too_long'],
        ['a body over the absolute limit', () => post({ thread: THREAD, body: 'x'.repeat(10_001) }), 400, 'request.invalid'],
        ['malformed JSON', () => post('{"thread": '), 400, 'request.malformed_json'],
        [
          'a non-JSON content type',
          () =>
            call(ctx.app, 'POST', '/v1/sites/asso/comments', {
              token: alice,
              body: 'thread=x',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            }),
          415,
          'request.unsupported_media_type',
        ],
        ['an oversized request', () => post({ thread: THREAD, body: 'x'.repeat(70_000) }), 413, 'request.too_large'],
        [
          'a bad idempotency key',
          () => post({ thread: THREAD, body: 'x' }, alice, { 'idempotency-key': 'bad key!' }),
          400,
          'request.invalid',
        ],
        ['a malformed cursor', () => list('thread=paged&cursor=bm90LWpzb24'), 400, 'request.bad_cursor'],
        ['a cursor with forbidden characters', () => list('thread=paged&cursor=%27%3B--'), 400, 'request.invalid'],
        ['a limit out of range', () => list('thread=paged&limit=1000'), 400, 'request.invalid'],
        ['an unknown query parameter', () => list('thread=paged&sql=1'), 400, 'request.invalid'],
        ['a thread key over 512 characters', () => list(`thread=${'k'.repeat(600)}`), 400, 'request.invalid'],
        ['an unknown site', () => call(ctx.app, 'GET', '/v1/sites/nope/comments?thread=x', { origin: null }), 404, 'site.unknown'],
        ['a malformed site id', () => call(ctx.app, 'GET', '/v1/sites/NOPE!/comments?thread=x', { origin: null }), 400, 'request.invalid'],
        ['an unknown route', () => call(ctx.app, 'GET', '/v1/nothing-here'), 404, 'route.not_found'],
        ['an unknown member', () => call(ctx.app, 'GET', '/v1/sites/asso/members/ghost', { token: alice }), 404, 'member.unknown'],
      ];
      for (const [what, run, status, code] of cases) {
        it(`answers ${what} with ${status} ${code}, storing nothing`, async () => {
          const before = await ctx.store.db
            .selectFrom('comments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          const r = await run();
          assert.equal(r.status, status, JSON.stringify(r.body));
          const p = Problem.parse(r.body);
          assert.equal(p.code, code);
          assert.equal(p.status, status);
          assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
          const afterCount = await ctx.store.db
            .selectFrom('comments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          assert.equal(Number(afterCount.n), Number(before.n));
        });
      }

      it('names the offending field', async () => {
        const r = await post({ thread: THREAD, body: 'x', colour: 'red' });
        assert.ok(
          r.body.errors.some((e: { path: string }) => e.path === 'body.colour'),
          JSON.stringify(r.body.errors),
        );
      });
    });

    describe('batch reads', () => {
      it('answers several reads in one round trip, in order, each with its status', async () => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/batch', {
          token: alice,
          body: { reads: ['/me', `/comments?thread=${encodeURIComponent(THREAD)}`, '/', '/members/ghost', '/me'] },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const { results } = BatchResponse.parse(r.body);
        assert.deepEqual(
          results.map((x) => x.status),
          [200, 200, 200, 404, 200],
        );
        assert.equal(Me.parse(results[0].body).id, 'alice');
        assert.equal(CommentPage.parse(results[1].body).items.length, 1);
        SitePublic.parse(results[2].body);
        assert.equal(Problem.parse(results[3].body).code, 'member.unknown');
      });

      it('refuses nesting, writes and oversized batches', async () => {
        const nested = BatchResponse.parse((await call(ctx.app, 'POST', '/v1/sites/asso/batch', { body: { reads: ['/batch'] } })).body);
        assert.equal(nested.results[0].status, 400);
        const tooMany = await call(ctx.app, 'POST', '/v1/sites/asso/batch', { body: { reads: Array.from({ length: 21 }, () => '/') } });
        assert.equal(tooMany.status, 400);
        const absolute = await call(ctx.app, 'POST', '/v1/sites/asso/batch', { body: { reads: ['https://evil.com/'] } });
        assert.equal(absolute.status, 400);
      });

      it('batch reads stay within their site: traversal to another site, raw or encoded, is a 400 problem per entry', async () => {
        const OTHER = 'https://other.example.org';
        await ctx.store.createSite({ id: 'other', name: 'Other', origins: [OTHER], settings: { rateLimits: false, publicRead: true } });
        await ctx.store.addKey('other', { alg: 'HS256', secret: SECRET });
        const thread = `${OTHER}/private-page`;
        const posted = await call(ctx.app, 'POST', '/v1/sites/other/comments', {
          origin: OTHER,
          token: await token({ iss: 'other', sub: 'zoe' }),
          body: { thread, body: 'Seulement pour other' },
        });
        assert.equal(posted.status, 201, JSON.stringify(posted.body));
        const q = `comments?thread=${encodeURIComponent(thread)}`;
        const escapes = [
          `/../other/${q}`,
          `/%2e%2e/other/${q}`,
          `/%2E%2E/other/${q}`,
          `/.%2e/other/${q}`,
          `/..%2fother/${q}`,
          `/%2e%2e%2fother%2f${q}`,
          `/..\\other/${q}`,
          `/%5c..%5cother/${q}`,
          `/%252e%252e/other/${q}`,
          `/./../other/${q}`,
          `/me/../../other/${q}`,
        ];
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/batch', { token: alice, body: { reads: [...escapes, `/${q}`] } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const { results } = BatchResponse.parse(r.body);
        for (const [i, read] of escapes.entries()) {
          assert.equal(results[i].status, 400, read);
          assert.equal(Problem.parse(results[i].body).code, 'batch.invalid_path', read);
        }
        // The same path without the escape reads this site's own (empty) thread.
        assert.equal(results.at(-1)!.status, 200);
        assert.ok(!JSON.stringify(results).includes('Seulement pour other'));
      });

      it('batch reads are matched against the GET routes of the contract', async () => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/batch', {
          token: alice,
          body: { reads: ['/moderation/actions', '/nowhere', '/me/', '/me?x=1'] },
        });
        const { results } = BatchResponse.parse(r.body);
        assert.deepEqual(
          results.map((x) => x.status),
          [404, 404, 404, 200],
        );
        assert.equal(Problem.parse(results[0].body).code, 'route.not_found');
      });

      it("passes the caller's token to each read, and a bad one fails each read", async () => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/batch', { token: 'garbage', body: { reads: ['/'] } });
        assert.equal(r.status, 401);
      });
    });

    describe('events', () => {
      it("lists upcoming events with going counts and the reader's answer", async () => {
        const day = 86_400_000;
        await ctx.store.upsertChapter('asso', 'toulouse', 'Toulouse');
        const e = await ctx.store.insertEvent({
          site_id: 'asso',
          chapter_id: 'toulouse',
          title: 'Petit-déjeuner',
          description: '',
          time_zone: 'Europe/Paris',
          starts_at: new Date(Date.now() + day).toISOString(),
          ends_at: new Date(Date.now() + day + 7200_000).toISOString(),
          place: 'Capitole',
          online_url: null,
          capacity: 20,
          audience: 'public',
        });
        await ctx.store.insertEvent({
          site_id: 'asso',
          chapter_id: null,
          title: 'Passé',
          description: '',
          time_zone: 'Europe/Paris',
          starts_at: new Date(Date.now() - 2 * day).toISOString(),
          ends_at: new Date(Date.now() - day).toISOString(),
          place: null,
          online_url: null,
          capacity: null,
          audience: 'public',
        });
        const m = await ctx.store.memberByHostId('asso', 'alice');
        await ctx.store.setRsvp('asso', e.id, m!.pk, 'going');
        const page = EventPage.parse((await call(ctx.app, 'GET', '/v1/sites/asso/events', { token: alice })).body);
        assert.deepEqual(
          page.items.map((x) => [x.title, x.going, x.myRsvp?.status, x.chapter?.name]),
          [['Petit-déjeuner', 1, 'going', 'Toulouse']],
        );
        const past = EventPage.parse((await call(ctx.app, 'GET', '/v1/sites/asso/events?past=1')).body);
        assert.deepEqual(
          past.items.map((x) => x.title),
          ['Passé'],
        );
      });
    });

    describe('OpenAPI', () => {
      it('documents every route the server answers', async () => {
        const r = await call(ctx.app, 'GET', '/v1/openapi.json', { origin: null });
        assert.equal(r.status, 200);
        assert.equal(r.body.openapi, '3.1.0');
        const documented = new Set<string>();
        for (const [path, ops] of Object.entries(r.body.paths as Record<string, object>)) {
          for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
        }
        const served = new Set(ctx.app.routes.filter((x) => x.method !== 'ALL').map((x) => `${x.method} ${x.path}`));
        assert.deepEqual([...served].sort(), [...documented].sort());
        assert.equal(Object.keys(routes).length, documented.size);
        const postOp = r.body.paths['/v1/sites/{site}/comments'].post;
        assert.ok(postOp.requestBody.content['application/json'].schema.properties.body);
        assert.deepEqual(postOp.security, [{ hostToken: [] }]);
      });
    });
  });
}
