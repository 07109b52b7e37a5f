import type { EventChange } from '../../../contract/notifications.js';
import { createHash } from 'node:crypto';
import { checkMarkup } from '../../../contract/markup.js';
import type { Context } from 'hono';
import type { Attendee, AttendeeList, CalendarFeed, NewEvent } from '../../../contract/events.js';
import type { Event } from '../../../contract/resources.js';
import type { HandlerContext } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { utcStamp, writeCalendar, type IcsEvent } from '../../calendar/ics.js';
import { chapterName, memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { EventRow } from '../../store/schema.js';
import type { Site, Store } from '../../store/store.js';
import { attendees as attendeeRows, eventView, organisedChapters, seriesInstants, seriesRows, type EventView } from '../../store/events.js';
import { parseEventTime } from '../../domain/tz.js';
import { memberPkOf, type Viewer } from '../../http/viewer.js';

/** How far back calendar feeds reach. */
export const FEED_PAST_DAYS = 90;

// ---- rights ----------------------------------------------------------------------------

export interface Rights {
  viewer: Viewer | null;
  admin: boolean;
  /** Chapters whose events the viewer organises. */
  chapters: Set<string>;
}

export async function rightsOf(store: Store, site: Site, viewer: Viewer | null): Promise<Rights> {
  if (!viewer) return { viewer, admin: false, chapters: new Set() };
  const admin = viewer.roles.includes('admin');
  return { viewer, admin, chapters: new Set(admin ? [] : await organisedChapters(store, site.id, viewer.hostId)) };
}

export const canManage = (ev: Pick<EventRow, 'organiser_pk' | 'chapter_id'>, r: Rights) =>
  !!r.viewer && (r.admin || ev.organiser_pk === r.viewer.pk || (ev.chapter_id !== null && r.chapters.has(ev.chapter_id)));

/** Refuses an event the reader may not see: 404 when there is none, 401/403 by audience. */
export function mustSee(
  site: Site,
  ev: Pick<EventRow, 'audience'> | undefined,
  viewer: Viewer | null,
  r?: Rights,
  full?: EventRow,
): asserts ev {
  if (!ev) throw problem(404, 'event.not_found', 'No such event');
  if (r && full && canManage(full, r)) return;
  if (!canSee(ev.audience, viewer, site.settings.publicRead)) {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to see this event');
    throw problem(403, 'event.forbidden', 'This event is not open to you', `Audience: ${ev.audience}.`);
  }
}

export function mustManage(ev: EventRow | undefined, r: Rights): asserts ev {
  if (!ev) throw problem(404, 'event.not_found', 'No such event');
  if (!canManage(ev, r)) throw problem(403, 'event.not_organiser', "Only the event's organisers may do this");
}

// ---- mapping ---------------------------------------------------------------------------

export const iso = (ms: number) => new Date(ms).toISOString();

export function rsvpOpen(e: EventRow, now: number) {
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
    myRsvp: e.my_status
      ? {
          status: e.my_status,
          guests: e.my_guests ?? 0,
          position: e.my_position,
          promotedAt: e.my_status === 'going' && e.my_promoted_at && !e.my_seen_at ? e.my_promoted_at : null,
          updatedAt: e.my_updated_at ?? e.updated_at,
        }
      : null,
    canManage: manage,
    series: e.series_id && e.occurrence_at ? { id: e.series_id, occurrence: e.occurrence_at } : null,
  };
}

// ---- input -----------------------------------------------------------------------------

export function instant(value: string, zone: string, path: string): string {
  const ms = parseEventTime(value, zone);
  if (Number.isNaN(ms))
    throw problem(400, 'request.invalid', 'The request is not valid', `Invalid ${path}.`, [{ path, message: 'Not a date and time' }]);
  return iso(Math.floor(ms / 1000) * 1000); // calendars count in whole seconds
}

/** A description in the comments' formatting: links http(s)/mailto only, no HTML (as comments are checked). */
export function checkDescription(text: string | undefined) {
  if (!text) return;
  const issues = checkMarkup(text).issues;
  if (issues.length) {
    throw problem(
      400,
      'event.description_markup',
      'The description holds a link or HTML that is not allowed',
      issues[0].message,
      issues.slice(0, 5).map((i) => ({ path: 'body.description', message: i.message })),
    );
  }
}

/**
 * What a new event or series states, checked the same way for both: who may organise it in that chapter, its
 * description, its times in the venue's zone (end after start, answers closing before it), and its organiser
 * (the member who creates it by default; nobody when the site itself does).
 */
export async function plannedEvent(store: Store, site: Site, r: Rights, body: NewEvent) {
  const chapter = body.chapter ?? null;
  mayOrganiseIn(chapter, r);
  checkDescription(body.description);
  const times = {
    starts_at: instant(body.startsAt, body.timeZone, 'body.startsAt'),
    ends_at: instant(body.endsAt, body.timeZone, 'body.endsAt'),
    rsvp_deadline: body.rsvpDeadline ? instant(body.rsvpDeadline, body.timeZone, 'body.rsvpDeadline') : null,
  };
  checkTimes(times);
  const organiser = await organiserPk(store, site, r, body.organiser, memberPkOf(r.viewer));
  return { chapter, times, organiser };
}

/** End after start, deadline no later than start. */
export function checkTimes(e: Pick<EventRow, 'starts_at' | 'ends_at' | 'rsvp_deadline'>) {
  if (Date.parse(e.ends_at) <= Date.parse(e.starts_at)) {
    throw problem(400, 'event.ends_before_start', 'The event must end after it starts', undefined, [
      { path: 'body.endsAt', message: 'Must be after startsAt.' },
    ]);
  }
  if (e.rsvp_deadline && Date.parse(e.rsvp_deadline) > Date.parse(e.starts_at)) {
    throw problem(400, 'event.deadline_after_start', 'Answers must close no later than the start', undefined, [
      { path: 'body.rsvpDeadline', message: 'Must be at or before startsAt.' },
    ]);
  }
}

export async function organiserPk(
  store: Store,
  site: Site,
  r: Rights,
  hostId: string | null | undefined,
  current: string | null,
): Promise<string | null> {
  if (hostId === undefined) return current;
  if (hostId === null) {
    if (!r.admin) throw problem(403, 'event.organiser_admin_only', 'Only admins choose the organiser');
    return null;
  }
  if (hostId === r.viewer!.hostId && r.viewer!.actor === 'member') return r.viewer!.pk;
  if (!r.admin) throw problem(403, 'event.organiser_admin_only', 'Only admins choose the organiser');
  const m = await store.memberByHostId(site.id, hostId);
  if (!m)
    throw problem(400, 'event.unknown_organiser', 'No such member to organise the event', hostId, [
      { path: 'body.organiser', message: 'Unknown member.' },
    ]);
  return m.pk;
}

export function mayOrganiseIn(chapter: string | null, r: Rights) {
  if (r.admin) return;
  if (chapter === null) throw problem(403, 'event.not_organiser', 'Only admins create events for the whole network');
  if (!r.chapters.has(chapter)) throw problem(403, 'event.not_organiser', "You do not organise this chapter's events", chapter);
}

/** What an edit changes that members going rely on (a capacity or audience change is not theirs to hear of). */
export function changesOf(ev: EventRow, changes: Partial<EventRow>): EventChange[] {
  const differs = (k: keyof EventRow) => changes[k] !== undefined && changes[k] !== ev[k];
  const what: EventChange[] = [];
  if (differs('starts_at') || differs('ends_at') || differs('time_zone')) what.push('time');
  if (differs('place')) what.push('place');
  if (differs('online_url')) what.push('online');
  if (differs('title')) what.push('title');
  if (differs('description')) what.push('details');
  return what;
}

// ---- calendars ---------------------------------------------------------------------------

export function icsEvent(site: Site, e: EventView, opts: { reveal: boolean; tentative: boolean }): IcsEvent {
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

/**
 * The VEVENTs of a feed. One-off events as they are; the occurrences of a series as one master VEVENT
 * (RRULE up to the last occurrence in the feed, from the first one in it; EXDATE for the rule's
 * occurrences left out: cancelled, or not in this feed) plus one VEVENT with a RECURRENCE-ID for each
 * occurrence that differs from the master (moved, or edited).
 */
export async function calendarEvents(
  store: Store,
  site: Site,
  rows: EventView[],
  optsOf: (e: EventView) => { reveal: boolean; tentative: boolean },
): Promise<IcsEvent[]> {
  const out: IcsEvent[] = [];
  const bySeries = new Map<string, EventView[]>();
  for (const e of rows) {
    if (e.series_id && e.occurrence_at) bySeries.set(e.series_id, [...(bySeries.get(e.series_id) ?? []), e]);
    else out.push(icsEvent(site, e, optsOf(e)));
  }
  if (!bySeries.size) return out;
  const ids = [...bySeries.keys()];
  const series = new Map((await seriesRows(store, site.id, ids)).map((s) => [s.id, s]));
  const instants = await seriesInstants(store, site.id, ids);
  for (const [id, list] of bySeries) {
    const s = series.get(id);
    const shown = list.filter((e) => !e.cancelled_at).sort((a, b) => a.occurrence_at!.localeCompare(b.occurrence_at!));
    if (!s || !shown.length) continue;
    const first = shown[0];
    const from = Date.parse(first.occurrence_at!);
    const last = Date.parse(shown[shown.length - 1].occurrence_at!);
    const template = icsEvent(site, first, optsOf(first));
    const duration = template.end - template.start;
    const shownAt = new Set(shown.map((e) => e.occurrence_at));
    const exdates = instants
      .filter((i) => i.series_id === id && !shownAt.has(i.occurrence_at))
      .map((i) => Date.parse(i.occurrence_at))
      .filter((t) => t > from && t <= last);
    const uid = `series-${id}@${site.id}.cercle`;
    out.push({
      ...template,
      uid,
      start: from,
      end: from + duration,
      timeZone: s.time_zone,
      rrule: `${s.rule};UNTIL=${utcStamp(last)}`,
      exdates,
      lastOccurrence: last + duration,
      sequence: Math.max(...shown.map((e) => e.sequence)),
    });
    for (const e of shown) {
      const own = icsEvent(site, e, optsOf(e));
      const at = Date.parse(e.occurrence_at!);
      const same =
        own.start === at &&
        own.end - own.start === duration &&
        own.timeZone === s.time_zone &&
        own.summary === template.summary &&
        own.description === template.description &&
        own.location === template.location &&
        own.url === template.url &&
        own.status === template.status;
      if (!same) out.push({ ...own, uid, recurrenceId: { at, zone: s.time_zone } });
    }
  }
  return out;
}

/** The calendar, with an ETag; the stamp is the latest change so the same data gives the same bytes. */
export function sendCalendar(
  c: Context,
  body: { name?: string; description?: string; refreshMinutes?: number; events: IcsEvent[] },
  views: EventView[],
  fallbackStamp: string,
  disposition: string,
) {
  const stamp = Math.max(
    Date.parse(fallbackStamp),
    ...views.map((v) => Math.max(Date.parse(v.updated_at), v.my_updated_at ? Date.parse(v.my_updated_at) : 0)),
  );
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

export const fileName = (title: string) =>
  (title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60) || 'event') + '.ics';

// ---- routes ------------------------------------------------------------------------------

export type Ctx = HandlerContext;

// ---- live -------------------------------------------------------------------------------

/**
 * Tells the streams following an event: its new counts (or that it changed) for whoever may see it,
 * and each member moved off the waitlist their promotion, to them alone.
 */
export async function announceEvent(ctx: Ctx, eventId: string, kind: 'rsvp.changed' | 'event.updated', promoted: string[] = []) {
  const { store, site, live } = ctx;
  const ev = await store.db
    .selectFrom('events')
    .select('audience')
    .where('site_id', '=', site.id)
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!ev) return;
  const topic = `event:${eventId}`;
  await live.publish(site.id, { topic, kind, ref: eventId, audience: ev.audience });
  if (!promoted.length) return;
  const members = await store.db
    .selectFrom('members')
    .select('host_id')
    .where('site_id', '=', site.id)
    .where('pk', 'in', promoted)
    .execute();
  for (const m of members) await live.publish(site.id, { topic, kind: 'waitlist.promoted', ref: eventId, audience: `member:${m.host_id}` });
}

export async function viewOf(ctx: Ctx, id: string, r: Rights) {
  const v = await eventView(ctx.store, ctx.site.id, id, ctx.viewer?.pk ?? null);
  if (!v) throw problem(404, 'event.not_found', 'No such event');
  return eventOut(v, r, ctx.now());
}

export async function attendeeList(ctx: Ctx, ev: EventView, r: Rights): Promise<AttendeeList> {
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

export const feedOut = (createdAt: string | null, token: string | null, site: Site): CalendarFeed => ({
  active: !!createdAt,
  createdAt,
  token,
  path: token ? `/v1/sites/${site.id}/calendars/${token}/events.ics` : null,
});

/** Only admins choose chapter organisers. */
export function adminOnly(viewer: Viewer | null) {
  if (!viewer?.roles.includes('admin')) throw problem(403, 'organisers.admin_only', 'Only admins choose chapter organisers');
}
