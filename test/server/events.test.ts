import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { AttendeeList, CalendarFeed } from '../../src/contract/events.js';
import { Event, EventPage } from '../../src/contract/resources.js';
import { backends, call, setup, token } from './support.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Parses an iCalendar text with ical.js, registering its own VTIMEZONEs (ical.js knows no zone but UTC). */
function parseIcs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      location: e.location,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      zone: e.startDate.zone?.tzid,
      status: v.getFirstPropertyValue('status'),
      sequence: e.sequence,
      tzidParam: v.getFirstProperty('dtstart')?.getParameter('tzid') ?? null,
    };
  });
  return { cal, events };
}

/** Checks the framing RFC 5545 asks for, which a tolerant parser would not catch. */
function assertWellFormed(text: string) {
  assert.ok(text.endsWith('\r\n'));
  assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'CRLF line ends only');
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line longer than 75 octets: ${line}`);
  for (const required of ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:', 'END:VCALENDAR']) assert.ok(text.includes(required), required);
  const vevents = text.split('BEGIN:VEVENT').slice(1);
  for (const v of vevents) {
    for (const p of ['\r\nUID:', '\r\nDTSTAMP:', '\r\nDTSTART', '\r\nSEQUENCE:', '\r\nSTATUS:']) assert.ok(v.includes(p), p);
  }
}

for (const backend of backends()) {
  describe(`events (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let admin: string;
    let alice: string;
    let bob: string;
    let carol: string;
    let dave: string;
    let olga: string;
    before(async () => {
      ctx = await setup(backend);
      await ctx.store.upsertChapter('asso', 'toulouse', 'Toulouse');
      await ctx.store.upsertChapter('asso', 'montpellier', 'Montpellier');
      admin = await token({ sub: 'admin', name: 'Ada Admin', roles: ['member', 'admin'] });
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['toulouse'] });
      carol = await token({ sub: 'carol', name: 'Carol Petit', chapters: ['montpellier'] });
      dave = await token({ sub: 'dave', name: 'Dave Moreau', chapters: ['toulouse'] });
      olga = await token({ sub: 'olga', name: 'Olga Organise', chapters: ['toulouse'] });
      for (const t of [admin, alice, bob, carol, dave, olga]) await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t });
    });
    after(() => ctx.cleanup());

    const create = (body: Record<string, unknown>, t = admin) => call(ctx.app, 'POST', '/v1/sites/asso/events', { token: t, body });
    const base = (over: Record<string, unknown> = {}) => ({
      title: 'Petit-déjeuner du chapitre',
      chapter: 'toulouse',
      timeZone: 'Europe/Paris',
      startsAt: iso(Date.now() + 7 * DAY),
      endsAt: iso(Date.now() + 7 * DAY + 2 * HOUR),
      place: 'Capitole, Toulouse',
      ...over,
    });
    const made = async (over: Record<string, unknown> = {}) => {
      const r = await create(base(over));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return Event.parse(r.body);
    };
    const rsvp = (id: string, t: string, body: unknown) => call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: t, body });
    const get = async (id: string, t?: string) => {
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/events/${id}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return Event.parse(r.body);
    };
    const rsvpRows = async (id: string) => ctx.store.db.selectFrom('rsvps').selectAll().where('event_id', '=', id).execute();
    const pkOf = async (hostId: string) => (await ctx.store.memberByHostId('asso', hostId))!.pk;

    describe('creating and editing', () => {
      it("reads wall-clock times in the event's zone and keeps instants as given", async () => {
        const winter = await made({ startsAt: '2031-12-03T19:00', endsAt: '2031-12-03T21:30', timeZone: 'Europe/Paris' });
        assert.equal(winter.startsAt, '2031-12-03T18:00:00.000Z');
        assert.equal(winter.endsAt, '2031-12-03T20:30:00.000Z');
        const summer = await made({ startsAt: '2031-07-03T19:00:00', endsAt: '2031-07-03T21:00:00', timeZone: 'Europe/Paris' });
        assert.equal(summer.startsAt, '2031-07-03T17:00:00.000Z');
        const ny = await made({ startsAt: '2031-07-03T19:00:00-04:00', endsAt: '2031-07-04T01:00:00Z', timeZone: 'America/New_York' });
        assert.equal(ny.startsAt, '2031-07-03T23:00:00.000Z');
        assert.equal(ny.timeZone, 'America/New_York');
        assert.equal(winter.organiser?.id, 'admin');
        assert.equal(winter.canManage, true);
        assert.equal(winter.sequence, 0);
      });

      it('refuses bad events with a clear code and stores nothing', async () => {
        const before = (await ctx.store.db.selectFrom('events').select('id').execute()).length;
        const cases: [Record<string, unknown>, number, string, string?][] = [
          [{ endsAt: iso(Date.now() + 6 * DAY) }, 400, 'event.ends_before_start', 'body.endsAt'],
          [{ endsAt: iso(Date.now() + 7 * DAY) }, 400, 'event.ends_before_start'],
          [{ timeZone: 'Mars/Olympus_Mons' }, 400, 'request.invalid', 'body.timeZone'],
          [{ timeZone: 'europe/paris' }, 400, 'request.invalid', 'body.timeZone'],
          [{ timeZone: '+01:00' }, 400, 'request.invalid', 'body.timeZone'],
          [{ capacity: 0 }, 400, 'request.invalid', 'body.capacity'],
          [{ capacity: -5 }, 400, 'request.invalid', 'body.capacity'],
          [{ capacity: 2.5 }, 400, 'request.invalid', 'body.capacity'],
          [{ maxGuests: -1 }, 400, 'request.invalid', 'body.maxGuests'],
          [{ rsvpDeadline: iso(Date.now() + 8 * DAY) }, 400, 'event.deadline_after_start', 'body.rsvpDeadline'],
          [{ startsAt: 'tomorrow' }, 400, 'request.invalid', 'body.startsAt'],
          [{ title: '   ' }, 400, 'request.invalid', 'body.title'],
          [{ onlineUrl: 'javascript:alert(1)' }, 400, 'request.invalid', 'body.onlineUrl'],
          [{ audience: 'everyone' }, 400, 'request.invalid', 'body.audience'],
          [{ secret: 1 }, 400, 'request.invalid'],
          [{ organiser: 'nobody-here' }, 400, 'event.unknown_organiser'],
        ];
        for (const [over, status, code, path] of cases) {
          const r = await create(base(over));
          assert.equal(r.status, status, `${JSON.stringify(over)} → ${JSON.stringify(r.body)}`);
          assert.equal(r.body.code, code, JSON.stringify(over));
          assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
          if (path)
            assert.ok(
              r.body.errors?.some((e: { path: string }) => e.path === path),
              `${path} in ${JSON.stringify(r.body.errors)}`,
            );
        }
        assert.equal((await ctx.store.db.selectFrom('events').select('id').execute()).length, before);
      });

      it('lets admins and chapter organisers create, and nobody else', async () => {
        assert.equal((await create(base(), alice)).status, 403);
        assert.equal((await create(base(), alice)).body.code, 'event.not_organiser');
        // Only admins name chapter organisers.
        assert.equal(
          (await call(ctx.app, 'PUT', '/v1/sites/asso/chapters/toulouse/organisers/olga', { token: alice, body: {} })).status,
          403,
        );
        const added = await call(ctx.app, 'PUT', '/v1/sites/asso/chapters/toulouse/organisers/olga', { token: admin, body: {} });
        assert.deepEqual(added.body, { chapter: 'toulouse', members: ['olga'] });
        const e = await made();
        const own = await create(base({ title: 'Afterwork' }), olga);
        assert.equal(own.status, 201, JSON.stringify(own.body));
        assert.equal(own.body.organiser.id, 'olga');
        assert.equal((await create(base({ chapter: 'montpellier' }), olga)).status, 403);
        assert.equal((await create(base({ chapter: null }), olga)).status, 403);
        assert.equal((await create(base({ organiser: 'alice' }), olga)).body.code, 'event.organiser_admin_only');
        // A chapter organiser manages every event of the chapter, an admin's too.
        assert.equal(
          (await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: olga, body: { title: 'Renamed' } })).status,
          200,
        );
        const list = await call(ctx.app, 'GET', '/v1/sites/asso/chapters/toulouse/organisers', { token: admin });
        assert.deepEqual(list.body.members, ['olga']);
        await call(ctx.app, 'DELETE', '/v1/sites/asso/chapters/toulouse/organisers/olga', { token: admin, body: {} });
        assert.equal(
          (await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: olga, body: { title: 'Again' } })).status,
          403,
        );
        // She still manages the event she organises.
        assert.equal(
          (await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${own.body.id}`, { token: olga, body: { title: "Afterwork d'été" } }))
            .status,
          200,
        );
      });

      it('edits: times in the new zone, sequence up, capacity never below places taken', async () => {
        const e = await made({ capacity: 3, maxGuests: 1 });
        assert.equal((await rsvp(e.id, alice, { status: 'going', guests: 1 })).status, 200);
        const r = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: admin, body: { capacity: 1 } });
        assert.equal(r.status, 409);
        assert.equal(r.body.code, 'event.capacity_below_taken');
        const ok = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, {
          token: admin,
          body: { startsAt: '2032-01-10T09:00', endsAt: '2032-01-10T11:00', timeZone: 'America/Montreal', capacity: 2 },
        });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        const after = Event.parse(ok.body);
        assert.equal(after.startsAt, '2032-01-10T14:00:00.000Z');
        assert.equal(after.sequence, 1);
        assert.equal(after.placesLeft, 0);
        const bad = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: admin, body: { endsAt: '2032-01-10T08:00' } });
        assert.equal(bad.body.code, 'event.ends_before_start');
        assert.equal((await get(e.id, admin)).sequence, 1, 'a refused edit changes nothing');
        assert.equal(
          (await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: bob, body: { title: 'Mine' } })).body.code,
          'event.not_organiser',
        );
        assert.equal((await call(ctx.app, 'PATCH', '/v1/sites/asso/events/nope', { token: admin, body: { title: 'x' } })).status, 404);
      });
    });

    describe('answers, capacity and the waitlist', () => {
      it('fills the event, queues the next ones in order and promotes them when a place frees up', async () => {
        const e = await made({ capacity: 2 });
        const a = Event.parse((await rsvp(e.id, alice, { status: 'going' })).body);
        assert.deepEqual([a.myRsvp?.status, a.going, a.placesLeft], ['going', 1, 1]);
        Event.parse((await rsvp(e.id, bob, { status: 'going' })).body);
        const c = Event.parse((await rsvp(e.id, carol, { status: 'going' })).body);
        assert.deepEqual([c.myRsvp?.status, c.myRsvp?.position, c.placesLeft, c.waitlist], ['waitlist', 1, 0, 1]);
        const d = Event.parse((await rsvp(e.id, dave, { status: 'going' })).body);
        assert.deepEqual([d.myRsvp?.status, d.myRsvp?.position], ['waitlist', 2]);
        // Asking again keeps one's place in the queue.
        assert.equal(Event.parse((await rsvp(e.id, carol, { status: 'going' })).body).myRsvp?.position, 1);

        const left = Event.parse((await rsvp(e.id, alice, { status: 'declined' })).body);
        assert.deepEqual([left.myRsvp?.status, left.going, left.waitlist], ['declined', 2, 1]);
        const promoted = await get(e.id, carol);
        assert.equal(promoted.myRsvp?.status, 'going');
        assert.ok(promoted.myRsvp?.promotedAt, 'the promoted member sees it next time');
        assert.equal((await get(e.id, dave)).myRsvp?.position, 1);
        const seen = await call(ctx.app, 'POST', `/v1/sites/asso/events/${e.id}/rsvp/seen`, { token: carol, body: {} });
        assert.equal(seen.status, 200);
        assert.equal(Event.parse(seen.body).myRsvp?.promotedAt, null);
        assert.equal((await get(e.id, carol)).myRsvp?.promotedAt, null);

        // Coming back after declining: the end of the queue.
        assert.equal(Event.parse((await rsvp(e.id, alice, { status: 'going' })).body).myRsvp?.position, 2);
        // Maybe from going also frees the place.
        await rsvp(e.id, bob, { status: 'maybe' });
        assert.equal((await get(e.id, dave)).myRsvp?.status, 'going');
        assert.equal((await get(e.id, alice)).myRsvp?.position, 1);
      });

      it('counts guests in the places; a party too large waits while smaller ones go', async () => {
        const e = await made({ capacity: 4, maxGuests: 2 });
        assert.equal(Event.parse((await rsvp(e.id, alice, { status: 'going', guests: 2 })).body).taken, 3);
        const b = Event.parse((await rsvp(e.id, bob, { status: 'going', guests: 2 })).body);
        assert.deepEqual([b.myRsvp?.status, b.placesLeft], ['waitlist', 1]);
        const c = Event.parse((await rsvp(e.id, carol, { status: 'going' })).body);
        assert.equal(c.myRsvp?.status, 'going', 'one place left: a party of one takes it');
        // More guests than places left: refused, place kept as it was.
        const more = await rsvp(e.id, carol, { status: 'going', guests: 1 });
        assert.equal(more.status, 409);
        assert.equal(more.body.code, 'rsvp.not_enough_places');
        assert.equal((await get(e.id, carol)).myRsvp?.guests, 0);
        // Alice comes alone: two places free up, Bob's party of three still does not fit…
        await rsvp(e.id, alice, { status: 'going', guests: 0 });
        assert.equal((await get(e.id, bob)).myRsvp?.status, 'waitlist');
        // …until Carol leaves.
        await rsvp(e.id, carol, { status: 'declined' });
        const bob2 = await get(e.id, bob);
        assert.deepEqual([bob2.myRsvp?.status, bob2.taken, bob2.placesLeft], ['going', 4, 0]);
        const tooMany = await rsvp(e.id, dave, { status: 'going', guests: 3 });
        assert.equal(tooMany.status, 400);
        assert.equal(tooMany.body.code, 'rsvp.too_many_guests');
      });

      it('raising the capacity promotes from the waitlist', async () => {
        const e = await made({ capacity: 1 });
        await rsvp(e.id, alice, { status: 'going' });
        await rsvp(e.id, bob, { status: 'going' });
        await rsvp(e.id, dave, { status: 'going' });
        const r = await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: admin, body: { capacity: 2 } });
        assert.deepEqual([r.body.going, r.body.waitlist], [2, 1]);
        assert.equal((await get(e.id, bob)).myRsvp?.status, 'going');
        await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: admin, body: { capacity: null } });
        assert.equal((await get(e.id, dave)).myRsvp?.status, 'going');
      });

      it('refuses answers that may not be given, changing nothing', async () => {
        const closed = await made({ rsvpDeadline: iso(Date.now() - HOUR) });
        const started = await made({ startsAt: iso(Date.now() - HOUR), endsAt: iso(Date.now() + HOUR) });
        const past = await made({ startsAt: iso(Date.now() - 2 * DAY), endsAt: iso(Date.now() - DAY) });
        const cancelled = await made();
        await rsvp(cancelled.id, alice, { status: 'going' });
        await call(ctx.app, 'POST', `/v1/sites/asso/events/${cancelled.id}/cancel`, { token: admin, body: {} });
        const open = await made({ maxGuests: 1 });
        const cases: [string, string | undefined, unknown, number, string][] = [
          [closed.id, alice, { status: 'going' }, 409, 'rsvp.closed'],
          [started.id, alice, { status: 'going' }, 409, 'event.started'],
          [past.id, alice, { status: 'maybe' }, 409, 'event.started'],
          [cancelled.id, bob, { status: 'going' }, 409, 'event.cancelled'],
          [cancelled.id, alice, { status: 'declined' }, 409, 'event.cancelled'],
          [open.id, alice, { status: 'going', guests: 2 }, 400, 'rsvp.too_many_guests'],
          [open.id, alice, { status: 'going', member: 'bob' }, 400, 'request.invalid'],
          [open.id, alice, { status: 'going', memberId: 'bob' }, 400, 'request.invalid'],
          [open.id, alice, { status: 'waitlist' }, 400, 'request.invalid'],
          [open.id, alice, { status: 'going', guests: -1 }, 400, 'request.invalid'],
          [open.id, undefined, { status: 'going' }, 401, 'auth.missing'],
          ['no-such-event', alice, { status: 'going' }, 404, 'event.not_found'],
        ];
        for (const [id, t, body, status, code] of cases) {
          const before = JSON.stringify(await rsvpRows(id));
          const r = await call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/rsvp`, { token: t, body });
          assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.code, code);
          assert.equal(JSON.stringify(await rsvpRows(id)), before, `${code}: nothing changed`);
        }
        const c = await get(cancelled.id, alice);
        assert.deepEqual([c.cancelled, c.rsvpOpen, c.myRsvp?.status], [true, false, 'going']);
        assert.equal((await get(closed.id)).rsvpOpen, false);
        assert.equal((await get(open.id)).rsvpOpen, true);
      });
    });

    describe('concurrency', () => {
      const many = async (n: number, prefix: string) =>
        Promise.all(
          Array.from({ length: n }, (_, i) => token({ sub: `${prefix}${String(i).padStart(2, '0')}`, name: `Member ${prefix}${i}` })),
        );

      it('many simultaneous answers never exceed capacity; the waitlist is contiguous, in arrival order', async () => {
        const e = await made({ capacity: 7, maxGuests: 1 });
        const first = await many(30, 'w');
        const second = await many(15, 'x');
        // First wave at once (half of them with a guest), then a second wave once the first is in.
        const r1 = await Promise.all(first.map((t, i) => rsvp(e.id, t, { status: 'going', guests: i % 2 })));
        assert.ok(
          r1.every((r) => r.status === 200),
          JSON.stringify(r1.find((r) => r.status !== 200)?.body),
        );
        const r2 = await Promise.all(second.map((t) => rsvp(e.id, t, { status: 'going' })));
        assert.ok(r2.every((r) => r.status === 200));
        const rows = await rsvpRows(e.id);
        const going = rows.filter((r) => r.status === 'going');
        const taken = going.reduce((s, r) => s + 1 + Number(r.guests), 0);
        assert.ok(taken <= 7, `overbooked: ${taken} places taken of 7`);
        assert.ok(taken >= 6, `places left empty while people wait: ${taken}`);
        const waiting = rows.filter((r) => r.status === 'waitlist').sort((a, b) => Number(a.waitlist_seq) - Number(b.waitlist_seq));
        assert.equal(going.length + waiting.length, 45);
        const seqs = waiting.map((r) => Number(r.waitlist_seq));
        assert.equal(new Set(seqs).size, seqs.length, 'no two members share a place in the queue');
        // Everyone of the second wave queues behind everyone of the first.
        const secondPks = new Set(await Promise.all(Array.from({ length: 15 }, (_, i) => pkOf(`x${String(i).padStart(2, '0')}`))));
        const firstWaiting = waiting.filter((r) => !secondPks.has(r.member_pk));
        const secondWaiting = waiting.filter((r) => secondPks.has(r.member_pk));
        assert.equal(secondWaiting.length, 15);
        assert.ok(
          Math.max(...firstWaiting.map((r) => Number(r.waitlist_seq))) < Math.min(...secondWaiting.map((r) => Number(r.waitlist_seq))),
        );
        // Positions the members see are 1..n in queue order.
        const positions = await Promise.all(
          secondWaiting.slice(0, 3).map(async (r) => {
            const hostId = (
              await ctx.store.db.selectFrom('members').select('host_id').where('pk', '=', r.member_pk).executeTakeFirstOrThrow()
            ).host_id;
            return (await get(e.id, await token({ sub: hostId }))).myRsvp?.position;
          }),
        );
        assert.deepEqual(positions, [firstWaiting.length + 1, firstWaiting.length + 2, firstWaiting.length + 3]);

        // Those going leave at once: the head of the queue takes their places, in order, never more.
        const leaving = going.slice(0, 3);
        const hosts = await Promise.all(
          leaving.map(
            async (r) =>
              (await ctx.store.db.selectFrom('members').select('host_id').where('pk', '=', r.member_pk).executeTakeFirstOrThrow()).host_id,
          ),
        );
        const out = await Promise.all(hosts.map(async (h) => rsvp(e.id, await token({ sub: h }), { status: 'declined' })));
        assert.ok(out.every((r) => r.status === 200));
        const after = await rsvpRows(e.id);
        const takenAfter = after.filter((r) => r.status === 'going').reduce((s, r) => s + 1 + Number(r.guests), 0);
        assert.ok(takenAfter <= 7 && takenAfter >= 6, `${takenAfter} places taken`);
        const stillWaiting = new Set(after.filter((r) => r.status === 'waitlist').map((r) => r.member_pk));
        const promoted = waiting.filter((r) => !stillWaiting.has(r.member_pk));
        assert.ok(promoted.length >= 1);
        // The promoted are the head of the queue, except a party too large for the places left.
        const skipped = waiting.slice(0, waiting.indexOf(promoted[promoted.length - 1])).filter((r) => stillWaiting.has(r.member_pk));
        assert.ok(
          skipped.every((r) => Number(r.guests) > 0),
          'only larger parties are skipped',
        );
      });

      it('a burst of answers to a small event admits exactly its capacity', async () => {
        const e = await made({ capacity: 5 });
        const tokens = await many(40, 'y');
        const rs = await Promise.all(tokens.map((t) => rsvp(e.id, t, { status: 'going' })));
        assert.ok(rs.every((r) => r.status === 200));
        const statuses = rs.map((r) => r.body.myRsvp.status);
        assert.equal(statuses.filter((s) => s === 'going').length, 5);
        assert.equal(statuses.filter((s) => s === 'waitlist').length, 35);
        const positions = rs
          .filter((r) => r.body.myRsvp.status === 'waitlist')
          .map((r) => r.body.myRsvp.position as number)
          .sort((a, b) => a - b);
        assert.deepEqual(
          positions,
          Array.from({ length: 35 }, (_, i) => i + 1),
          'each answer saw every earlier one',
        );
        const final = await get(e.id);
        assert.deepEqual([final.going, final.taken, final.placesLeft, final.waitlist], [5, 5, 0, 35]);
      });
      if (backend.name === 'sqlite') {
        it('several connections to one SQLite file (threads) never overbook', async () => {
          const e = await made({ capacity: 6 });
          const {
            rows: [main],
          } = await sql<{ file: string }>`pragma database_list`.execute(ctx.store.db);
          const dbFile = main.file;
          const pks = await Promise.all(
            (await many(48, 'z')).map(async (t, i) => {
              await call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t });
              return pkOf(`z${String(i).padStart(2, '0')}`);
            }),
          );
          const barrier = new SharedArrayBuffer(8);
          new Int32Array(barrier)[1] = 4;
          const results = await Promise.all(
            [0, 1, 2, 3].map(
              (w) =>
                new Promise<{ statuses: string[]; errors: string[] }>((resolve, reject) => {
                  // A bootstrap that registers tsx in the thread, then loads the TypeScript worker.
                  const boot =
                    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); ` +
                    `return import(${JSON.stringify(new URL('./events-worker.ts', import.meta.url).href)}); });`;
                  const worker = new Worker(boot, {
                    eval: true,
                    workerData: { file: dbFile, site: 'asso', event: e.id, members: pks.filter((_, i) => i % 4 === w), barrier },
                  });
                  worker.once('message', resolve);
                  worker.once('error', reject);
                }),
            ),
          );
          assert.deepEqual(
            results.flatMap((r) => r.errors),
            [],
          );
          const statuses = results.flatMap((r) => r.statuses);
          assert.equal(statuses.filter((s) => s === 'going').length, 6);
          const rows = await rsvpRows(e.id);
          assert.equal(rows.filter((r) => r.status === 'going').length, 6);
          const seqs = rows
            .filter((r) => r.status === 'waitlist')
            .map((r) => Number(r.waitlist_seq))
            .sort((a, b) => a - b);
          assert.deepEqual(
            seqs,
            Array.from({ length: 42 }, (_, i) => i + 1 + Math.min(...seqs) - 1),
          );
        });
      }
    });

    describe('who is going', () => {
      it('is for members only; organisers also see the queue and the declines', async () => {
        const e = await made({ capacity: 1, onlineUrl: 'https://visio.example.org/room-42' });
        await rsvp(e.id, alice, { status: 'going' });
        await rsvp(e.id, bob, { status: 'maybe' });
        await rsvp(e.id, dave, { status: 'going' });
        await rsvp(e.id, carol, { status: 'declined' });
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/attendees`)).status, 401);
        const m = AttendeeList.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/attendees`, { token: carol })).body);
        assert.deepEqual(
          m.items.map((a) => [a.member.id, a.status, a.position, a.attended]),
          [
            ['alice', 'going', null, null],
            ['bob', 'maybe', null, null],
          ],
        );
        assert.deepEqual([m.going, m.maybe, m.waitlist], [1, 1, 1]);
        const o = AttendeeList.parse((await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/attendees`, { token: admin })).body);
        assert.deepEqual(
          o.items.map((a) => [a.member.id, a.status, a.position]),
          [
            ['alice', 'going', null],
            ['bob', 'maybe', null],
            ['dave', 'waitlist', 1],
            ['carol', 'declined', null],
          ],
        );
        // The online link: for those going and organisers only.
        assert.equal((await get(e.id, alice)).onlineUrl, 'https://visio.example.org/room-42');
        assert.equal((await get(e.id, bob)).onlineUrl, null);
        assert.equal((await get(e.id, bob)).online, true);
        assert.equal((await get(e.id)).onlineUrl, null);
        assert.equal((await get(e.id, admin)).onlineUrl, 'https://visio.example.org/room-42');
      });
    });

    describe('audience', () => {
      it('shows each reader only the events meant for them, everywhere', async () => {
        const members = await made({
          title: 'Members only',
          audience: 'members',
          chapter: 'montpellier',
          startsAt: iso(Date.now() + 300 * DAY),
          endsAt: iso(Date.now() + 300 * DAY + HOUR),
        });
        const chapter = await made({
          title: 'Toulouse only',
          audience: 'chapter:toulouse',
          startsAt: iso(Date.now() + 300 * DAY),
          endsAt: iso(Date.now() + 300 * DAY + HOUR),
        });
        const admins = await made({
          title: 'Admins only',
          audience: 'role:admin',
          chapter: 'montpellier',
          startsAt: iso(Date.now() + 300 * DAY),
          endsAt: iso(Date.now() + 300 * DAY + HOUR),
        });
        const titles = async (t?: string) => {
          const r = await call(
            ctx.app,
            'GET',
            `/v1/sites/asso/events?from=${iso(Date.now() + 299 * DAY)}&to=${iso(Date.now() + 302 * DAY)}`,
            { token: t },
          );
          return EventPage.parse(r.body)
            .items.map((e) => e.title)
            .sort();
        };
        assert.deepEqual(await titles(), []);
        assert.deepEqual(await titles(carol), ['Members only']);
        assert.deepEqual(await titles(alice), ['Members only', 'Toulouse only']);
        assert.deepEqual(await titles(admin), ['Admins only', 'Members only', 'Toulouse only']);
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${members.id}`)).status, 401);
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${chapter.id}`, { token: carol })).body.code, 'event.forbidden');
        assert.equal((await rsvp(chapter.id, carol, { status: 'going' })).body.code, 'event.forbidden');
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${admins.id}/attendees`, { token: alice })).status, 403);
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events/${chapter.id}/calendar.ics`, { token: carol })).status, 403);
        assert.equal((await rsvp(chapter.id, alice, { status: 'going' })).status, 200);
      });

      it('filters by chapters, pages with a cursor and checks its range', async () => {
        const from = iso(Date.now() + 500 * DAY);
        const to = iso(Date.now() + 510 * DAY);
        for (let i = 0; i < 5; i++) {
          await made({
            title: `T${i}`,
            chapter: i % 2 ? 'montpellier' : 'toulouse',
            startsAt: iso(Date.now() + (500 + i) * DAY),
            endsAt: iso(Date.now() + (500 + i) * DAY + HOUR),
          });
        }
        const seen: string[] = [];
        let cursor = '';
        do {
          const r = await call(
            ctx.app,
            'GET',
            `/v1/sites/asso/events?from=${from}&to=${to}&limit=2&chapter=toulouse,montpellier${cursor ? `&cursor=${cursor}` : ''}`,
            { token: alice },
          );
          const p = EventPage.parse(r.body);
          seen.push(...p.items.map((e) => e.title));
          cursor = p.next ?? '';
        } while (cursor);
        assert.deepEqual(seen, ['T0', 'T1', 'T2', 'T3', 'T4']);
        const tl = EventPage.parse(
          (await call(ctx.app, 'GET', `/v1/sites/asso/events?from=${from}&to=${to}&chapter=toulouse`, { token: alice })).body,
        );
        assert.deepEqual(
          tl.items.map((e) => e.title),
          ['T0', 'T2', 'T4'],
        );
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events?from=${from}&to=${from}`)).body.code, 'events.bad_range');
        assert.equal((await call(ctx.app, 'GET', `/v1/sites/asso/events?from=${from}&past=1`)).body.code, 'events.bad_range');
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/events?from=yesterday')).status, 400);
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/events?chapter=<script>')).status, 400);
      });
    });

    describe('cancelling and attendance', () => {
      it('cancels for good: banner data, calendar status, no more answers', async () => {
        const e = await made();
        await rsvp(e.id, alice, { status: 'going' });
        assert.equal((await call(ctx.app, 'POST', `/v1/sites/asso/events/${e.id}/cancel`, { token: alice, body: {} })).status, 403);
        const r = await call(ctx.app, 'POST', `/v1/sites/asso/events/${e.id}/cancel`, {
          token: admin,
          body: { reason: 'Salle indisponible' },
        });
        const c = Event.parse(r.body);
        assert.deepEqual([c.cancelled, c.cancelReason, c.sequence, c.rsvpOpen], [true, 'Salle indisponible', 1, false]);
        // Idempotent: a retry changes nothing.
        assert.equal(
          Event.parse((await call(ctx.app, 'POST', `/v1/sites/asso/events/${e.id}/cancel`, { token: admin, body: {} })).body).sequence,
          1,
        );
        assert.equal(
          (await call(ctx.app, 'PATCH', `/v1/sites/asso/events/${e.id}`, { token: admin, body: { title: 'x' } })).body.code,
          'event.cancelled',
        );
        const ics = await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/calendar.ics`, { token: alice });
        const [v] = parseIcs(ics.body).events;
        assert.deepEqual([v.status, v.sequence], ['CANCELLED', 1]);
      });

      it('organisers mark attendance after the start; the ledger records attended and hosted once', async () => {
        const e = await made({ startsAt: iso(Date.now() - 3 * HOUR), endsAt: iso(Date.now() - HOUR) });
        const future = await made();
        await ctx.store.setRsvp('asso', e.id, await pkOf('alice'), 'going');
        await ctx.store.setRsvp('asso', e.id, await pkOf('bob'), 'going');
        const mark = (id: string, marks: unknown, t = admin) =>
          call(ctx.app, 'PUT', `/v1/sites/asso/events/${id}/attendance`, { token: t, body: { marks } });
        assert.equal((await mark(future.id, [{ member: 'alice', attended: true }])).body.code, 'attendance.too_early');
        assert.equal((await mark(e.id, [{ member: 'alice', attended: true }], alice)).body.code, 'event.not_organiser');
        const unknown = await mark(e.id, [
          { member: 'alice', attended: true },
          { member: 'ghost', attended: true },
        ]);
        assert.deepEqual([unknown.status, unknown.body.code], [400, 'attendance.unknown_member']);
        assert.equal((await rsvpRows(e.id)).filter((r) => r.attended !== null).length, 0, 'nothing half-applied');
        assert.equal((await mark(e.id, [])).status, 400);

        const r = await mark(e.id, [
          { member: 'alice', attended: true },
          { member: 'bob', attended: false },
          { member: 'carol', attended: true },
        ]);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const list = AttendeeList.parse(r.body);
        assert.deepEqual(list.items.map((a) => [a.member.id, a.attended]).sort(), [
          ['alice', true],
          ['bob', false],
          ['carol', true],
        ]);
        const ledger = async () =>
          (
            await ctx.store.db
              .selectFrom('activities')
              .innerJoin('members', 'members.pk', 'activities.member_pk')
              .select(['members.host_id', 'activities.kind'])
              .where('activities.ref', '=', e.id)
              .execute()
          )
            .map((x) => `${x.host_id}:${x.kind}`)
            .sort();
        assert.deepEqual(await ledger(), ['admin:event.hosted', 'alice:event.attended', 'carol:event.attended']);
        // Marking again changes nothing; taking a mark back takes the ledger entry back.
        await mark(e.id, [{ member: 'alice', attended: true }]);
        await mark(e.id, [{ member: 'carol', attended: false }]);
        assert.deepEqual(await ledger(), ['admin:event.hosted', 'alice:event.attended']);
      });
    });

    describe('calendars', () => {
      it('one event as an RFC 5545 file that a real parser reads back with the right times', async () => {
        const e = await made({
          title: 'Dîner-débat : transmettre, céder; reprendre \\ « ensemble » 🍷',
          description: 'Ligne 1, avec virgule;\npoint-virgule et retour\r\nfin. ' + 'Très long texte accentué éàü '.repeat(8),
          place: "Hôtel d'Assézat, place d'Assézat, 31000 Toulouse",
          startsAt: '2031-10-25T19:00',
          endsAt: '2031-10-26T02:30',
          timeZone: 'Europe/Paris',
          url: 'https://asso.example.fr/agenda/diner',
        });
        const r = await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/calendar.ics`);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /^text\/calendar; charset=utf-8/);
        assert.match(
          r.headers.get('content-disposition') ?? '',
          /^attachment; filename="diner-debat-transmettre-ceder-reprendre-ensemble\.ics"$/,
        );
        assertWellFormed(r.body);
        const { events } = parseIcs(r.body);
        assert.equal(events.length, 1);
        const v = events[0];
        assert.equal(v.summary, 'Dîner-débat : transmettre, céder; reprendre \\ « ensemble » 🍷');
        assert.ok(v.description.startsWith('Ligne 1, avec virgule;\npoint-virgule et retour\nfin. '));
        assert.ok(v.description.includes('https://asso.example.fr/agenda/diner'));
        assert.equal(v.location, "Hôtel d'Assézat, place d'Assézat, 31000 Toulouse");
        assert.equal(v.tzidParam, 'Europe/Paris');
        // Starts in summer time (UTC+2) and ends after the clocks went back (UTC+1).
        assert.equal(v.start, '2031-10-25T17:00:00.000Z');
        assert.equal(v.end, '2031-10-26T01:30:00.000Z');
        assert.equal(v.uid, `${e.id}@asso.cercle`);
        assert.equal(v.status, 'CONFIRMED');
        // The same bytes for the same data: conditional requests work.
        const again = await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/calendar.ics`, {
          headers: { 'if-none-match': r.headers.get('etag')! },
        });
        assert.equal(again.status, 304);
      });

      for (const [zone, local, utc] of [
        ['America/New_York', '2031-03-09T01:30', '2031-03-09T06:30:00.000Z'],
        ['America/New_York', '2031-03-09T03:30', '2031-03-09T07:30:00.000Z'],
        ['Australia/Sydney', '2031-01-15T19:00', '2031-01-15T08:00:00.000Z'],
        ['Asia/Kolkata', '2031-06-01T09:30', '2031-06-01T04:00:00.000Z'],
        ['America/Guadeloupe', '2031-06-01T18:00', '2031-06-01T22:00:00.000Z'],
        ['Pacific/Chatham', '2031-06-01T18:00', '2031-06-01T05:15:00.000Z'],
        ['UTC', '2031-06-01T18:00', '2031-06-01T18:00:00.000Z'],
      ] as const) {
        it(`writes ${zone} times that read back right (${local})`, async () => {
          const end = local.replace(/T(\d\d)/, (_, h) => `T${String(Number(h) + 2).padStart(2, '0')}`);
          const e = await made({ startsAt: local, endsAt: end, timeZone: zone });
          assert.equal(e.startsAt, utc);
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/events/${e.id}/calendar.ics`);
          assertWellFormed(r.body);
          const [v] = parseIcs(r.body).events;
          assert.equal(v.start, utc);
          assert.equal(v.end, e.endsAt);
          if (zone === 'UTC') assert.match(r.body, /\r\nDTSTART:20310601T180000Z\r\n/);
          else assert.equal(v.tzidParam, zone);
        });
      }

      it('a subscribable feed of public events, by chapter', async () => {
        const pub = await made({
          title: 'Public Montpellier',
          chapter: 'montpellier',
          startsAt: iso(Date.now() + 900 * DAY),
          endsAt: iso(Date.now() + 900 * DAY + HOUR),
        });
        await made({
          title: 'Members Montpellier',
          chapter: 'montpellier',
          audience: 'members',
          startsAt: iso(Date.now() + 900 * DAY),
          endsAt: iso(Date.now() + 900 * DAY + HOUR),
        });
        const gone = await made({
          title: 'Cancelled Montpellier',
          chapter: 'montpellier',
          startsAt: iso(Date.now() + 901 * DAY),
          endsAt: iso(Date.now() + 901 * DAY + HOUR),
        });
        await call(ctx.app, 'POST', `/v1/sites/asso/events/${gone.id}/cancel`, { token: admin, body: {} });
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/calendar.ics?chapter=montpellier', { origin: null });
        assert.equal(r.status, 200);
        assertWellFormed(r.body);
        const { cal, events } = parseIcs(r.body);
        const titles = events.map((v) => `${v.summary}:${v.status}`);
        assert.ok(titles.includes('Public Montpellier:CONFIRMED'));
        assert.ok(titles.includes('Cancelled Montpellier:CANCELLED'));
        assert.ok(!titles.some((t) => t.startsWith('Members')), 'members-only events stay out of public feeds');
        assert.ok(!titles.some((t) => t.startsWith('T0')), 'other chapters stay out');
        assert.equal(cal.getFirstPropertyValue('x-wr-calname'), 'Asso — Montpellier', "the chapter's name, not its id");
        assert.equal(events.find((v) => v.summary === 'Public Montpellier')?.start, pub.startsAt);
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/calendar.ics?chapter=a;b')).status, 400);
      });

      it('names a chapter no admin has named yet from its id, in events and calendars alike', async () => {
        const e = await made({
          title: 'Public Saint-Etienne',
          chapter: 'saint-etienne',
          startsAt: iso(Date.now() + 950 * DAY),
          endsAt: iso(Date.now() + 950 * DAY + HOUR),
        });
        assert.deepEqual(e.chapter, { id: 'saint-etienne', name: 'Saint-Etienne' });
        assert.deepEqual((await get(e.id)).chapter, { id: 'saint-etienne', name: 'Saint-Etienne' });
        const r = await call(ctx.app, 'GET', '/v1/sites/asso/calendar.ics?chapter=saint-etienne', { origin: null });
        assert.equal(r.status, 200);
        const { cal, events } = parseIcs(r.body);
        assert.equal(cal.getFirstPropertyValue('x-wr-calname'), 'Asso — Saint-Etienne');
        assert.match(r.body, /\r\nCATEGORIES:Saint-Etienne\r\n/);
        assert.deepEqual(
          events.map((v) => v.summary),
          ['Public Saint-Etienne'],
        );
        await ctx.store.upsertChapter('asso', 'saint-etienne', 'Saint-Étienne');
        assert.deepEqual((await get(e.id)).chapter, { id: 'saint-etienne', name: 'Saint-Étienne' }, 'until an admin names it');
      });

      it('a private, revocable feed of my events', async () => {
        const going = await made({
          title: 'Mine going',
          onlineUrl: 'https://visio.example.org/mine',
          startsAt: iso(Date.now() + 950 * DAY),
          endsAt: iso(Date.now() + 950 * DAY + HOUR),
        });
        const maybe = await made({
          title: 'Mine maybe',
          audience: 'chapter:toulouse',
          startsAt: iso(Date.now() + 951 * DAY),
          endsAt: iso(Date.now() + 951 * DAY + HOUR),
        });
        const declined = await made({
          title: 'Mine declined',
          startsAt: iso(Date.now() + 952 * DAY),
          endsAt: iso(Date.now() + 952 * DAY + HOUR),
        });
        await rsvp(going.id, bob, { status: 'going' });
        await rsvp(maybe.id, bob, { status: 'maybe' });
        await rsvp(declined.id, bob, { status: 'declined' });

        assert.deepEqual(CalendarFeed.parse((await call(ctx.app, 'GET', '/v1/sites/asso/me/calendar-feed', { token: bob })).body), {
          active: false,
          createdAt: null,
          token: null,
          path: null,
        });
        const created = CalendarFeed.parse((await call(ctx.app, 'POST', '/v1/sites/asso/me/calendar-feed', { token: bob, body: {} })).body);
        assert.equal(created.active, true);
        assert.match(created.path!, /^\/v1\/sites\/asso\/calendars\/[A-Za-z0-9_-]{43}\/events\.ics$/);
        const status = CalendarFeed.parse((await call(ctx.app, 'GET', '/v1/sites/asso/me/calendar-feed', { token: bob })).body);
        assert.deepEqual([status.active, status.token], [true, null], 'the secret is shown once');
        const stored = await ctx.store.db.selectFrom('calendar_feeds').selectAll().execute();
        assert.ok(
          stored.every((f) => f.token_hash !== created.token),
          'only a hash is stored',
        );

        const feed = await call(ctx.app, 'GET', created.path!, { origin: null });
        assert.equal(feed.status, 200);
        assertWellFormed(feed.body);
        const mine = parseIcs(feed.body).events.filter((v) => v.summary.startsWith('Mine'));
        assert.deepEqual(
          mine.map((v) => `${v.summary}:${v.status}`),
          ['Mine going:CONFIRMED', 'Mine maybe:TENTATIVE'],
        );
        assert.ok(mine[0].description.includes('https://visio.example.org/mine'), 'the link, for those going');

        // Declining takes it out; resetting the address kills the old one; revoking kills it all.
        await rsvp(maybe.id, bob, { status: 'declined' });
        assert.ok(!(await call(ctx.app, 'GET', created.path!)).body.includes('Mine maybe'));
        const reset = CalendarFeed.parse((await call(ctx.app, 'POST', '/v1/sites/asso/me/calendar-feed', { token: bob, body: {} })).body);
        assert.notEqual(reset.token, created.token);
        const old = await call(ctx.app, 'GET', created.path!);
        assert.deepEqual([old.status, old.body.code], [404, 'calendar.unknown_feed']);
        assert.equal((await call(ctx.app, 'GET', reset.path!)).status, 200);
        await call(ctx.app, 'DELETE', '/v1/sites/asso/me/calendar-feed', { token: bob });
        assert.equal((await call(ctx.app, 'GET', reset.path!)).status, 404);
        for (const bad of ['short', 'x'.repeat(43).replace(/^x/, '!'), `${'a'.repeat(42)}%2F`]) {
          const r = await call(ctx.app, 'GET', `/v1/sites/asso/calendars/${bad}/events.ics`);
          assert.equal(r.status, 400, bad);
          assert.equal(r.body.code, 'request.invalid');
        }
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/me/calendar-feed')).status, 401);
      });
    });
  });
}
