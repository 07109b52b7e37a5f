import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { CheckIn, CheckInList, Series } from '../../src/contract/events.js';
import { Event } from '../../src/contract/resources.js';
import { changesOf } from '../../src/server/features/events/present.js';
import { csvCell } from '../../src/server/features/events/door.js';
import type { EventRow } from '../../src/server/store/schema.js';
import { backends, call, setup, token } from './support.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The wall-clock date `days` from now, in Paris, as `YYYY-MM-DD`. */
const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/** Expands a feed with ical.js: every occurrence of every VEVENT (masters with RRULE/EXDATE, their RECURRENCE-ID overrides). */
function expand(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevents = cal.getAllSubcomponents('vevent');
  const masters = vevents.filter((v) => !v.hasProperty('recurrence-id'));
  const out: { uid: string; start: string; end: string; summary: string; location: string | null }[] = [];
  for (const m of masters) {
    const ev = new ICAL.Event(m);
    for (const x of vevents.filter((v) => v.hasProperty('recurrence-id') && v.getFirstPropertyValue('uid') === ev.uid)) {
      ev.relateException(x);
    }
    if (!ev.isRecurring()) {
      out.push({
        uid: ev.uid,
        start: ev.startDate.toJSDate().toISOString(),
        end: ev.endDate.toJSDate().toISOString(),
        summary: ev.summary,
        location: ev.location,
      });
      continue;
    }
    const it = ev.iterator();
    for (let next = it.next(), n = 0; next && n < 500; next = it.next(), n++) {
      const d = ev.getOccurrenceDetails(next);
      out.push({
        uid: ev.uid,
        start: d.startDate.toJSDate().toISOString(),
        end: d.endDate.toJSDate().toISOString(),
        summary: d.item.summary,
        location: d.item.location,
      });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

for (const backend of backends()) {
  describe(`organisers: series, door, export (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let admin: string;
    let olga: string;
    let alice: string;
    let bob: string;
    let carol: string;
    before(async () => {
      ctx = await setup(backend);
      await ctx.store.upsertChapter('asso', 'toulouse', 'Toulouse');
      admin = await token({ sub: 'admin', name: 'Ada Admin', roles: ['member', 'admin'] });
      olga = await token({ sub: 'olga', name: 'Olga Organise', chapters: ['toulouse'] });
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: '=Bob "Formula" Leroy', chapters: ['toulouse'] });
      carol = await token({ sub: 'carol', name: 'Carol Petit', chapters: ['montpellier'] });
      for (const t of [admin, olga, alice, bob, carol]) await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t });
      await call(ctx.app, 'PUT', '/v1/sites/asso/chapters/toulouse/organisers/olga', { token: admin });
    });
    after(() => ctx.cleanup());

    const newSeries = (recurrence: Record<string, unknown>, over: Record<string, unknown> = {}, t = olga) =>
      call(ctx.app, 'POST', '/v1/sites/asso/series', {
        token: t,
        body: {
          title: 'Petit-déjeuner mensuel',
          chapter: 'toulouse',
          timeZone: 'Europe/Paris',
          startsAt: `${dateIn(3)}T08:00`,
          endsAt: `${dateIn(3)}T09:30`,
          place: 'Café du Capitole',
          capacity: 20,
          recurrence,
          ...over,
        },
      });

    it('the profile names the chapters a member organises (the widget loads the organiser tools for them)', async () => {
      assert.deepEqual((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: olga })).body.organises, [
        { id: 'toulouse', name: 'Toulouse' },
      ]);
      assert.deepEqual((await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: alice })).body.organises, []);
    });

    it('a monthly series by day of week: each occurrence an event at 08:00 Paris time, across daylight saving', async () => {
      const r = await newSeries({ freq: 'monthly', byDay: ['TU'], setPos: 1, count: 12 });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const s = Series.parse(r.body);
      assert.equal(s.rule, 'FREQ=MONTHLY;BYDAY=1TU');
      assert.equal(s.occurrences.length, 12);
      for (const o of s.occurrences) {
        const local = new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/Paris',
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
          day: 'numeric',
        }).format(new Date(o.startsAt));
        assert.match(local, /^Tue \d+, 08:00$/);
        assert.ok(Number(local.split(' ')[1].replace(',', '')) <= 7, 'first Tuesday');
        assert.equal(Date.parse(o.endsAt) - Date.parse(o.startsAt), 90 * 60_000);
        assert.deepEqual(o.series, { id: s.id, occurrence: o.startsAt });
        assert.equal(o.canManage, true);
      }
      const got = Series.parse((await call(ctx.app, 'GET', `/v1/sites/asso/series/${s.id}`, { token: alice })).body);
      assert.deepEqual(
        got.occurrences.map((o) => o.id),
        s.occurrences.map((o) => o.id),
      );
      assert.equal(got.occurrences[0].canManage, false);
    });

    it('every second Thursday, and monthly by date: the rule the organiser meant', async () => {
      const fortnight = Series.parse((await newSeries({ freq: 'weekly', interval: 2, byDay: ['TH'], until: dateIn(80) })).body);
      assert.equal(fortnight.rule, 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH');
      const gaps = fortnight.occurrences
        .slice(1)
        .map((o, i) => Math.round((Date.parse(o.startsAt) - Date.parse(fortnight.occurrences[i].startsAt)) / DAY));
      assert.ok(
        gaps.every((g) => g === 14),
        String(gaps),
      );
      const dated = Series.parse((await newSeries({ freq: 'monthly', monthDay: 15, count: 4 })).body);
      assert.equal(dated.rule, 'FREQ=MONTHLY;BYMONTHDAY=15');
      for (const o of dated.occurrences) {
        assert.equal(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', day: 'numeric' }).format(new Date(o.startsAt)), '15');
      }
    });

    it('refuses rules with no meeting, too many, no end, and nonsense, each with its code and field', async () => {
      const empty = await newSeries({ freq: 'monthly', monthDay: 31, until: dateIn(4) }, { startsAt: `${dateIn(3)}T08:00` });
      // Between the start and an end one day later there may be a 31st: pick a month day no month has soon.
      if (empty.status !== 201) assert.deepEqual([empty.status, empty.body.code], [400, 'series.empty']);
      const none = await newSeries({ freq: 'weekly', byDay: ['MO'], until: dateIn(2) });
      assert.deepEqual([none.status, none.body.code, none.body.errors[0].path], [400, 'series.bad_rule', 'body.recurrence.until']);
      const many = await newSeries({ freq: 'weekly', byDay: ['MO', 'TU', 'WE', 'TH', 'FR'], until: dateIn(600) });
      assert.deepEqual([many.status, many.body.code], [400, 'series.too_many']);
      const far = await newSeries({ freq: 'monthly', monthDay: 1, until: dateIn(1000) });
      assert.deepEqual([far.status, far.body.code], [400, 'series.too_many']);
      const endless = await newSeries({ freq: 'weekly' });
      assert.deepEqual([endless.status, endless.body.code], [400, 'series.bad_rule']);
      const mixed = await newSeries({ freq: 'monthly', monthDay: 3, setPos: 1, byDay: ['MO'], count: 3 });
      assert.deepEqual([mixed.status, mixed.body.code, mixed.body.errors[0].path], [400, 'series.bad_rule', 'body.recurrence.monthDay']);
      const backwards = await newSeries({ freq: 'weekly', count: 3 }, { endsAt: `${dateIn(3)}T07:00` });
      assert.deepEqual(
        [backwards.status, backwards.body.code, backwards.body.errors[0].path],
        [400, 'event.ends_before_start', 'body.endsAt'],
      );
      const zone = await newSeries({ freq: 'weekly', count: 3 }, { timeZone: 'Europe/Atlantis' });
      assert.equal(zone.status, 400);
      assert.equal(zone.body.errors[0].path, 'body.timeZone');
      const html = await newSeries({ freq: 'weekly', count: 3 }, { description: 'Voir [ici](javascript:alert(1))' });
      assert.deepEqual([html.status, html.body.code, html.body.errors[0].path], [400, 'event.description_markup', 'body.description']);
      const stranger = await newSeries({ freq: 'weekly', count: 3 }, {}, carol);
      assert.deepEqual([stranger.status, stranger.body.code], [403, 'event.not_organiser']);
    });

    it('moves and cancels occurrences one by one; the ICS feed, expanded by ical.js, gives the server occurrences', async () => {
      const s = Series.parse(
        (
          await newSeries(
            { freq: 'monthly', byDay: ['TH'], setPos: 2, count: 6 },
            { title: 'Apéro du deuxième jeudi', startsAt: `${dateIn(2)}T19:00`, endsAt: `${dateIn(2)}T21:00`, audience: 'public' },
          )
        ).body,
      );
      const [, second, third] = s.occurrences;
      const moved = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${second.id}`, {
        token: olga,
        body: {
          startsAt: new Date(Date.parse(second.startsAt) + DAY).toISOString(),
          endsAt: new Date(Date.parse(second.endsAt) + DAY).toISOString(),
          place: 'Bar des Arts',
        },
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      const m = Event.parse(moved.body);
      assert.equal(m.series?.occurrence, second.startsAt, 'the occurrence keeps its identity');
      const cancelled = await call(ctx.app, 'POST', `/v1/sites/asso/events/${third.id}/cancel`, {
        token: olga,
        body: { reason: 'Salle fermée' },
      });
      assert.equal(Event.parse(cancelled.body).cancelled, true);
      // Members answer each occurrence on its own.
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${s.occurrences[0].id}/rsvp`, { token: alice, body: { status: 'going' } });
      const other = Event.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${s.occurrences[3].id}`, { token: alice })).body);
      assert.equal(other.myRsvp, null);

      const feed = await call(ctx.app, 'GET', '/v1/sites/asso/calendar.ics');
      assert.equal(feed.status, 200);
      const text: string = feed.body;
      assert.match(text, /RRULE:FREQ=MONTHLY;BYDAY=2TH;UNTIL=\d{8}T\d{6}Z/);
      assert.match(text, /EXDATE;TZID=Europe\/Paris:\d{8}T190000/);
      assert.match(text, /RECURRENCE-ID;TZID=Europe\/Paris:\d{8}T190000/);
      const fromIcs = expand(text).filter((o) => o.uid === `series-${s.id}@asso.cercle`);
      const fromServer = Series.parse((await call(ctx.app, 'GET', `/v1/sites/asso/series/${s.id}`)).body)
        .occurrences.filter((o) => !o.cancelled)
        .map((o) => ({ start: o.startsAt, end: o.endsAt, location: o.place }));
      assert.deepEqual(
        fromIcs.map((o) => ({ start: o.start, end: o.end, location: o.location })),
        fromServer,
      );
      assert.equal(fromServer.length, 5);
      assert.equal(fromIcs.find((o) => o.location === 'Bar des Arts')?.start, m.startsAt);

      // A member's own feed: only the meetings they go to (the rule's others are EXDATEs).
      const made = await call(ctx.app, 'POST', '/v1/sites/asso/me/calendar-feed', { token: alice });
      const mine = await call(ctx.app, 'GET', made.body.path);
      assert.equal(mine.status, 200);
      const own = expand(mine.body).filter((o) => o.uid === `series-${s.id}@asso.cercle`);
      assert.deepEqual(
        own.map((o) => o.start),
        [s.occurrences[0].startsAt],
      );
    });

    it('cancelling a series cancels the meetings not yet begun', async () => {
      const s = Series.parse((await newSeries({ freq: 'weekly', count: 3 })).body);
      const r = await call(ctx.app, 'POST', `/v1/sites/asso/series/${s.id}/cancel`, { token: olga, body: { reason: 'Fin de saison' } });
      const after = Series.parse(r.body);
      assert.ok(after.occurrences.every((o) => o.cancelled && o.cancelReason === 'Fin de saison'));
      assert.equal((await call(ctx.app, 'POST', `/v1/sites/asso/series/${s.id}/cancel`, { token: alice, body: {} })).status, 403);
    });

    it('capacity below the places taken is refused, the field named', async () => {
      const s = Series.parse((await newSeries({ freq: 'weekly', count: 2 }, { capacity: 5 })).body);
      const e = s.occurrences[0];
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${e.id}/rsvp`, { token: alice, body: { status: 'going' } });
      await call(ctx.app, 'PUT', `/v1/sites/asso/events/${e.id}/rsvp`, { token: bob, body: { status: 'going' } });
      const r = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: olga, body: { capacity: 1 } });
      assert.deepEqual([r.status, r.body.code, r.body.errors[0].path], [409, 'event.capacity_below_taken', 'body.capacity']);
    });

    describe('at the door', () => {
      let eventId: string;
      before(async () => {
        const start = Date.now() + HOUR;
        const made = await call(ctx.app, 'POST', '/v1/sites/asso/events', {
          token: olga,
          body: {
            title: 'Petit-déjeuner',
            chapter: 'toulouse',
            timeZone: 'Europe/Paris',
            startsAt: new Date(start).toISOString(),
            endsAt: new Date(start + 2 * HOUR).toISOString(),
            audience: 'members',
          },
        });
        eventId = made.body.id;
        await call(ctx.app, 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, { token: alice, body: { status: 'going' } });
        await call(ctx.app, 'PUT', `/v1/sites/asso/events/${eventId}/rsvp`, { token: bob, body: { status: 'going' } });
        await call(ctx.app, 'PATCH', `/v1/sites/asso/members/alice`, {
          token: alice,
          body: { company: 'Durand SA', email: 'alice@example.fr', visibility: { email: 'members' } },
        });
        await call(ctx.app, 'PATCH', `/v1/sites/asso/members/bob`, {
          token: bob,
          body: { company: '+33 Conseil', phone: '+33 6 00 00 00 00' },
        });
      });
      const checkIn = (key: string, body: Record<string, unknown>, t = olga) =>
        call(ctx.app, 'PUT', `/v1/sites/asso/events/${eventId}/checkins/${key}`, { token: t, body });
      const attended = async () =>
        (
          await ctx.store.db
            .selectFrom('activities')
            .innerJoin('members', 'members.pk', 'activities.member_pk')
            .select(['members.host_id'])
            .where('activities.ref', '=', eventId)
            .where('activities.kind', '=', 'event.attended')
            .execute()
        )
          .map((r) => r.host_id)
          .sort();

      it('checks a member in once, whatever the retries and keys; attendance reaches the ledger', async () => {
        const first = await checkIn('key-alice-0001', { member: 'alice' });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.deepEqual([CheckIn.parse(first.body).member?.id, first.body.duplicate], ['alice', false]);
        const replay = await checkIn('key-alice-0001', { member: 'alice' });
        assert.deepEqual([replay.status, replay.body.at], [200, first.body.at]);
        const other = await checkIn('key-alice-0002', { member: 'alice' });
        assert.deepEqual([other.status, other.body.duplicate, other.body.key], [200, true, 'key-alice-0001']);
        const reused = await checkIn('key-alice-0001', { member: 'bob' });
        assert.deepEqual([reused.status, reused.body.code], [422, 'idempotency.mismatch']);
        // Two devices at once: one check-in.
        const [a, b] = await Promise.all([checkIn('key-bob-00000a', { member: 'bob' }), checkIn('key-bob-00000b', { member: 'bob' })]);
        assert.deepEqual([a.status, b.status], [200, 200]);
        assert.equal([a.body.duplicate, b.body.duplicate].filter(Boolean).length, 1);
        const list = CheckInList.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}/checkins`, { token: olga })).body);
        assert.deepEqual([list.count, list.going], [2, 2]);
        assert.deepEqual(await attended(), ['alice', 'bob']);
        const attendees = (await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}/attendees`, { token: olga })).body;
        assert.deepEqual(
          attendees.items.map((i: { attended: boolean | null }) => i.attended),
          [true, true],
        );
      });

      it('refuses someone not going unless a walk-in; walk-ins with and without a member', async () => {
        const refused = await checkIn('key-carol-0001', { member: 'carol' });
        assert.deepEqual([refused.status, refused.body.code, refused.body.errors[0].path], [409, 'checkin.not_going', 'body.member']);
        const walk = await checkIn('key-carol-0002', { member: 'carol', walkIn: true });
        assert.deepEqual([walk.status, walk.body.walkIn, walk.body.name], [200, true, 'Carol Petit']);
        const stranger = await checkIn('key-guest-0001', { walkIn: true, name: '@Guest Speaker' });
        assert.deepEqual([stranger.status, stranger.body.member], [200, null]);
        assert.equal((await checkIn('key-guest-0002', { walkIn: true })).body.code, 'checkin.name_required');
        assert.equal((await checkIn('key-guest-0003', {})).body.code, 'checkin.member_required');
        assert.equal((await checkIn('key-guest-0004', { member: 'nobody' })).body.code, 'checkin.unknown_member');
        assert.equal((await checkIn('key-guest-0005', { member: 'alice' }, alice)).body.code, 'event.not_organiser');
        const v = Event.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}`, { token: olga })).body);
        assert.equal(v.going, 3, 'the walk-in member is now going');
        assert.deepEqual(await attended(), ['alice', 'bob', 'carol']);
        const list = CheckInList.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}/checkins`, { token: olga })).body);
        assert.equal(list.count, 4);
      });

      it('refuses check-in long before the start', async () => {
        const later = await call(ctx.app, 'POST', '/v1/sites/asso/events', {
          token: olga,
          body: {
            title: 'Later',
            chapter: 'toulouse',
            timeZone: 'UTC',
            startsAt: new Date(Date.now() + 5 * DAY).toISOString(),
            endsAt: new Date(Date.now() + 5 * DAY + HOUR).toISOString(),
          },
        });
        const r = await call(ctx.app, 'PUT', `/v1/sites/asso/events/${later.body.id}/checkins/key-early-0001`, {
          token: olga,
          body: { walkIn: true, name: 'X' },
        });
        assert.deepEqual([r.status, r.body.code], [409, 'checkin.too_early']);
      });

      it('exports the attendees as CSV with only the fields each shows, formula cells defused', async () => {
        const r = await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}/attendees.csv`, { token: olga });
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
        const lines = String(r.body)
          .replace(/^\ufeff/, '')
          .trim()
          .split('\r\n');
        assert.equal(lines[0], 'name,status,guests,checked_in,walk_in,headline,company,association_role,website,linkedin,email,phone');
        const aliceLine = lines.find((l) => l.startsWith('"Alice'))!;
        assert.match(aliceLine, /"Durand SA"/);
        assert.match(aliceLine, /"alice@example\.fr"/, 'email shown to members');
        const bobLine = lines.find((l) => l.includes('Bob'))!;
        assert.ok(bobLine.startsWith(`"'=Bob ""Formula"" Leroy"`), bobLine);
        assert.match(bobLine, /"'\+33 Conseil"/);
        assert.doesNotMatch(bobLine, /33 6 00/, 'phone private by default');
        assert.ok(lines.some((l) => l.startsWith(`"'@Guest Speaker","walk-in"`)));
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${eventId}/attendees.csv`, { token: alice })).status, 403);
      });

      it('takes back a check-in made by mistake, with its ledger entry; taking it back twice is harmless', async () => {
        const undo = () => call(ctx.app, 'DELETE', `/v1/sites/asso/events/${eventId}/checkins/key-alice-0001`, { token: olga });
        const first = await undo();
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.equal(
          CheckInList.parse(first.body).items.some((k) => k.member?.id === 'alice'),
          false,
        );
        assert.deepEqual(await attended(), ['bob', 'carol']);
        const again = await undo();
        assert.deepEqual([again.status, again.body.count], [200, first.body.count]);
        assert.equal(
          (await call(ctx.app, 'DELETE', `/v1/sites/asso/events/${eventId}/checkins/key-alice-0001`, { token: alice })).status,
          403,
        );
        // Let in again, under a new key: counted once.
        assert.equal((await checkIn('key-alice-0003', { member: 'alice' })).body.duplicate, false);
        assert.deepEqual(await attended(), ['alice', 'bob', 'carol']);
      });
    });
  });
}

describe('organiser helpers', () => {
  it('csvCell quotes, doubles quotes and defuses formulas', () => {
    assert.deepEqual(['=1+1', '+1', '-1', '@x', 'a"b', 'plain', null].map(csvCell), [
      `"'=1+1"`,
      `"'+1"`,
      `"'-1"`,
      `"'@x"`,
      '"a""b"',
      '"plain"',
      '""',
    ]);
  });
  it('changesOf tells time, place, link, title and details apart', () => {
    const before = { starts_at: 'a', ends_at: 'b', place: 'p', online_url: null, title: 't', capacity: 5 } as unknown as EventRow;
    assert.deepEqual(changesOf(before, { starts_at: 'c' }), ['time']);
    assert.deepEqual(changesOf(before, { place: 'q', title: 'u' }), ['place', 'title']);
    assert.deepEqual(changesOf(before, { online_url: 'https://visio.example/x' }), ['online']);
    assert.deepEqual(changesOf(before, { place: 'p', capacity: 9 }), []);
  });
});
