// Recurring events: the contract's `Recurrence` as an RRULE, and its occurrences in the event's zone.
import rrule from 'rrule';
import { MAX_OCCURRENCES, MAX_SERIES_DAYS, type Recurrence, type Weekday } from '../../contract/events.js';
import { problem } from '../http/problem.js';
import { wallTime, zonedToUtc } from './tz.js';

const { RRule } = rrule;
const DAY = 86_400_000;
const DAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

const bad = (field: string, message: string) =>
  problem(400, 'series.bad_rule', 'This recurrence cannot be used', message, [{ path: `body.recurrence.${field}`, message }]);

/** The weekday (`MO`…`SU`) of a wall-clock date. */
const weekdayOf = (w: { year: number; month: number; day: number }) =>
  DAYS[(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7];

/**
 * The RRULE parts (no DTSTART, UNTIL or COUNT) for a recurrence starting at `firstStart` in `zone`.
 * Refuses combinations that mean nothing (a weekly rule with a month day, a monthly one with neither).
 */
export function ruleOf(r: Recurrence, firstStart: number, zone: string): string {
  const parts = [`FREQ=${r.freq.toUpperCase()}`];
  if ((r.interval ?? 1) > 1) parts.push(`INTERVAL=${r.interval}`);
  const startDay = weekdayOf(wallTime(zone, firstStart));
  if (r.freq === 'weekly') {
    if (r.monthDay !== undefined) throw bad('monthDay', 'A weekly meeting has no day of the month.');
    if (r.setPos !== undefined) throw bad('setPos', 'A weekly meeting has no week of the month.');
    const days = DAYS.filter((d) => (r.byDay ?? [startDay]).includes(d));
    parts.push(`BYDAY=${days.join(',')}`);
  } else if (r.monthDay !== undefined) {
    if (r.byDay !== undefined || r.setPos !== undefined) throw bad('monthDay', 'Either a date of the month or a weekday, not both.');
    parts.push(`BYMONTHDAY=${r.monthDay}`);
  } else {
    if (r.setPos === undefined) throw bad('setPos', 'Say which week of the month (first to fourth, or last).');
    const days = r.byDay ?? [startDay];
    if (days.length !== 1) throw bad('byDay', 'One weekday for a monthly meeting.');
    parts.push(`BYDAY=${r.setPos}${days[0]}`);
  }
  return parts.join(';');
}

/**
 * The instants of the occurrences of `rule` from `firstStart` on, read in `zone`: the rule runs on wall
 * clock times (each occurrence at the same local time, whatever the offset), then each is placed in
 * the zone. Refuses a rule with no end, none or more than 200 occurrences, or reaching past two years.
 */
export function occurrences(rule: string, r: Pick<Recurrence, 'until' | 'count'>, firstStart: number, zone: string): number[] {
  if (r.until === undefined && r.count === undefined) throw bad('until', 'Give an end date or a number of meetings.');
  if (r.until !== undefined && r.count !== undefined) throw bad('count', 'Either an end date or a number of meetings, not both.');
  const w = wallTime(zone, firstStart);
  const floating = (ms: number) => new Date(ms);
  const dtstart = floating(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
  const horizon = dtstart.getTime() + MAX_SERIES_DAYS * DAY;
  const until = r.until === undefined ? undefined : Date.parse(`${r.until}T23:59:59Z`);
  if (until !== undefined && until < dtstart.getTime()) throw bad('until', 'The end date is before the first meeting.');
  const rr = new RRule({
    ...RRule.parseString(rule),
    dtstart,
    ...(until === undefined ? {} : { until: floating(until) }),
    ...(r.count === undefined ? {} : { count: r.count }),
  });
  const found = rr.all((d, i) => i <= MAX_OCCURRENCES && d.getTime() <= horizon);
  if (!found.length) {
    throw problem(400, 'series.empty', 'This recurrence gives no meeting', 'No date between the first meeting and the end matches it.', [
      { path: 'body.recurrence', message: 'No meeting matches.' },
    ]);
  }
  const beyond = found.length > MAX_OCCURRENCES || (until ?? Infinity) > horizon ? rr.after(floating(horizon)) : null;
  if (found.length > MAX_OCCURRENCES || beyond) {
    throw problem(
      400,
      'series.too_many',
      'Too many meetings in this series',
      `At most ${MAX_OCCURRENCES} meetings within two years; create another series after that.`,
      [
        {
          path: r.count === undefined ? 'body.recurrence.until' : 'body.recurrence.count',
          message: `At most ${MAX_OCCURRENCES} within two years.`,
        },
      ],
    );
  }
  return found.map((d) =>
    zonedToUtc(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      zone,
    ),
  );
}
