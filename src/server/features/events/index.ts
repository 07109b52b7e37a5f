import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Attendee, AttendeeList, CalendarFeed } from '../../../contract/events.js';
import type { Event } from '../../../contract/resources.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, HandlerContext, Registrar } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { writeCalendar, type IcsEvent } from '../../calendar/ics.js';
import { chapterName, decodeCursor, encodeCursor, memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { EventRow } from '../../store/schema.js';
import type { Site, Store } from '../../store/store.js';
import {
  RsvpConflict, UnknownMembers, acknowledgePromotion, addChapterOrganiser, attendees as attendeeRows, calendarFeed,
  cancelEvent, chapterOrganisers, eventView, feedMember, insertEvent, listEvents, markAttendance, memberEvents,
  organisedChapters, removeActivities, removeChapterOrganiser, resetCalendarFeed, revokeCalendarFeed, setRsvp,
  updateEvent, visibleAudiences, type EventView,
} from '../../store/events.js';
import { parseEventTime } from '../../domain/tz.js';
import { toViewer, type Viewer } from '../../http/viewer.js';

/** How far back calendar feeds reach. */
const FEED_PAST_DAYS = 90;

// ---- rights ----------------------------------------------------------------------------

interface Rights {
  viewer: Viewer | null;
  admin: boolean;
  /** Chapters whose events the viewer organises. */
  chapters: Set<string>;
}

async function rightsOf(store: Store, site: Site, viewer: Viewer | null): Promise<Rights> {
  if (!viewer) return { viewer, admin: false, chapters: new Set() };
  const admin = viewer.roles.includes('admin');
  return { viewer, admin, chapters: new Set(admin ? [] : await organisedChapters(store, site.id, viewer.hostId)) };
}

const canManage = (ev: Pick<EventRow, 'organiser_pk' | 'chapter_id'>, r: Rights) =>
  !!r.viewer && (r.admin || ev.organiser_pk === r.viewer.pk || (ev.chapter_id !== null && r.chapters.has(ev.chapter_id)));

/** Refuses an event the reader may not see: 404 when there is none, 401/403 by audience. */
function mustSee(site: Site, ev: Pick<EventRow, 'audience'> | undefined, viewer: Viewer | null, r?: Rights, full?: EventRow): asserts ev {
  if (!ev) throw problem(404, 'event.not_found', 'No such event');
  if (r && full && canManage(full, r)) return;
  if (!canSee(ev.audience, viewer, site.settings.publicRead)) {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to see this event');
    throw problem(403, 'event.forbidden', 'This event is not open to you', `Audience: ${ev.audience}.`);
  }
}

function mustManage(ev: EventRow | undefined, r: Rights): asserts ev {
  if (!ev) throw problem(404, 'event.not_found', 'No such event');
  if (!canManage(ev, r)) throw problem(403, 'event.not_organiser', 'Only the event\'s organisers may do this');
}

// ---- mapping ---------------------------------------------------------------------------

const iso = (ms: number) => new Date(ms).toISOString();

function rsvpOpen(e: EventRow, now: number) {
  return !e.cancelled_at && now < Date.parse(e.starts_at) && (!e.rsvp_deadline || now < Date.parse(e.rsvp_deadline));
}

export function eventOut(e: EventView, r: Rights, now: number): Event {
  const manage = canManage(e, r);
  const reveal = manage || e.my_status === 'going';
  return {
    id: e.id,
    chapter: e.chapter_id ? { id: e.chapter_id, name: chapterName(e.chapter_id, e.chapter_name) } : null,
    title: e.title,
    description: e.description,
    startsAt: e.starts_at,
    endsAt: e.ends_at,
    timeZone: e.time_zone,
    place: e.place,
    url: e.url,
    online: !!e.online_url,
    onlineUrl: reveal ? e.online_url : null,
    capacity: e.capacity,
    going: e.going,
    taken: e.taken,
    placesLeft: e.capacity === null ? null : Math.max(0, e.capacity - e.taken),
    maybe: e.maybe,
    waitlist: e.waitlist,
    maxGuests: e.max_guests,
    rsvpDeadline: e.rsvp_deadline,
    rsvpOpen: rsvpOpen(e, now),
    organiser: e.org_host_id
      ? memberSummary({ host_id: e.org_host_id, name: e.org_name ?? '', picture: e.org_picture, chapters: e.org_chapters ?? '[]' })
      : null,
    audience: e.audience as Event['audience'],
    cancelled: !!e.cancelled_at,
    cancelledAt: e.cancelled_at,
    cancelReason: e.cancelled_at ? e.cancel_reason : null,
    sequence: e.sequence,
    updatedAt: e.updated_at,
    myRsvp: e.my_status ? {
      status: e.my_status,
      guests: e.my_guests ?? 0,
      position: e.my_position,
      promotedAt: e.my_status === 'going' && e.my_promoted_at && !e.my_seen_at ? e.my_promoted_at : null,
      updatedAt: e.my_updated_at ?? e.updated_at,
    } : null,
    canManage: manage,
  };
}

// ---- input -----------------------------------------------------------------------------

function instant(value: string, zone: string, path: string): string {
  const ms = parseEventTime(value, zone);
  if (Number.isNaN(ms)) throw problem(400, 'request.invalid', 'The request is not valid', `Invalid ${path}.`, [{ path, message: 'Not a date and time' }]);
  return iso(Math.floor(ms / 1000) * 1000); // calendars count in whole seconds
}

/** End after start, deadline no later than start. */
function checkTimes(e: Pick<EventRow, 'starts_at' | 'ends_at' | 'rsvp_deadline'>) {
  if (Date.parse(e.ends_at) <= Date.parse(e.starts_at)) {
    throw problem(400, 'event.ends_before_start', 'The event must end after it starts', undefined,
      [{ path: 'body.endsAt', message: 'Must be after startsAt.' }]);
  }
  if (e.rsvp_deadline && Date.parse(e.rsvp_deadline) > Date.parse(e.starts_at)) {
    throw problem(400, 'event.deadline_after_start', 'Answers must close no later than the start', undefined,
      [{ path: 'body.rsvpDeadline', message: 'Must be at or before startsAt.' }]);
  }
}

async function organiserPk(store: Store, site: Site, r: Rights, hostId: string | null | undefined, current: string | null): Promise<string | null> {
  if (hostId === undefined) return current;
  if (hostId === null) {
    if (!r.admin) throw problem(403, 'event.organiser_admin_only', 'Only admins choose the organiser');
    return null;
  }
  if (hostId === r.viewer!.hostId) return r.viewer!.pk;
  if (!r.admin) throw problem(403, 'event.organiser_admin_only', 'Only admins choose the organiser');
  const m = await store.memberByHostId(site.id, hostId);
  if (!m) throw problem(400, 'event.unknown_organiser', 'No such member to organise the event', hostId, [{ path: 'body.organiser', message: 'Unknown member.' }]);
  return m.pk;
}

function mayOrganiseIn(chapter: string | null, r: Rights) {
  if (r.admin) return;
  if (chapter === null) throw problem(403, 'event.not_organiser', 'Only admins create events for the whole network');
  if (!r.chapters.has(chapter)) throw problem(403, 'event.not_organiser', 'You do not organise this chapter\'s events', chapter);
}

// ---- calendars ---------------------------------------------------------------------------

function icsEvent(site: Site, e: EventView, opts: { reveal: boolean; tentative: boolean }): IcsEvent {
  const online = opts.reveal ? e.online_url : null;
  const description = [e.description, e.url ?? '', online ? `→ ${online}` : ''].filter(Boolean).join('\n\n');
  return {
    uid: `${e.id}@${site.id}.cercle`,
    start: Date.parse(e.starts_at),
    end: Date.parse(e.ends_at),
    timeZone: e.time_zone,
    summary: e.title,
    description,
    location: e.place ?? online,
    url: e.url ?? online,
    status: e.cancelled_at ? 'CANCELLED' : opts.tentative ? 'TENTATIVE' : 'CONFIRMED',
    sequence: e.sequence,
    created: Date.parse(e.created_at),
    lastModified: Date.parse(e.updated_at),
    categories: e.chapter_id ? [chapterName(e.chapter_id, e.chapter_name)] : undefined,
  };
}

/** The calendar, with an ETag; the stamp is the latest change so the same data gives the same bytes. */
function sendCalendar(c: Context, body: { name?: string; description?: string; refreshMinutes?: number; events: IcsEvent[] },
  views: EventView[], fallbackStamp: string, disposition: string) {
  const stamp = Math.max(Date.parse(fallbackStamp), ...views.map((v) => Math.max(Date.parse(v.updated_at), v.my_updated_at ? Date.parse(v.my_updated_at) : 0)));
  const text = writeCalendar(body, stamp);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const headers = {
    'content-type': 'text/calendar; charset=utf-8',
    'content-disposition': disposition,
    'cache-control': 'private, no-cache',
    etag,
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(text, 200, headers);
}

const fileName = (title: string) =>
  (title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 60) || 'event') + '.ics';

// ---- routes ------------------------------------------------------------------------------

type Ctx = HandlerContext;

// ---- live -------------------------------------------------------------------------------

/**
 * Tells the streams following an event: its new counts (or that it changed) for whoever may see it,
 * and each member moved off the waitlist their promotion, to them alone.
 */
async function announceEvent(ctx: Ctx, eventId: string, kind: 'rsvp.changed' | 'event.updated', promoted: string[] = []) {
  const { store, site, live } = ctx;
  const ev = await store.db.selectFrom('events').select('audience').where('site_id', '=', site.id).where('id', '=', eventId).executeTakeFirst();
  if (!ev) return;
  const topic = `event:${eventId}`;
  await live.publish(site.id, { topic, kind, ref: eventId, audience: ev.audience });
  if (!promoted.length) return;
  const members = await store.db.selectFrom('members').select('host_id').where('site_id', '=', site.id).where('pk', 'in', promoted).execute();
  for (const m of members) await live.publish(site.id, { topic, kind: 'waitlist.promoted', ref: eventId, audience: `member:${m.host_id}` });
}

async function viewOf(ctx: Ctx, id: string, r: Rights) {
  const v = await eventView(ctx.store, ctx.site.id, id, ctx.viewer?.pk ?? null);
  if (!v) throw problem(404, 'event.not_found', 'No such event');
  return eventOut(v, r, ctx.now());
}

async function attendeeList(ctx: Ctx, ev: EventView, r: Rights): Promise<AttendeeList> {
  const manage = canManage(ev, r);
  const rows = await attendeeRows(ctx.store, ctx.site.id, ev.id, manage ? ['going', 'maybe', 'waitlist', 'declined'] : ['going', 'maybe']);
  let position = 0;
  const items: Attendee[] = rows.map((a) => ({
    member: memberSummary(a),
    status: a.status,
    guests: a.guests,
    position: manage && a.status === 'waitlist' ? ++position : null,
    attended: manage && a.attended !== null ? a.attended === 1 : null,
  }));
  return { items, going: ev.going, maybe: ev.maybe, waitlist: ev.waitlist };
}

const feedOut = (createdAt: string | null, token: string | null, site: Site): CalendarFeed => ({
  active: !!createdAt,
  createdAt,
  token,
  path: token ? `/v1/sites/${site.id}/calendars/${token}/events.ics` : null,
});

/** Events, RSVPs with capacity and waitlist, attendance, calendars, chapter organisers. */
export function install(register: Registrar, { live }: AppServices) {
  // Answers go out with the event's counts: the same for everyone who may see the event.
  live.hydrate(['rsvp.changed'], async (store, rec) => {
    const v = await eventView(store, rec.site, rec.ref, null);
    return v && {
      event: v.id, capacity: v.capacity, going: v.going, taken: v.taken, maybe: v.maybe, waitlist: v.waitlist,
      placesLeft: v.capacity === null ? null : Math.max(0, v.capacity - v.taken),
    };
  });

  register(routes.listEvents, async ({ store, site, query, viewer, now }) => {
    if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see events');
    const limit = query.limit ?? 20;
    const chapters = query.chapter?.split(',').map((s) => s.trim()).filter(Boolean);
    const ranged = query.from !== undefined || query.to !== undefined;
    if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from)) {
      throw problem(400, 'events.bad_range', 'The range must end after it starts', undefined, [{ path: 'query.to', message: 'Must be after from.' }]);
    }
    const past = query.past === '1' || query.past === 'true';
    if (ranged && past) throw problem(400, 'events.bad_range', 'Use either past or from/to');
    const r = await rightsOf(store, site, viewer);
    const rows = await listEvents(store, site.id, {
      memberPk: viewer?.pk ?? null,
      audiences: visibleAudiences(viewer, site.settings.publicRead),
      chapters, mode: ranged ? 'range' : past ? 'past' : 'upcoming',
      now: iso(now()), from: query.from && iso(Date.parse(query.from)), to: query.to && iso(Date.parse(query.to)),
      after: decodeCursor(query.cursor), limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      body: {
        items: page.map((e) => eventOut(e, r, now())),
        next: rows.length > limit && last ? encodeCursor(last.starts_at, last.id) : null,
      },
    };
  });

  register(routes.getEvent, async (ctx) => {
    const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
    const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer?.pk ?? null);
    mustSee(ctx.site, v, ctx.viewer, r, v);
    return { body: eventOut(v, r, ctx.now()) };
  });

  register(routes.createEvent, async (ctx) => {
    const { store, site, body } = ctx;
    const r = await rightsOf(store, site, ctx.viewer);
    const chapter = body.chapter ?? null;
    mayOrganiseIn(chapter, r);
    const row = {
      starts_at: instant(body.startsAt, body.timeZone, 'body.startsAt'),
      ends_at: instant(body.endsAt, body.timeZone, 'body.endsAt'),
      rsvp_deadline: body.rsvpDeadline ? instant(body.rsvpDeadline, body.timeZone, 'body.rsvpDeadline') : null,
    };
    checkTimes(row);
    const organiser = await organiserPk(store, site, r, body.organiser, r.viewer!.pk);
    const ev = await insertEvent(store, {
      site_id: site.id, chapter_id: chapter, title: body.title, description: body.description ?? '',
      time_zone: body.timeZone, place: body.place ?? null, online_url: body.onlineUrl ?? null, url: body.url ?? null,
      capacity: body.capacity ?? null, max_guests: body.maxGuests ?? 0, audience: body.audience ?? 'public',
      organiser_pk: organiser, ...row,
    });
    return { status: 201, body: await viewOf(ctx, ev.id, r) };
  });

  register(routes.updateEvent, async (ctx) => {
    const { store, site, body, params } = ctx;
    const r = await rightsOf(store, site, ctx.viewer);
    const organiser = body.organiser === undefined ? undefined : await organiserPk(store, site, r, body.organiser, null);
    const promoted = await updateEvent(store, site.id, params.event, (ev) => {
      const zone = body.timeZone ?? ev.time_zone;
      const changes: Partial<EventRow> = {};
      if (body.title !== undefined) changes.title = body.title;
      if (body.description !== undefined) changes.description = body.description;
      if (body.chapter !== undefined) {
        mayOrganiseIn(body.chapter, r);
        changes.chapter_id = body.chapter;
      }
      if (body.timeZone !== undefined) changes.time_zone = body.timeZone;
      if (body.startsAt !== undefined) changes.starts_at = instant(body.startsAt, zone, 'body.startsAt');
      if (body.endsAt !== undefined) changes.ends_at = instant(body.endsAt, zone, 'body.endsAt');
      if (body.rsvpDeadline !== undefined) changes.rsvp_deadline = body.rsvpDeadline === null ? null : instant(body.rsvpDeadline, zone, 'body.rsvpDeadline');
      if (body.place !== undefined) changes.place = body.place;
      if (body.onlineUrl !== undefined) changes.online_url = body.onlineUrl;
      if (body.url !== undefined) changes.url = body.url;
      if (body.capacity !== undefined) changes.capacity = body.capacity;
      if (body.maxGuests !== undefined) changes.max_guests = body.maxGuests;
      if (body.audience !== undefined) changes.audience = body.audience;
      if (organiser !== undefined) changes.organiser_pk = organiser;
      return changes;
    }, (ev) => {
      mustManage(ev, r);
      if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled; it can no longer be changed');
    }, (merged, taken) => {
      checkTimes(merged);
      if (merged.capacity !== null && merged.capacity < taken) {
        throw problem(409, 'event.capacity_below_taken', 'More places are already taken than this capacity',
          `${taken} places are taken (members going and their guests).`, [{ path: 'body.capacity', message: `At least ${taken}.` }]);
      }
    });
    await announceEvent(ctx, params.event, 'event.updated', promoted);
    if (promoted.length) await announceEvent(ctx, params.event, 'rsvp.changed');
    return { body: await viewOf(ctx, params.event, r) };
  });

  register(routes.cancelEvent, async (ctx) => {
    const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
    await cancelEvent(ctx.store, ctx.site.id, ctx.params.event, ctx.body.reason || null, (ev) => mustManage(ev, r));
    await announceEvent(ctx, ctx.params.event, 'event.updated');
    return { body: await viewOf(ctx, ctx.params.event, r) };
  });

  register(routes.rsvp, async (ctx) => {
    const { store, site, body, params, now } = ctx;
    const viewer = ctx.viewer!;
    const r = await rightsOf(store, site, viewer);
    const guests = body.guests ?? 0;
    let answered: Awaited<ReturnType<typeof setRsvp>>;
    try {
      answered = await setRsvp(store, site.id, params.event, viewer.pk, { status: body.status, guests }, (ev) => {
        mustSee(site, ev, viewer, r, ev);
        const t = now();
        if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled');
        if (t >= Date.parse(ev.starts_at)) throw problem(409, 'event.started', 'This event has begun; answers are closed');
        if (ev.rsvp_deadline && t >= Date.parse(ev.rsvp_deadline)) {
          throw problem(409, 'rsvp.closed', 'Answers for this event are closed', `They closed at ${ev.rsvp_deadline}.`);
        }
        if (body.status !== 'declined' && guests > ev.max_guests) {
          throw problem(400, 'rsvp.too_many_guests', 'Too many guests',
            ev.max_guests ? `At most ${ev.max_guests} guest${ev.max_guests > 1 ? 's' : ''} for this event.` : 'This event takes no guests.',
            [{ path: 'body.guests', message: `At most ${ev.max_guests}.` }]);
        }
      });
    } catch (err) {
      if (err instanceof RsvpConflict) {
        throw problem(409, 'rsvp.not_enough_places', 'Not enough places left for these guests',
          `${err.left} place${err.left === 1 ? '' : 's'} left; your place is kept as it was.`);
      }
      throw err;
    }
    await announceEvent(ctx, params.event, 'rsvp.changed', answered.promoted);
    const e = await viewOf(ctx, params.event, r);
    if (e.myRsvp) {
      await ctx.emit('rsvp.changed', {
        site: site.id, event: { id: e.id, title: e.title, startsAt: e.startsAt, url: e.url, chapter: e.chapter?.id ?? null },
        member: { id: viewer.hostId, name: viewer.name }, status: e.myRsvp.status, guests: e.myRsvp.guests,
      });
    }
    return { body: e };
  });

  register(routes.acknowledgeRsvp, async (ctx) => {
    const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
    const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer!.pk);
    mustSee(ctx.site, v, ctx.viewer, r, v);
    await acknowledgePromotion(ctx.store, ctx.site.id, v.id, ctx.viewer!.pk);
    return { body: await viewOf(ctx, v.id, r) };
  }, { sanctions: 'open' });

  register(routes.attendees, async (ctx) => {
    const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
    const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer!.pk);
    mustSee(ctx.site, v, ctx.viewer, r, v);
    return { body: await attendeeList(ctx, v, r) };
  });

  register(routes.markAttendance, async (ctx) => {
    const { store, site, params, body, now } = ctx;
    const r = await rightsOf(store, site, ctx.viewer);
    const held = { organiser: null as string | null };
    let result: { present: string[]; absent: string[] };
    try {
      result = await markAttendance(store, site.id, params.event, body.marks, (ev) => {
        mustManage(ev, r);
        if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled');
        if (now() < Date.parse(ev.starts_at)) throw problem(409, 'attendance.too_early', 'Attendance is marked once the event has begun');
        held.organiser = ev.organiser_pk;
      });
    } catch (err) {
      if (err instanceof UnknownMembers) {
        throw problem(400, 'attendance.unknown_member', 'Some members are unknown', err.ids.slice(0, 20).join(', '),
          [{ path: 'body.marks', message: `Unknown: ${err.ids.slice(0, 20).join(', ')}` }]);
      }
      throw err;
    }
    // The ledger: each (member, kind, ref) once, so a repeated marking never counts twice.
    for (const pk of result.present) await store.recordActivity(site.id, pk, 'event.attended', params.event);
    await removeActivities(store, site.id, 'event.attended', params.event, result.absent);
    if (held.organiser) await store.recordActivity(site.id, held.organiser, 'event.hosted', params.event);
    const v = await eventView(store, site.id, params.event, ctx.viewer!.pk);
    return { body: await attendeeList(ctx, v!, r) };
  });

  register(routes.eventCalendar, async (ctx) => {
    const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
    const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer?.pk ?? null);
    mustSee(ctx.site, v, ctx.viewer, r, v);
    const reveal = canManage(v, r) || v.my_status === 'going';
    return sendCalendar(ctx.c, { events: [icsEvent(ctx.site, v, { reveal, tentative: false })] }, [v], v.updated_at,
      `attachment; filename="${fileName(v.title)}"`);
  });

  register(routes.siteCalendar, async (ctx) => {
    const { store, site, query, now } = ctx;
    if (!site.settings.publicRead) throw problem(403, 'calendar.not_public', 'This site does not publish its events');
    const chapters = query.chapter?.split(',').map((s) => s.trim()).filter(Boolean);
    const rows = await listEvents(store, site.id, {
      memberPk: null, audiences: ['public'], chapters, mode: 'range', now: iso(now()),
      from: iso(now() - FEED_PAST_DAYS * 86_400_000), limit: 1000,
    });
    const named = new Map(rows.map((e) => [e.chapter_id, e.chapter_name]));
    const names = chapters?.length ? ` — ${chapters.map((id) => chapterName(id, named.get(id))).join(', ')}` : '';
    return sendCalendar(ctx.c, {
      name: `${site.name}${names}`, refreshMinutes: 60,
      events: rows.map((e) => icsEvent(site, e, { reveal: false, tentative: false })),
    }, rows, site.createdAt, 'inline; filename="events.ics"');
  });

  register(routes.memberCalendar, async (ctx) => {
    const { store, site, params, now } = ctx;
    const member = await feedMember(store, site.id, params.token);
    if (!member) throw problem(404, 'calendar.unknown_feed', 'No such calendar feed', 'The address was revoked or replaced.');
    const viewer = toViewer(member);
    const rows = (await memberEvents(store, site.id, member.pk, iso(now() - FEED_PAST_DAYS * 86_400_000)))
      .filter((e) => e.organiser_pk === member.pk || canSee(e.audience, viewer, site.settings.publicRead));
    return sendCalendar(ctx.c, {
      name: `${site.name} — ${member.name}`, refreshMinutes: 30,
      events: rows.map((e) => icsEvent(site, e, {
        reveal: e.my_status === 'going' || e.organiser_pk === member.pk,
        tentative: e.my_status === 'maybe' || e.my_status === 'waitlist',
      })),
    }, rows, member.created_at, 'inline; filename="my-events.ics"');
  });

  register(routes.calendarFeed, async ({ store, site, viewer }) => {
    const f = await calendarFeed(store, site.id, viewer!.pk);
    return { body: feedOut(f?.created_at ?? null, null, site) };
  });

  register(routes.resetCalendarFeed, async ({ store, site, viewer }) => {
    const { token, createdAt } = await resetCalendarFeed(store, site.id, viewer!.pk);
    return { status: 201, body: feedOut(createdAt, token, site) };
  });

  register(routes.revokeCalendarFeed, async ({ store, site, viewer }) => {
    await revokeCalendarFeed(store, site.id, viewer!.pk);
    return { body: feedOut(null, null, site) };
  });

  const adminOnly = (viewer: Viewer | null) => {
    if (!viewer?.roles.includes('admin')) throw problem(403, 'organisers.admin_only', 'Only admins choose chapter organisers');
  };
  register(routes.chapterOrganisers, async ({ store, site, params, viewer }) => {
    adminOnly(viewer);
    return { body: { chapter: params.chapter, members: await chapterOrganisers(store, site.id, params.chapter) } };
  });
  register(routes.addChapterOrganiser, async ({ store, site, params, viewer }) => {
    adminOnly(viewer);
    await addChapterOrganiser(store, site.id, params.chapter, params.member);
    return { body: { chapter: params.chapter, members: await chapterOrganisers(store, site.id, params.chapter) } };
  });
  register(routes.removeChapterOrganiser, async ({ store, site, params, viewer }) => {
    adminOnly(viewer);
    await removeChapterOrganiser(store, site.id, params.chapter, params.member);
    return { body: { chapter: params.chapter, members: await chapterOrganisers(store, site.id, params.chapter) } };
  });
}
