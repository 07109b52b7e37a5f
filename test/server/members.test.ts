import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Problem } from '../../src/contract/common.js';
import {
  EraseResult,
  Introduction,
  IntroductionPage,
  MemberCard,
  MemberExport,
  MemberPage,
  type ProfilePatch,
} from '../../src/contract/members.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { backends, call, setup, token } from './support.js';

const SECRET_PHONE = '+33 6 12 34 56 78';
const CHAPTER_BIO = 'Repreneuse de PME industrielles, 15 ans en Occitanie';
const PRIVATE_EMAIL = 'alice.prive@example.org';

for (const backend of backends()) {
  describe(`member cards (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    // Alice and Chloé are in Toulouse, Bob in Montpellier.
    let alice: string;
    let bob: string;
    let chloe: string;
    let admin: string;
    before(async () => {
      ctx = await setup(backend);
      // This site shows member cards to signed-out readers (for members listed publicly).
      await ctx.store.updateSite('asso', { settings: { publicProfiles: true } });
      await ctx.store.upsertChapter('asso', 'toulouse', 'Toulouse');
      await ctx.store.upsertChapter('asso', 'montpellier', 'Montpellier');
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
      chloe = await token({ sub: 'chloe', name: 'Chloé Petit', chapters: ['toulouse'] });
      admin = await token({ sub: 'root', name: 'Admin', roles: ['admin'], chapters: [] });
      for (const t of [alice, bob, chloe, admin]) assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t })).status, 200);
    });
    after(() => ctx.cleanup());

    const patch = (body: unknown, t = alice, who = 'me') => call(ctx.app, 'PATCH', `/v1/sites/asso/members/${who}`, { token: t, body });
    const card = async (who: string, t?: string) => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/members/${who}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return { card: MemberCard.parse(r.body), raw: JSON.stringify(r.body) };
    };
    const search = async (q: string, t?: string) => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/members${q}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return MemberPage.parse(r.body);
    };

    describe('visibility', () => {
      before(async () => {
        const r = await patch({
          headline: 'Cédante, conseil en transmission',
          company: 'Durand Conseil',
          associationRole: 'Trésorière du chapitre',
          expertise: ['Transmission', 'Fiscalité', 'transmission'],
          bio: CHAPTER_BIO,
          website: 'https://durand-conseil.example.fr',
          phone: SECRET_PHONE,
          email: PRIVATE_EMAIL,
          visibility: {
            headline: 'public',
            company: 'members',
            associationRole: 'members',
            expertise: 'public',
            bio: 'chapter',
            phone: 'chapter',
            email: 'private',
            website: 'public',
            listed: 'public',
          },
        } satisfies ProfilePatch);
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });

      it('gives each reader exactly the fields their relation to the member allows', async () => {
        const fields = async (t?: string) => Object.keys((await card('alice', t)).card.profile).sort();
        assert.deepEqual(await fields(), ['expertise', 'headline', 'website']);
        assert.deepEqual(await fields(bob), ['associationRole', 'company', 'expertise', 'headline', 'website']);
        assert.deepEqual(await fields(chloe), ['associationRole', 'bio', 'company', 'expertise', 'headline', 'phone', 'website']);
        assert.deepEqual(await fields(alice), ['associationRole', 'bio', 'company', 'email', 'expertise', 'headline', 'phone', 'website']);
      });

      it('never sends a "my chapter" field to a reader of another chapter or a signed-out reader, by any route', async () => {
        const leaks = (text: string) => text.includes(SECRET_PHONE) || text.includes(CHAPTER_BIO) || text.includes(PRIVATE_EMAIL);
        for (const t of [undefined, bob, admin]) {
          assert.equal(leaks((await card('alice', t)).raw), false, 'single card');
          const viaIds = await call(ctx.app, 'GET', '/v1/sites/asso/members?ids=alice,bob', { token: t });
          assert.equal(leaks(JSON.stringify(viaIds.body)), false, 'cards by id');
          const viaList = await call(ctx.app, 'GET', '/v1/sites/asso/members?limit=100', { token: t });
          assert.equal(leaks(JSON.stringify(viaList.body)), false, 'directory');
          const viaBatch = await call(ctx.app, 'POST', '/v1/sites/asso/batch', {
            token: t,
            body: { reads: ['/members/alice', '/members?ids=alice'] },
          });
          assert.equal(viaBatch.status, 200);
          assert.equal(leaks(JSON.stringify(viaBatch.body)), false, 'batch');
          // Searching for the hidden value must not find her either: matching only looks at visible fields.
          const probe = await call(ctx.app, 'GET', `/v1/sites/asso/members?q=${encodeURIComponent('PME industrielles')}`, { token: t });
          assert.deepEqual(probe.status === 200 ? MemberPage.parse(probe.body).items : [], []);
        }
        assert.equal(leaks((await card('alice', chloe)).raw), true, 'a member of her chapter does see them');
      });

      it('shows the visibility settings only to the member, and marks whose card it is', async () => {
        const own = (await card('me', alice)).card;
        assert.equal(own.self, true);
        assert.equal(own.id, 'alice');
        assert.equal(own.visibility?.bio, 'chapter');
        assert.equal(own.visibility?.linkedin, 'members', 'a field never set keeps its default');
        const seen = (await card('alice', chloe)).card;
        assert.equal(seen.self, false);
        assert.equal(seen.visibility, undefined);
      });

      it('carries the host-owned fields and chapter names', async () => {
        const c = (await card('alice', bob)).card;
        assert.equal(c.name, 'Alice Durand');
        assert.deepEqual(c.chapterDetails, [{ id: 'toulouse', name: 'Toulouse' }]);
        assert.deepEqual(c.profile.expertise, ['Transmission', 'Fiscalité'], 'tags kept once, ignoring case');
        const eve = await token({ sub: 'eve', name: 'Eve Roux', chapters: ['saint-etienne', 'toulouse'] });
        const mine = MemberCard.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members/me', { token: eve })).body);
        assert.deepEqual(
          mine.chapterDetails,
          [
            { id: 'saint-etienne', name: 'Saint-Etienne' },
            { id: 'toulouse', name: 'Toulouse' },
          ],
          'a chapter no admin named reads as a name, not an id',
        );
      });

      it("says when a member joined only from the token's `since`, the newest token winning", async () => {
        const now = Math.floor(Date.now() / 1000);
        const dana = (since: string | undefined, iat: number) =>
          token({ sub: 'dana', name: 'Dana Vidal', chapters: ['toulouse'], since, iat });
        const me = async (t: string) => MemberCard.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members/me', { token: t })).body);
        assert.equal((await me(await dana(undefined, now - 30))).memberSince, null, 'unknown until the host says it');
        assert.equal((await me(await dana('2011-09-01', now - 20))).memberSince, '2011-09-01');
        assert.equal((await card('dana', alice)).card.memberSince, '2011-09-01', 'others see it too');
        assert.equal((await me(await dana('1999-01-01', now - 25))).memberSince, '2011-09-01', 'an older token changes nothing');
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: await dana('2011-13-45', now) });
        assert.equal(r.status, 401, 'a malformed date is a malformed token');
      });

      it('publicProfiles off (the default): signed-out readers get no member card by any route, even with publicRead; "me" needs a token', async () => {
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/members/me')).body.code, 'auth.missing');
        await ctx.store.updateSite('asso', { settings: { publicProfiles: false, publicRead: true } });
        try {
          // A fresh app: the running one keeps the site's settings for a moment.
          const closed = createApp({ store: ctx.store, logger: silentLogger });
          for (const path of ['/members/alice', '/members?q=a', '/members?ids=alice,bob', '/engagement/members/alice']) {
            const r = await call(closed, 'GET', `/v1/sites/asso${path}`);
            assert.equal(r.status, 401, path);
            assert.equal(r.body.code, 'auth.missing', path);
            assert.ok(!JSON.stringify(r.body).includes('Alice Durand'), path);
          }
          const batch = BatchResponse.parse(
            (await call(closed, 'POST', '/v1/sites/asso/batch', { body: { reads: ['/members/alice', '/members?ids=alice'] } })).body,
          );
          assert.deepEqual(
            batch.results.map((x) => x.status),
            [401, 401],
          );
          assert.equal((await call(closed, 'GET', '/v1/sites/asso/members/alice', { token: bob })).status, 200);
        } finally {
          await ctx.store.updateSite('asso', { settings: { publicProfiles: true } });
        }
      });
    });

    describe('editing my card', () => {
      it('changes only the fields sent, and clears with null or ""', async () => {
        const r = await patch({ company: '', website: null }, chloe);
        assert.equal(r.status, 200);
        await patch({ headline: "Avocate d'affaires", company: 'Petit & Associés' }, chloe);
        const c = MemberCard.parse((await patch({ company: '' }, chloe)).body);
        assert.equal(c.profile.headline, "Avocate d'affaires");
        assert.equal(c.profile.company, undefined);
        const row = await ctx.store.db
          .selectFrom('member_profiles')
          .selectAll()
          .where('member_pk', '=', c.self ? (await ctx.store.memberByHostId('asso', 'chloe'))!.pk : '')
          .executeTakeFirstOrThrow();
        assert.equal(row.company, null);
      });

      it('accepts my own host id in place of "me"', async () => {
        assert.equal((await patch({ headline: 'Bob' }, bob, 'bob')).status, 200);
      });

      const bad: [string, unknown, number, string, string?][] = [
        ['a javascript: URL', { website: 'javascript:alert(1)' }, 400, 'request.invalid', 'body.website'],
        ['an ftp URL', { website: 'ftp://example.org/x' }, 400, 'request.invalid', 'body.website'],
        ['a LinkedIn link elsewhere', { linkedin: 'https://evil.example/in/alice' }, 400, 'request.invalid', 'body.linkedin'],
        ['an oversized headline', { headline: 'x'.repeat(121) }, 400, 'request.invalid', 'body.headline'],
        ['an oversized bio', { bio: 'x'.repeat(1001) }, 400, 'request.invalid', 'body.bio'],
        ['too many tags', { expertise: Array.from({ length: 13 }, (_, i) => `t${i}`) }, 400, 'request.invalid', 'body.expertise'],
        ['a tag with markup', { expertise: ['<b>x</b>'] }, 400, 'request.invalid'],
        ['a phone with letters', { phone: '06 CALL ME' }, 400, 'request.invalid', 'body.phone'],
        ['an invalid email', { email: 'alice@' }, 400, 'request.invalid', 'body.email'],
        ['a visibility outside the list', { visibility: { phone: 'friends' } }, 400, 'request.invalid', 'body.visibility.phone'],
        ['an unknown visibility key', { visibility: { name: 'private' } }, 400, 'request.invalid'],
        ['a host-owned field', { name: 'Someone Else' }, 400, 'request.invalid', 'body.name'],
      ];
      for (const [what, body, status, code, path] of bad) {
        it(`refuses ${what}, changing nothing`, async () => {
          const before = await card('me', alice);
          const r = await patch(body);
          assert.equal(r.status, status, JSON.stringify(r.body));
          assert.equal(Problem.parse(r.body).code, code);
          if (path)
            assert.ok(
              r.body.errors.some((e: { path: string }) => e.path === path),
              JSON.stringify(r.body.errors),
            );
          assert.deepEqual((await card('me', alice)).card, before.card);
        });
      }

      it("refuses editing someone else's card", async () => {
        const r = await patch({ headline: 'pwned' }, bob, 'alice');
        assert.equal(r.status, 403);
        assert.equal(r.body.code, 'member.not_yours');
        assert.notEqual((await card('alice', alice)).card.profile.headline, 'pwned');
      });

      it('refuses edits without a token', async () => {
        const r = await call(ctx.app, 'PATCH', '/v1/sites/asso/members/me', { body: { headline: 'x' } });
        assert.equal(r.status, 401);
      });

      it('answers an unknown member and a malformed id with 4xx', async () => {
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/members/ghost')).body.code, 'member.unknown');
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/members/al%20ice');
        assert.equal(r.status, 400);
        assert.equal(r.body.code, 'request.invalid');
      });
    });

    describe('directory', () => {
      before(async () => {
        const make = async (sub: string, name: string, chapters: string[], body: ProfilePatch) => {
          const t = await token({ sub, name, chapters });
          const r = await patch(body, t);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return t;
        };
        await make('dora', 'Dora Énergie', ['montpellier'], {
          headline: 'Ingénieure énergie',
          expertise: ['Énergie'],
          visibility: { headline: 'public', expertise: 'members', listed: 'public' },
        });
        await make('eve', 'Ève Secrète', ['toulouse'], {
          headline: 'Très discrète',
          expertise: ['Énergie'],
          visibility: {
            headline: 'private',
            company: 'private',
            associationRole: 'private',
            expertise: 'private',
            bio: 'private',
            website: 'private',
            linkedin: 'private',
            phone: 'private',
            email: 'private',
            listed: 'private',
          },
        });
        await make('fred', 'Fred Chapitre', ['toulouse'], {
          expertise: ['Énergie'],
          visibility: { listed: 'chapter', expertise: 'chapter' },
        });
      });

      const ids = (p: { items: { id: string }[] }) => p.items.map((c) => c.id);

      it('does not list a member who chose "only me" for everything, to anyone but themself', async () => {
        for (const t of [undefined, alice, bob, admin]) assert.ok(!ids(await search('?limit=100', t)).includes('eve'));
        const eve = await token({ sub: 'eve', name: 'Ève Secrète', chapters: ['toulouse'] });
        assert.ok(ids(await search('?limit=100', eve)).includes('eve'));
      });

      it('lists a chapter-only member to their chapter alone', async () => {
        assert.ok(ids(await search('?limit=100', alice)).includes('fred'));
        assert.ok(!ids(await search('?limit=100', bob)).includes('fred'));
        assert.ok(!ids(await search('?limit=100')).includes('fred'));
      });

      it('searches names and visible fields, ignoring case and accents', async () => {
        assert.deepEqual(ids(await search('?q=energie', alice)), ['dora', 'fred']);
        assert.deepEqual(ids(await search('?q=ENERGIE', bob)), ['dora']);
        assert.deepEqual(ids(await search('?q=ingenieure', undefined)), ['dora']);
        assert.deepEqual(ids(await search('?q=dora%20ingenieure', bob)), ['dora'], 'every term must match');
        assert.deepEqual(ids(await search('?q=dora%20toulouse', bob)), []);
      });

      it('filters by chapter and by expertise the reader may see', async () => {
        assert.deepEqual(ids(await search('?chapter=montpellier', alice)), ['bob', 'dora']);
        assert.deepEqual(ids(await search(`?expertise=${encodeURIComponent('énergie')}`, alice)), ['dora', 'fred']);
        assert.deepEqual(ids(await search('?expertise=energie')), [], "Dora's tags are for members only");
        assert.deepEqual(ids(await search('?expertise=fiscalite', bob)), ['alice']);
        assert.deepEqual(ids(await search('?expertise=fiscalite')), ['alice'], 'Alice is listed publicly and shows her expertise to all');
      });

      it('pages in name order with a cursor', async () => {
        const all = ids(await search('?limit=100', alice));
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const p: ReturnType<typeof MemberPage.parse> = await search(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`, alice);
          assert.ok(p.items.length <= 2);
          seen.push(...ids(p));
          cursor = p.next;
        } while (cursor);
        assert.deepEqual(seen, all);
        assert.ok(all.length >= 5);
      });

      it('reads up to 50 cards by id in one request, in the order asked, leaving out unknown ids', async () => {
        const p = await search('?ids=dora,ghost,alice,eve', bob);
        assert.deepEqual(ids(p), ['dora', 'alice'], 'an unlisted member is left out like an unknown id');
        const asAdmin = await search('?ids=dora,ghost,alice,eve', admin);
        assert.deepEqual(ids(asAdmin), ['dora', 'alice', 'eve'], 'admins see them where moderation needs it');
        assert.deepEqual(asAdmin.items[2].profile, {}, 'but none of their private fields');
        const many = Array.from({ length: 51 }, (_, i) => `m${i}`).join(',');
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/members?ids=${many}`)).status, 400);
        const mixed = await call(ctx.app, 'GET', '/v1/sites/asso/members?ids=alice&q=x');
        assert.equal(mixed.body.code, 'members.ids_alone');
      });

      it('an unlisted member cannot be enumerated: card, cards by id, engagement and mentions by id answer as for an unknown member', async () => {
        const eve = await token({ sub: 'eve', name: 'Ève Secrète', chapters: ['toulouse'] });
        const thread = 'https://asso.example.fr/unlisted';
        const posted = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: eve, body: { thread, body: 'Bonjour' } });
        assert.equal(posted.status, 201, JSON.stringify(posted.body));
        const get = (path: string, t?: string) => call(ctx.app, 'GET', `/v1/sites/asso${path}`, { token: t });
        for (const t of [undefined, alice, bob]) {
          for (const path of ['/members/eve', '/engagement/members/eve']) {
            const r = await get(path, t);
            assert.equal(r.status, 404, `${path} ${t ? 'signed in' : 'signed out'}`);
            assert.equal(r.body.code, 'member.unknown');
            assert.ok(!JSON.stringify(r.body).includes('Secrète'));
          }
          assert.deepEqual(
            ids(MemberPage.parse((await get('/members?ids=eve,bob', t)).body)),
            t ? ['bob'] : [],
            'Bob is listed to members',
          );
          const viaBatch = await call(ctx.app, 'POST', '/v1/sites/asso/batch', {
            token: t,
            body: { reads: ['/members/eve', '/engagement/members/eve'] },
          });
          assert.deepEqual(
            BatchResponse.parse(viaBatch.body).results.map((x) => x.status),
            [404, 404],
          );
        }
        // A mention by id is refused as for an unknown member, so it cannot reveal her name.
        const mention = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: bob, body: { thread, body: 'Salut @[qui](eve)' } });
        assert.equal(mention.status, 400);
        assert.equal(mention.body.code, 'comment.mention_unknown');
        // She still appears as the author of what the reader can read: name and picture.
        const page = await get(`/comments?thread=${encodeURIComponent(thread)}`, bob);
        assert.equal(page.body.items[0].author.name, 'Ève Secrète');
        // Herself, and the site's admins (moderation needs it), still see her.
        assert.equal((await get('/members/eve', eve)).status, 200);
        assert.equal((await get('/members/eve', admin)).status, 200);
        assert.equal((await get('/engagement/members/eve', admin)).status, 200);
        assert.equal(
          (await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: admin, body: { thread, body: 'Merci @[Ève](eve)' } })).status,
          201,
        );
      });

      it('refuses bad search input', async () => {
        for (const q of [`?q=${'x'.repeat(101)}`, '?ids=a,,b', '?ids=a%20b', '?limit=0', '?sort=name', '?chapter=%3Cx%3E']) {
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/members${q}`);
          assert.equal(r.status, 400, q);
          Problem.parse(r.body);
        }
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/members?cursor=bm9wZQ')).body.code, 'request.bad_cursor');
      });
    });

    describe('introductions', () => {
      let requestId: string;
      const intro = (body: unknown, t: string) => call(ctx.app, 'POST', '/v1/sites/asso/introductions', { token: t, body });
      const accept = (id: string, body: unknown, t: string) =>
        call(ctx.app, 'POST', `/v1/sites/asso/introductions/${id}/accept`, { token: t, body });
      const decline = (id: string, t: string) =>
        call(ctx.app, 'POST', `/v1/sites/asso/introductions/${id}/decline`, { token: t, body: {} });

      it('stores a request with its message; the requester sees nothing more yet', async () => {
        const r = await intro({ to: 'alice', message: '  Bonjour Alice, je reprends une PME à Sète.  ', share: ['email'] }, bob);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const i = Introduction.parse(r.body);
        requestId = i.id;
        assert.equal(i.status, 'pending');
        assert.equal(i.direction, 'sent');
        assert.equal(i.message, 'Bonjour Alice, je reprends une PME à Sète.');
        assert.deepEqual(i.contact, {});
        const c = (await card('alice', bob)).card;
        assert.deepEqual(c.introduction, { id: i.id, status: 'pending', direction: 'sent' });
        assert.equal(c.profile.phone, undefined);
        assert.deepEqual(c.sharedWithYou, []);
      });

      it('shows the recipient the request on their side, with what the requester offered', async () => {
        await patch({ email: 'bob@leroy.example', visibility: { email: 'private' } }, bob);
        const page = IntroductionPage.parse(
          (await call(ctx.app, 'GET', '/v1/sites/asso/introductions?status=pending', { token: alice })).body,
        );
        assert.equal(page.items.length, 1);
        assert.equal(page.items[0].direction, 'received');
        assert.equal(page.items[0].from.id, 'bob');
        assert.deepEqual(page.items[0].contact, { email: 'bob@leroy.example' });
        assert.deepEqual((await card('bob', alice)).card.introduction, { id: requestId, status: 'pending', direction: 'received' });
      });

      const bad: [string, () => ReturnType<typeof call>, number, string][] = [
        ['a request to oneself', () => intro({ to: 'bob', message: 'moi' }, bob), 400, 'introduction.self'],
        ['a second request', () => intro({ to: 'alice', message: 'encore' }, bob), 409, 'introduction.exists'],
        ['a request to an unknown member', () => intro({ to: 'ghost', message: 'x' }, bob), 404, 'member.unknown'],
        ['an empty message', () => intro({ to: 'chloe', message: '   ' }, bob), 400, 'request.invalid'],
        ['an oversized message', () => intro({ to: 'chloe', message: 'x'.repeat(501) }, bob), 400, 'request.invalid'],
        ['an unknown share field', () => intro({ to: 'chloe', message: 'x', share: ['bio'] }, bob), 400, 'request.invalid'],
        ['a share field twice', () => intro({ to: 'chloe', message: 'x', share: ['email', 'email'] }, bob), 400, 'request.invalid'],
        ['the requester accepting their own request', () => accept(requestId, { share: ['phone'] }, bob), 403, 'introduction.not_yours'],
        ['a third member accepting', () => accept(requestId, { share: ['phone'] }, chloe), 404, 'introduction.unknown'],
        ['accepting without sharing anything', () => accept(requestId, { share: [] }, alice), 400, 'request.invalid'],
        ['an unknown request', () => accept('nope', { share: ['phone'] }, alice), 404, 'introduction.unknown'],
        [
          'a request without a token',
          () => call(ctx.app, 'POST', '/v1/sites/asso/introductions', { body: { to: 'alice', message: 'x' } }),
          401,
          'auth.missing',
        ],
      ];
      for (const [what, run, status, code] of bad) {
        it(`refuses ${what}, changing nothing`, async () => {
          const before = await ctx.store.db.selectFrom('introductions').selectAll().orderBy('id').execute();
          const r = await run();
          assert.equal(r.status, status, JSON.stringify(r.body));
          assert.equal(Problem.parse(r.body).code, code);
          assert.deepEqual(await ctx.store.db.selectFrom('introductions').selectAll().orderBy('id').execute(), before);
        });
      }

      it('reveals the chosen details to the requester only once accepted, and counts it in the ledger', async () => {
        const r = await accept(requestId, { share: ['phone'] }, alice);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const i = Introduction.parse(r.body);
        assert.equal(i.status, 'accepted');
        assert.ok(i.answeredAt);
        const c = (await card('alice', bob)).card;
        assert.equal(c.profile.phone, SECRET_PHONE, 'shared with Bob through the introduction');
        assert.equal(c.profile.email, undefined, 'not chosen, still private');
        assert.equal(c.profile.bio, undefined, 'other chapter-only fields stay hidden');
        assert.deepEqual(c.sharedWithYou, ['phone']);
        const mine = IntroductionPage.parse((await call(ctx.app, 'GET', '/v1/sites/asso/introductions', { token: bob })).body);
        assert.deepEqual(mine.items[0].contact, { phone: SECRET_PHONE });
        assert.equal((await card('alice')).raw.includes(SECRET_PHONE), false, 'still hidden from everyone else');
        const pks = {
          alice: (await ctx.store.memberByHostId('asso', 'alice'))!.pk,
          bob: (await ctx.store.memberByHostId('asso', 'bob'))!.pk,
        };
        const ledger = await ctx.store.db.selectFrom('activities').select(['member_pk', 'kind']).where('ref', '=', requestId).execute();
        const sorted = ledger.map((a) => `${a.member_pk === pks.bob ? 'bob' : a.member_pk === pks.alice ? 'alice' : '?'} ${a.kind}`).sort();
        assert.deepEqual(
          sorted,
          ['alice introduction.made', 'bob introduction.accepted', 'bob introduction.made'],
          'the acceptance is credited to Bob, who asked; both took part',
        );
        const again = await accept(requestId, { share: ['email'] }, alice);
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'introduction.answered');
      });

      it('declines, revealing nothing and counting nothing', async () => {
        const r = Introduction.parse((await intro({ to: 'chloe', message: 'Un café ?', share: ['email'] }, bob)).body);
        const d = await decline(r.id, chloe);
        assert.equal(d.status, 200);
        assert.equal(Introduction.parse(d.body).status, 'declined');
        assert.deepEqual(Introduction.parse(d.body).contact, {}, "a declined request no longer shows the requester's details");
        assert.equal((await ctx.store.db.selectFrom('activities').selectAll().where('ref', '=', r.id).execute()).length, 0);
        assert.equal((await intro({ to: 'chloe', message: 'Et maintenant ?' }, bob)).body.code, 'introduction.exists');
      });

      it('limits requests waiting for an answer', async () => {
        const t = await token({ sub: 'spammer', name: 'Spam' });
        for (let i = 0; i < 20; i++) {
          await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: await token({ sub: `target${i}`, name: `T${i}` }) });
          assert.equal((await intro({ to: `target${i}`, message: 'hi' }, t)).status, 201);
        }
        const r = await intro({ to: 'alice', message: 'hi' }, t);
        assert.equal(r.status, 429);
        assert.equal(r.body.code, 'introduction.too_many');
      });
    });

    describe('my data', () => {
      const THREAD = 'https://asso.example.fr/articles/erase';
      let gina: string;
      let ginaComments: string[] = [];
      before(async () => {
        gina = await token({ sub: 'gina', name: 'Gina Export', chapters: ['toulouse'] });
        await patch({ headline: 'Exportatrice', phone: '+33 1 23 45 67 89' }, gina);
        const post = async (body: string, t: string, parentId?: string) => {
          const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread: THREAD, body, parentId } });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return r.body.id as string;
        };
        const a = await post('Premier message de Gina', gina);
        const b = await post('Second message de Gina, sans réponse', gina);
        await post('Réponse de Bob, merci !', bob, a);
        ginaComments = [a, b];
        const e = await ctx.store.insertEvent({
          site_id: 'asso',
          chapter_id: 'toulouse',
          title: 'Afterwork',
          description: '',
          time_zone: 'Europe/Paris',
          starts_at: new Date(Date.now() + 86_400_000).toISOString(),
          ends_at: new Date(Date.now() + 90_000_000).toISOString(),
          place: 'Capitole',
          online_url: null,
          capacity: null,
          audience: 'members',
        });
        await ctx.store.setRsvp('asso', e.id, (await ctx.store.memberByHostId('asso', 'gina'))!.pk, 'going');
        assert.equal(
          (await call(ctx.app, 'POST', '/v1/sites/asso/introductions', { token: gina, body: { to: 'alice', message: 'Bonjour' } })).status,
          201,
        );
      });

      it('exports everything held about me as a JSON attachment', async () => {
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/members/me/export', { token: gina });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="cercle-asso-\d{4}-\d\d-\d\d\.json"$/);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        const x = MemberExport.parse(r.body);
        assert.equal(x.member.id, 'gina');
        assert.equal(x.profile.phone, '+33 1 23 45 67 89');
        assert.equal(x.profile.visibility.phone, 'private');
        assert.deepEqual(
          x.comments.map((c) => c.body),
          ['Premier message de Gina', 'Second message de Gina, sans réponse'],
        );
        assert.deepEqual(
          x.rsvps.map((v) => [v.event, v.status]),
          [['Afterwork', 'going']],
        );
        assert.deepEqual(
          x.introductions.map((i) => [i.direction, i.with, i.status]),
          [['sent', 'alice', 'pending']],
        );
        assert.ok(x.activities.some((a) => a.kind === 'comment.posted'));
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/members/me/export')).status, 401);
      });

      it('refuses an erase without confirmation, erasing nothing', async () => {
        for (const body of [{ comments: 'delete' }, { comments: 'delete', confirm: false }, { comments: 'shred', confirm: true }]) {
          const r = await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', { token: gina, body });
          assert.equal(r.status, 400);
        }
        assert.ok(await ctx.store.memberByHostId('asso', 'gina'));
      });

      it('erases, deleting comments but keeping as anonymous tombstones those others replied to', async () => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', {
          token: gina,
          body: { comments: 'delete', confirm: true },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const { notifications, ...result } = EraseResult.parse(r.body);
        assert.deepEqual(result, { erased: true, comments: { anonymized: 1, deleted: 1 }, rsvps: 1, introductions: 1 });
        // Her follows (she posted in a thread), preferences and notifications go too.
        assert.ok((notifications ?? 0) >= 1);
        const rows = await ctx.store.db.selectFrom('comments').selectAll().where('id', 'in', ginaComments).execute();
        assert.deepEqual(
          rows.map((c) => [c.id, c.body, c.status, c.author_pk]),
          [[ginaComments[0], '', 'deleted', null]],
        );
        const page = await call(ctx.app, 'GET', `/v1/sites/asso/comments?thread=${encodeURIComponent(THREAD)}`);
        assert.equal(JSON.stringify(page.body).includes('Gina'), false, 'neither her name nor her words remain');
        assert.equal(page.body.items.length, 2, "the tombstone and Bob's reply");
        assert.equal(await ctx.store.memberByHostId('asso', 'gina'), undefined);
        assert.equal((await ctx.store.db.selectFrom('introductions').selectAll().where('message', '=', 'Bonjour').execute()).length, 0);
        assert.equal(
          (await ctx.store.db.selectFrom('member_profiles').selectAll().where('headline', '=', 'Exportatrice').execute()).length,
          0,
        );
        // Her host session still works: she comes back as a new, empty member.
        const back = MemberCard.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members/me', { token: gina })).body);
        assert.deepEqual(back.profile, {});
      });

      it('takes an erased member out of the directory, even once their host session brings them back', async () => {
        const ivy = await token({ sub: 'ivy', name: 'Ivy Zephyrine', chapters: ['toulouse'] });
        assert.equal((await patch({ headline: 'Brasseuse' }, ivy)).status, 200);
        const search = async () =>
          MemberPage.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members?q=zephyrine', { token: alice })).body).items.map(
            (m) => m.id,
          );
        assert.deepEqual(await search(), ['ivy']);
        assert.equal(
          (await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', { token: ivy, body: { comments: 'delete', confirm: true } }))
            .status,
          200,
        );
        assert.deepEqual(await search(), [], 'gone right after the erase');
        // The host site still signs her in: any widget on the page brings her back as a member.
        const back = MemberCard.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members/me', { token: ivy })).body);
        assert.equal(back.visibility?.listed, 'private', 'she comes back unlisted');
        assert.deepEqual(await search(), [], 'and stays out of the directory');
        assert.deepEqual(
          MemberPage.parse((await call(ctx.app, 'GET', '/v1/sites/asso/members?chapter=toulouse&limit=50', { token: chloe })).body)
            .items.map((m) => m.id)
            .includes('ivy'),
          false,
        );
        assert.equal((await patch({ visibility: { listed: 'members' } }, ivy)).status, 200);
        assert.deepEqual(await search(), ['ivy'], 'until she lists herself again');
      });

      it('erases, turning every comment into an anonymous tombstone when asked', async () => {
        const hal = await token({ sub: 'hal', name: 'Hal Tombe' });
        const r1 = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: hal, body: { thread: THREAD, body: 'Message de Hal' } });
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', {
          token: hal,
          body: { comments: 'anonymize', confirm: true },
        });
        assert.equal(r.status, 200);
        assert.deepEqual(EraseResult.parse(r.body).comments, { anonymized: 1, deleted: 0 });
        const row = await ctx.store.db.selectFrom('comments').selectAll().where('id', '=', r1.body.id).executeTakeFirstOrThrow();
        assert.deepEqual([row.body, row.status, row.author_pk], ['', 'deleted', null]);
        assert.ok(row.deleted_at);
      });
    });

    describe('one request for many cards', () => {
      it('answers a batch of 50 cards as one read', async () => {
        const subs = Array.from({ length: 50 }, (_, i) => `bulk${String(i).padStart(2, '0')}`);
        for (const sub of subs) await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: await token({ sub, name: sub }) });
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/batch', {
          token: bob,
          body: { reads: ['/me', `/members?ids=${subs.join(',')}`] },
        });
        const { results } = BatchResponse.parse(r.body);
        assert.equal(results[1].status, 200);
        assert.deepEqual(
          MemberPage.parse(results[1].body).items.map((c) => c.id),
          subs,
        );
      });
    });
  });
}
