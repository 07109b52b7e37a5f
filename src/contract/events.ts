import { z } from 'zod/mini';
import { Audience, HttpUrl, Id, SiteId, Timestamp, Line, Text } from './common.js';
import { EventListQuery } from './requests.js';
import { Event, EventPage, MemberSummary, RsvpStatus } from './resources.js';
import type { RouteSpec } from './route.js';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name as written in the tz database (`Europe/Paris`, `America/Guadeloupe`, `UTC`). */
export const TimeZone = z
  .string()
  .check(
    z.maxLength(64),
    z.regex(/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*){0,2}$/, 'An IANA time zone such as Europe/Paris'),
    z.refine(isTimeZone, 'Unknown time zone'),
  );

/**
 * A date and time: either an instant (`2026-12-03T18:00:00Z`, `…+01:00`) or a wall-clock time
 * without offset (`2026-12-03T19:00`), read in the event's `timeZone`.
 */
export const EventTime = z.iso.datetime({ offset: true, local: true });

/** What a member may answer; `waitlist` is the server's answer when the event is full. */
export const RsvpAnswer = z.enum(['going', 'maybe', 'declined']);
export type RsvpAnswer = z.infer<typeof RsvpAnswer>;

export const MAX_GUESTS = 20;
export const MAX_CAPACITY = 100_000;

const Title = Line.check(z.trim(), z.minLength(1), z.maxLength(200));
const Description = Text.check(z.trim(), z.maxLength(5000));
const Place = Line.check(z.trim(), z.minLength(1), z.maxLength(300));
const Capacity = z.int().check(z.gte(1, 'At least 1 place'), z.lte(MAX_CAPACITY));
const Guests = z.int().check(z.gte(0), z.lte(MAX_GUESTS));

const eventFields = {
  title: Title,
  description: z.optional(Description),
  /** The chapter that holds the event; `null` for the whole network. */
  chapter: z.optional(z.nullable(Id)),
  startsAt: EventTime,
  endsAt: EventTime,
  timeZone: TimeZone,
  place: z.optional(z.nullable(Place)),
  /** The meeting link, shown only to members going. */
  onlineUrl: z.optional(z.nullable(HttpUrl)),
  /** The event's page on the host site. */
  url: z.optional(z.nullable(HttpUrl)),
  capacity: z.optional(z.nullable(Capacity)),
  maxGuests: z.optional(Guests),
  rsvpDeadline: z.optional(z.nullable(EventTime)),
  audience: z.optional(Audience),
  /** The organiser's member id (host id); admins only. Defaults to the member creating the event. */
  organiser: z.optional(z.nullable(Id)),
};

/** A new event. */
export const NewEvent = z.strictObject(eventFields);
export type NewEvent = z.infer<typeof NewEvent>;

/** Changes to an event: only the fields given change. */
export const EventPatch = z.strictObject({
  title: z.optional(Title),
  description: z.optional(Description),
  chapter: z.optional(z.nullable(Id)),
  startsAt: z.optional(EventTime),
  endsAt: z.optional(EventTime),
  timeZone: z.optional(TimeZone),
  place: eventFields.place,
  onlineUrl: eventFields.onlineUrl,
  url: eventFields.url,
  capacity: eventFields.capacity,
  maxGuests: eventFields.maxGuests,
  rsvpDeadline: eventFields.rsvpDeadline,
  audience: eventFields.audience,
  organiser: eventFields.organiser,
});
export type EventPatch = z.infer<typeof EventPatch>;

export const CancelEvent = z.strictObject({
  /** Shown to members on the event and in calendars. */
  reason: z.optional(Text.check(z.trim(), z.maxLength(500))),
});
export type CancelEvent = z.infer<typeof CancelEvent>;

/** The signed-in member's answer. There is no member field: one answers only for oneself. */
export const RsvpRequest = z.strictObject({
  status: RsvpAnswer,
  guests: z.optional(Guests),
});
export type RsvpRequest = z.infer<typeof RsvpRequest>;

/** One member's answer, as members see it (organisers also see positions and attendance). */
export const Attendee = z.object({
  member: MemberSummary,
  status: RsvpStatus,
  guests: z.int(),
  /** Place in the waitlist (organisers only). */
  position: z.nullable(z.int()),
  /** Marked by an organiser after the event; `null` until marked (and for non-organisers). */
  attended: z.nullable(z.boolean()),
});
export type Attendee = z.infer<typeof Attendee>;

export const AttendeeList = z.object({
  items: z.array(Attendee),
  going: z.int(),
  maybe: z.int(),
  waitlist: z.int(),
});
export type AttendeeList = z.infer<typeof AttendeeList>;

export const AttendanceRequest = z.strictObject({
  marks: z.array(z.strictObject({ member: Id, attended: z.boolean() })).check(z.minLength(1), z.maxLength(1000)),
});
export type AttendanceRequest = z.infer<typeof AttendanceRequest>;

/**
 * The member's private calendar feed of "my events". The secret `token` (and the `path` that
 * holds it) is shown once, when the feed is created or reset; the server keeps only its hash.
 */
export const CalendarFeed = z.object({
  active: z.boolean(),
  createdAt: z.nullable(Timestamp),
  token: z.nullable(z.string()),
  /** Relative to the API base, e.g. `/v1/sites/asso/calendars/…/events.ics`. */
  path: z.nullable(z.string()),
});
export type CalendarFeed = z.infer<typeof CalendarFeed>;

/** A feed secret: 32 random bytes, base64url. */
export const FeedToken = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'Not a calendar feed address'));

export const CalendarQuery = z.strictObject({
  chapter: z.optional(z.string().check(z.maxLength(1000), z.regex(/^[A-Za-z0-9_.:@,-]*$/))),
});

export const Organisers = z.object({ chapter: Id, members: z.array(Id) });
export type Organisers = z.infer<typeof Organisers>;

// ---- recurring events ---------------------------------------------------------------------

/** The most occurrences one series may have, and how far it may reach. */
export const MAX_OCCURRENCES = 200;
export const MAX_SERIES_DAYS = 731;

export const Weekday = z.enum(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']);
export type Weekday = z.infer<typeof Weekday>;

/**
 * How a meeting repeats, from its first `startsAt` on, in the event's zone (a 08:00 breakfast stays at
 * 08:00 across daylight-saving changes). `weekly`: every `interval` weeks (2 = every second week) on
 * `byDay` (default: the weekday of `startsAt`). `monthly`: by day of week (`byDay` with one day and
 * `setPos`, 1 to 4 or -1 for the last: "first Tuesday") or by date (`monthDay`: months without that
 * date are skipped). It ends on `until` (a date, inclusive) or after `count` occurrences; at most
 * 200 occurrences within two years.
 */
export const Recurrence = z.strictObject({
  freq: z.enum(['weekly', 'monthly']),
  interval: z.optional(z.int().check(z.gte(1), z.lte(12))),
  byDay: z.optional(z.array(Weekday).check(z.minLength(1), z.maxLength(7))),
  setPos: z.optional(
    z.int().check(
      z.gte(-1),
      z.lte(4),
      z.refine((v) => v !== 0, 'From 1 to 4, or -1 for the last'),
    ),
  ),
  monthDay: z.optional(z.int().check(z.gte(1), z.lte(31))),
  until: z.optional(z.iso.date()),
  count: z.optional(z.int().check(z.gte(1), z.lte(MAX_OCCURRENCES, `At most ${MAX_OCCURRENCES} occurrences`))),
});
export type Recurrence = z.infer<typeof Recurrence>;

/** A recurring event: the first occurrence's details and times, and how it repeats. */
export const NewSeries = z.strictObject({ ...eventFields, recurrence: Recurrence });
export type NewSeries = z.infer<typeof NewSeries>;

/** A series and its occurrences (each an event with its own answers), soonest first. */
export const Series = z.object({
  id: Id,
  /** The iCalendar RRULE, without DTSTART (the first occurrence's start). */
  rule: z.string(),
  recurrence: Recurrence,
  timeZone: z.string(),
  occurrences: z.array(Event),
});
export type Series = z.infer<typeof Series>;

/** Cancels every occurrence not yet begun; the message is shown on each. */
export const CancelSeries = z.strictObject({
  /** Shown to members on each cancelled meeting and in calendars. */
  reason: z.optional(Text.check(z.trim(), z.maxLength(500))),
});

// ---- at the door --------------------------------------------------------------------------

/**
 * Lets someone in. A member going (`member`, host id), or a walk-in (`walkIn: true`, a `name`, maybe
 * linked to a `member` who had not answered: they become going). The key in the path, chosen by the
 * organiser's device, makes a retry harmless; a member is counted once per event whatever the key.
 */
export const CheckInRequest = z.strictObject({
  member: z.optional(Id),
  walkIn: z.optional(z.boolean()),
  name: z.optional(Line.check(z.trim(), z.minLength(1), z.maxLength(120))),
  /** When the organiser let them in (the device's clock), for check-ins sent late; the server's time by default. */
  at: z.optional(Timestamp),
});
export type CheckInRequest = z.infer<typeof CheckInRequest>;

/** A check-in key: 8 to 64 letters, digits, `-` or `_` (a UUID fits). */
export const CheckInKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'Not a check-in key'));

export const CheckIn = z.object({
  key: z.string(),
  /** The member let in; `null` for a walk-in without a member. */
  member: z.nullable(MemberSummary),
  name: z.string(),
  walkIn: z.boolean(),
  at: Timestamp,
  /** `true` when the member had already been let in (under another key): nothing was counted twice. */
  duplicate: z.boolean(),
});
export type CheckIn = z.infer<typeof CheckIn>;

export const CheckInList = z.object({
  items: z.array(CheckIn),
  /** People let in: members and walk-ins. */
  count: z.int(),
  /** Members going. */
  going: z.int(),
});
export type CheckInList = z.infer<typeof CheckInList>;

const SiteParams = z.strictObject({ site: SiteId });
const EventParams = z.strictObject({ site: SiteId, event: Id });
const ICS = 'text/calendar';
const icsBody = z.string();

/** Events, RSVPs, attendance, calendars and chapter organisers. */
export const eventRoutes = {
  listEvents: {
    method: 'get',
    path: '/v1/sites/{site}/events',
    summary: 'Upcoming (or past, or in a date range) events the reader may see',
    auth: 'optional',
    params: SiteParams,
    query: EventListQuery,
    ok: { status: 200, schema: EventPage, description: 'One page of events.' },
  },
  getEvent: {
    method: 'get',
    path: '/v1/sites/{site}/events/{event}',
    summary: 'One event',
    auth: 'optional',
    params: EventParams,
    ok: { status: 200, schema: Event, description: 'The event.' },
  },
  createEvent: {
    method: 'post',
    path: '/v1/sites/{site}/events',
    summary: 'Create an event (admins, chapter organisers)',
    auth: 'required',
    params: SiteParams,
    body: NewEvent,
    ok: { status: 201, schema: Event, description: 'The event as stored.' },
  },
  updateEvent: {
    method: 'patch',
    path: '/v1/sites/{site}/events/{event}',
    summary: 'Edit an event (its organisers)',
    auth: 'required',
    params: EventParams,
    body: EventPatch,
    ok: { status: 200, schema: Event, description: 'The event as stored.' },
  },
  cancelEvent: {
    method: 'post',
    path: '/v1/sites/{site}/events/{event}/cancel',
    summary: 'Cancel an event (its organisers)',
    auth: 'required',
    params: EventParams,
    body: CancelEvent,
    ok: { status: 200, schema: Event, description: 'The cancelled event.' },
  },
  rsvp: {
    method: 'put',
    path: '/v1/sites/{site}/events/{event}/rsvp',
    summary: 'Answer for oneself: going, maybe or declined; going to a full event joins the waitlist',
    auth: 'required',
    params: EventParams,
    body: RsvpRequest,
    ok: { status: 200, schema: Event, description: "The event with the reader's answer (`myRsvp.status` is `waitlist` when it was full)." },
  },
  acknowledgeRsvp: {
    method: 'post',
    path: '/v1/sites/{site}/events/{event}/rsvp/seen',
    summary: 'Acknowledge the move from the waitlist to going',
    auth: 'required',
    params: EventParams,
    ok: { status: 200, schema: Event, description: 'The event.' },
  },
  attendees: {
    method: 'get',
    path: '/v1/sites/{site}/events/{event}/attendees',
    summary: 'Who is going (members only)',
    auth: 'required',
    params: EventParams,
    ok: {
      status: 200,
      schema: AttendeeList,
      description: 'Members going and maybe; organisers also see the waitlist, declines and attendance.',
    },
  },
  markAttendance: {
    method: 'put',
    path: '/v1/sites/{site}/events/{event}/attendance',
    summary: 'Mark who attended (organisers, once the event has begun)',
    auth: 'required',
    params: EventParams,
    body: AttendanceRequest,
    ok: { status: 200, schema: AttendeeList, description: 'The attendees with their attendance.' },
  },
  eventCalendar: {
    method: 'get',
    path: '/v1/sites/{site}/events/{event}/calendar.ics',
    summary: 'The event as an iCalendar file (RFC 5545)',
    auth: 'optional',
    params: EventParams,
    contentType: ICS,
    ok: { status: 200, schema: icsBody, description: 'text/calendar with one VEVENT.' },
  },
  siteCalendar: {
    method: 'get',
    path: '/v1/sites/{site}/calendar.ics',
    summary: 'Subscribable feed of the public events (of some chapters)',
    auth: 'none',
    params: SiteParams,
    query: CalendarQuery,
    contentType: ICS,
    ok: { status: 200, schema: icsBody, description: 'text/calendar with public events from 90 days ago on.' },
  },
  memberCalendar: {
    method: 'get',
    path: '/v1/sites/{site}/calendars/{token}/events.ics',
    summary: "A member's private feed of their events (secret address)",
    auth: 'none',
    params: z.strictObject({ site: SiteId, token: FeedToken }),
    contentType: ICS,
    ok: {
      status: 200,
      schema: icsBody,
      description: 'text/calendar with the events the member goes to, may go to, waits for or organises.',
    },
  },
  calendarFeed: {
    method: 'get',
    path: '/v1/sites/{site}/me/calendar-feed',
    summary: 'Whether the reader has a private calendar feed',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: CalendarFeed, description: 'The feed (its secret is not shown again).' },
  },
  resetCalendarFeed: {
    method: 'post',
    path: '/v1/sites/{site}/me/calendar-feed',
    summary: 'Create the private calendar feed, or replace its address',
    auth: 'required',
    params: SiteParams,
    ok: { status: 201, schema: CalendarFeed, description: 'The feed with its new secret address; the previous address stops working.' },
  },
  revokeCalendarFeed: {
    method: 'delete',
    path: '/v1/sites/{site}/me/calendar-feed',
    summary: 'Revoke the private calendar feed',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: CalendarFeed, description: 'The feed, now inactive.' },
  },
  createSeries: {
    method: 'post',
    path: '/v1/sites/{site}/series',
    summary: 'Create a recurring event: its occurrences, each with its own answers (admins, chapter organisers)',
    auth: 'required',
    params: SiteParams,
    body: NewSeries,
    ok: { status: 201, schema: Series, description: 'The series with its occurrences.' },
  },
  getSeries: {
    method: 'get',
    path: '/v1/sites/{site}/series/{series}',
    summary: 'A recurring event and its occurrences',
    auth: 'optional',
    params: z.strictObject({ site: SiteId, series: Id }),
    ok: { status: 200, schema: Series, description: 'The series with its occurrences (cancelled ones too).' },
  },
  cancelSeries: {
    method: 'post',
    path: '/v1/sites/{site}/series/{series}/cancel',
    summary: 'Cancel every occurrence not yet begun (its organisers)',
    auth: 'required',
    params: z.strictObject({ site: SiteId, series: Id }),
    body: CancelSeries,
    ok: { status: 200, schema: Series, description: 'The series.' },
  },
  checkIn: {
    method: 'put',
    path: '/v1/sites/{site}/events/{event}/checkins/{key}',
    summary: 'Let someone in at the door (organisers): a member going, or a walk-in; idempotent by key',
    auth: 'required',
    params: z.strictObject({ site: SiteId, event: Id, key: CheckInKey }),
    body: CheckInRequest,
    ok: { status: 200, schema: CheckIn, description: 'The check-in (the first one when repeated).' },
  },
  undoCheckIn: {
    method: 'delete',
    path: '/v1/sites/{site}/events/{event}/checkins/{key}',
    summary: 'Take back a check-in made by mistake (organisers); nothing to take back is not an error',
    auth: 'required',
    params: z.strictObject({ site: SiteId, event: Id, key: CheckInKey }),
    ok: { status: 200, schema: CheckInList, description: 'Who is still let in.' },
  },
  checkIns: {
    method: 'get',
    path: '/v1/sites/{site}/events/{event}/checkins',
    summary: 'Who has been let in (organisers)',
    auth: 'required',
    params: EventParams,
    ok: { status: 200, schema: CheckInList, description: 'Check-ins, earliest first.' },
  },
  attendeesCsv: {
    method: 'get',
    path: '/v1/sites/{site}/events/{event}/attendees.csv',
    summary: 'The attendee list as CSV (organisers), with only the card fields each member shows them',
    auth: 'required',
    params: EventParams,
    contentType: 'text/csv',
    ok: {
      status: 200,
      schema: z.string(),
      description: 'text/csv (UTF-8, header row); formula-like cells are quoted with a leading apostrophe.',
    },
  },
  chapterOrganisers: {
    method: 'get',
    path: '/v1/sites/{site}/chapters/{chapter}/organisers',
    summary: "Members who organise a chapter's events (admins)",
    auth: 'required',
    params: z.strictObject({ site: SiteId, chapter: Id }),
    ok: { status: 200, schema: Organisers, description: "The chapter's organisers (host member ids)." },
  },
  addChapterOrganiser: {
    method: 'put',
    path: '/v1/sites/{site}/chapters/{chapter}/organisers/{member}',
    summary: "Let a member organise a chapter's events (admins)",
    auth: 'required',
    params: z.strictObject({ site: SiteId, chapter: Id, member: Id }),
    ok: { status: 200, schema: Organisers, description: "The chapter's organisers." },
  },
  removeChapterOrganiser: {
    method: 'delete',
    path: '/v1/sites/{site}/chapters/{chapter}/organisers/{member}',
    summary: "Stop a member organising a chapter's events (admins)",
    auth: 'required',
    params: z.strictObject({ site: SiteId, chapter: Id, member: Id }),
    ok: { status: 200, schema: Organisers, description: "The chapter's organisers." },
  },
} as const satisfies Record<string, RouteSpec>;
