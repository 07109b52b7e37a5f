import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotificationPage, NotificationPreferences, MemberExport, NotificationLive } from '../../src/contract/index.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { hydrateNotification } from '../../src/server/features/notifications/subscribers.js';
import { periodKey, runDigestJobs } from '../../src/server/notifications/digest.js';
import { notifierOf } from '../../src/server/notifications/service.js';
import { prune } from '../../src/server/notifications/store.js';
import { backends, call, setup, token } from './support.js';

type Ctx = Awaited<ReturnType<typeof setup>>;

for (const backend of backends()) {
  describe(`notifications (${backend.name})`, () => {
    let ctx: Ctx;
    let alice: string; // posts first
    let bob: string; // answers
    let chloe: string; // follows
    let dan: string; // Lyon chapter only
    let mod: string;
    before(async () => {
      ctx = await setup(backend);
      alice = await token({ sub: 'alice', name: 'Alice Martin' });
      bob = await token({ sub: 'bob', name: 'Bob Durand' });
      chloe = await token({ sub: 'chloe', name: 'Chloé Petit' });
      dan = await token({ sub: 'dan', name: 'Dan Lyon', chapters: ['lyon'] });
      mod = await token({ sub: 'mod', name: 'Maud Modère', roles: ['moderator'] });
      // Everyone exists (a first request creates the member).
      for (const t of [alice, bob, chloe, dan, mod])
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t })).status, 200);
    });
    after(() => ctx.cleanup());

    const settle = () => notifierOf(ctx.store)!.idle();
    const post = async (t: string, body: Record<string, unknown>) => {
      const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await settle();
      return r.body as { id: string };
    };
    /** The member's notifications; badges earned along the way (a first post can earn one) are left out unless asked. */
    const list = async (t: string, q = '', badges = false) => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/me/notifications${q}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const p = NotificationPage.parse(r.body);
      return badges ? p : { ...p, items: p.items.filter((n) => n.kind !== 'badge.earned') };
    };
    const follow = (t: string, thread: string, following: boolean) =>
      call(ctx.app, 'PUT', '/v1/sites/asso/threads/follow', { token: t, body: { thread, following } });

    it('tells the parent author of a reply and the followers, never the one who wrote it', async () => {
      const thread = 'https://asso.example.fr/news/1';
      const first = await post(alice, { thread, body: 'Qui vient au salon ?', title: 'Le salon' });
      assert.equal((await follow(chloe, thread, true)).status, 200);
      const reply = await post(bob, { thread, body: 'Moi !', parentId: first.id });

      const a = await list(alice);
      assert.equal(a.items.length, 1);
      assert.equal(a.items[0].kind, 'comment.reply');
      assert.equal(a.items[0].actor?.id, 'bob');
      assert.equal(a.items[0].comment?.id, reply.id);
      assert.equal(a.items[0].comment?.excerpt, 'Moi !');
      assert.equal(a.items[0].thread?.title, 'Le salon');
      assert.equal(a.items[0].url, `${thread}#comment-${reply.id}`);
      assert.equal(a.unread, (await list(alice, '', true)).items.filter((n) => !n.readAt).length);

      const c = await list(chloe);
      // Chloé followed after the first comment: she hears of the reply only.
      assert.deepEqual(
        c.items.map((n) => [n.kind, n.comment?.id]),
        [['thread.comment', reply.id]],
      );
      assert.equal((await list(bob)).items.length, 0, 'the replier hears nothing of their own reply');
      // Bob posted, so Bob now follows: Alice's next comment tells him (and not her).
      assert.equal(
        (await call(ctx.app, 'GET', `/v1/sites/asso/threads/follow?thread=${encodeURIComponent(thread)}`, { token: bob })).body.following,
        true,
      );
      await post(alice, { thread, body: 'Super.' });
      assert.deepEqual(
        (await list(bob)).items.map((n) => n.kind),
        ['thread.comment'],
      );
      assert.equal((await list(alice)).items.length, 1);
    });

    it('tells a mentioned member once, as a mention (not also as a follower)', async () => {
      const thread = 'mentions';
      await follow(chloe, thread, true);
      const m = await post(bob, { thread, body: 'Merci @[Chloé Petit](chloe) et @[Alice Martin](alice)' });
      const mine = (await list(chloe)).items.filter((n) => n.comment?.id === m.id);
      assert.deepEqual(
        mine.map((n) => n.kind),
        ['comment.mention'],
      );
      assert.deepEqual(
        (await list(alice)).items.filter((n) => n.comment?.id === m.id).map((n) => n.kind),
        ['comment.mention'],
      );
    });

    it('never tells followers who may not read the thread', async () => {
      await ctx.store.setThread('asso', 'lyon-2', { audience: 'chapter:lyon' });
      await post(dan, { thread: 'lyon-2', body: 'Premier' });
      // A follow row made while Alice could read it (or forged) does not let the thread's comments through.
      const t = await ctx.store.db.selectFrom('threads').select('pk').where('key', '=', 'lyon-2').executeTakeFirstOrThrow();
      const a = await ctx.store.db.selectFrom('members').select('pk').where('host_id', '=', 'alice').executeTakeFirstOrThrow();
      await ctx.store.db
        .insertInto('thread_follows')
        .values({ site_id: 'asso', thread_pk: t.pk, member_pk: a.pk, following: 1, created_at: new Date().toISOString() })
        .execute();
      const before = (await list(alice)).items.length;
      await post(dan, { thread: 'lyon-2', body: 'Second' });
      assert.equal((await list(alice)).items.length, before);
      assert.equal((await follow(alice, 'lyon-2', true)).status, 404);
      assert.equal((await follow(alice, 'lyon-2', true)).body.code, 'thread.not_found');
    });

    it('takes away the notifications about a comment that is hidden or erased', async () => {
      const thread = 'hide-me';
      const first = await post(alice, { thread, body: 'Question' });
      const bad = await post(bob, { thread, body: 'Réponse discutable', parentId: first.id });
      const before = await list(alice);
      assert.ok(before.items.some((n) => n.comment?.id === bad.id));
      const r = await call(ctx.app, 'POST', `/v1/sites/asso/comments/${bad.id}/moderation`, { token: mod, body: { action: 'hide' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await settle();
      const afterHide = await list(alice);
      assert.ok(!afterHide.items.some((n) => n.comment?.id === bad.id));
      assert.equal(afterHide.unread, before.unread - 1);

      const erased = await post(bob, { thread, body: 'Oups', parentId: first.id });
      assert.ok((await list(alice)).items.some((n) => n.comment?.id === erased.id));
      assert.equal((await call(ctx.app, 'DELETE', `/v1/sites/asso/comments/${erased.id}`, { token: bob })).status, 200);
      await settle();
      assert.ok(!(await list(alice)).items.some((n) => n.comment?.id === erased.id));
    });

    it('marks one, then all, read; the count follows', async () => {
      const a = await list(alice, '', true);
      assert.ok(a.unread >= 2);
      const one = await call(ctx.app, 'POST', '/v1/sites/asso/me/notifications/read', { token: alice, body: { ids: [a.items[0].id] } });
      assert.equal(one.status, 200);
      assert.equal(one.body.unread, a.unread - 1);
      assert.notEqual((await list(alice)).items.find((n) => n.id === a.items[0].id)?.readAt, null);
      assert.equal((await list(alice, '?unread=true', true)).items.length, a.unread - 1);
      const all = await call(ctx.app, 'POST', '/v1/sites/asso/me/notifications/read', { token: alice, body: { all: true } });
      assert.equal(all.body.unread, 0);
      assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me/notifications/count', { token: alice })).body.unread, 0);
      const bad = await call(ctx.app, 'POST', '/v1/sites/asso/me/notifications/read', { token: alice, body: { all: false } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'request.invalid');
    });

    it('pushes the count and the new item live to that member only', async () => {
      const thread = 'live-one';
      const first = await post(alice, { thread, body: 'Live ?' });
      await post(bob, { thread, body: 'Oui', parentId: first.id });
      const [n] = (await list(alice)).items;
      const data = NotificationLive.parse(
        await hydrateNotification(ctx.store, {
          id: 1,
          site: 'asso',
          topic: 'member:alice',
          kind: 'notification',
          ref: n.id,
          audience: 'member:alice',
          version: null,
          at: new Date().toISOString(),
        }),
      );
      assert.equal(data.item?.id, n.id);
      assert.equal(data.unread, (await list(alice)).unread);
      // Someone else's notification id under Bob's name shows nothing of it.
      const other = NotificationLive.parse(
        await hydrateNotification(ctx.store, {
          id: 2,
          site: 'asso',
          topic: 'member:bob',
          kind: 'notification',
          ref: n.id,
          audience: 'member:bob',
          version: null,
          at: new Date().toISOString(),
        }),
      );
      assert.equal(other.item, null);
      const log = await ctx.store.db
        .selectFrom('live_events')
        .select(['topic', 'audience', 'kind'])
        .where('kind', '=', 'notification')
        .execute();
      assert.ok(log.some((l) => l.topic === 'member:alice' && l.audience === 'member:alice'));
      assert.ok(log.every((l) => l.topic === l.audience && l.topic.startsWith('member:')));
    });

    it('validates preferences: unknown kinds and frequencies are refused with a code', async () => {
      const path = '/v1/sites/asso/me/notification-preferences';
      const kind = await call(ctx.app, 'PATCH', path, { token: chloe, body: { kinds: { 'comment.liked': { page: false } } } });
      assert.equal(kind.status, 400);
      assert.match(kind.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(kind.body.code, 'notifications.unknown_kind');
      assert.deepEqual(
        kind.body.errors.map((e: { path: string }) => e.path),
        ['body.kinds.comment.liked'],
      );
      assert.match(kind.body.detail, /comment\.reply/);
      const freq = await call(ctx.app, 'PATCH', path, { token: chloe, body: { frequency: 'hourly' } });
      assert.equal(freq.status, 400);
      assert.equal(freq.body.code, 'notifications.unknown_frequency');
      assert.deepEqual(
        freq.body.errors.map((e: { path: string }) => e.path),
        ['body.frequency'],
      );
      const notString = await call(ctx.app, 'PATCH', path, { token: chloe, body: { frequency: 3 } });
      assert.equal(notString.body.code, 'notifications.unknown_frequency');
      // Anything else wrong stays the generic refusal.
      const other = await call(ctx.app, 'PATCH', path, { token: chloe, body: { kinds: { 'comment.reply': { page: 'no' } } } });
      assert.equal(other.status, 400);
      assert.equal(other.body.code, 'request.invalid');
      const extra = await call(ctx.app, 'PATCH', path, { token: chloe, body: { colour: 'red' } });
      assert.equal(extra.body.code, 'request.invalid');
      // Nothing was changed by a refused body.
      const kept = await call(ctx.app, 'GET', path, { token: chloe });
      assert.notEqual(kept.body.frequency, 'hourly');
      const mail = await call(ctx.app, 'PATCH', path, { token: chloe, body: { email: true } });
      assert.equal(mail.status, 409);
      assert.equal(mail.body.code, 'notification.email_unavailable');

      const ok = await call(ctx.app, 'PATCH', path, {
        token: chloe,
        body: { kinds: { 'thread.comment': { page: false } }, frequency: 'weekly', language: 'fr' },
      });
      assert.equal(ok.status, 200);
      const p = NotificationPreferences.parse(ok.body);
      assert.deepEqual(p.kinds['thread.comment'], { page: false, delivery: true });
      assert.deepEqual(p.kinds['comment.reply'], { page: true, delivery: true });
      assert.equal(p.frequency, 'weekly');
      assert.equal(p.language, 'fr');
      assert.equal(p.channel, 'none');
      // A kind turned off in the page is not made at all.
      const thread = 'muted';
      await follow(chloe, thread, true);
      const c = await post(alice, { thread, body: 'Nouveau' });
      assert.ok(!(await list(chloe)).items.some((n) => n.comment?.id === c.id));
      await call(ctx.app, 'PATCH', path, { token: chloe, body: { kinds: { 'thread.comment': { page: true } } } });
    });

    it('stops following with the toggle, and posting again does not follow again', async () => {
      const thread = 'toggle';
      await post(bob, { thread, body: 'Un' });
      assert.equal((await follow(bob, thread, false)).body.following, false);
      await post(bob, { thread, body: 'Deux' });
      const before = (await list(bob)).items.length;
      await post(alice, { thread, body: 'Trois' });
      assert.equal((await list(bob)).items.length, before);
      const state = await call(ctx.app, 'GET', `/v1/sites/asso/threads/follow?thread=${thread}`, { token: bob });
      assert.equal(state.body.following, false);
    });

    it('tells of introductions requested and answered', async () => {
      const r = await call(ctx.app, 'POST', '/v1/sites/asso/introductions', { token: chloe, body: { to: 'dan', message: 'Bonjour Dan' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await settle();
      const d = (await list(dan)).items.find((n) => n.kind === 'introduction.requested');
      assert.equal(d?.actor?.id, 'chloe');
      assert.equal(d?.introduction?.id, r.body.id);
      const dec = await call(ctx.app, 'POST', `/v1/sites/asso/introductions/${r.body.id}/decline`, { token: dan, body: {} });
      assert.equal(dec.status, 200, JSON.stringify(dec.body));
      await settle();
      const c = (await list(chloe)).items.find((n) => n.introduction?.id === r.body.id);
      assert.equal(c?.kind, 'introduction.declined');
      assert.equal(c?.actor?.id, 'dan');
      assert.ok(!(await list(dan)).items.some((n) => n.kind === 'introduction.declined'));
    });

    it('tells members going when an event changes or is cancelled, and a promoted member', async () => {
      const admin = await token({ sub: 'org', name: 'Olga Org', roles: ['admin'] });
      const start = new Date(Date.now() + 10 * 86_400_000).toISOString();
      const end = new Date(Date.now() + 10 * 86_400_000 + 7_200_000).toISOString();
      const ev = await call(ctx.app, 'POST', '/v1/sites/asso/events', {
        token: admin,
        body: { title: 'Afterwork', startsAt: start, endsAt: end, timeZone: 'Europe/Paris', place: 'Le Bar', capacity: 1 },
      });
      assert.equal(ev.status, 201, JSON.stringify(ev.body));
      const id = ev.body.id as string;
      assert.equal(
        (await call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: alice, body: { status: 'going' } })).status,
        200,
      );
      const w = await call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: bob, body: { status: 'going' } });
      assert.equal(w.body.myRsvp.status, 'waitlist');
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: alice, body: { status: 'declined' } });
      await settle();
      const promoted = (await list(bob)).items.find((n) => n.kind === 'waitlist.promoted');
      assert.equal(promoted?.event?.id, id);

      const moved = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${id}`, {
        token: admin,
        body: { place: 'La Terrasse', capacity: 5 },
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      await settle();
      const changed = (await list(bob)).items.find((n) => n.kind === 'event.changed');
      assert.deepEqual(changed?.event?.changes, ['place']);
      assert.ok(!(await list(alice)).items.some((n) => n.kind === 'event.changed'), 'Alice declined');
      // A change members do not rely on (capacity only) tells nobody.
      const count = (await list(bob)).items.length;
      await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${id}`, { token: admin, body: { capacity: 6 } });
      await settle();
      assert.equal((await list(bob)).items.length, count);

      assert.equal((await call(ctx.app, 'POST', `/v1/sites/asso/events/${id}/cancel`, { token: admin, body: {} })).status, 200);
      await settle();
      assert.ok((await list(bob)).items.some((n) => n.kind === 'event.cancelled'));
      assert.equal((await list(admin)).items.length, 0, 'the organiser who acted hears nothing');
    });

    it('reminds members going of an event starting tomorrow, once', async () => {
      const admin = await token({ sub: 'org', name: 'Olga Org', roles: ['admin'] });
      const start = new Date(Date.now() + 20 * 3_600_000).toISOString();
      const end = new Date(Date.now() + 22 * 3_600_000).toISOString();
      const ev = await call(ctx.app, 'POST', '/v1/sites/asso/events', {
        token: admin,
        body: { title: 'Petit-déjeuner', startsAt: start, endsAt: end, timeZone: 'Europe/Paris', place: 'Le Café' },
      });
      assert.equal(ev.status, 201, JSON.stringify(ev.body));
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${ev.body.id}/rsvp`, { token: chloe, body: { status: 'going' } });
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${ev.body.id}/rsvp`, { token: dan, body: { status: 'maybe' } });
      const site = (await ctx.store.site('asso'))!;
      await notifierOf(ctx.store)!.reminders(site);
      await notifierOf(ctx.store)!.reminders(site);
      await settle();
      const mine = (await list(chloe)).items.filter((n) => n.kind === 'event.reminder' && n.event?.id === ev.body.id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].event?.title, 'Petit-déjeuner');
      assert.ok(!(await list(dan)).items.some((n) => n.kind === 'event.reminder'), 'maybe is not going');
    });

    it('tells the author when a held comment is approved or refused', async () => {
      await ctx.store.db
        .updateTable('sites')
        .set({ settings: JSON.stringify({ ...(await ctx.store.site('asso'))!.settings, premoderation: 'everyone' }) })
        .where('id', '=', 'asso')
        .execute();
      const app = createApp({ store: ctx.store, logger: silentLogger });
      const held = await call(app, 'POST', '/v1/sites/asso/comments', { token: dan, body: { thread: 'held', body: 'Attente' } });
      assert.equal(held.body.status, 'pending');
      const refused = await call(app, 'POST', '/v1/sites/asso/comments', { token: dan, body: { thread: 'held', body: 'Refus' } });
      await call(app, 'POST', `/v1/sites/asso/comments/${held.body.id}/moderation`, { token: mod, body: { action: 'approve' } });
      await call(app, 'POST', `/v1/sites/asso/comments/${refused.body.id}/moderation`, { token: mod, body: { action: 'hide' } });
      await notifierOf(ctx.store)!.idle();
      const items = (await call(app, 'GET', '/v1/sites/asso/me/notifications', { token: dan })).body.items as {
        kind: string;
        comment: { id: string };
      }[];
      assert.equal(items.find((n) => n.comment?.id === held.body.id)?.kind, 'comment.approved');
      assert.equal(items.find((n) => n.comment?.id === refused.body.id)?.kind, 'comment.refused');
      await ctx.store.db
        .updateTable('sites')
        .set({ settings: JSON.stringify({ ...(await ctx.store.site('asso'))!.settings, premoderation: 'off' }) })
        .where('id', '=', 'asso')
        .execute();
    });

    it('sends notification.created through the host to a member who wants it at once, in their language', async () => {
      await ctx.store.db
        .insertInto('webhooks')
        .values({
          id: 'wh-1',
          site_id: 'asso',
          url: 'http://127.0.0.1:9/hook',
          secret: 'whsec_test',
          events: JSON.stringify(['notification.created', 'notification.digest']),
          description: null,
          active: 1,
          created_at: new Date().toISOString(),
        })
        .execute();
      await call(ctx.app, 'PATCH', '/v1/sites/asso/me/notification-preferences', {
        token: chloe,
        body: { frequency: 'immediate', language: 'fr' },
      });
      const first = await post(chloe, { thread: 'hooks', body: 'Une question' });
      await post(bob, { thread: 'hooks', body: 'Une réponse', parentId: first.id });
      const rows = await ctx.store.db
        .selectFrom('webhook_deliveries')
        .select(['payload'])
        .where('event_type', '=', 'notification.created')
        .execute();
      const payloads = rows
        .map((r) => JSON.parse(r.payload))
        .filter((p) => p.data.member.id === 'chloe' && p.data.notification.kind !== 'badge.earned');
      assert.equal(payloads.length, 1);
      assert.equal(payloads[0].data.member.language, 'fr');
      assert.equal(payloads[0].data.notification.kind, 'comment.reply');
      assert.match(payloads[0].data.subject, /Bob Durand a répondu à votre commentaire/);
      assert.ok(
        !rows.some((r) => JSON.parse(r.payload).data.member.id === 'bob'),
        'no notification for the replier (Bob hears once a day)',
      );
      await ctx.store.db.deleteFrom('webhooks').where('id', '=', 'wh-1').execute();
    });

    it('gives a member with a daily and a weekly job in one run each notification in one digest only', async () => {
      await ctx.store.db
        .insertInto('webhooks')
        .values({
          id: 'wh-digest',
          site_id: 'asso',
          url: 'http://127.0.0.1:9/hook',
          secret: 'whsec_test',
          events: JSON.stringify(['notification.digest']),
          description: null,
          active: 1,
          created_at: new Date().toISOString(),
        })
        .execute();
      const bobPk = (await ctx.store.db.selectFrom('members').select('pk').where('host_id', '=', 'bob').executeTakeFirstOrThrow()).pk;
      const pending = () =>
        ctx.store.db
          .selectFrom('notifications')
          .select('id')
          .where('site_id', '=', 'asso')
          .where('member_pk', '=', bobPk)
          .where('delivered_at', 'is', null)
          .execute();
      assert.ok((await pending()).length > 0);
      const now = Date.now();
      const at = new Date(now).toISOString();
      for (const key of [periodKey('daily', now), periodKey('weekly', now)]) {
        await ctx.store.db
          .insertInto('notification_jobs')
          .values({ site_id: 'asso', member_pk: bobPk, period_key: key, status: 'pending', attempts: 0, created_at: at })
          .execute();
      }
      const r = await runDigestJobs(ctx.store, { now: () => now, site: 'asso' });
      assert.ok(r.jobs >= 2);
      const digests = (
        await ctx.store.db.selectFrom('webhook_deliveries').select('payload').where('event_type', '=', 'notification.digest').execute()
      )
        .map((d) => JSON.parse(d.payload))
        .filter((p) => p.data.member.id === 'bob');
      assert.equal(digests.length, 1, 'the second job finds nothing left to send');
      assert.ok(digests[0].data.count > 0);
      assert.equal((await pending()).length, 0);
      const jobs = await ctx.store.db.selectFrom('notification_jobs').select('status').where('member_pk', '=', bobPk).execute();
      assert.deepEqual(
        jobs.map((j) => j.status),
        ['done', 'done'],
      );
      await ctx.store.db.deleteFrom('webhooks').where('id', '=', 'wh-digest').execute();
    });

    it('puts notifications, preferences and follows in the export, and erases them with the member', async () => {
      const r = await call(ctx.app, 'GET', '/v1/sites/asso/members/me/export', { token: bob });
      assert.equal(r.status, 200);
      const data = MemberExport.parse(r.body);
      assert.ok(data.notifications!.items.length > 0);
      assert.ok(data.notifications!.follows.some((f) => f.thread === 'https://asso.example.fr/news/1'));
      assert.equal(data.notifications!.preferences.frequency, 'daily');

      const bobPk = (await ctx.store.db.selectFrom('members').select('pk').where('host_id', '=', 'bob').executeTakeFirstOrThrow()).pk;
      const e = await call(ctx.app, 'POST', '/v1/sites/asso/members/me/erase', {
        token: bob,
        body: { comments: 'anonymize', confirm: true },
      });
      assert.equal(e.status, 200, JSON.stringify(e.body));
      assert.ok(e.body.notifications > 0);
      await settle();
      for (const table of ['notifications', 'thread_follows', 'notification_prefs'] as const) {
        const left = await ctx.store.db.selectFrom(table).select('member_pk').where('member_pk', '=', bobPk).execute();
        assert.equal(left.length, 0, table);
      }
      const acted = await ctx.store.db.selectFrom('notifications').select('id').where('actor_pk', '=', bobPk).execute();
      assert.equal(acted.length, 0, 'what Bob did is no longer told to anyone');
    });

    it('serves the Atom feed of a public thread only, escaped, and a private member feed that can be revoked', async () => {
      const thread = 'https://asso.example.fr/feed?a=1&b=2';
      await post(alice, { thread, body: 'Si 1 < 2 & 3 > 2, "alors"', title: 'Fil & <co>' });
      const r = await ctx.app.request(`/v1/sites/asso/threads/feed.atom?thread=${encodeURIComponent(thread)}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/atom\+xml/);
      const xml = await r.text();
      assert.match(xml, /<title>Fil &amp; &lt;co&gt;<\/title>/);
      assert.match(xml, /Si 1 &lt; 2 &amp; 3 &gt; 2, &quot;alors&quot;</);
      assert.match(xml, /href="https:\/\/asso.example.fr\/feed\?a=1&amp;b=2#comment-/);
      await ctx.store.setThread('asso', 'lyon-feed', { audience: 'chapter:lyon' });
      await post(dan, { thread: 'lyon-feed', body: 'Privé' });
      const hidden = await ctx.app.request('/v1/sites/asso/threads/feed.atom?thread=lyon-feed');
      assert.equal(hidden.status, 404);
      assert.equal(((await hidden.json()) as { code: string }).code, 'thread.not_found');

      const made = await call(ctx.app, 'POST', '/v1/sites/asso/me/notification-feed', { token: alice });
      assert.equal(made.status, 201);
      const feed = await ctx.app.request(made.body.path);
      assert.equal(feed.status, 200);
      assert.match(await feed.text(), /<entry>/);
      assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me/notification-feed', { token: alice })).body.token, null);
      await call(ctx.app, 'DELETE', '/v1/sites/asso/me/notification-feed', { token: alice });
      assert.equal((await ctx.app.request(made.body.path)).status, 404);
    });

    it('prunes read notifications past the retention, not unread ones', async () => {
      const thread = 'old';
      const first = await post(alice, { thread, body: 'Ancien' });
      const dTok = await token({ sub: 'dora', name: 'Dora' });
      await post(dTok, { thread, body: 'Réponse', parentId: first.id });
      await post(dTok, { thread, body: 'Autre', parentId: first.id });
      const items = (await list(alice)).items.slice(0, 2);
      await call(ctx.app, 'POST', '/v1/sites/asso/me/notifications/read', { token: alice, body: { ids: [items[0].id] } });
      const removed = await prune(ctx.store.db, 'asso', 90, Date.now() + 91 * 86_400_000);
      assert.ok(removed >= 1);
      const ids = (await list(alice)).items.map((n) => n.id);
      assert.ok(!ids.includes(items[0].id));
      assert.ok(ids.includes(items[1].id), 'unread stays');
    });
  });
}
