/**
 * Organisers' calls: recurring events, the door (check-in) and the attendee export. Only the organiser
 * tools import this module, so members' pages never carry it.
 */
import type { CheckIn, CheckInList, CheckInRequest, NewSeries, Series } from '../contract/events.js';
import type { CercleClient } from './client.js';
import { seg } from './path.js';

/** Creates a recurring event: every occurrence, each with its own answers. */
export const createSeries = (c: CercleClient, body: NewSeries): Promise<Series> => c.write('POST', '/series', body, 'series');

export const getSeries = (c: CercleClient, id: string): Promise<Series> => c.read('/series' + seg(id), 'series');

/** Cancels every occurrence not yet begun. */
export const cancelSeries = (c: CercleClient, id: string, reason?: string): Promise<Series> =>
  c.write('POST', '/series' + seg(id) + '/cancel', reason ? { reason } : {}, 'series');

/** Lets someone in; `key` (chosen once per person let in) makes a resend harmless. */
export const checkIn = (c: CercleClient, event: string, key: string, body: CheckInRequest): Promise<CheckIn> =>
  c.write('PUT', '/events' + seg(event) + '/checkins' + seg(key), body, 'checkIn');

/** Takes back a check-in made by mistake; a key the server never had is not an error. */
export const undoCheckIn = (c: CercleClient, event: string, key: string): Promise<CheckInList> =>
  c.write('DELETE', '/events' + seg(event) + '/checkins' + seg(key), undefined, 'checkIns');

export const checkIns = (c: CercleClient, event: string): Promise<CheckInList> => c.read('/events' + seg(event) + '/checkins', 'checkIns');

/** The attendee list as a CSV file (only the card fields each member shows the organiser). */
export const attendeesCsv = (c: CercleClient, event: string): Promise<Blob> => c.download('/events' + seg(event) + '/attendees.csv');
