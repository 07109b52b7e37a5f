/**
 * Dates of the event feed: shown in the reader's zone with `Intl.DateTimeFormat`,
 * the event's own zone stated when its clock differs, durations, the month grid,
 * and the "add to my calendar" links. Pure functions; `zone` undefined means the
 * reader's own.
 */
import type { Event } from '../../contract/resources.js';

type Zone = string | undefined;
const ms = Date.parse;

export const format = (lang: string, zone: Zone, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(lang, { ...o, timeZone: zone });

/** `2026-12-03`: the calendar day of an instant in a zone. */
export const dayOf = (t: number, zone: Zone): string =>
  format('en-CA', zone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);

const clock = (t: number, zone: Zone) =>
  format('en', zone, { day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).format(t);

/** When the event happens, in the reader's zone: "Thursday 3 December, 19:00 – 20:30" (the year when not this one). */
export function when(e: Event, lang: string, zone: Zone, short = false, now = Date.now()): string {
  const start = ms(e.startsAt);
  const o: Intl.DateTimeFormatOptions = short
    ? { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }
    : { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' };
  if (dayOf(start, zone).slice(0, 4) !== dayOf(now, zone).slice(0, 4)) o.year = 'numeric';
  return format(lang, zone, o).formatRange(start, ms(e.endsAt));
}

/**
 * The event's own clock ("19:00 – 20:30 UTC+1", and the place of its zone), when the reader's
 * differs from it; else null.
 */
export function venueClock(e: Event, lang: string, zone: Zone): [string, string] | null {
  const start = ms(e.startsAt);
  if (clock(start, zone) === clock(start, e.timeZone)) return null;
  const f = format(lang, e.timeZone, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  return [f.formatRange(start, ms(e.endsAt)), e.timeZone.split('/').pop()!.replace(/_/g, ' ')];
}

/** "1 hr 30 min", "2 days". */
export function duration(e: Event, lang: string): string {
  const minutes = Math.round((ms(e.endsAt) - ms(e.startsAt)) / 60_000);
  const unit = (n: number, unit: string) => new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short' }).format(n);
  if (minutes >= 1440) return unit(Math.round(minutes / 1440), 'day');
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h && unit(h, 'hour'), m && unit(m, 'minute')].filter(Boolean).join(' ');
}

/** `20261203T180000Z` */
const stamp = (iso: string) => new Date(iso).toISOString().replace(/[-:]|\.\d+/g, '');

const query = (base: string, params: Record<string, string>) => base + '?' + new URLSearchParams(params);

/** What calendar apps get as the event's text and place (no more than a URL carries comfortably). */
const about = (e: Event) => ({
  details: [e.description.slice(0, 1000), e.url, e.onlineUrl].filter(Boolean).join('\n\n'),
  location: e.place ?? e.onlineUrl ?? '',
});

/** "Add to Google Calendar": the event's form, filled in. */
export function googleUrl(e: Event): string {
  const { details, location } = about(e);
  return query('https://calendar.google.com/calendar/render', {
    action: 'TEMPLATE',
    text: e.title,
    dates: stamp(e.startsAt) + '/' + stamp(e.endsAt),
    details,
    location,
    ctz: e.timeZone,
  });
}

/** "Add to Outlook" (`office`: Microsoft 365 work accounts; otherwise Outlook.com). */
export function outlookUrl(e: Event, office = false): string {
  const { details, location } = about(e);
  return query(`https://outlook.${office ? 'office' : 'live'}.com/calendar/0/action/compose`, {
    rru: 'addevent',
    subject: e.title,
    startdt: e.startsAt,
    enddt: e.endsAt,
    body: details,
    location,
  });
}

/** OpenStreetMap's search for a place. */
export const mapUrl = (place: string): string => query('https://www.openstreetmap.org/search', { query: place });

/** The first day of the week where the reader lives (1 = Monday … 7 = Sunday); Monday when unknown. */
export function firstDay(lang: string): number {
  const l = new Intl.Locale(lang) as Intl.Locale & { getWeekInfo?(): { firstDay: number }; weekInfo?: { firstDay: number } };
  return (l.getWeekInfo?.() ?? l.weekInfo)?.firstDay ?? 1;
}

/**
 * The weeks of a month (`2026-12`) as rows of `YYYY-MM-DD` days, with `null`
 * before the first and after the last day.
 */
export function monthGrid(month: string, first: number): (string | null)[][] {
  const [y, m] = month.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  // Day of the week of the 1st (1 = Monday … 7 = Sunday), counted from the week's first day.
  const lead = ((new Date(Date.UTC(y, m - 1, 1)).getUTCDay() || 7) - first + 7) % 7;
  const cells: (string | null)[] = Array(lead).fill(null);
  for (let d = 1; d <= days; d++) cells.push(`${month}-${String(d).padStart(2, '0')}`);
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** The month `n` months after `month` (`2026-12`, 1 → `2027-01`). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** Instants that surely hold every day of a month in any zone: [1st − 14 h, next 1st + 14 h). */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const h14 = 14 * 3600_000;
  return { from: new Date(Date.UTC(y, m - 1, 1) - h14).toISOString(), to: new Date(Date.UTC(y, m, 1) + h14).toISOString() };
}
