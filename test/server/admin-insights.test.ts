import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AdminChapter, AdminChapterList, Insights, WebhookTestResult } from '../../src/contract/admin.js';
import { AuditPage, DeliveryPage, WebhookCreated } from '../../src/contract/moderation.js';
import { EventPage } from '../../src/contract/resources.js';
import { newId } from '../../src/server/domain/ids.js';
import { verifySignature } from '../../src/server/webhooks/webhooks.js';
import { DEFAULT_RULES } from '../../src/server/engagement/defaults.js';
import { RulesPreview } from '../../src/contract/admin.js';
import { Problem } from '../../src/contract/common.js';
import { membersOf } from '../../src/server/features/members/present.js';
import { PARTICIPATION, participationWeeks } from '../../src/server/store/insights.js';
import { backfillParticipation } from '../../src/server/store/migrations/018_insight_counts.js';
import { backends, call, setup, token } from './support.js';

const SITE = '/v1/sites/asso';
const DAY = 86_400_000;
/** A fixed Wednesday: the period's weeks start on Mondays. */
const NOW = Date.parse('2026-11-18T12:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
/** Tokens issued at the app's fixed clock. */
const clock = { iat: NOW / 1000, exp: NOW / 1000 + 600 };

for (const backend of backends()) {
  describe(`administration: chapters and webhooks (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let admin: string;
    let receiver: Server;
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let answer = 204;
    before(async () => {
      ctx = await setup(backend);
      admin = await token({ sub: 'boss', name: 'Ada Admin', roles: ['member', 'admin'] });
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    });
    after(async () => {
      receiver.close();
      await ctx?.cleanup();
    });

    it('names a chapter in both languages; the event feed and the calendar use the name', async () => {
      const t = Date.now() + 10 * DAY;
      await ctx.store.insertEvent({
        site_id: 'asso',
        chapter_id: 'lyon',
        title: 'Petit-déjeuner',
        description: '',
        starts_at: iso(t),
        ends_at: iso(t + 2 * 3_600_000),
        time_zone: 'Europe/Paris',
        place: null,
        online_url: null,
        capacity: null,
        audience: 'public',
        max_guests: 0,
        rsvp_deadline: null,
        url: null,
      });
      let list = AdminChapterList.parse((await call(ctx.app, 'GET', `${SITE}/admin/chapters`, { token: admin })).body);
      assert.deepEqual(
        list.items.map((c) => [c.id, c.name, c.named]),
        [['lyon', 'Lyon', false]],
      );
      const r = await call(ctx.app, 'PUT', `${SITE}/admin/chapters/lyon`, {
        token: admin,
        body: { name: 'Lyon Métropole', nameEn: 'Greater Lyon', organisers: ['org-1'], moderators: ['mod-1'] },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const ch = AdminChapter.parse(r.body);
      assert.deepEqual(
        [ch.name, ch.nameEn, ch.named, ch.organisers, ch.moderators],
        ['Lyon Métropole', 'Greater Lyon', true, ['org-1'], ['mod-1']],
      );
      const feed = EventPage.parse((await call(ctx.app, 'GET', `${SITE}/events`)).body);
      assert.equal(feed.items[0].chapter?.name, 'Lyon Métropole');
      const ics = await ctx.app.request(`${SITE}/calendar.ics?chapter=lyon`);
      assert.match(await ics.text(), /Lyon Métropole/);
      list = AdminChapterList.parse((await call(ctx.app, 'GET', `${SITE}/admin/chapters`, { token: admin })).body);
      assert.equal(list.term, 'chapter');
      const audit = AuditPage.parse((await call(ctx.app, 'GET', `${SITE}/admin/audit?action=chapter.update`, { token: admin })).body);
      assert.equal(audit.items[0].chapter, 'lyon');
      assert.equal(audit.items[0].actor?.id, 'boss');
    });

    it('refuses a name another chapter bears, in either language, with 409 chapter.name_taken', async () => {
      const ok = await call(ctx.app, 'PUT', `${SITE}/admin/chapters/grenoble`, { token: admin, body: { name: 'Grenoble' } });
      assert.equal(ok.status, 200);
      for (const body of [{ name: 'lyon  métropole' }, { name: 'Grenoble-Alpes', nameEn: 'Greater LYON' }]) {
        const r = await call(ctx.app, 'PUT', `${SITE}/admin/chapters/grenoble`, { token: admin, body });
        assert.equal(r.status, 409);
        assert.equal(r.body.code, 'chapter.name_taken');
        assert.ok(r.body.errors[0].path.startsWith('body.name'));
      }
      const member = await call(ctx.app, 'PUT', `${SITE}/admin/chapters/grenoble`, {
        token: await token({ sub: 'x' }),
        body: { name: 'X' },
      });
      assert.equal(member.status, 403);
    });

    it('previews the badges under new rules, and asks to confirm rules that take every badge away', async () => {
      const cam = await token({ sub: 'cam', name: 'Cam' });
      await call(ctx.app, 'GET', `${SITE}/me`, { token: cam });
      const camPk = (await ctx.store.memberByHostId('asso', 'cam'))!.pk;
      await ctx.store.recordActivity('asso', camPk, 'comment.posted', 'first-comment');
      const first = DEFAULT_RULES.badges.find(
        (b) => JSON.stringify(b.requires) === JSON.stringify({ count: 'comment.posted', atLeast: 1 }),
      )!;
      const harder = structuredClone(DEFAULT_RULES);
      for (const b of harder.badges) b.requires = { count: 'comment.posted', atLeast: 1000 };
      const preview = RulesPreview.parse(
        (await call(ctx.app, 'POST', `${SITE}/engagement/rules/preview`, { token: admin, body: harder })).body,
      );
      const row = preview.badges.find((b) => b.id === first.id)!;
      assert.deepEqual([row.holdersNow, row.holders], [1, 0]);
      const refused = await call(ctx.app, 'PUT', `${SITE}/engagement/rules`, { token: admin, body: harder });
      assert.equal(refused.status, 409);
      const p = Problem.parse(refused.body);
      assert.equal(p.code, 'rules.confirm_required');
      assert.equal(p.preview!.badges.find((b) => b.id === first.id)!.holdersNow, 1);
      // Nothing changed yet.
      assert.equal(
        (await call(ctx.app, 'GET', `${SITE}/engagement/rules`)).body.badges[0].requires.atLeast,
        DEFAULT_RULES.badges[0].requires.atLeast,
      );
      const ok = await call(ctx.app, 'PUT', `${SITE}/engagement/rules`, { token: admin, body: { ...harder, confirm: true } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const after = RulesPreview.parse(
        (await call(ctx.app, 'POST', `${SITE}/engagement/rules/preview`, { token: admin, body: harder })).body,
      );
      assert.ok(after.badges.every((b) => b.holdersNow === 0));
      const audit = AuditPage.parse((await call(ctx.app, 'GET', `${SITE}/admin/audit?action=engagement.rules`, { token: admin })).body);
      assert.equal(audit.items[0].details?.confirmed, true);
      const bad = await call(ctx.app, 'POST', `${SITE}/engagement/rules/preview`, { token: admin, body: { levels: [] } });
      assert.equal(bad.body.code, 'engagement.rules_invalid');
      // Back to the defaults (badges come back): no confirmation needed.
      assert.equal((await call(ctx.app, 'PUT', `${SITE}/engagement/rules`, { token: admin, body: DEFAULT_RULES })).status, 200);
    });

    it('lets a member the admins chose moderate the chapter', async () => {
      const mod = await token({ sub: 'mod-1', name: 'Mo Derator' });
      const q = await call(ctx.app, 'GET', `${SITE}/moderation/queue`, { token: mod });
      assert.equal(q.status, 200, JSON.stringify(q.body));
      assert.deepEqual(q.body.scope, { siteWide: false, chapters: ['lyon'] });
    });

    it('sends a signed ping and shows the receiver status; an invalid URL is 400', async () => {
      const bad = await call(ctx.app, 'POST', `${SITE}/admin/webhooks`, {
        token: admin,
        body: { url: 'not a url', events: ['rsvp.changed'] },
      });
      assert.equal(bad.status, 400);
      const port = (receiver.address() as AddressInfo).port;
      const created = WebhookCreated.parse(
        (
          await call(ctx.app, 'POST', `${SITE}/admin/webhooks`, {
            token: admin,
            body: { url: `http://127.0.0.1:${port}/hook`, events: ['rsvp.changed'] },
          })
        ).body,
      );
      const paused = await call(ctx.app, 'PATCH', `${SITE}/admin/webhooks/${created.id}`, { token: admin, body: { active: false } });
      assert.equal(paused.body.active, false);
      const r = await call(ctx.app, 'POST', `${SITE}/admin/webhooks/${created.id}/test`, { token: admin });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const result = WebhookTestResult.parse(r.body);
      assert.equal(result.delivered, true);
      assert.equal(result.status, 204);
      const got = received.at(-1)!;
      assert.equal(got.headers['cercle-event'], 'ping');
      assert.ok(verifySignature(created.secret, got.body, String(got.headers['cercle-signature'])));
      assert.equal(JSON.parse(got.body).data.webhook, created.id);
      answer = 500;
      const failed = WebhookTestResult.parse(
        (await call(ctx.app, 'POST', `${SITE}/admin/webhooks/${created.id}/test`, { token: admin })).body,
      );
      assert.deepEqual([failed.delivered, failed.status], [false, 500]);
      const log = DeliveryPage.parse(
        (await call(ctx.app, 'GET', `${SITE}/admin/webhooks/deliveries?webhook=${created.id}`, { token: admin })).body,
      );
      assert.deepEqual(
        log.items.map((d) => [d.eventType, d.status, d.lastStatus]),
        [
          ['ping', 'failed', 500],
          ['ping', 'delivered', 204],
        ],
      );
      const audit = AuditPage.parse((await call(ctx.app, 'GET', `${SITE}/admin/audit?action=webhook.test`, { token: admin })).body);
      assert.equal(audit.items.length, 2);
      const missing = await call(ctx.app, 'POST', `${SITE}/admin/webhooks/nope/test`, { token: admin });
      assert.equal(missing.status, 404);
    });
  });

  describe(`insights for the community team (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let team: string;
    before(async () => {
      ctx = await setup(backend, { now: () => NOW });
      team = await token({ sub: 'team', name: 'Team', roles: ['member', 'community'], ...clock });
      await seedScenario(ctx.store);
    });
    after(() => ctx?.cleanup());

    const read = async (q: string, t = team) => call(ctx.app, 'GET', `${SITE}/insights${q}`, { token: t });

    it('counts the members who took part, week by week, and the newcomers', async () => {
      const r = await read('?from=2026-11-02&to=2026-11-18');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const i = Insights.parse(r.body);
      assert.deepEqual(i.weeks, ['2026-11-02', '2026-11-09', '2026-11-16']);
      assert.deepEqual(
        i.participation.map((w) => [w.members, w.posted, w.useful, w.attended, w.introduced, w.newcomers]),
        [
          // week 1: ann posts, bob posts and comes to the event; ann is an old hand, bob new.
          [2, 2, 0, 1, 0, 1],
          // week 2: ann's answer found useful, cat comes (new), ann and dan introduced (dan new).
          [3, 0, 1, 1, 2, 2],
          // week 3: cat posts twice: one member.
          [1, 1, 0, 0, 0, 0],
        ],
      );
    });

    it('shows a change to a week that is over at once', async () => {
      const counts = async () =>
        Insights.parse((await read('?from=2026-11-02&to=2026-11-18')).body).participation.map((w) => [w.members, w.posted, w.newcomers]);
      const before = await counts();
      // Bob's post of week 1 deleted: he still came to the event that week, so he still took part and is still new.
      assert.equal(await ctx.store.removeActivity('asso', 'comment.posted', 'c2'), 1);
      assert.deepEqual(await counts(), [[2, 1, 1], before[1], before[2]]);
      // Cat's two posts of week 3 gone: nobody took part that week.
      await ctx.store.removeActivity('asso', 'comment.posted', 'c3');
      await ctx.store.removeActivity('asso', 'comment.posted', 'c4');
      assert.deepEqual((await counts())[2], [0, 0, 0]);
      const bob = await ctx.store.memberByHostId('asso', 'bob');
      const cat = await ctx.store.memberByHostId('asso', 'cat');
      await ctx.store.recordActivity('asso', bob!.pk, 'comment.posted', 'c2', { at: '2026-11-04T09:00:00.000Z', chapter: null });
      await ctx.store.recordActivity('asso', cat!.pk, 'comment.posted', 'c3', { at: '2026-11-16T09:00:00.000Z', chapter: null });
      await ctx.store.recordActivity('asso', cat!.pk, 'comment.posted', 'c4', { at: '2026-11-17T09:00:00.000Z', chapter: null });
      assert.deepEqual(await counts(), before);
    });

    it('narrows to a chapter', async () => {
      const i = Insights.parse((await read('?from=2026-11-02&to=2026-11-18&chapter=lyon')).body);
      assert.deepEqual(i.chapter, { id: 'lyon', name: 'Lyon' });
      assert.deepEqual(
        i.participation.map((w) => w.members),
        [1, 1, 0],
      );
      assert.deepEqual(
        i.events.map((e) => e.title),
        ['Afterwork Lyon'],
      );
    });

    it('lists threads nobody answered within a week, with links', async () => {
      const i = Insights.parse((await read('?from=2026-11-02&to=2026-11-18')).body);
      assert.equal(i.unanswered.count, 2);
      assert.deepEqual(
        i.unanswered.items.map((t) => [t.key, t.url, t.answeredAt !== null]),
        [
          ['https://asso.example.fr/forum/question', 'https://asso.example.fr/forum/question', false],
          ['late-answer', null, true],
        ],
      );
    });

    it('gives event fill and attendance, and introductions requested and accepted', async () => {
      const i = Insights.parse((await read('?from=2026-11-02&to=2026-11-18')).body);
      assert.deepEqual(
        i.events.map((e) => [e.title, e.capacity, e.taken, e.going, e.attended]),
        [
          ['Afterwork Lyon', 10, 3, 2, 1],
          ['Visite Paris', null, 1, 1, null],
        ],
      );
      assert.deepEqual(
        i.introductions.map((w) => [w.requested, w.accepted]),
        [
          [0, 0],
          [2, 1],
          [0, 0],
        ],
      );
    });

    it('is for the team only, and refuses a period too long or upside down', async () => {
      const member = await read('', await token({ sub: 'ann', ...clock }));
      assert.equal(member.status, 403);
      assert.equal(member.body.code, 'insights.forbidden');
      assert.equal((await read('?from=2024-01-01&to=2026-01-01')).body.code, 'insights.period_too_long');
      assert.equal((await read('?from=2026-11-10&to=2026-11-01')).body.code, 'insights.bad_period');
      const byDefault = Insights.parse((await read('')).body);
      assert.equal(byDefault.weeks.length, 12);
      assert.equal(byDefault.to, '2026-11-18');
    });
  });
  describe(`insights counters against the ledger (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    before(async () => (ctx = await setup(backend)));
    after(() => ctx?.cleanup());

    it('give, for a random ledger written, taken back and erased, what a direct count over the ledger gives', async () => {
      const rnd = random(7);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
      const kinds = ['comment.posted', 'useful.received', 'event.attended', 'introduction.made', 'reply.received', 'event.hosted'];
      const chapters = [null, 'lyon', 'paris', 'lille'];
      const members: string[] = [];
      for (let i = 0; i < 25; i++)
        members.push((await ctx.store.upsertMember('asso', { sub: `r${i}`, name: `r${i}`, iat: 1 } as never)).pk);
      // Ten weeks from Monday 7 September 2026, written in no particular order (imports backdate).
      const start = Date.parse('2026-09-07T00:00:00.000Z');
      for (let i = 0; i < 300; i++) {
        const at = iso(start + Math.floor(rnd() * 70 * DAY) + Math.floor(rnd() * DAY));
        await ctx.store.recordActivity('asso', pick(members), pick(kinds), `ref-${i % 120}`, { at, chapter: pick(chapters) });
      }
      for (let i = 0; i < 15; i++) await ctx.store.removeActivity('asso', kinds, `ref-${Math.floor(rnd() * 120)}`);
      await membersOf(ctx.store).erase('asso', members[3], 'delete');

      const weeks = Array.from({ length: 12 }, (_, i) => iso(start - 7 * DAY + i * 7 * DAY).slice(0, 10));
      const ledger = (await ctx.store.db.selectFrom('activities').selectAll().where('site_id', '=', 'asso').execute()).filter((a) =>
        (Object.values(PARTICIPATION) as string[]).includes(a.kind),
      );
      const first = new Map<string, string>();
      for (const a of ledger) if (!first.has(a.member_pk) || a.created_at < first.get(a.member_pk)!) first.set(a.member_pk, a.created_at);
      const direct = (chapter: string | null) =>
        weeks.map((week) => {
          const from = Date.parse(`${week}T00:00:00.000Z`);
          const inWeek = (at: string) => Date.parse(at) >= from && Date.parse(at) < from + 7 * DAY;
          const rows = ledger.filter((a) => inWeek(a.created_at) && (chapter === null || a.chapter_id === chapter));
          const who = (kind?: string) => new Set(rows.filter((a) => kind === undefined || a.kind === kind).map((a) => a.member_pk)).size;
          const newcomers = new Set(rows.filter((a) => inWeek(first.get(a.member_pk)!)).map((a) => a.member_pk)).size;
          return {
            week,
            members: who(),
            posted: who(PARTICIPATION.posted),
            useful: who(PARTICIPATION.useful),
            attended: who(PARTICIPATION.attended),
            introduced: who(PARTICIPATION.introduced),
            newcomers,
          };
        });
      const expected = chapters.map((c) => direct(c));
      assert.ok(expected[0].filter((w) => w.members > 5 && w.newcomers > 0).length >= 3, 'weeks with several members and newcomers');
      const kept = async () => Promise.all(chapters.map((c) => participationWeeks(ctx.store, 'asso', c, weeks)));
      assert.deepEqual(await kept(), expected);

      // The migration's backfill builds the same counters from the ledger alone.
      for (const t of ['insight_presence', 'insight_newcomers', 'insight_counts'] as const) await ctx.store.db.deleteFrom(t).execute();
      await backfillParticipation(ctx.store.db);
      assert.deepEqual(await kept(), expected);
    });
  });
}

/** Four members over three weeks of November 2026 (weeks starting 2, 9 and 16 November). */
async function seedScenario(store: Awaited<ReturnType<typeof setup>>['store']) {
  const at = (d: string) => `2026-11-${d}.000Z`;
  const pk: Record<string, string> = {};
  for (const sub of ['ann', 'bob', 'cat', 'dan']) {
    pk[sub] = (await store.upsertMember('asso', { sub, name: sub, iat: 1, chapters: ['lyon'] } as never)).pk;
  }
  const act = (who: string, kind: string, ref: string, when: string, chapter: string | null = null) =>
    store.recordActivity('asso', pk[who], kind, ref, { at: at(when), chapter });
  // Ann took part before the period: not a newcomer.
  await act('ann', 'comment.posted', 'c0', '01T09:00:00');
  await act('ann', 'comment.posted', 'c1', '03T09:00:00', 'lyon');
  await act('bob', 'comment.posted', 'c2', '04T09:00:00');
  await act('bob', 'event.attended', 'e0', '05T20:00:00');
  await act('ann', 'useful.received', 'c1:x', '10T09:00:00');
  await act('cat', 'event.attended', 'e1', '11T20:00:00', 'lyon');
  await act('ann', 'introduction.made', 'i1', '12T09:00:00');
  await act('dan', 'introduction.made', 'i1', '12T09:00:00');
  await act('cat', 'comment.posted', 'c3', '16T09:00:00');
  await act('cat', 'comment.posted', 'c4', '17T09:00:00');
  // A reaction is not taking part.
  await act('dan', 'reply.received', 'c4:r', '17T10:00:00');

  const db = store.db;
  await db
    .insertInto('introductions')
    .values([
      {
        id: newId(),
        site_id: 'asso',
        from_pk: pk.ann,
        to_pk: pk.dan,
        message: 'Hi',
        from_share: '[]',
        to_share: '[]',
        status: 'accepted',
        created_at: at('10T09:00:00'),
        answered_at: at('12T09:00:00'),
      },
      {
        id: newId(),
        site_id: 'asso',
        from_pk: pk.bob,
        to_pk: pk.cat,
        message: 'Hi',
        from_share: '[]',
        to_share: '[]',
        status: 'pending',
        created_at: at('11T09:00:00'),
        answered_at: null,
      },
    ])
    .execute();

  const thread = async (key: string, opened: string, answers: [string, string][]) => {
    const tpk = newId();
    await db
      .insertInto('threads')
      .values({
        pk: tpk,
        site_id: 'asso',
        key,
        title: key,
        audience: 'public',
        locked: 0,
        created_at: at(opened),
        published_count: 0,
        pending_count: 0,
      })
      .execute();
    const comment = (author: string, when: string, parent: string | null) => ({
      id: newId(),
      site_id: 'asso',
      thread_pk: tpk,
      parent_id: parent,
      author_pk: pk[author],
      body: 'text',
      status: 'published' as const,
      idempotency_key: null,
      idempotency_hash: null,
      created_at: at(when),
      edited_at: null,
      deleted_at: null,
      root_id: null,
      depth: parent ? 1 : 0,
      useful_count: 0,
      held_reason: null,
    });
    const first = comment('ann', opened, null);
    await db.insertInto('comments').values(first).execute();
    for (const [who, when] of answers)
      await db
        .insertInto('comments')
        .values(comment(who, when, first.id))
        .execute();
  };
  await thread('https://asso.example.fr/forum/question', '03T10:00:00', [['ann', '04T10:00:00']]);
  await thread('late-answer', '04T10:00:00', [['bob', '12T10:00:00']]);
  await thread('answered', '05T10:00:00', [['cat', '06T10:00:00']]);
  // Opened less than a week ago: not yet "unanswered".
  await thread('recent', '15T10:00:00', []);

  const event = async (title: string, chapter: string | null, day: string, capacity: number | null) =>
    store.insertEvent({
      site_id: 'asso',
      chapter_id: chapter,
      title,
      description: '',
      starts_at: at(`${day}T18:00:00`),
      ends_at: at(`${day}T20:00:00`),
      time_zone: 'Europe/Paris',
      place: null,
      online_url: null,
      capacity,
      audience: 'public',
      max_guests: 2,
      rsvp_deadline: null,
      url: null,
    });
  const lyon = await event('Afterwork Lyon', 'lyon', '05', 10);
  await store.setRsvp('asso', lyon.id, pk.bob, 'going', 1);
  await store.setRsvp('asso', lyon.id, pk.cat, 'going');
  await store.setRsvp('asso', lyon.id, pk.dan, 'declined');
  await db.updateTable('rsvps').set({ attended: 1 }).where('event_id', '=', lyon.id).where('member_pk', '=', pk.bob).execute();
  await db.updateTable('rsvps').set({ attended: 0 }).where('event_id', '=', lyon.id).where('member_pk', '=', pk.cat).execute();
  const paris = await event('Visite Paris', 'paris', '12', null);
  await store.setRsvp('asso', paris.id, pk.ann, 'going');
  const cancelled = await event('Annulé', null, '13', 5);
  await db
    .updateTable('events')
    .set({ cancelled_at: at('10T00:00:00') })
    .where('id', '=', cancelled.id)
    .execute();
}

/** A small deterministic generator: the same ledger on every run. */
function random(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
