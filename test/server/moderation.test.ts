import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Comment } from '../../src/contract/resources.js';
import {
  AdminSettings,
  AuditPage,
  BulkResult,
  QueuePage,
  Sanction,
  WebhookCreated,
  WebhookPayload,
} from '../../src/contract/moderation.js';
import { htmlToMarkup, ImportError, importFile } from '../../src/server/comments/import.js';
import { isPrivateAddress, verifySignature, webhooksOf } from '../../src/server/webhooks/webhooks.js';
import type { SiteSettings } from '../../src/server/store/store.js';
import { backends, call, SECRET, setup, token } from './support.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A local HTTP receiver: records requests, answers with the statuses queued (then 200). */
async function receiver() {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  const statuses: number[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end('ok');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/cercle`,
    got,
    statuses,
    /** Resolves once `n` requests have arrived. */
    async received(n: number) {
      while (got.length < n) await new Promise<void>((ok) => waiters.push(ok));
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

for (const backend of backends()) {
  describe(`moderation and administration (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let alice: string; // member of Toulouse
    let bob: string; // member of Montpellier
    let mod: string; // site-wide moderator
    let toulouseMod: string; // moderates Toulouse only
    let admin: string;
    let dir: string;
    before(async () => {
      ctx = await setup(backend);
      dir = mkdtempSync(join(tmpdir(), 'cercle-mod-'));
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
      mod = await token({ sub: 'modo', name: 'Mona Modère', roles: ['member', 'moderator'] });
      toulouseMod = await token({ sub: 'tmod', name: 'Théo Toulouse', chapters: ['toulouse'], moderates: ['toulouse'] });
      admin = await token({ sub: 'boss', name: 'Ada Admin', roles: ['member', 'admin'] });
      for (const t of [alice, bob, mod, toulouseMod, admin]) await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t });
      await ctx.store.setThread('asso', 'toulouse-news', { audience: 'chapter:toulouse' });
      await ctx.store.setThread('asso', 'montpellier-news', { audience: 'chapter:montpellier' });
    });
    after(async () => {
      await webhooksOf(ctx.store).stop();
      await ctx.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const site = (id = 'asso') => `/v1/sites/${id}`;
    const post = async (body: Record<string, unknown>, t = alice, s = 'asso') => {
      const r = await call(ctx.app, 'POST', `${site(s)}/comments`, { token: t, body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return Comment.parse(r.body);
    };
    const queue = (q = '', t = mod, s = 'asso') => call(ctx.app, 'GET', `${site(s)}/moderation/queue${q ? `?${q}` : ''}`, { token: t });
    const act = (action: string, comments: string[], t = mod, note?: string, s = 'asso') =>
      call(ctx.app, 'POST', `${site(s)}/moderation/actions`, { token: t, body: { action, comments, ...(note ? { note } : {}) } });
    const statusOf = async (id: string) => (await ctx.store.comment('asso', id))?.status;
    const flag = (id: string, t = bob, reason = 'abuse', note?: string) =>
      call(ctx.app, 'POST', `${site()}/comments/${id}/flags`, { token: t, body: { reason, ...(note ? { note } : {}) } });

    let siteSeq = 0;
    async function siteWith(settings: Partial<SiteSettings>) {
      const id = `mod-${++siteSeq}`;
      await ctx.store.createSite({ id, name: id, origins: ['https://asso.example.fr'], settings: { rateLimits: false, ...settings } });
      await ctx.store.addKey(id, { alg: 'HS256', secret: SECRET });
      const t = (sub: string, more: Parameters<typeof token>[0] = {}) => token({ iss: id, sub, name: sub, ...more });
      return { id, t };
    }

    describe('the queue', () => {
      it("lists pending, word-held and flagged comments with reasons, counts and the author's record", async () => {
        const s = await siteWith({ premoderation: 'first-time', heldWords: ['arnaque'] });
        const [a, b, m] = await Promise.all([s.t('a', { name: 'Anne' }), s.t('b'), s.t('m', { roles: ['moderator'] })]);
        const first = await post({ thread: 'https://asso.example.fr/p1', body: 'Bonjour à tous' }, a, s.id);
        assert.equal(first.status, 'pending');
        const mAsMember = await post({ thread: 'https://asso.example.fr/p1', body: 'Bienvenue' }, m, s.id);
        const flagged = mAsMember; // published (moderators are not held)
        await call(ctx.app, 'POST', `${site(s.id)}/comments/${flagged.id}/flags`, {
          token: b,
          body: { reason: 'off_topic', note: 'Hors sujet' },
        });
        await call(ctx.app, 'POST', `${site(s.id)}/comments/${flagged.id}/flags`, { token: a, body: { reason: 'off_topic' } });
        const approvedFirst = await act('approve', [first.id], m, undefined, s.id);
        assert.equal(approvedFirst.status, 200);
        const word = await post({ thread: 'https://asso.example.fr/p1', body: 'Une ARNAQUE évidente' }, a, s.id);
        assert.equal(word.status, 'pending');

        const page = QueuePage.parse((await queue('', m, s.id)).body);
        assert.deepEqual(page.counts, { pending: 1, flagged: 1, word: 1, spam: 0 });
        assert.deepEqual(
          page.items.map((i) => i.comment.id),
          [flagged.id, word.id],
        );
        const [f, w] = page.items;
        assert.deepEqual(f.reasons, ['flagged']);
        assert.deepEqual(f.flags, [{ reason: 'off_topic', count: 2 }]);
        assert.deepEqual(f.flagNotes, ['Hors sujet']);
        assert.equal(w.comment.heldReason, 'word');
        assert.equal(w.author?.member.name, 'Anne');
        assert.equal(w.author?.publishedCount, 1);
        assert.equal(w.thread.key, 'https://asso.example.fr/p1');
        assert.equal(page.scope.siteWide, true);
        assert.equal(page.admin, false);
        assert.deepEqual(
          QueuePage.parse((await queue('filter=word', m, s.id)).body).items.map((i) => i.comment.id),
          [word.id],
        );
        assert.deepEqual(
          QueuePage.parse((await queue('filter=flagged', m, s.id)).body).items.map((i) => i.comment.id),
          [flagged.id],
        );
      });

      it('pages through the queue with a cursor', async () => {
        const s = await siteWith({ premoderation: 'everyone' });
        const [a, m] = await Promise.all([s.t('a'), s.t('m', { roles: ['moderator'] })]);
        for (let i = 0; i < 5; i++) await post({ thread: 't', body: `Message ${i}` }, a, s.id);
        const p1 = QueuePage.parse((await queue('limit=3', m, s.id)).body);
        assert.equal(p1.items.length, 3);
        const p2 = QueuePage.parse((await queue(`limit=3&cursor=${p1.next}`, m, s.id)).body);
        assert.deepEqual(
          [...p1.items, ...p2.items].map((i) => i.comment.body),
          ['Message 0', 'Message 1', 'Message 2', 'Message 3', 'Message 4'],
        );
        assert.equal(p2.next, null);
      });

      it('refuses a member acting as moderator without the role', async () => {
        const r = await queue('', alice);
        assert.equal(r.status, 403);
        assert.equal(r.body.code, 'moderation.forbidden');
        assert.match(r.headers.get('content-type')!, /problem\+json/);
        const c = await post({ thread: 'plain', body: 'Texte' }, bob);
        const acted = await act('hide', [c.id], alice);
        assert.equal(acted.body.code, 'moderation.forbidden');
        assert.equal(await statusOf(c.id), 'published');
      });

      it("shows a chapter moderator their chapters' threads only, and refuses them another chapter", async () => {
        const inToulouse = await post({ thread: 'toulouse-news', body: 'Réunion jeudi' }, alice);
        const inMontpellier = await post({ thread: 'montpellier-news', body: 'Apéro vendredi' }, bob);
        await flag(inToulouse.id, toulouseMod);
        await flag(inMontpellier.id, mod);
        const page = QueuePage.parse((await queue('', toulouseMod)).body);
        assert.deepEqual(page.scope, { siteWide: false, chapters: ['toulouse'] });
        assert.ok(page.items.some((i) => i.comment.id === inToulouse.id));
        assert.ok(!page.items.some((i) => i.comment.id === inMontpellier.id));
        const other = await queue('chapter=montpellier', toulouseMod);
        assert.equal(other.status, 403);
        assert.equal(other.body.code, 'moderation.chapter_forbidden');
        // One comment out of reach refuses the whole action: nothing half-applied.
        const mixed = await act('hide', [inToulouse.id, inMontpellier.id], toulouseMod);
        assert.equal(mixed.status, 403);
        assert.equal(mixed.body.code, 'moderation.chapter_forbidden');
        assert.equal(await statusOf(inToulouse.id), 'published');
        assert.equal(await statusOf(inMontpellier.id), 'published');
        const own = await act('hide', [inToulouse.id], toulouseMod);
        assert.equal(own.status, 200);
        assert.equal(await statusOf(inToulouse.id), 'hidden');
        // The site-wide moderator may act anywhere.
        assert.equal((await act('hide', [inMontpellier.id])).status, 200);
      });
    });

    describe('actions', () => {
      it('approves, hides, restores and deletes in bulk, once each, recording every action', async () => {
        const s = await siteWith({ premoderation: 'everyone' });
        const [a, m, boss] = await Promise.all([s.t('a'), s.t('m', { roles: ['moderator'] }), s.t('boss', { roles: ['admin'] })]);
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await post({ thread: 'bulk', body: `Avis ${i}` }, a, s.id)).id);
        const approved = BulkResult.parse((await act('approve', ids, m, 'Relu', s.id)).body);
        assert.deepEqual(
          approved.results.map((r) => [r.changed, r.status]),
          [
            [true, 'published'],
            [true, 'published'],
            [true, 'published'],
          ],
        );
        const again = BulkResult.parse((await act('approve', ids, m, undefined, s.id)).body);
        assert.deepEqual(
          again.results.map((r) => r.changed),
          [false, false, false],
        );
        assert.equal(BulkResult.parse((await act('hide', [ids[0]], m, undefined, s.id)).body).results[0].status, 'hidden');
        assert.equal(BulkResult.parse((await act('restore', [ids[0]], m, undefined, s.id)).body).results[0].status, 'published');
        assert.equal(BulkResult.parse((await act('delete', [ids[1]], m, 'Données personnelles', s.id)).body).results[0].status, 'deleted');
        const erased = await ctx.store.comment(s.id, ids[1]);
        assert.equal(erased?.body, '');
        // The engagement earned by a deleted comment goes with it.
        const earned = await ctx.store.db
          .selectFrom('activities')
          .select('ref')
          .where('site_id', '=', s.id)
          .where('kind', '=', 'comment.posted')
          .execute();
        assert.deepEqual(earned.map((r) => r.ref).sort(), [ids[0], ids[2]].sort());
        const log = AuditPage.parse((await call(ctx.app, 'GET', `${site(s.id)}/admin/audit?limit=100`, { token: boss })).body);
        assert.deepEqual(
          log.items.map((e) => e.action),
          ['delete', 'restore', 'hide', 'approve', 'approve', 'approve'],
        );
        assert.equal(log.items[0].note, 'Données personnelles');
        assert.equal(log.items[0].actor?.id, 'm');
        assert.deepEqual(log.items[3].details, { bulk: 3 });
        // The queue changed: moderators' streams hear of it.
        const changes = await ctx.store.db
          .selectFrom('live_events')
          .select(['topic', 'audience'])
          .where('site_id', '=', s.id)
          .where('kind', '=', 'moderation.changed')
          .execute();
        assert.ok(changes.length >= 3);
        assert.ok(changes.every((c) => c.topic === 'site:moderation' && c.audience === 'role:moderator'));
      });

      it('refuses unknown comments without changing the others', async () => {
        const c = await post({ thread: 'unknown-mix', body: 'Bonjour' }, bob);
        const r = await act('hide', [c.id, '0190aaaa-0000-7000-8000-000000000000']);
        assert.equal(r.status, 404);
        assert.equal(r.body.code, 'comment.not_found');
        assert.equal(await statusOf(c.id), 'published');
        const bad = await act('ban', [c.id]);
        assert.equal(bad.status, 400);
        assert.equal(bad.body.code, 'request.invalid');
        const tooMany = await act(
          'hide',
          Array.from({ length: 101 }, (_, i) => `c${i}`),
        );
        assert.equal(tooMany.body.code, 'request.invalid');
      });
    });

    describe('sanctions', () => {
      it('mutes a member for a period: no comments or reactions, reading and their own data still theirs; lifted early', async () => {
        const target = await post({ thread: 'mute-me', body: 'Avant' }, bob);
        const r = await call(ctx.app, 'POST', `${site()}/moderation/sanctions`, {
          token: mod,
          body: { member: 'alice', kind: 'mute', reason: 'Propos agressifs', days: 7 },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const s = Sanction.parse(r.body);
        assert.equal(s.member.id, 'alice');
        assert.ok(Date.parse(s.endsAt!) > Date.now() + 6 * 86_400_000);
        const refused = await call(ctx.app, 'POST', `${site()}/comments`, { token: alice, body: { thread: 'mute-me', body: 'Pendant' } });
        assert.equal(refused.status, 403);
        assert.equal(refused.body.code, 'member.muted');
        assert.match(refused.body.detail, /Propos agressifs/);
        assert.deepEqual(refused.body.sanction, { kind: 'mute', reason: 'Propos agressifs', endsAt: s.endsAt, chapter: null });
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments/${target.id}/reactions`, { token: alice, body: { kind: 'thanks' } })).body.code,
          'member.muted',
        );
        assert.equal((await call(ctx.app, 'GET', `${site()}/comments?thread=mute-me`, { token: alice })).status, 200);
        assert.equal((await call(ctx.app, 'GET', `${site()}/members/me/export`, { token: alice })).status === 403, false);
        const listed = (await call(ctx.app, 'GET', `${site()}/moderation/sanctions?member=alice`, { token: mod })).body;
        assert.equal(listed.items.length, 1);
        const lifted = await call(ctx.app, 'DELETE', `${site()}/moderation/sanctions/${s.id}`, { token: mod });
        assert.equal(lifted.status, 200);
        assert.ok(Sanction.parse(lifted.body).liftedAt);
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments`, { token: alice, body: { thread: 'mute-me', body: 'Après' } })).status,
          201,
        );
      });

      it("bans a member from every write; a ban confined to a chapter covers that chapter's threads only", async () => {
        const ban = await call(ctx.app, 'POST', `${site()}/moderation/sanctions`, {
          token: toulouseMod,
          body: { member: 'bob', kind: 'ban', reason: 'Spam répété', days: 1 },
        });
        assert.equal(ban.status, 201, JSON.stringify(ban.body));
        assert.equal(Sanction.parse(ban.body).chapter, 'toulouse');
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments`, { token: bob, body: { thread: 'toulouse-news', body: 'x' } })).body.code,
          'member.banned',
        );
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments`, { token: bob, body: { thread: 'elsewhere', body: 'Ailleurs' } })).status,
          201,
        );
        const siteBan = Sanction.parse(
          (
            await call(ctx.app, 'POST', `${site()}/moderation/sanctions`, {
              token: mod,
              body: { member: 'bob', kind: 'ban', reason: 'Harcèlement', days: null },
            })
          ).body,
        );
        assert.equal(siteBan.endsAt, null);
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/comments`, { token: bob, body: { thread: 'elsewhere', body: 'Encore' } })).body.code,
          'member.banned',
        );
        assert.equal(
          (await call(ctx.app, 'POST', `${site()}/introductions`, { token: bob, body: { to: 'alice', message: 'Bonjour' } })).body.code,
          'member.banned',
        );
        // A chapter moderator cannot lift a site-wide ban.
        assert.equal(
          (await call(ctx.app, 'DELETE', `${site()}/moderation/sanctions/${siteBan.id}`, { token: toulouseMod })).body.code,
          'moderation.chapter_forbidden',
        );
        assert.equal((await call(ctx.app, 'DELETE', `${site()}/moderation/sanctions/${siteBan.id}`, { token: mod })).status, 200);
        await call(ctx.app, 'DELETE', `${site()}/moderation/sanctions/${Sanction.parse(ban.body).id}`, { token: toulouseMod });
      });

      it('refuses sanctions out of reach: another chapter, oneself, a moderator, a member acting as moderator', async () => {
        const cases: [string, string, Record<string, unknown>, number, string][] = [
          [
            'another chapter',
            toulouseMod,
            { member: 'bob', kind: 'mute', reason: 'x', days: 1, chapter: 'montpellier' },
            403,
            'moderation.chapter_forbidden',
          ],
          ['oneself', mod, { member: 'modo', kind: 'mute', reason: 'x', days: 1 }, 400, 'sanction.self'],
          ['a moderator', toulouseMod, { member: 'modo', kind: 'mute', reason: 'x', days: 1 }, 403, 'sanction.protected'],
          ['by a member', alice, { member: 'bob', kind: 'ban', reason: 'x', days: 1 }, 403, 'moderation.forbidden'],
          ['an unknown member', mod, { member: 'nobody', kind: 'ban', reason: 'x', days: 1 }, 404, 'member.unknown'],
          ['without a reason', mod, { member: 'bob', kind: 'ban', reason: ' ', days: 1 }, 400, 'request.invalid'],
          ['a period of 0 days', mod, { member: 'bob', kind: 'ban', reason: 'x', days: 0 }, 400, 'request.invalid'],
        ];
        for (const [what, t, body, status, code] of cases) {
          const r = await call(ctx.app, 'POST', `${site()}/moderation/sanctions`, { token: t, body });
          assert.equal(r.status, status, what);
          assert.equal(r.body.code, code, what);
        }
        const active = await ctx.store.db
          .selectFrom('sanctions')
          .select('id')
          .where('site_id', '=', 'asso')
          .where('lifted_at', 'is', null)
          .execute();
        assert.equal(active.length, 0);
      });
    });

    describe('site settings, keys and the audit log', () => {
      it('lets admins read and change settings, recorded in the audit log; others are refused', async () => {
        assert.equal((await call(ctx.app, 'GET', `${site()}/admin/settings`, { token: mod })).body.code, 'admin.forbidden');
        const before = AdminSettings.parse((await call(ctx.app, 'GET', `${site()}/admin/settings`, { token: admin })).body);
        assert.equal(before.premoderation, 'off');
        assert.equal(before.keys.length, 1);
        const r = await call(ctx.app, 'PATCH', `${site()}/admin/settings`, {
          token: admin,
          body: {
            premoderation: 'first-time',
            editWindowSeconds: 600,
            reactions: ['thanks', 'useful', 'bravo'],
            blockedWords: ['casino'],
            heldWords: ['crypto'],
            rateLimits: { commentBurst: 5, commentsPerMinute: 2, writeBurst: 30, writesPerMinute: 30 },
            loginUrl: 'https://asso.example.fr/connexion',
            spamCheck: { provider: 'akismet', apiKey: 'abcd1234secret', blog: 'https://asso.example.fr' },
          },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const after = AdminSettings.parse(r.body);
        assert.equal(after.premoderation, 'first-time');
        assert.equal(after.editWindowSeconds, 600);
        assert.deepEqual(after.spamCheck, {
          provider: 'akismet',
          endpoint: 'https://rest.akismet.com',
          blog: 'https://asso.example.fr',
          apiKeySet: true,
        });
        assert.ok(!JSON.stringify(r.body).includes('abcd1234secret'));
        // The public view follows at once (the site cache is dropped).
        assert.deepEqual((await call(ctx.app, 'GET', site())).body.reactions, ['thanks', 'useful', 'bravo']);
        const blocked = await call(ctx.app, 'POST', `${site()}/comments`, {
          token: mod,
          body: { thread: 'x', body: 'Le CASINO en ligne' },
        });
        assert.equal(blocked.body.code, 'comment.blocked_word');
        const log = AuditPage.parse((await call(ctx.app, 'GET', `${site()}/admin/audit?action=settings`, { token: admin })).body);
        assert.equal(log.items[0].action, 'settings.update');
        assert.deepEqual(log.items[0].details?.premoderation, { from: 'off', to: 'first-time' });
        assert.ok(!JSON.stringify(log).includes('abcd1234secret'));
        // Restore for the other tests.
        await call(ctx.app, 'PATCH', `${site()}/admin/settings`, {
          token: admin,
          body: { premoderation: 'off', blockedWords: [], heldWords: [], rateLimits: null, spamCheck: null },
        });
      });

      it('publicProfiles is off by default and set through the settings route, audited', async () => {
        const s = await siteWith({});
        const boss = await s.t('boss', { roles: ['admin'] });
        const path = `${site(s.id)}/admin/settings`;
        assert.equal(AdminSettings.parse((await call(ctx.app, 'GET', path, { token: boss })).body).publicProfiles, false);
        const r = await call(ctx.app, 'PATCH', path, { token: boss, body: { publicProfiles: true } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(AdminSettings.parse(r.body).publicProfiles, true);
        assert.equal((await ctx.store.site(s.id))!.settings.publicProfiles, true);
        const log = AuditPage.parse((await call(ctx.app, 'GET', `${site(s.id)}/admin/audit`, { token: boss })).body);
        assert.deepEqual(log.items[0].details, { publicProfiles: { from: false, to: true } });
      });

      it('refuses bad settings without changing anything', async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ premoderation: 'sometimes' }, 'request.invalid'],
          [{ origins: ['https://asso.example.fr/page'] }, 'request.invalid'],
          [{ origins: ['https://other.example.org'] }, 'settings.origin_in_use'],
          [{ editWindowSeconds: -1 }, 'request.invalid'],
          [{ reactions: [] }, 'request.invalid'],
          [{ spamCheck: { provider: 'akismet', blog: 'https://asso.example.fr' } }, 'settings.spam_key_required'],
          [{ unknown: true }, 'request.invalid'],
        ];
        const before = (await ctx.store.site('asso'))!;
        for (const [body, code] of cases) {
          const r = await call(ctx.app, 'PATCH', `${site()}/admin/settings`, { token: admin, body });
          assert.equal(r.body.code, code, JSON.stringify(body));
        }
        assert.deepEqual(await ctx.store.site('asso'), before);
      });

      it('key rotation is not an API route: an admin token gets a 404 problem and no key changes', async () => {
        const s = await siteWith({});
        const boss = await s.t('boss', { roles: ['admin'] });
        const before = await ctx.store.activeKeys(s.id);
        for (const body of [{ overlapSeconds: 0 }, {}]) {
          const r = await call(ctx.app, 'POST', `${site(s.id)}/admin/keys/rotate`, { token: boss, body });
          assert.equal(r.status, 404, JSON.stringify(r.body));
          assert.equal(r.body.code, 'route.not_found');
          assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
          assert.ok(!JSON.stringify(r.body).includes(SECRET));
        }
        assert.deepEqual(await ctx.store.activeKeys(s.id), before);
        // The token signed before still works: nobody was logged out.
        assert.equal((await call(ctx.app, 'GET', `${site(s.id)}/me`, { token: await s.t('y') })).status, 200);
      });

      it('admin settings never contain secret material, after a rotation either', async () => {
        const s = await siteWith({});
        const boss = await s.t('boss', { roles: ['admin'] });
        const rotated = await ctx.store.rotateSecret(s.id, 600);
        const r = await call(ctx.app, 'GET', `${site(s.id)}/admin/settings`, { token: boss });
        assert.equal(r.status, 200);
        const text = JSON.stringify(r.body);
        assert.ok(!text.includes(SECRET), 'the old secret');
        assert.ok(!text.includes(rotated.secret!), 'the new secret');
        assert.doesNotMatch(text, /"secret"/i);
        const keys = AdminSettings.parse(r.body).keys;
        assert.deepEqual(
          keys.map((k) => Object.keys(k).sort()),
          keys.map(() => ['alg', 'createdAt', 'kid', 'retiresAt']),
        );
        assert.equal(keys.length, 2);
      });

      it('exports the audit log as CSV (spreadsheet-safe) and JSON lines, for admins only', async () => {
        const c = await post({ thread: 'export', body: 'x' }, bob);
        await act('hide', [c.id], mod, '=HYPERLINK("http://evil")');
        assert.equal((await call(ctx.app, 'GET', `${site()}/admin/audit/export`, { token: mod })).body.code, 'admin.forbidden');
        const csv = await call(ctx.app, 'GET', `${site()}/admin/audit/export?format=csv`, { token: admin });
        assert.equal(csv.status, 200);
        assert.match(csv.headers.get('content-type')!, /text\/csv/);
        assert.match(csv.headers.get('content-disposition')!, /attachment; filename="cercle-audit-asso-/);
        const lines = String(csv.body).trim().split('\r\n');
        assert.match(lines[0], /at,action,actor/);
        const line = lines.find((l) => l.includes(c.id))!;
        assert.ok(line.includes(`"'=HYPERLINK(""http://evil"")"`), line);
        const jsonl = await call(ctx.app, 'GET', `${site()}/admin/audit/export?format=jsonl`, { token: admin });
        const entries = String(jsonl.body)
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        assert.ok(entries.some((e) => e.comment === c.id && e.action === 'hide' && e.actor.id === 'modo'));
      });
    });

    describe('spam and abuse', () => {
      it('refuses a comment whose honeypot field is filled in', async () => {
        const r = await call(ctx.app, 'POST', `${site()}/comments`, {
          token: bob,
          body: { thread: 'hp', body: 'Hello', website: 'http://spam.example' },
        });
        assert.equal(r.status, 400);
        assert.equal(r.body.code, 'comment.spam');
        assert.equal(await ctx.store.thread('asso', 'hp'), undefined);
      });

      it('never calls a spam check that is not configured; holds what a configured one calls spam; lets through when it fails', async () => {
        const calls: string[] = [];
        const answers: (string | number)[] = [];
        const fake = createServer((req, res) => {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            calls.push(body);
            const a = answers.shift() ?? 'false';
            if (typeof a === 'number') res.writeHead(a).end('error');
            else res.writeHead(200, { 'content-type': 'text/plain' }).end(a);
          });
        });
        await new Promise<void>((ok) => fake.listen(0, '127.0.0.1', ok));
        const endpoint = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
        try {
          const off = await siteWith({});
          await post({ thread: 'https://asso.example.fr/a', body: 'Bonjour' }, await off.t('a'), off.id);
          assert.equal(calls.length, 0);
          const on = await siteWith({ spamCheck: { provider: 'akismet', endpoint, apiKey: 'k-123', blog: 'https://asso.example.fr' } });
          const a = await on.t('a', { name: 'Anne' });
          answers.push('true', 'false', 500);
          const spam = await post({ thread: 'https://asso.example.fr/a', body: 'Achetez des montres' }, a, on.id);
          assert.equal(spam.status, 'pending');
          assert.equal(spam.heldReason, 'spam');
          const sent = new URLSearchParams(calls[0]);
          assert.equal(sent.get('api_key'), 'k-123');
          assert.equal(sent.get('comment_content'), 'Achetez des montres');
          assert.equal(sent.get('comment_author'), 'Anne');
          assert.equal(sent.get('permalink'), 'https://asso.example.fr/a');
          assert.equal(sent.get('comment_author_email'), null);
          assert.equal((await post({ thread: 'https://asso.example.fr/a', body: 'Vrai message' }, a, on.id)).status, 'published');
          assert.equal((await post({ thread: 'https://asso.example.fr/a', body: 'Service en panne' }, a, on.id)).status, 'published');
          const m = await on.t('m', { roles: ['moderator'] });
          assert.deepEqual(
            QueuePage.parse((await queue('filter=spam', m, on.id)).body).items.map((i) => i.comment.id),
            [spam.id],
          );
        } finally {
          await new Promise<void>((ok) => fake.close(() => ok()));
        }
      });
    });

    describe('import', () => {
      const fixture = (name: string) => join(FIXTURES, name);
      const counts = async (siteId: string) => {
        const n = async (table: 'threads' | 'comments' | 'members' | 'import_map') =>
          Number(
            (
              await ctx.store.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number | string>().as('n'))
                .where('site_id', '=', siteId)
                .executeTakeFirstOrThrow()
            ).n,
          );
        return { threads: await n('threads'), comments: await n('comments'), members: await n('members'), map: await n('import_map') };
      };

      it('imports a WordPress export: threads by page URL, pseudonymous authors, replies, statuses; twice gives the same result', async () => {
        const s = await siteWith({});
        const dry = await importFile(ctx.store, { site: s.id, format: 'wxr', file: fixture('wordpress.wxr.xml'), dryRun: true });
        assert.deepEqual(await counts(s.id), { threads: 0, comments: 0, members: 0, map: 0 });
        assert.equal(dry.comments.created, 5);
        const first = await importFile(ctx.store, {
          site: s.id,
          format: 'wxr',
          file: fixture('wordpress.wxr.xml'),
          mapUrls: [['https://old.asso.example.fr', 'https://asso.example.fr']],
        });
        assert.deepEqual({ ...first, warnings: [] }, { ...dry, dryRun: false, warnings: [] });
        assert.deepEqual(first.threads, { created: 2, existing: 0 });
        assert.deepEqual(first.members, { created: 3, existing: 0 });
        assert.deepEqual(first.comments, {
          created: 5,
          existing: 0,
          pending: 1,
          skipped: { spam: 1, trash: 1, pingback: 1, deleted: 0, empty: 0 },
        });
        const after1 = await counts(s.id);
        const rows1 = await ctx.store.db
          .selectFrom('comments')
          .select(['id', 'body', 'status', 'parent_id', 'created_at', 'author_pk'])
          .where('site_id', '=', s.id)
          .orderBy('id')
          .execute();
        const second = await importFile(ctx.store, {
          site: s.id,
          format: 'wxr',
          file: fixture('wordpress.wxr.xml'),
          mapUrls: [['https://old.asso.example.fr', 'https://asso.example.fr']],
        });
        assert.equal(second.comments.created, 0);
        assert.equal(second.comments.existing, 5);
        assert.deepEqual(await counts(s.id), after1);
        assert.deepEqual(
          await ctx.store.db
            .selectFrom('comments')
            .select(['id', 'body', 'status', 'parent_id', 'created_at', 'author_pk'])
            .where('site_id', '=', s.id)
            .orderBy('id')
            .execute(),
          rows1,
        );

        const page = (
          await call(
            ctx.app,
            'GET',
            `${site(s.id)}/comments?thread=${encodeURIComponent('https://asso.example.fr/2024/06/transmettre-son-entreprise/')}`,
          )
        ).body;
        assert.equal(page.thread.title, 'Transmettre son entreprise : retour sur la soirée');
        const [helene, marc] = page.items;
        assert.equal(helene.author.name, 'Hélène Garnier');
        assert.match(helene.author.id, /^import-wxr-/);
        assert.equal(
          helene.body,
          'Très belle soirée, merci ! Le témoignage de **Marc** m’a beaucoup appris.\n\nLes slides sont sur [mon site](https://garnier-conseil.example/slides).',
        );
        assert.equal(helene.createdAt, '2024-06-11T10:02:00.000Z');
        assert.equal(marc.parentId, helene.id);
        assert.equal(marc.body, "Merci Hélène ! *Transmettre*, c'est d'abord préparer : 3 à 5 ans avant.");
        // No email or address is kept anywhere.
        const everything =
          JSON.stringify(await ctx.store.db.selectFrom('members').selectAll().where('site_id', '=', s.id).execute()) +
          JSON.stringify(rows1);
        assert.ok(!everything.includes('helene@') && !everything.includes('Helene@') && !everything.includes('203.0.113.7'));
        // The same author (email in another case) is one member; the pending comment waits for review.
        const m = await s.t('m', { roles: ['moderator'] });
        const q = QueuePage.parse((await queue('', m, s.id)).body);
        assert.equal(q.items.length, 1);
        assert.equal(q.items[0].author?.member.id, helene.author.id);
        const log = await ctx.store.db.selectFrom('moderation_log').select(['action', 'actor']).where('site_id', '=', s.id).execute();
        assert.deepEqual(log, [
          { action: 'import', actor: 'cli' },
          { action: 'import', actor: 'cli' },
        ]);
      });

      it('imports a Disqus export twice with the same result; a deleted comment answered stays as a tombstone', async () => {
        const s = await siteWith({});
        const first = await importFile(ctx.store, { site: s.id, format: 'disqus', file: fixture('disqus.xml') });
        assert.deepEqual(first.comments, {
          created: 5,
          existing: 0,
          pending: 0,
          skipped: { spam: 1, trash: 0, pingback: 0, deleted: 0, empty: 0 },
        });
        const after1 = await counts(s.id);
        const second = await importFile(ctx.store, { site: s.id, format: 'disqus', file: fixture('disqus.xml') });
        assert.equal(second.comments.created, 0);
        assert.deepEqual(await counts(s.id), after1);
        const page = (
          await call(
            ctx.app,
            'GET',
            `${site(s.id)}/comments?thread=${encodeURIComponent('https://old.asso.example.fr/evenements/cloture-2023')}`,
          )
        ).body;
        assert.deepEqual(
          page.items.map((c: Comment) => [c.status, c.body.slice(0, 20), c.depth]),
          [
            ['published', "Merci pour l'organis", 0],
            ['published', 'Et merci Julie pour ', 1],
            ['deleted', '', 0],
            ['published', 'Je réponds au messag', 1],
          ],
        );
      });

      it('refuses truncated XML, a wrong encoding, a 100 MB file and the wrong format, importing nothing', async () => {
        const s = await siteWith({});
        const whole = readFileSync(fixture('wordpress.wxr.xml'));
        const truncated = join(dir, 'truncated.xml');
        writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
        const latin1 = join(dir, 'latin1.xml');
        writeFileSync(latin1, Buffer.from(whole.toString('utf8').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1'));
        const undeclared = join(dir, 'undeclared-latin1.xml');
        writeFileSync(undeclared, Buffer.from(whole.toString('utf8'), 'latin1'));
        const huge = join(dir, 'huge.xml');
        copyFileSync(fixture('wordpress.wxr.xml'), huge);
        truncateSync(huge, 100 * 1024 * 1024);
        const broken = join(dir, 'broken.xml');
        writeFileSync(broken, whole.toString('utf8').replace('<wp:comment_id>101</wp:comment_id>', '<wp:comment_id>101</wp:comment>'));
        const cases: [string, 'wxr' | 'disqus', string][] = [
          [truncated, 'wxr', 'import.truncated'],
          [latin1, 'wxr', 'import.encoding'],
          [undeclared, 'wxr', 'import.encoding'],
          [huge, 'wxr', 'import.too_large'],
          [broken, 'wxr', 'import.malformed'],
          [fixture('disqus.xml'), 'wxr', 'import.wrong_format'],
          [fixture('wordpress.wxr.xml'), 'disqus', 'import.wrong_format'],
          [join(dir, 'missing.xml'), 'wxr', 'import.unreadable'],
        ];
        for (const [file, format, code] of cases) {
          await assert.rejects(importFile(ctx.store, { site: s.id, format, file }), (err: unknown) => {
            assert.ok(err instanceof ImportError, String(err));
            assert.equal(err.code, code, `${file}: ${err.message}`);
            assert.ok(err.message.length > 20);
            return true;
          });
        }
        assert.deepEqual(await counts(s.id), { threads: 0, comments: 0, members: 0, map: 0 });
      });

      it('turns comment HTML into the comment markup without carrying tags or scripts', () => {
        assert.equal(
          htmlToMarkup('<p>A<br/>B</p><script>alert(1)</script><p><a href="javascript:alert(1)">clic</a> &lt;b&gt;</p>'),
          'A\nB\n\nclic <b>',
        );
        assert.equal(htmlToMarkup('<ul><li>un</li><li>deux</li></ul>'), '- un\n- deux');
      });
    });

    describe('webhooks', () => {
      it('validates URLs: http(s) only; in production, no loopback, private or local hosts', async () => {
        const hooks = (body: Record<string, unknown>) =>
          call(ctx.app, 'POST', `${site()}/admin/webhooks`, { token: admin, body: { events: ['comment.created'], ...body } });
        assert.equal((await hooks({ url: 'ftp://example.org/x' })).body.code, 'webhook.url_scheme');
        assert.equal((await hooks({ url: 'javascript:alert(1)' })).body.code, 'webhook.url_scheme');
        assert.equal((await hooks({ url: 'not a url' })).body.code, 'webhook.url_invalid');
        assert.equal((await hooks({ url: 'https://user:pw@example.org/x' })).body.code, 'webhook.url_invalid');
        assert.equal(
          (
            await call(ctx.app, 'POST', `${site()}/admin/webhooks`, {
              token: mod,
              body: { url: 'https://example.org', events: ['rsvp.changed'] },
            })
          ).body.code,
          'admin.forbidden',
        );
        assert.equal((await hooks({ url: 'https://example.org/x', events: ['comment.deleted'] })).body.code, 'request.invalid');
        webhooksOf(ctx.store, { production: true });
        try {
          for (const url of [
            'http://127.0.0.1:8080/x',
            'http://localhost/x',
            'http://10.1.2.3/',
            'http://192.168.1.10/',
            'http://172.20.0.1/',
            'http://169.254.169.254/latest/meta-data',
            'http://[::1]/',
            'http://[fd00::1]/',
            'http://[::ffff:127.0.0.1]/',
            'http://2130706433/',
            'http://0.0.0.0/',
            'http://intranet/',
            'http://printer.local/',
            'http://100.64.0.1/',
          ]) {
            const r = await hooks({ url });
            assert.equal(r.body.code, 'webhook.url_private', url);
          }
          assert.equal((await hooks({ url: 'https://hooks.example.org/cercle' })).status, 201);
          const created = (await call(ctx.app, 'GET', `${site()}/admin/webhooks`, { token: admin })).body.items;
          assert.equal(created.length, 1);
          await call(ctx.app, 'DELETE', `${site()}/admin/webhooks/${created[0].id}`, { token: admin });
        } finally {
          webhooksOf(ctx.store, { production: false });
        }
        assert.ok(
          isPrivateAddress('::ffff:7f00:1') &&
            isPrivateAddress('64:ff9b::a00:1') &&
            !isPrivateAddress('2a01:e0a::1') &&
            !isPrivateAddress('93.184.216.34'),
        );
      });

      it('sends signed, timestamped events to a receiver, retries with backoff, and logs deliveries', async () => {
        const s = await siteWith({});
        const boss = await s.t('boss', { roles: ['admin'] });
        const [a, b] = await Promise.all([s.t('a', { name: 'Anne' }), s.t('b', { name: 'Benoît' })]);
        const rx = await receiver();
        const hooks = webhooksOf(ctx.store, { production: false, backoff: [0.05, 0.05] });
        try {
          // Nothing configured: nothing sent, nothing stored.
          await post({ thread: 'quiet', body: 'Rien' }, a, s.id);
          assert.equal((await ctx.store.db.selectFrom('webhook_deliveries').select('id').where('site_id', '=', s.id).execute()).length, 0);
          const r = await call(ctx.app, 'POST', `${site(s.id)}/admin/webhooks`, {
            token: boss,
            body: { url: rx.url, events: ['comment.created', 'comment.reply', 'introduction.requested'] },
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          const hook = WebhookCreated.parse(r.body);
          assert.match(hook.secret, /^whsec_/);
          assert.ok(
            !JSON.stringify((await call(ctx.app, 'GET', `${site(s.id)}/admin/webhooks`, { token: boss })).body).includes(hook.secret),
          );
          rx.statuses.push(500);
          const root = await post({ thread: 'https://asso.example.fr/news', body: 'Question ?' }, a, s.id);
          const reply = await post({ thread: 'https://asso.example.fr/news', body: 'Réponse', parentId: root.id }, b, s.id);
          await call(ctx.app, 'GET', `${site(s.id)}/me`, { token: a });
          await call(ctx.app, 'POST', `${site(s.id)}/introductions`, { token: b, body: { to: 'a', message: 'Bonjour Anne' } });
          // root (refused once, then retried), reply's comment.created and comment.reply, the introduction.
          await rx.received(5);
          await hooks.idle();
          const payloads = rx.got.map((g) => {
            assert.ok(verifySignature(hook.secret, g.body, String(g.headers['cercle-signature'])), 'signature verifies');
            assert.ok(!verifySignature('whsec_other', g.body, String(g.headers['cercle-signature'])));
            assert.equal(g.headers['content-type'], 'application/json');
            const p = WebhookPayload.parse(JSON.parse(g.body));
            assert.equal(g.headers['cercle-event'], p.type);
            assert.equal(g.headers['cercle-delivery'], p.id);
            return p;
          });
          const first = payloads.filter((p) => p.type === 'comment.created' && (p.data.comment as { id: string }).id === root.id);
          assert.equal(first.length, 2, 'the refused delivery is sent again, with the same id and body');
          assert.equal(first[0].id, first[1].id);
          const replyEvent = payloads.find((p) => p.type === 'comment.reply')!;
          assert.deepEqual(replyEvent.data.to, { id: 'a', name: 'Anne' });
          assert.equal((replyEvent.data.comment as { id: string }).id, reply.id);
          const intro = payloads.find((p) => p.type === 'introduction.requested')!;
          assert.deepEqual(intro.data.to, { id: 'a', name: 'Anne' });
          assert.equal(JSON.stringify(intro).includes('Bonjour Anne'), false);
          // A stale or tampered signature does not verify.
          const g = rx.got[0];
          assert.equal(
            verifySignature(hook.secret, g.body, String(g.headers['cercle-signature']), Math.floor(Date.now() / 1000) + 600),
            false,
          );
          assert.equal(verifySignature(hook.secret, g.body.replace('Question', 'Questions'), String(g.headers['cercle-signature'])), false);
          const log = (await call(ctx.app, 'GET', `${site(s.id)}/admin/webhooks/deliveries`, { token: boss })).body;
          assert.equal(log.items.length, 4);
          assert.ok(log.items.every((d: { status: string }) => d.status === 'delivered'));
          const retried = log.items.find((d: { attempts: number }) => d.attempts === 2);
          assert.equal(retried.lastStatus, 200);
        } finally {
          await hooks.stop();
          await rx.close();
          webhooksOf(ctx.store, { production: false });
        }
      });

      it('gives up after the last attempt, and refuses to send to a private address in production even if stored', async () => {
        const s = await siteWith({});
        const rx = await receiver();
        const hooks = webhooksOf(ctx.store, { production: false, backoff: [0.01] });
        try {
          await ctx.store.db
            .insertInto('webhooks')
            .values({
              id: 'wh-stored',
              site_id: s.id,
              url: rx.url,
              secret: 'whsec_x',
              events: '["rsvp.changed"]',
              description: null,
              active: 1,
              created_at: new Date().toISOString(),
            })
            .execute();
          rx.statuses.push(500, 503);
          await hooks.emit(s.id, 'rsvp.changed', { event: { id: 'e1' } });
          await rx.received(2);
          await hooks.idle();
          const d = await ctx.store.db.selectFrom('webhook_deliveries').selectAll().where('site_id', '=', s.id).executeTakeFirstOrThrow();
          assert.equal(d.status, 'failed');
          assert.equal(Number(d.attempts), 2);
          assert.match(d.last_error!, /HTTP 503/);
          const prod = webhooksOf(ctx.store, { production: true, backoff: [600] });
          await prod.emit(s.id, 'rsvp.changed', { event: { id: 'e2' } });
          await prod.idle();
          await prod.stop();
          const refused = await ctx.store.db
            .selectFrom('webhook_deliveries')
            .selectAll()
            .where('site_id', '=', s.id)
            .where('status', '!=', 'failed')
            .executeTakeFirstOrThrow();
          assert.equal(refused.status, 'pending');
          assert.match(refused.last_error!, /private/);
          assert.equal(rx.got.length, 2);
        } finally {
          await hooks.stop();
          await rx.close();
          webhooksOf(ctx.store, { production: false });
        }
      });
    });
  });
}
