import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Comment, CommentPage, SitePublic, Thread } from '../../src/contract/resources.js';
import { CommentReactions, Flag, MemberList, ReadMarkerOut, Reactors } from '../../src/contract/discussion.js';
import { Problem } from '../../src/contract/common.js';
import { networkOf } from '../../src/server/http/ratelimit.js';
import type { SiteSettings } from '../../src/server/store/store.js';
import { backends, call, SECRET, setup, token } from './support.js';

for (const backend of backends()) {
  describe(`discussion (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let alice: string;
    let bob: string;
    let chloe: string;
    let mod: string;
    before(async () => {
      ctx = await setup(backend);
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
      chloe = await token({ sub: 'chloe', name: 'Chloé Petit', chapters: ['toulouse'] });
      mod = await token({ sub: 'modo', name: 'Mona Modère', roles: ['member', 'moderator'] });
      // Everyone signs in once, so that they exist as members (mentions need that).
      for (const t of [alice, bob, chloe, mod]) await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t });
    });
    after(() => ctx.cleanup());

    const site = (id = 'asso') => `/v1/sites/${id}`;
    const post = (body: unknown, t = alice, s = 'asso', headers?: Record<string, string>) =>
      call(ctx.app, 'POST', `${site(s)}/comments`, { token: t, body, headers });
    const list = (q: string, t?: string, s = 'asso') => call(ctx.app, 'GET', `${site(s)}/comments?${q}`, { token: t });
    const page = async (q: string, t?: string, s = 'asso') => {
      const r = await list(q, t, s);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return CommentPage.parse(r.body);
    };
    const created = async (body: unknown, t = alice, s = 'asso') => {
      const r = await post(body, t, s);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return Comment.parse(r.body);
    };
    const edit = (id: string, body: unknown, t = alice) => call(ctx.app, 'PATCH', `${site()}/comments/${id}`, { token: t, body });
    const del = (id: string, t = alice) => call(ctx.app, 'DELETE', `${site()}/comments/${id}`, { token: t });
    const react = (id: string, kind: string, t = bob, s = 'asso') =>
      call(ctx.app, 'POST', `${site(s)}/comments/${id}/reactions`, { token: t, body: { kind } });
    const unreact = (id: string, kind: string, t = bob) =>
      call(ctx.app, 'DELETE', `${site()}/comments/${id}/reactions/${kind}`, { token: t });
    const moderate = (id: string, action: string, t = mod, s = 'asso') =>
      call(ctx.app, 'POST', `${site(s)}/comments/${id}/moderation`, { token: t, body: { action } });
    const activities = (ref: string) => ctx.store.db.selectFrom('activities').selectAll().where('ref', '=', ref).execute();
    const pkOf = async (host: string) => (await ctx.store.memberByHostId('asso', host))!.pk;

    /** A second site with its own settings (the app caches sites, so settings are fixed per site). */
    let siteSeq = 0;
    async function siteWith(settings: Partial<SiteSettings>) {
      const id = `asso-${++siteSeq}`;
      await ctx.store.createSite({ id, name: id, origins: ['https://asso.example.fr'], settings: { rateLimits: false, ...settings } });
      await ctx.store.addKey(id, { alg: 'HS256', secret: SECRET });
      const t = (sub: string, more: Parameters<typeof token>[0] = {}) => token({ iss: id, sub, name: sub, ...more });
      return { id, t };
    }

    describe('reading', () => {
      it('nests replies under their top-level comment, in one page, oldest first', async () => {
        const a = await created({ thread: 'tree', body: 'Premier' });
        const b = await created({ thread: 'tree', body: 'Second' }, bob);
        const a1 = await created({ thread: 'tree', body: 'Réponse à A', parentId: a.id }, bob);
        const a11 = await created({ thread: 'tree', body: 'Réponse à la réponse', parentId: a1.id });
        const a111 = await created({ thread: 'tree', body: 'Niveau 3', parentId: a11.id }, bob);
        const a1111 = await created({ thread: 'tree', body: 'Niveau 4', parentId: a111.id });
        assert.deepEqual([a.depth, a1.depth, a11.depth, a111.depth, a1111.depth], [0, 1, 2, 3, 4]);
        const p = await page('thread=tree');
        assert.deepEqual(
          p.items.map((c) => c.body),
          ['Premier', 'Réponse à A', 'Réponse à la réponse', 'Niveau 3', 'Niveau 4', 'Second'],
        );
        assert.equal(p.thread.commentCount, 6);
        const newest = await page('thread=tree&sort=newest');
        assert.deepEqual(
          newest.items.map((c) => c.id),
          [b.id, a.id, a1.id, a11.id, a111.id, a1111.id],
        );
      });

      it('pages through top-level comments with a cursor bound to its sort', async () => {
        for (let i = 0; i < 5; i++) await created({ thread: 'pages', body: `n°${i}` });
        const first = await page('thread=pages&limit=2');
        assert.deepEqual(
          first.items.map((c) => c.body),
          ['n°0', 'n°1'],
        );
        const second = await page(`thread=pages&limit=2&cursor=${first.next}`);
        assert.deepEqual(
          second.items.map((c) => c.body),
          ['n°2', 'n°3'],
        );
        const wrong = await list(`thread=pages&limit=2&sort=newest&cursor=${first.next}`);
        assert.equal(wrong.status, 400);
        assert.equal(wrong.body.code, 'request.bad_cursor');
      });

      it('orders by "useful" reactions, and pages that order too', async () => {
        const x = await created({ thread: 'useful-order', body: 'x' });
        const y = await created({ thread: 'useful-order', body: 'y' });
        const z = await created({ thread: 'useful-order', body: 'z' });
        await react(y.id, 'useful', bob);
        await react(y.id, 'useful', chloe);
        await react(z.id, 'useful', bob);
        const p1 = await page('thread=useful-order&sort=useful&limit=2');
        assert.deepEqual(
          p1.items.map((c) => c.body),
          ['y', 'z'],
        );
        const p2 = await page(`thread=useful-order&sort=useful&limit=2&cursor=${p1.next}`);
        assert.deepEqual(
          p2.items.map((c) => c.id),
          [x.id],
        );
        assert.equal(p2.next, null);
      });

      it('tells a reader outside the audience plainly, and an anonymous reader to sign in', async () => {
        await ctx.store.setThread('asso', 'toulouse', { audience: 'chapter:toulouse' });
        await created({ thread: 'toulouse', body: 'Entre Toulousains' });
        const outsider = await list('thread=toulouse', bob);
        assert.equal(outsider.status, 403);
        assert.equal(Problem.parse(outsider.body).code, 'thread.forbidden');
        assert.equal((await list('thread=toulouse')).body.code, 'auth.missing');
        assert.equal((await page('thread=toulouse', chloe)).items.length, 1);
      });

      it('remembers the last visit, and never moves it back', async () => {
        await created({ thread: 'visits', body: 'Un' });
        assert.equal((await page('thread=visits', bob)).lastVisitAt, null);
        const at = new Date().toISOString();
        const r = await call(ctx.app, 'PUT', `${site()}/threads/read`, { token: bob, body: { thread: 'visits', at } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(ReadMarkerOut.parse(r.body).readAt, at);
        const back = await call(ctx.app, 'PUT', `${site()}/threads/read`, {
          token: bob,
          body: { thread: 'visits', at: '2020-01-01T00:00:00.000Z' },
        });
        assert.equal(back.body.readAt, at);
        assert.equal((await page('thread=visits', bob)).lastVisitAt, at);
        assert.equal((await page('thread=visits')).lastVisitAt, null, 'nothing for an anonymous reader');
      });
    });

    describe('editing and deleting', () => {
      it('edits within the window and shows it was edited', async () => {
        const c = await created({ thread: 'edits', body: 'Brouillon' });
        assert.equal(c.editedAt, null);
        const r = await edit(c.id, { body: 'Version **finale**' });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const e = Comment.parse(r.body);
        assert.equal(e.body, 'Version **finale**');
        assert.ok(e.editedAt);
        assert.equal((await edit(c.id, { body: 'Piraté' }, bob)).body.code, 'comment.not_yours');
      });

      it('refuses an edit after the window', async () => {
        const c = await created({ thread: 'edits', body: 'Ancien' });
        await ctx.store.db
          .updateTable('comments')
          .set({ created_at: new Date(Date.now() - 16 * 60_000).toISOString() })
          .where('id', '=', c.id)
          .execute();
        const r = await edit(c.id, { body: 'Trop tard' });
        assert.equal(r.status, 403);
        assert.equal(r.body.code, 'comment.edit_window_closed');
        const row = await ctx.store.db.selectFrom('comments').select('body').where('id', '=', c.id).executeTakeFirstOrThrow();
        assert.equal(row.body, 'Ancien');
      });

      it('erases the text of a deleted comment, keeps its replies under a tombstone, and takes back what it earned', async () => {
        const q = await created({ thread: 'deletes', body: 'Ma question confidentielle' });
        const answer = await created({ thread: 'deletes', body: 'Une réponse', parentId: q.id }, bob);
        assert.equal((await react(q.id, 'useful', bob)).status, 200);
        assert.equal((await activities(q.id)).length, 1, 'comment.posted');
        const usefulRef = `${q.id}:${await pkOf('bob')}`;
        assert.equal((await activities(usefulRef)).map((a) => a.kind).join(), 'useful.received');
        assert.deepEqual((await activities(answer.id)).map((a) => a.kind).sort(), ['comment.posted', 'reply.received']);

        const r = await del(q.id);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const tomb = Comment.parse(r.body);
        assert.equal(tomb.status, 'deleted');
        assert.equal(tomb.body, '');
        assert.equal(tomb.author, null);
        const row = await ctx.store.db.selectFrom('comments').selectAll().where('id', '=', q.id).executeTakeFirstOrThrow();
        assert.equal(row.body, '', 'the text is gone from the database');
        assert.ok(row.deleted_at);
        assert.equal((await activities(q.id)).length, 0);
        assert.equal((await activities(usefulRef)).length, 0);
        assert.deepEqual(
          (await activities(answer.id)).map((a) => a.kind),
          ['comment.posted'],
          'the reply keeps its own credit',
        );
        const p = await page('thread=deletes');
        assert.deepEqual(
          p.items.map((c) => [c.status, c.body]),
          [
            ['deleted', ''],
            ['published', 'Une réponse'],
          ],
        );
        // Deleting again answers the tombstone; someone else's comment cannot be deleted.
        assert.equal((await del(q.id)).status, 200);
        assert.equal((await del(answer.id)).body.code, 'comment.not_yours');
        // A deleted comment without replies leaves no trace in the list.
        const lone = await created({ thread: 'deletes', body: 'Seul' });
        await del(lone.id);
        assert.equal((await page('thread=deletes')).items.length, 2);
      });
    });

    describe('reactions', () => {
      it('counts one reaction of each kind per member, shows mine, and who reacted to members', async () => {
        const c = await created({ thread: 'reactions', body: 'Merci pour vos retours' });
        for (const [kind, t] of [
          ['thanks', bob],
          ['thanks', bob],
          ['thanks', chloe],
          ['interested', bob],
        ] as const) {
          assert.equal((await react(c.id, kind, t)).status, 200);
        }
        const r = CommentReactions.parse((await react(c.id, 'useful', chloe)).body);
        const counts = Object.fromEntries(r.reactions.map((x) => [x.kind, [x.count, x.mine]]));
        assert.deepEqual(counts, { thanks: [2, true], interested: [1, false], useful: [1, true] });
        const seen = (await page('thread=reactions', bob)).items[0].reactions;
        assert.deepEqual(Object.fromEntries(seen.map((x) => [x.kind, x.mine])), { thanks: true, interested: true, useful: false });
        const who = Reactors.parse((await call(ctx.app, 'GET', `${site()}/comments/${c.id}/reactions`, { token: alice })).body);
        assert.deepEqual(
          who.kinds.find((k) => k.kind === 'thanks')!.members.map((m) => m.name),
          ['Bob Leroy', 'Chloé Petit'],
        );
        assert.equal((await call(ctx.app, 'GET', `${site()}/comments/${c.id}/reactions`)).status, 401, 'members only');
        const after = CommentReactions.parse((await unreact(c.id, 'thanks', bob)).body);
        assert.deepEqual(
          after.reactions.find((x) => x.kind === 'thanks'),
          { kind: 'thanks', count: 1, mine: false },
        );
      });

      it('credits "useful" to the author in the ledger, and takes it back when withdrawn', async () => {
        const c = await created({ thread: 'reactions', body: 'Astuce fiscale' });
        await react(c.id, 'useful', bob);
        const ref = `${c.id}:${await pkOf('bob')}`;
        const ledger = await activities(ref);
        assert.equal(ledger.length, 1);
        assert.equal(ledger[0].kind, 'useful.received');
        assert.equal(ledger[0].member_pk, await pkOf('alice'));
        await react(c.id, 'thanks', bob);
        assert.equal(
          (
            await ctx.store.db
              .selectFrom('activities')
              .selectAll()
              .where('kind', '=', 'useful.received')
              .where('member_pk', '=', await pkOf('alice'))
              .execute()
          ).filter((a) => a.ref.startsWith(c.id)).length,
          1,
          '"thanks" earns nothing',
        );
        await unreact(c.id, 'useful', bob);
        assert.equal((await activities(ref)).length, 0);
      });

      it("refuses reactions to one's own comment", async () => {
        const c = await created({ thread: 'reactions', body: 'Moi' });
        const r = await react(c.id, 'useful', alice);
        assert.equal(r.status, 403);
        assert.equal(r.body.code, 'reaction.own_comment');
      });

      it("uses the site's own set of reactions and labels", async () => {
        const s = await siteWith({ reactions: ['bravo', 'useful'], reactionLabels: { bravo: { fr: 'Bravo', en: 'Well done' } } });
        const info = SitePublic.parse((await call(ctx.app, 'GET', site(s.id))).body);
        assert.deepEqual(info.reactions, ['bravo', 'useful']);
        assert.equal(info.reactionLabels?.bravo.fr, 'Bravo');
        const c = await created({ thread: 't', body: 'Hello' }, await s.t('a'), s.id);
        assert.equal((await react(c.id, 'bravo', await s.t('b'), s.id)).status, 200);
        assert.equal((await react(c.id, 'thanks', await s.t('b'), s.id)).body.code, 'reaction.unknown_kind');
      });
    });

    describe('flags', () => {
      it('records a flag with a reason once per member; moderators see the count', async () => {
        const c = await created({ thread: 'flags', body: 'Achetez mes montres' });
        const r = await call(ctx.app, 'POST', `${site()}/comments/${c.id}/flags`, {
          token: bob,
          body: { reason: 'spam', note: 'Publicité' },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(Flag.parse(r.body).reason, 'spam');
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments/${c.id}/flags`, { token: bob, body: { reason: 'abuse' } })).status,
          201,
        );
        const rows = await ctx.store.db.selectFrom('flags').selectAll().where('comment_id', '=', c.id).execute();
        assert.deepEqual(
          rows.map((f) => [f.reason, f.note]),
          [['spam', 'Publicité']],
        );
        assert.equal((await page('thread=flags', bob)).items[0].flagged, true);
        assert.equal((await page('thread=flags', bob)).items[0].flagCount, undefined, 'members do not see counts');
        assert.equal((await page('thread=flags', mod)).items[0].flagCount, 1);
        const own = await call(ctx.app, 'POST', `${site()}/comments/${c.id}/flags`, { token: alice, body: { reason: 'spam' } });
        assert.equal(own.body.code, 'flag.own_comment');
      });
    });

    describe('mentions', () => {
      it('suggests members who can read the thread, by name prefix', async () => {
        const r = await call(ctx.app, 'GET', `${site()}/mentions?thread=somewhere&q=b`, { token: alice });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(
          MemberList.parse(r.body).items.map((m) => m.id),
          ['bob'],
        );
        const word = MemberList.parse((await call(ctx.app, 'GET', `${site()}/mentions?thread=somewhere&q=pet`, { token: alice })).body);
        assert.deepEqual(
          word.items.map((m) => m.id),
          ['chloe'],
          'a word of the name counts',
        );
        const chapter = MemberList.parse((await call(ctx.app, 'GET', `${site()}/mentions?thread=toulouse&q=b`, { token: alice })).body);
        assert.deepEqual(chapter.items, [], 'Bob cannot read a Toulouse thread');
        assert.equal((await call(ctx.app, 'GET', `${site()}/mentions?thread=x&q=b`)).status, 401);
        const wild = MemberList.parse((await call(ctx.app, 'GET', `${site()}/mentions?thread=x&q=%25`, { token: alice })).body);
        assert.deepEqual(wild.items, [], '% is a character, not a wildcard');
      });

      it('does not suggest a member who chose not to be found by this reader', async () => {
        const hidden = await token({ sub: 'bastien', name: 'Bastien Discret' });
        const r = await call(ctx.app, 'PATCH', `${site()}/members/me`, { token: hidden, body: { visibility: { listed: 'private' } } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const found = MemberList.parse((await call(ctx.app, 'GET', `${site()}/mentions?thread=somewhere&q=ba`, { token: alice })).body);
        assert.deepEqual(
          found.items.map((m) => m.id),
          [],
          'Bastien is listed to no one',
        );
        await call(ctx.app, 'PATCH', `${site()}/members/me`, { token: hidden, body: { visibility: { listed: 'members' } } });
        const again = MemberList.parse((await call(ctx.app, 'GET', `${site()}/mentions?thread=somewhere&q=ba`, { token: alice })).body);
        assert.deepEqual(
          again.items.map((m) => m.id),
          ['bastien'],
        );
      });

      it('stores mentions and shows them with current names', async () => {
        const c = await created({ thread: 'mentions', body: 'Merci @[Bobby](bob) et @[Chloé](chloe) !' });
        assert.deepEqual(c.mentions?.map((m) => [m.id, m.name]).sort(), [
          ['bob', 'Bob Leroy'],
          ['chloe', 'Chloé Petit'],
        ]);
        const rows = await ctx.store.db.selectFrom('comment_mentions').selectAll().where('comment_id', '=', c.id).execute();
        assert.equal(rows.length, 2);
      });
    });

    describe('moderation', () => {
      it('hides and restores; a hidden comment is a tombstone to others and visible to its author', async () => {
        const c = await created({ thread: 'modo', body: 'Propos limite' });
        const reply = await created({ thread: 'modo', body: 'Je réponds', parentId: c.id }, bob);
        assert.equal((await moderate(c.id, 'hide', bob)).body.code, 'moderation.forbidden');
        const hidden = await moderate(c.id, 'hide');
        assert.equal(hidden.status, 200, JSON.stringify(hidden.body));
        assert.equal(Comment.parse(hidden.body).status, 'hidden');
        assert.equal((await activities(c.id)).length, 0, 'a hidden comment earns nothing');
        const asBob = await page('thread=modo', bob);
        assert.deepEqual(
          asBob.items.map((x) => [x.status, x.body]),
          [
            ['hidden', ''],
            ['published', 'Je réponds'],
          ],
        );
        assert.equal((await page('thread=modo', alice)).items[0].body, 'Propos limite', 'the author still sees it');
        assert.equal((await page('thread=modo', mod)).items[0].body, 'Propos limite');
        assert.equal((await moderate(c.id, 'approve')).body.code, 'comment.bad_transition');
        assert.equal((await moderate(c.id, 'restore')).status, 200);
        assert.equal((await page('thread=modo', bob)).items[0].body, 'Propos limite');
        assert.equal((await activities(c.id)).length, 1, 'credit comes back');
        assert.equal((await post({ thread: 'modo', body: 'x', parentId: reply.id })).status, 201);
        const log = await ctx.store.db
          .selectFrom('moderation_log')
          .select('action')
          .where('comment_id', '=', c.id)
          .orderBy('created_at')
          .execute();
        assert.deepEqual(
          log.map((l) => l.action),
          ['hide', 'restore'],
        );
      });

      it('locks a thread', async () => {
        await created({ thread: 'lockme', body: 'Avant' });
        assert.equal(
          (await call(ctx.app, 'PATCH', `${site()}/threads`, { token: bob, body: { thread: 'lockme', locked: true } })).body.code,
          'moderation.forbidden',
        );
        const r = await call(ctx.app, 'PATCH', `${site()}/threads`, { token: mod, body: { thread: 'lockme', locked: true } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(Thread.parse(r.body).locked, true);
        assert.equal((await post({ thread: 'lockme', body: 'Après' })).body.code, 'thread.locked');
      });

      it("lets a chapter moderator moderate their chapter's threads only", async () => {
        const chapterMod = await token({ sub: 'cm', name: 'Chapter Mod', chapters: ['toulouse'], moderates: ['toulouse'] });
        const inChapter = await created({ thread: 'toulouse', body: 'À modérer' }, chloe);
        const elsewhere = await created({ thread: 'public-thread', body: 'Ailleurs' }, chloe);
        assert.equal((await page('thread=toulouse', chapterMod)).moderator, true);
        assert.equal((await page('thread=public-thread', chapterMod)).moderator, false);
        assert.equal((await moderate(inChapter.id, 'hide', chapterMod)).status, 200);
        assert.equal((await moderate(elsewhere.id, 'hide', chapterMod)).body.code, 'moderation.forbidden');
      });

      it("holds everyone's comments for approval when the site pre-moderates", async () => {
        const s = await siteWith({ premoderation: 'everyone' });
        const [a, b, m] = await Promise.all([s.t('a'), s.t('b'), s.t('m', { roles: ['moderator'] })]);
        const c = await created({ thread: 't', body: 'En attente' }, a, s.id);
        assert.equal(c.status, 'pending');
        assert.equal(c.heldReason, 'premoderation');
        assert.equal((await page('thread=t', b, s.id)).items.length, 0);
        assert.equal((await page('thread=t', a, s.id)).items[0].status, 'pending');
        const modPage = await page('thread=t', m, s.id);
        assert.equal(modPage.pendingCount, 1);
        assert.equal((await ctx.store.db.selectFrom('activities').selectAll().where('ref', '=', c.id).execute()).length, 0);
        assert.equal((await moderate(c.id, 'approve', m, s.id)).status, 200);
        assert.equal((await page('thread=t', b, s.id)).items[0].body, 'En attente');
        assert.equal((await ctx.store.db.selectFrom('activities').selectAll().where('ref', '=', c.id).execute()).length, 1);
        assert.equal((await created({ thread: 't', body: 'Modérateur' }, m, s.id)).status, 'published');
      });

      it('holds first-time posters, and comments with a held word', async () => {
        const s = await siteWith({ premoderation: 'first-time', heldWords: ['arnaque', 'crypto monnaie'] });
        const [a, m] = await Promise.all([s.t('a'), s.t('m', { roles: ['moderator'] })]);
        const first = await created({ thread: 't', body: 'Bonjour' }, a, s.id);
        assert.equal(first.heldReason, 'first_post');
        assert.equal((await created({ thread: 't', body: 'Encore moi' }, a, s.id)).status, 'pending', 'still a first-timer until approved');
        await moderate(first.id, 'approve', m, s.id);
        assert.equal((await created({ thread: 't', body: 'Troisième' }, a, s.id)).status, 'published');
        const word = await created({ thread: 't', body: 'Une ARNAQUE évidente' }, a, s.id);
        assert.deepEqual([word.status, word.heldReason], ['pending', 'word']);
        assert.equal((await created({ thread: 't', body: 'La Crypto-Monnaie, non' }, a, s.id)).heldReason, 'word');
        assert.equal((await created({ thread: 't', body: 'Les arnaqueurs' }, a, s.id)).status, 'published', 'whole words only');
      });
    });

    describe('rate limits', () => {
      it("limits a member's comments with a clear message and Retry-After, storing nothing", async () => {
        const s = await siteWith({ rateLimits: { commentBurst: 2, commentsPerMinute: 1, writeBurst: 5, writesPerMinute: 5 } });
        const a = await s.t('a');
        await created({ thread: 't', body: '1' }, a, s.id);
        await created({ thread: 't', body: '2' }, a, s.id);
        const r = await post({ thread: 't', body: '3' }, a, s.id);
        assert.equal(r.status, 429);
        assert.equal(Problem.parse(r.body).code, 'rate.limited');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.match(r.body.detail, /text is kept/);
        assert.equal((await page('thread=t', a, s.id)).items.length, 2);
        assert.equal((await post({ thread: 't', body: 'b' }, await s.t('b'), s.id)).status, 201, 'another member is not limited');
      });

      it('groups IPv6 addresses by /64 behind a trusted proxy', async () => {
        const s = await siteWith({ rateLimits: { commentBurst: 1, commentsPerMinute: 1, writeBurst: 5, writesPerMinute: 5 } });
        process.env.CERCLE_TRUST_PROXY = '1';
        try {
          const send = async (ip: string, who: string) =>
            call(ctx.app, 'POST', `${site(s.id)}/comments`, {
              token: await s.t(who),
              body: { thread: 't', body: who },
              headers: { 'x-forwarded-for': `203.0.113.9, ${ip}` },
            });
          // Per network: 3 × the member burst.
          for (const who of ['a', 'b', 'c']) assert.equal((await send(`2001:db8:1:2:${who}::1`, who)).status, 201);
          const r = await send('2001:db8:1:2:ffff::9', 'd');
          assert.equal(r.status, 429, 'same /64');
          assert.equal((await send('2001:db8:1:3::1', 'e')).status, 201, 'another /64');
        } finally {
          delete process.env.CERCLE_TRUST_PROXY;
        }
      });

      it('computes networks', () => {
        assert.equal(networkOf('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
        assert.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
        assert.equal(networkOf('::ffff:192.0.2.1'), '192.0.2.1');
        assert.equal(networkOf('192.0.2.1'), '192.0.2.1');
        assert.equal(networkOf('[2001:DB8:a:b::1]'), '2001:db8:a:b::/64');
      });
    });

    describe('bad input', () => {
      const counts = async () => {
        const n = async (t: 'comments' | 'reactions' | 'flags' | 'comment_mentions') =>
          Number(
            (
              await ctx.store.db
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        const bodies = await ctx.store.db.selectFrom('comments').select(['id', 'body', 'status']).orderBy('id').execute();
        return {
          comments: await n('comments'),
          reactions: await n('reactions'),
          flags: await n('flags'),
          mentions: await n('comment_mentions'),
          bodies: JSON.stringify(bodies),
        };
      };
      let target: Comment;
      let other: Comment;
      let gone: Comment;
      let old: Comment;
      before(async () => {
        target = await created({ thread: 'bad', body: 'Cible' });
        other = await created({ thread: 'bad-other', body: 'Ailleurs' });
        gone = await created({ thread: 'bad', body: 'Supprimé' });
        await del(gone.id);
        old = await created({ thread: 'bad', body: 'Vieux' });
        await ctx.store.db.updateTable('comments').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', old.id).execute();
        await ctx.store.setThread('asso', 'bad-locked', { locked: true });
        await ctx.store.setThread('asso', 'bad-chapter', { audience: 'chapter:montpellier' });
      });
      const many = Array.from({ length: 11 }, (_, i) => `@[M${i}](bob)`).join(' ');
      const manyDistinct = ['alice', 'bob', 'chloe', 'modo', ...Array.from({ length: 8 }, (_, i) => `ghost${i}`)]
        .map((id) => `@[x](${id})`)
        .join(' ');
      const cases: [string, () => ReturnType<typeof call>, number, string][] = [
        ['an empty body', () => post({ thread: 'bad', body: ' \n ' }), 400, 'request.invalid'],
        ['an empty edit', () => edit(target.id, { body: '' }), 400, 'request.invalid'],
        ['an oversized edit', () => edit(target.id, { body: 'x'.repeat(5001) }), 400, 'comment.too_long'],
        ['an unknown field in a post', () => post({ thread: 'bad', body: 'x', status: 'published' }), 400, 'request.invalid'],
        ['an unknown field in an edit', () => edit(target.id, { body: 'x', author: 'bob' }), 400, 'request.invalid'],
        [
          'an unknown field in a reaction',
          () => call(ctx.app, 'POST', `${site()}/comments/${target.id}/reactions`, { token: bob, body: { kind: 'thanks', count: 9 } }),
          400,
          'request.invalid',
        ],
        [
          'an unknown field in a flag',
          () => call(ctx.app, 'POST', `${site()}/comments/${target.id}/flags`, { token: bob, body: { reason: 'spam', weight: 9 } }),
          400,
          'request.invalid',
        ],
        [
          'an unknown flag reason',
          () => call(ctx.app, 'POST', `${site()}/comments/${target.id}/flags`, { token: bob, body: { reason: 'dislike' } }),
          400,
          'request.invalid',
        ],
        ['a malformed cursor', () => list('thread=bad&cursor=WyJ4Il0'), 400, 'request.bad_cursor'],
        [
          'a cursor of another sort',
          () =>
            list(
              `thread=bad&sort=useful&cursor=${Buffer.from(JSON.stringify(['o', '2024-01-01T00:00:00.000Z', 'x'])).toString('base64url')}`,
            ),
          400,
          'request.bad_cursor',
        ],
        ['an unknown sort', () => list('thread=bad&sort=random'), 400, 'request.invalid'],
        [
          'a reply to a comment in another thread',
          () => post({ thread: 'bad', body: 'x', parentId: other.id }),
          400,
          'comment.parent_invalid',
        ],
        ['a reply to a deleted comment', () => post({ thread: 'bad', body: 'x', parentId: gone.id }), 400, 'comment.parent_deleted'],
        ['an edit after the window', () => edit(old.id, { body: 'Nouveau' }), 403, 'comment.edit_window_closed'],
        ['an edit of a deleted comment', () => edit(gone.id, { body: 'Revenant' }), 409, 'comment.deleted'],
        ["an edit of someone else's comment", () => edit(target.id, { body: 'Usurpé' }, bob), 403, 'comment.not_yours'],
        ['a reaction of an unknown kind', () => react(target.id, 'love'), 400, 'reaction.unknown_kind'],
        ['a reaction kind that is not a kind', () => react(target.id, '<script>'), 400, 'request.invalid'],
        ['a reaction to a deleted comment', () => react(gone.id, 'thanks'), 409, 'comment.deleted'],
        ['a reaction to an unknown comment', () => react('nope', 'thanks'), 404, 'comment.not_found'],
        ['a post to a locked thread', () => post({ thread: 'bad-locked', body: 'x' }), 403, 'thread.locked'],
        ["a post outside the member's audience", () => post({ thread: 'bad-chapter', body: 'x' }), 403, 'thread.forbidden'],
        ['a script in the body', () => post({ thread: 'bad', body: 'Salut <script>alert(1)</script>' }), 400, 'comment.markup_forbidden'],
        [
          'an event handler in the body',
          () => post({ thread: 'bad', body: '<a href=x onclick="alert(1)">x</a>' }),
          400,
          'comment.markup_forbidden',
        ],
        ['a javascript: link', () => post({ thread: 'bad', body: 'Voir [ici](javascript:alert(1))' }), 400, 'comment.link_scheme'],
        [
          'a JavaScript: link with spaces',
          () => post({ thread: 'bad', body: 'Voir [ici](JavaScript: alert(1))' }),
          400,
          'comment.link_scheme',
        ],
        ['a data: autolink', () => post({ thread: 'bad', body: 'Voir <data:text/html;base64,PHNjcmlwdD4=>' }), 400, 'comment.link_scheme'],
        ['a javascript: link in an edit', () => edit(target.id, { body: '[x](javascript:void(0))' }), 400, 'comment.link_scheme'],
        ['an enormous mention list', () => post({ thread: 'bad', body: manyDistinct }), 400, 'comment.too_many_mentions'],
        ['a mention of an unknown member', () => post({ thread: 'bad', body: 'Coucou @[Fantôme](ghost)' }), 400, 'comment.mention_unknown'],
        [
          'a mention of a member outside the audience',
          () => post({ thread: 'toulouse', body: 'Coucou @[Bob](bob)' }),
          400,
          'comment.mention_unknown',
        ],
        ['a moderation action by a member', () => moderate(target.id, 'hide', bob), 403, 'moderation.forbidden'],
        ['an unknown moderation action', () => moderate(target.id, 'ban'), 400, 'request.invalid'],
        [
          'a lock by a member',
          () => call(ctx.app, 'PATCH', `${site()}/threads`, { token: bob, body: { thread: 'bad', locked: true } }),
          403,
          'moderation.forbidden',
        ],
        [
          'a read marker that is not a time',
          () => call(ctx.app, 'PUT', `${site()}/threads/read`, { token: bob, body: { thread: 'bad', at: 'yesterday' } }),
          400,
          'request.invalid',
        ],
        [
          'a mention search without a query',
          () => call(ctx.app, 'GET', `${site()}/mentions?thread=bad&q=`, { token: bob }),
          400,
          'request.invalid',
        ],
        [
          'an anonymous reaction',
          () => call(ctx.app, 'POST', `${site()}/comments/${target.id}/reactions`, { body: { kind: 'thanks' } }),
          401,
          'auth.missing',
        ],
      ];
      for (const [what, run, status, code] of cases) {
        it(`answers ${what} with ${status} ${code}, storing nothing`, async () => {
          const before = await counts();
          const r = await run();
          assert.equal(r.status, status, JSON.stringify(r.body));
          const p = Problem.parse(r.body);
          assert.equal(p.code, code);
          assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
          assert.deepEqual(await counts(), before);
        });
      }
      it('repeats the same mention once', async () => {
        const c = await created({ thread: 'bad-ok', body: many });
        assert.equal(c.mentions?.length, 1);
      });
    });
  });
}
