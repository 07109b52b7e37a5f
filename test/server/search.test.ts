import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemberList } from '../../src/contract/discussion.js';
import { MemberPage } from '../../src/contract/members.js';
import { Comment } from '../../src/contract/resources.js';
import { SearchPage } from '../../src/contract/search.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { SearchStore } from '../../src/server/store/search.js';
import { backends, call, setup, token } from './support.js';

for (const backend of backends()) {
  describe(`search (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    // Alice and Chloé are in Toulouse, Bob in Montpellier; Éloïse Dupont in Toulouse; Mod moderates the site.
    let alice: string;
    let bob: string;
    let chloe: string;
    let eloise: string;
    let mod: string;
    let admin: string;
    before(async () => {
      ctx = await setup(backend);
      // Member cards and discussions readable signed out (the app reads the site's settings once a moment).
      await ctx.store.updateSite('asso', { settings: { publicProfiles: true, publicRead: true } });
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
      chloe = await token({ sub: 'chloe', name: 'Chloé Petit', chapters: ['toulouse'] });
      eloise = await token({ sub: 'eloise', name: 'Éloïse Dupont', chapters: ['toulouse'] });
      mod = await token({ sub: 'mod', name: 'Marc Modérateur', roles: ['moderator'], chapters: [] });
      admin = await token({ sub: 'root', name: 'Admin', roles: ['admin'], chapters: [] });
      for (const t of [alice, bob, chloe, eloise, mod, admin]) {
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t })).status, 200);
      }
    });
    after(() => ctx.cleanup());

    const directory = async (q: string, t?: string) => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/members?limit=100&q=${encodeURIComponent(q)}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return MemberPage.parse(r.body).items.map((m) => m.id);
    };
    const mentions = async (q: string, t: string, thread = 'https://asso.example.fr/forum') => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/mentions?thread=${encodeURIComponent(thread)}&q=${encodeURIComponent(q)}`, {
        token: t,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return MemberList.parse(r.body).items.map((m) => m.id);
    };
    const patch = (body: unknown, t: string) => call(ctx.app, 'PATCH', '/v1/sites/asso/members/me', { token: t, body });

    describe('member directory', () => {
      before(async () => {
        // Éloïse: listed publicly; her company for everyone, her headline for members, her role in the
        // association for her chapter, her expertise for herself only.
        const r = await patch(
          {
            headline: 'Spécialiste de la transmission familiale',
            company: 'Forges Dupont',
            associationRole: 'Trésorière régionale',
            expertise: ['Cybersécurité'],
            visibility: { listed: 'public', company: 'public', headline: 'members', associationRole: 'chapter', expertise: 'private' },
          },
          eloise,
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });

      it('finds members by a word prefix, ignoring case and accents', async () => {
        assert.deepEqual(await directory('dup', bob), ['eloise']);
        assert.deepEqual(await directory('ELOISE', bob), ['eloise']);
        assert.deepEqual(await directory('éloïse dupon', bob), ['eloise'], 'every word must match');
        assert.deepEqual(await directory('eloise leroy', bob), []);
        assert.deepEqual(await directory('forg', undefined), ['eloise'], 'a public field matches for a signed-out reader');
      });

      it('never matches a field hidden from the reader', async () => {
        // Headline: members only.
        assert.deepEqual(await directory('transmission', undefined), [], 'a members-only field does not match signed out');
        assert.deepEqual(await directory('transmission', bob), ['eloise']);
        // Role in the association: her chapter only.
        assert.deepEqual(await directory('tresoriere', bob), [], 'a chapter field does not match outside the chapter');
        assert.deepEqual(await directory('tresoriere', chloe), ['eloise']);
        assert.deepEqual(await directory('tresoriere', undefined), []);
        // Expertise: only her.
        for (const t of [undefined, bob, chloe, mod, admin]) {
          assert.deepEqual(await directory('cybersecurite', t), [], '"only me" never matches for anyone else');
        }
        assert.deepEqual(await directory('cybersecurite', eloise), ['eloise'], 'the member finds herself by it');
        // Nor through the expertise filter.
        const r = await call(ctx.app, 'GET', `/v1/sites/asso/members?expertise=${encodeURIComponent('cybersécurité')}`, { token: chloe });
        assert.deepEqual(
          MemberPage.parse(r.body).items.map((m) => m.id),
          [],
        );
      });

      it('follows a change of visibility at once', async () => {
        assert.equal((await patch({ visibility: { headline: 'private' } }, eloise)).status, 200);
        assert.deepEqual(await directory('transmission', bob), []);
        assert.equal((await patch({ visibility: { headline: 'public' } }, eloise)).status, 200);
        assert.deepEqual(await directory('transmission', undefined), ['eloise']);
        assert.equal((await patch({ visibility: { listed: 'private' } }, eloise)).status, 200);
        assert.deepEqual(await directory('dupont', bob), [], 'an unlisted member is found by no one else');
        assert.deepEqual(await directory('dupont', eloise), ['eloise']);
        assert.equal((await patch({ visibility: { listed: 'public' } }, eloise)).status, 200);
      });

      it('follows a new name from the host', async () => {
        const renamed = await token({ sub: 'bob', name: 'Robert Leroy-Ségur', chapters: ['montpellier'] });
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: renamed })).status, 200);
        assert.deepEqual(await directory('segur', alice), ['bob']);
        assert.deepEqual(await directory('bob', alice), []);
        bob = renamed;
      });

      it('keeps every index row of a member to what their scope may see', async () => {
        const pk = (await ctx.store.memberByHostId('asso', 'eloise'))!.pk;
        const rows = await ctx.store.db.selectFrom('member_search').selectAll().where('member_pk', '=', pk).execute();
        const scopes = rows.map((r) => r.scope).sort();
        assert.deepEqual(scopes, ['chapter:toulouse', 'members', 'public', `self:${pk}`]);
        for (const r of rows) {
          assert.equal(r.doc.includes('cybersecurite'), r.scope === `self:${pk}`, r.scope);
          assert.equal(r.doc.includes('tresoriere'), r.scope !== 'public' && r.scope !== 'members', r.scope);
        }
      });

      it('suggests mentions by a word prefix of the name, ignoring accents, among members the writer may find', async () => {
        assert.deepEqual(await mentions('elo', alice), ['eloise']);
        assert.deepEqual(await mentions('dupon', alice), ['eloise']);
        assert.deepEqual(await mentions('chloe', alice), ['chloe']);
        assert.deepEqual(await mentions('alice', alice), [], 'the writer is not suggested');
        assert.deepEqual(await mentions('tresoriere', chloe), [], 'mentions search names only');
        await ctx.store.setThread('asso', 'https://asso.example.fr/montpellier', { audience: 'chapter:montpellier' });
        assert.deepEqual(await mentions('chloe', bob, 'https://asso.example.fr/montpellier'), [], 'outside the thread audience');
        assert.equal((await patch({ visibility: { listed: 'private' } }, chloe)).status, 200);
        assert.deepEqual(await mentions('chloe', alice), [], 'an unlisted member is not suggested');
        assert.equal((await patch({ visibility: { listed: 'members' } }, chloe)).status, 200);
        assert.deepEqual(await mentions('chloe', alice), ['chloe']);
      });
    });

    describe('discussions', () => {
      const post = async (thread: string, body: string, t = alice, title?: string) => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread, body, ...(title ? { title } : {}) } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return Comment.parse(r.body);
      };
      const find = async (q: string, t?: string, extra = '') => {
        const r = await call(ctx.app, 'GET', `/v1/sites/asso/search?q=${encodeURIComponent(q)}${extra}`, { token: t });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return SearchPage.parse(r.body);
      };
      const ids = async (q: string, t?: string) => (await find(q, t)).items.map((h) => h.comment);
      const PAGE = 'https://asso.example.fr/actualites/cession';

      let pub: Comment;
      before(async () => {
        pub = await post(
          PAGE,
          'La **transmission** d’une PME prend du temps : préparez la cession trois ans avant.',
          alice,
          'Céder son entreprise',
        );
        await ctx.store.setThread('asso', 'membres', { audience: 'members' });
        await ctx.store.setThread('asso', 'club-toulouse', { audience: 'chapter:toulouse' });
      });

      it('finds a published comment by a word prefix, with its page, author and a marked excerpt', async () => {
        const page = await find('transmis', bob);
        assert.equal(page.items.length, 1);
        const [hit] = page.items;
        assert.equal(hit.comment, pub.id);
        assert.deepEqual(hit.thread, { key: PAGE, title: 'Céder son entreprise' });
        assert.equal(hit.url, `${PAGE}#comment-${pub.id}`);
        assert.equal(hit.author?.id, 'alice');
        assert.equal(hit.author?.name, 'Alice Durand');
        assert.ok(!hit.excerpt.text.includes('**'), 'formatting marks are gone from the excerpt');
        assert.deepEqual(
          hit.excerpt.matches.map(([a, b]) => hit.excerpt.text.slice(a, b)),
          ['transmission'],
        );
        assert.deepEqual(await ids('PREPAREZ CESSION', bob), [pub.id], 'ignoring case and accents, every word');
        assert.deepEqual(await ids('cession fusion', bob), []);
        assert.deepEqual(await ids('transmission', undefined), [pub.id], 'a public thread reads signed out');
      });

      it('keeps members-only and chapter threads from readers who cannot read them', async () => {
        const members = await post('membres', 'Question aux membres sur la transmission de parts sociales', bob);
        const chapter = await post('club-toulouse', 'Réunion sur la transmission au club de Toulouse', alice);
        assert.deepEqual(await ids('parts sociales'), [], 'members-only: not found signed out');
        assert.deepEqual(await ids('parts sociales', chloe), [members.id]);
        assert.deepEqual(await ids('reunion toulouse', bob), [], 'chapter thread: not found outside the chapter');
        assert.deepEqual(await ids('reunion toulouse'), []);
        assert.deepEqual(await ids('reunion toulouse', chloe), [chapter.id]);
        assert.deepEqual(await ids('reunion toulouse', mod), [chapter.id], 'a site moderator reads every thread');
        assert.deepEqual(new Set(await ids('transmission', bob)), new Set([pub.id, members.id]));
        assert.deepEqual(new Set(await ids('transmission')), new Set([pub.id]));
      });

      it('never shows a hidden or held comment, and shows a restored one again', async () => {
        const c = await post(PAGE, 'Attention aux escroqueries au faux repreneur', bob);
        assert.deepEqual(await ids('escroqueries', alice), [c.id]);
        const hide = await call(ctx.app, 'POST', `/v1/sites/asso/comments/${c.id}/moderation`, { token: mod, body: { action: 'hide' } });
        assert.equal(hide.status, 200, JSON.stringify(hide.body));
        for (const t of [undefined, alice, bob, mod, admin]) assert.deepEqual(await ids('escroqueries', t), []);
        await call(ctx.app, 'POST', `/v1/sites/asso/comments/${c.id}/moderation`, { token: mod, body: { action: 'restore' } });
        assert.deepEqual(await ids('escroqueries', alice), [c.id]);

        await ctx.store.updateSite('asso', { settings: { premoderation: 'everyone' } });
        try {
          // A fresh app: the running one keeps the site's settings for a moment.
          const app = createApp({ store: ctx.store, logger: silentLogger });
          const r = await call(app, 'POST', '/v1/sites/asso/comments', {
            token: chloe,
            body: { thread: PAGE, body: 'Un avis sur le crédit-vendeur ?' },
          });
          assert.equal(r.status, 201);
          assert.equal(Comment.parse(r.body).status, 'pending');
          for (const t of [chloe, mod, admin]) {
            const found = await call(app, 'GET', '/v1/sites/asso/search?q=credit%20vendeur', { token: t });
            assert.deepEqual(SearchPage.parse(found.body).items, [], 'a held comment is not found');
          }
        } finally {
          await ctx.store.updateSite('asso', { settings: { premoderation: 'off' } });
        }
      });

      it('forgets an erased text: not found, and gone from the index', async () => {
        const c = await post(PAGE, 'Mon numéro personnel zanzibarique, à oublier', bob);
        const search = new SearchStore(ctx.store);
        assert.deepEqual(await ids('zanzibarique', alice), [c.id]);
        assert.equal(await search.indexHolds('asso', 'zanzibarique'), true);
        assert.equal((await call(ctx.app, 'DELETE', `/v1/sites/asso/comments/${c.id}`, { token: bob })).status, 200);
        assert.deepEqual(await ids('zanzibarique', admin), []);
        assert.equal(await search.indexHolds('asso', 'zanzibarique'), false);

        // And when the member erases all their data.
        const d = await post(PAGE, 'Encore un mot rare : quetzalcoatlique', bob);
        assert.deepEqual(await ids('quetzalcoatlique', alice), [d.id]);
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', {
          token: bob,
          body: { comments: 'anonymize', confirm: true },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(await ids('quetzalcoatlique', admin), []);
        assert.equal(await search.indexHolds('asso', 'quetzalcoatlique'), false);
        const pk = await ctx.store.db.selectFrom('member_search').select('member_pk').where('name', 'like', '%leroy%').execute();
        assert.deepEqual(pk, [], 'the erased member has left the directory index');
      });

      it('pages newest first with a cursor', async () => {
        const made: string[] = [];
        for (let i = 0; i < 5; i++) made.push((await post(PAGE, `Atelier numéro ${i} sur la gouvernance partagée`, chloe)).id);
        const seen: string[] = [];
        let cursor = '';
        for (let guard = 0; guard < 5; guard++) {
          const p = await find('gouvernance', alice, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          assert.ok(p.items.length <= 2);
          seen.push(...p.items.map((h) => h.comment));
          if (!p.next) break;
          cursor = p.next;
        }
        assert.deepEqual(seen, [...made].reverse());
      });

      it('refuses bad input with a code, never a 500', async () => {
        const status = async (q: string, t?: string) => {
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/search?${q}`, { token: t });
          return { status: r.status, code: r.body?.code as string | undefined };
        };
        assert.deepEqual(await status('q='), { status: 400, code: 'request.invalid' });
        assert.deepEqual(await status('q=%20%20'), { status: 400, code: 'request.invalid' });
        assert.deepEqual(await status(`q=${'x'.repeat(201)}`), { status: 400, code: 'request.invalid' });
        assert.deepEqual(await status(`q=${encodeURIComponent('"*-^:()')}`), { status: 400, code: 'search.no_terms' });
        assert.deepEqual(await status('q=transmission&cursor=nope'), { status: 400, code: 'request.bad_cursor' });
        assert.deepEqual(await status('q=transmission&limit=0'), { status: 400, code: 'request.invalid' });
        for (const q of [
          '"transmission',
          'transmission*',
          'NEAR(transmission cession)',
          '-cession',
          'a OR b',
          'transmission:*',
          "l'entreprise & |!",
          'col:transmission',
          '{body}: x',
        ]) {
          const r = await status(`q=${encodeURIComponent(q)}`, alice);
          assert.equal(r.status, 200, `${q}: ${JSON.stringify(r)}`);
        }
        assert.deepEqual(
          (await find('"transmission" NEAR', alice)).items.map((h) => h.comment),
          [],
          'syntax is searched as words: "near" is a word no comment has',
        );
        assert.ok((await ids('"transmission"*', alice)).includes(pub.id), 'quotes and stars are separators');
        for (const q of ['"', 'NEAR(', '*', 'a"b', '\\']) {
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/mentions?thread=x&q=${encodeURIComponent(q)}`, { token: alice });
          assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
        }
        for (const q of ['"', '*', 'NEAR(', '-']) {
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/members?q=${encodeURIComponent(q)}`, { token: alice });
          assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
        }
      });

      it('asks a signed-out reader to sign in where the site is not public', async () => {
        await ctx.store.updateSite('asso', { settings: { publicRead: false } });
        try {
          const fresh = createApp({ store: ctx.store, logger: silentLogger });
          const again = await call(fresh, 'GET', '/v1/sites/asso/search?q=transmission');
          assert.equal(again.status, 401);
          assert.equal(again.body.code, 'auth.missing');
          assert.equal((await call(fresh, 'GET', '/v1/sites/asso/search?q=transmission', { token: alice })).status, 200);
        } finally {
          await ctx.store.updateSite('asso', { settings: { publicRead: true } });
        }
      });
    });
  });
}
