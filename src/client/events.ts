/**
 * Events, answers and calendars over the typed client. Plain functions rather
 * than methods of `CercleClient`, so that pages without events do not carry
 * them. Reads go through the client's batching: an event feed and the other
 * widgets of a page still make one request.
 */
import type { AttendanceRequest, AttendeeList, CalendarFeed, CancelEvent, EventPatch, NewEvent, RsvpRequest } from '../contract/events.js';
import type { Event, EventPage } from '../contract/resources.js';
import type { CercleClient } from './client.js';
import { seg, withQuery } from './path.js';

export interface EventQuery {
  /** Chapter ids, comma-separated; none for the whole network. */
  chapter?: string;
  cursor?: string;
  /** 1 to 100 (20 by default). */
  limit?: number;
  /** Ended events, latest first. */
  past?: boolean;
  /** Events overlapping [from, to) (ISO instants), soonest first; not with `past`. */
  from?: string;
  to?: string;
}

const at = (id: string, rest = '') => '/events' + seg(id) + rest;

/** One page of events the reader may see. */
export const listEvents = (c: CercleClient, q: EventQuery = {}): Promise<EventPage> =>
  c.read(withQuery('/events', { chapter: q.chapter, cursor: q.cursor, limit: q.limit, past: q.past, from: q.from, to: q.to }), 'events');

export const getEvent = (c: CercleClient, id: string): Promise<Event> => c.read(at(id), 'event');

/** Answers for the signed-in member; `going` to a full event joins the waitlist. The event comes back with `myRsvp`. */
export const rsvp = (c: CercleClient, id: string, answer: RsvpRequest): Promise<Event> => c.write('PUT', at(id, '/rsvp'), answer, 'event');

/** Acknowledges the move from the waitlist to going (`myRsvp.promotedAt` goes back to null). */
export const acknowledgeRsvp = (c: CercleClient, id: string): Promise<Event> => c.write('POST', at(id, '/rsvp/seen'), undefined, 'event');

/** Who is going (members only); organisers also see the waitlist, declines and attendance. */
export const attendees = (c: CercleClient, id: string): Promise<AttendeeList> => c.read(at(id, '/attendees'), 'attendees');

/** Marks who attended (organisers, once the event has begun). */
export const markAttendance = (c: CercleClient, id: string, marks: AttendanceRequest['marks']): Promise<AttendeeList> =>
  c.write('PUT', at(id, '/attendance'), { marks }, 'attendees');

export const createEvent = (c: CercleClient, event: NewEvent): Promise<Event> => c.write('POST', '/events', event, 'event');

export const updateEvent = (c: CercleClient, id: string, patch: EventPatch): Promise<Event> => c.write('PATCH', at(id), patch, 'event');

/** Cancels an event; the reason is shown on the event and in calendars. */
export const cancelEvent = (c: CercleClient, id: string, reason?: string): Promise<Event> =>
  c.write('POST', at(id, '/cancel'), (reason ? { reason } : {}) satisfies CancelEvent, 'event');

/** The event as an iCalendar file, read with the member's token (members-only events, the online link for those going). */
export const eventCalendar = (c: CercleClient, id: string): Promise<Blob> => c.download(at(id, '/calendar.ics'));

/** Address of the subscribable feed of public events (of some chapters). */
export const siteCalendarUrl = (c: CercleClient, chapter?: string): string => c.base + withQuery('/calendar.ics', { chapter });

/** Whether the member has a private feed (its address is shown only when made). */
export const calendarFeed = (c: CercleClient): Promise<CalendarFeed> => c.read('/me/calendar-feed', 'calendarFeed');

/** Makes the member's private feed, or gives it a new address (the previous one stops working). */
export const resetCalendarFeed = (c: CercleClient): Promise<CalendarFeed> =>
  c.write('POST', '/me/calendar-feed', undefined, 'calendarFeed');

export const revokeCalendarFeed = (c: CercleClient): Promise<CalendarFeed> =>
  c.write('DELETE', '/me/calendar-feed', undefined, 'calendarFeed');

/** The full address of a private feed, from its `path` (relative to the API). */
export const feedUrl = (c: CercleClient, feed: CalendarFeed): string | null =>
  feed.path && c.base.replace(/\/v1\/sites\/[^/]+$/, '') + feed.path;
