import { routes } from '../../../contract/routes.js';
import type { HandlerContext } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { chapterName, decodeCursor, encodeCursor } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { EventRow } from '../../store/schema.js';
import type { EventChange } from '../../../contract/notifications.js';
import {
  RsvpConflict,
  UnknownMembers,
  acknowledgePromotion,
  eventView,
  feedMember,
  insertEvent,
  memberEvents,
  removeActivities,
  setRsvp,
  visibleAudiences,
} from '../../store/events.js';
import * as eventStore from '../../store/events.js';
import { toViewer } from '../../http/viewer.js';
import {
  adminOnly,
  FEED_PAST_DAYS,
  rightsOf,
  canManage,
  mustSee,
  mustManage,
  iso,
  eventOut,
  instant,
  checkTimes,
  organiserPk,
  plannedEvent,
  mayOrganiseIn,
  calendarEvents,
  sendCalendar,
  fileName,
  announceEvent,
  viewOf,
  changesOf,
  checkDescription,
  attendeeList,
  feedOut,
} from './present.js';

/** Upcoming (or past, or in a date range) events the reader may see. */
export async function listEvents({ store, site, query, viewer, now }: HandlerContext<typeof routes.listEvents>) {
  if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see events');
  const limit = query.limit ?? 20;
  const chapters = query.chapter
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ranged = query.from !== undefined || query.to !== undefined;
  if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from)) {
    throw problem(400, 'events.bad_range', 'The range must end after it starts', undefined, [
      { path: 'query.to', message: 'Must be after from.' },
    ]);
  }
  const past = query.past === '1' || query.past === 'true';
  if (ranged && past) throw problem(400, 'events.bad_range', 'Use either past or from/to');
  const r = await rightsOf(store, site, viewer);
  const rows = await eventStore.listEvents(store, site.id, {
    memberPk: viewer?.pk ?? null,
    audiences: visibleAudiences(viewer, site.settings.publicRead),
    chapters,
    mode: ranged ? 'range' : past ? 'past' : 'upcoming',
    now: iso(now()),
    from: query.from && iso(Date.parse(query.from)),
    to: query.to && iso(Date.parse(query.to)),
    after: decodeCursor(query.cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    body: {
      items: page.map((e) => eventOut(e, r, now())),
      next: rows.length > limit && last ? encodeCursor(last.starts_at, last.id) : null,
    },
  };
}

/** One event. */
export async function getEvent(ctx: HandlerContext<typeof routes.getEvent>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer?.pk ?? null);
  mustSee(ctx.site, v, ctx.viewer, r, v);
  return { body: eventOut(v, r, ctx.now()) };
}

/** Create an event (admins, chapter organisers). */
export async function createEvent(ctx: HandlerContext<typeof routes.createEvent>) {
  const { store, site, body } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  const { chapter, times: row, organiser } = await plannedEvent(store, site, r, body);
  const ev = await insertEvent(store, {
    site_id: site.id,
    chapter_id: chapter,
    title: body.title,
    description: body.description ?? '',
    time_zone: body.timeZone,
    place: body.place ?? null,
    online_url: body.onlineUrl ?? null,
    url: body.url ?? null,
    capacity: body.capacity ?? null,
    max_guests: body.maxGuests ?? 0,
    audience: body.audience ?? 'public',
    organiser_pk: organiser,
    ...row,
  });
  return { status: 201, body: await viewOf(ctx, ev.id, r) };
}

/** Edit an event (its organisers). */
export async function updateEvent(ctx: HandlerContext<typeof routes.updateEvent>) {
  const { store, site, body, params } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  checkDescription(body.description);
  const organiser = body.organiser === undefined ? undefined : await organiserPk(store, site, r, body.organiser, null);
  let what: EventChange[] = [];
  let occurrence: string | null = null;
  const promoted = await eventStore.updateEvent(
    store,
    site.id,
    params.event,
    (ev) => {
      const zone = body.timeZone ?? ev.time_zone;
      const changes: Partial<EventRow> = {};
      if (body.title !== undefined) changes.title = body.title;
      if (body.description !== undefined) changes.description = body.description;
      // Moving an event to another chapter needs rights there; the same chapter sent back does not.
      if (body.chapter !== undefined && body.chapter !== ev.chapter_id) {
        mayOrganiseIn(body.chapter, r);
        changes.chapter_id = body.chapter;
      }
      if (body.timeZone !== undefined) changes.time_zone = body.timeZone;
      if (body.startsAt !== undefined) changes.starts_at = instant(body.startsAt, zone, 'body.startsAt');
      if (body.endsAt !== undefined) changes.ends_at = instant(body.endsAt, zone, 'body.endsAt');
      if (body.rsvpDeadline !== undefined)
        changes.rsvp_deadline = body.rsvpDeadline === null ? null : instant(body.rsvpDeadline, zone, 'body.rsvpDeadline');
      if (body.place !== undefined) changes.place = body.place;
      if (body.onlineUrl !== undefined) changes.online_url = body.onlineUrl;
      if (body.url !== undefined) changes.url = body.url;
      if (body.capacity !== undefined) changes.capacity = body.capacity;
      if (body.maxGuests !== undefined) changes.max_guests = body.maxGuests;
      if (body.audience !== undefined) changes.audience = body.audience;
      if (organiser !== undefined) changes.organiser_pk = organiser;
      what = changesOf(ev, changes);
      occurrence = ev.occurrence_at;
      return changes;
    },
    (ev) => {
      mustManage(ev, r);
      if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled; it can no longer be changed');
    },
    (merged, taken) => {
      checkTimes(merged);
      if (merged.capacity !== null && merged.capacity < taken) {
        throw problem(
          409,
          'event.capacity_below_taken',
          'More places are already taken than this capacity',
          `${taken} places are taken (members going and their guests).`,
          [{ path: 'body.capacity', message: `At least ${taken}.` }],
        );
      }
    },
  );
  await announceEvent(ctx, params.event, 'event.updated', promoted);
  if (promoted.length) await announceEvent(ctx, params.event, 'rsvp.changed');
  if (what.length) {
    await ctx.emit('event.changed', {
      site: site.id,
      eventId: params.event,
      ...(occurrence ? { occurrence } : {}),
      what,
      by: ctx.viewer?.pk || null,
    });
  }
  if (promoted.length) await ctx.emit('waitlist.promoted', { site: site.id, eventId: params.event, members: promoted });
  return { body: await viewOf(ctx, params.event, r) };
}

/** Cancel an event (its organisers). */
export async function cancelEvent(ctx: HandlerContext<typeof routes.cancelEvent>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const seen: { before?: EventRow } = {};
  await eventStore.cancelEvent(ctx.store, ctx.site.id, ctx.params.event, ctx.body.reason || null, (ev) => {
    mustManage(ev, r);
    if (!ev.cancelled_at) seen.before = ev;
  });
  await announceEvent(ctx, ctx.params.event, 'event.updated');
  if (seen.before) {
    await ctx.emit('event.cancelled', {
      site: ctx.site.id,
      eventId: ctx.params.event,
      ...(seen.before.occurrence_at ? { occurrence: seen.before.occurrence_at } : {}),
      reason: ctx.body.reason || null,
      by: ctx.viewer?.pk || null,
    });
  }
  return { body: await viewOf(ctx, ctx.params.event, r) };
}

/** Answer for oneself: going, maybe or declined; going to a full event joins the waitlist. */
export async function rsvp(ctx: HandlerContext<typeof routes.rsvp>) {
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
        throw problem(
          400,
          'rsvp.too_many_guests',
          'Too many guests',
          ev.max_guests ? `At most ${ev.max_guests} guest${ev.max_guests > 1 ? 's' : ''} for this event.` : 'This event takes no guests.',
          [{ path: 'body.guests', message: `At most ${ev.max_guests}.` }],
        );
      }
    });
  } catch (err) {
    if (err instanceof RsvpConflict) {
      throw problem(
        409,
        'rsvp.not_enough_places',
        'Not enough places left for these guests',
        `${err.left} place${err.left === 1 ? '' : 's'} left; your place is kept as it was.`,
      );
    }
    throw err;
  }
  await announceEvent(ctx, params.event, 'rsvp.changed', answered.promoted);
  if (answered.promoted.length) await ctx.emit('waitlist.promoted', { site: site.id, eventId: params.event, members: answered.promoted });
  const e = await viewOf(ctx, params.event, r);
  if (e.myRsvp) {
    await ctx.emit('rsvp.changed', {
      site: site.id,
      event: { id: e.id, title: e.title, startsAt: e.startsAt, url: e.url, chapter: e.chapter?.id ?? null },
      member: { id: viewer.hostId, name: viewer.name },
      status: e.myRsvp.status,
      guests: e.myRsvp.guests,
    });
  }
  return { body: e };
}

/** Acknowledge the move from the waitlist to going. */
export async function acknowledgeRsvp(ctx: HandlerContext<typeof routes.acknowledgeRsvp>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer!.pk);
  mustSee(ctx.site, v, ctx.viewer, r, v);
  await acknowledgePromotion(ctx.store, ctx.site.id, v.id, ctx.viewer!.pk);
  return { body: await viewOf(ctx, v.id, r) };
}

/** Who is going (members only). */
export async function attendees(ctx: HandlerContext<typeof routes.attendees>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer!.pk);
  mustSee(ctx.site, v, ctx.viewer, r, v);
  return { body: await attendeeList(ctx, v, r) };
}

/** Mark who attended (organisers, once the event has begun). */
export async function markAttendance(ctx: HandlerContext<typeof routes.markAttendance>) {
  const { store, site, params, body, now } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  const held = { organiser: null as string | null };
  let result: { present: string[]; absent: string[] };
  try {
    result = await eventStore.markAttendance(store, site.id, params.event, body.marks, (ev) => {
      mustManage(ev, r);
      if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled');
      if (now() < Date.parse(ev.starts_at)) throw problem(409, 'attendance.too_early', 'Attendance is marked once the event has begun');
      held.organiser = ev.organiser_pk;
    });
  } catch (err) {
    if (err instanceof UnknownMembers) {
      throw problem(400, 'attendance.unknown_member', 'Some members are unknown', err.ids.slice(0, 20).join(', '), [
        { path: 'body.marks', message: `Unknown: ${err.ids.slice(0, 20).join(', ')}` },
      ]);
    }
    throw err;
  }
  // The ledger: each (member, kind, ref) once, so a repeated marking never counts twice.
  for (const pk of result.present) await store.recordActivity(site.id, pk, 'event.attended', params.event);
  await removeActivities(store, site.id, 'event.attended', params.event, result.absent);
  if (held.organiser) await store.recordActivity(site.id, held.organiser, 'event.hosted', params.event);
  const v = await eventView(store, site.id, params.event, ctx.viewer!.pk);
  return { body: await attendeeList(ctx, v!, r) };
}

/** The event as an iCalendar file (RFC 5545). */
export async function eventCalendar(ctx: HandlerContext<typeof routes.eventCalendar>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventView(ctx.store, ctx.site.id, ctx.params.event, ctx.viewer?.pk ?? null);
  mustSee(ctx.site, v, ctx.viewer, r, v);
  const reveal = canManage(v, r) || v.my_status === 'going';
  return sendCalendar(
    ctx.c,
    { events: await calendarEvents(ctx.store, ctx.site, [v], () => ({ reveal, tentative: false })) },
    [v],
    v.updated_at,
    `attachment; filename="${fileName(v.title)}"`,
  );
}

/** Subscribable feed of the public events (of some chapters). */
export async function siteCalendar(ctx: HandlerContext<typeof routes.siteCalendar>) {
  const { store, site, query, now } = ctx;
  if (!site.settings.publicRead) throw problem(403, 'calendar.not_public', 'This site does not publish its events');
  const chapters = query.chapter
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rows = await eventStore.listEvents(store, site.id, {
    memberPk: null,
    audiences: ['public'],
    chapters,
    mode: 'range',
    now: iso(now()),
    from: iso(now() - FEED_PAST_DAYS * 86_400_000),
    limit: 1000,
  });
  const named = new Map(rows.map((e) => [e.chapter_id, e.chapter_name]));
  const names = chapters?.length ? ` — ${chapters.map((id) => chapterName(id, named.get(id))).join(', ')}` : '';
  return sendCalendar(
    ctx.c,
    {
      name: `${site.name}${names}`,
      refreshMinutes: 60,
      events: await calendarEvents(store, site, rows, () => ({ reveal: false, tentative: false })),
    },
    rows,
    site.createdAt,
    'inline; filename="events.ics"',
  );
}

/** A member's private feed of their events (secret address). */
export async function memberCalendar(ctx: HandlerContext<typeof routes.memberCalendar>) {
  const { store, site, params, now } = ctx;
  const member = await feedMember(store, site.id, params.token);
  if (!member) throw problem(404, 'calendar.unknown_feed', 'No such calendar feed', 'The address was revoked or replaced.');
  const viewer = toViewer(member);
  const rows = (await memberEvents(store, site.id, member.pk, iso(now() - FEED_PAST_DAYS * 86_400_000))).filter(
    (e) => e.organiser_pk === member.pk || canSee(e.audience, viewer, site.settings.publicRead),
  );
  return sendCalendar(
    ctx.c,
    {
      name: `${site.name} — ${member.name}`,
      refreshMinutes: 30,
      events: await calendarEvents(store, site, rows, (e) => ({
        reveal: e.my_status === 'going' || e.organiser_pk === member.pk,
        tentative: e.my_status === 'maybe' || e.my_status === 'waitlist',
      })),
    },
    rows,
    member.created_at,
    'inline; filename="my-events.ics"',
  );
}

/** Whether the reader has a private calendar feed. */
export async function calendarFeed({ store, site, viewer }: HandlerContext<typeof routes.calendarFeed>) {
  const f = await eventStore.calendarFeed(store, site.id, viewer!.pk);
  return { body: feedOut(f?.created_at ?? null, null, site) };
}

/** Create the private calendar feed, or replace its address. */
export async function resetCalendarFeed({ store, site, viewer }: HandlerContext<typeof routes.resetCalendarFeed>) {
  const { token, createdAt } = await eventStore.resetCalendarFeed(store, site.id, viewer!.pk);
  return { status: 201, body: feedOut(createdAt, token, site) };
}

/** Revoke the private calendar feed. */
export async function revokeCalendarFeed({ store, site, viewer }: HandlerContext<typeof routes.revokeCalendarFeed>) {
  await eventStore.revokeCalendarFeed(store, site.id, viewer!.pk);
  return { body: feedOut(null, null, site) };
}

/** Members who organise a chapter's events (admins). */
export async function chapterOrganisers({ store, site, params, viewer }: HandlerContext<typeof routes.chapterOrganisers>) {
  adminOnly(viewer);
  return { body: { chapter: params.chapter, members: await eventStore.chapterOrganisers(store, site.id, params.chapter) } };
}

/** Let a member organise a chapter's events (admins). */
export async function addChapterOrganiser({ store, site, params, viewer }: HandlerContext<typeof routes.addChapterOrganiser>) {
  adminOnly(viewer);
  await eventStore.addChapterOrganiser(store, site.id, params.chapter, params.member);
  return { body: { chapter: params.chapter, members: await eventStore.chapterOrganisers(store, site.id, params.chapter) } };
}

/** Stop a member organising a chapter's events (admins). */
export async function removeChapterOrganiser({ store, site, params, viewer }: HandlerContext<typeof routes.removeChapterOrganiser>) {
  adminOnly(viewer);
  await eventStore.removeChapterOrganiser(store, site.id, params.chapter, params.member);
  return { body: { chapter: params.chapter, members: await eventStore.chapterOrganisers(store, site.id, params.chapter) } };
}
