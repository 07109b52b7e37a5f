// A small iCalendar (RFC 5545) writer: exactly what Cercle's calendars need, nothing else.
import { transitions, wallTime } from '../domain/tz.js';

export interface IcsEvent {
  /** Globally unique, stable across revisions. */
  uid: string;
  start: number;
  end: number;
  /** IANA zone: times are written with TZID and a VTIMEZONE; `UTC` writes them with `Z`. */
  timeZone: string;
  summary: string;
  description?: string;
  location?: string | null;
  url?: string | null;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  sequence: number;
  created: number;
  lastModified: number;
  categories?: string[];
  /** A recurring event's rule (RRULE value, with its UNTIL): this VEVENT is the series' master. */
  rrule?: string;
  /** Occurrences of the rule left out (cancelled, or not in this feed), as instants. */
  exdates?: number[];
  /** This VEVENT overrides one occurrence of the series with the same UID: the instant the rule gave it, in the master's zone. */
  recurrenceId?: { at: number; zone: string };
  /** The last instant the rule reaches, so that the VTIMEZONE covers it. */
  lastOccurrence?: number;
}

export interface IcsCalendar {
  /** Calendar name shown by calendar apps on subscription (X-WR-CALNAME, RFC 7986 NAME). */
  name?: string;
  description?: string;
  /** Suggested polling interval for subscribed feeds. */
  refreshMinutes?: number;
  events: IcsEvent[];
}

const CRLF = '\r\n';
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Zulu', 'Zulu', 'Etc/Universal', 'Universal']);

/** Escapes a TEXT value: backslash, semicolon, comma and line breaks; other control characters go. */
export function escapeText(s: string): string {
  return (
    s
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\n/g, '\\n')
  );
}

/** Quotes a parameter value when it holds `:`, `;` or `,`; strips characters a parameter may not hold. */
function paramValue(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/["\u0000-\u001f\u007f]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

/**
 * Folds a content line so that no line is longer than 75 octets (UTF-8), never splitting a
 * character: continuation lines start with one space.
 */
export function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > limit) {
      out.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join(CRLF);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYYMMDDTHHMMSSZ` */
export function utcStamp(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function localStamp(w: { year: number; month: number; day: number; hour: number; minute: number; second: number }): string {
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** `+HHMM` (or `+HHMMSS` for the odd historical offset). */
function utcOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  const s = a % 60;
  return `${sign}${pad(Math.floor(a / 3600))}${pad(Math.floor((a % 3600) / 60))}${s ? pad(s) : ''}`;
}

const isUtc = (zone: string) => UTC_ZONES.has(zone);

/** `DTSTART;TZID=Europe/Paris:20261203T190000`, or `DTSTART:20261203T180000Z` in UTC. */
function dateTime(name: string, ms: number, zone: string): string {
  if (isUtc(zone)) return `${name}:${utcStamp(ms)}`;
  return `${name};TZID=${paramValue(zone)}:${localStamp(wallTime(zone, ms))}`;
}

/**
 * A VTIMEZONE for `zone` covering the instants given: one observance at the start of the
 * covered span, then one per change of offset (standard or daylight time), each with its
 * onset written in the offset in force before it, as RFC 5545 §3.6.5 requires.
 */
export function vtimezone(zone: string, instants: number[]): string[] {
  const min = Math.min(...instants);
  const max = Math.max(...instants);
  const fromYear = new Date(min).getUTCFullYear() - 1;
  const toYear = new Date(max).getUTCFullYear() + 1;
  const spanStart = Date.UTC(fromYear, 0, 1);
  const changes = transitions(zone, fromYear, toYear);
  const first = wallTime(zone, spanStart);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  const observance = (kind: 'STANDARD' | 'DAYLIGHT', onsetLocal: string, from: number, to: number) => {
    lines.push(`BEGIN:${kind}`, `DTSTART:${onsetLocal}`, `TZOFFSETFROM:${utcOffset(from)}`, `TZOFFSETTO:${utcOffset(to)}`, `END:${kind}`);
  };
  // The period in force at the start: daylight time if the next change lowers the offset.
  const firstIsDaylight = changes.length > 0 && changes[0].to < first.offset;
  observance(firstIsDaylight ? 'DAYLIGHT' : 'STANDARD', localStamp(first), first.offset, first.offset);
  for (const c of changes) {
    observance(c.to > c.from ? 'DAYLIGHT' : 'STANDARD', localStamp(wallTime('UTC', c.at + c.from * 1000)), c.from, c.to);
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** Writes a whole VCALENDAR (METHOD:PUBLISH) with the VTIMEZONEs its events need, CRLF line ends. */
export function writeCalendar(cal: IcsCalendar, stamp: number): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cercle//Cercle events 1.0//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  if (cal.name) lines.push(`X-WR-CALNAME:${escapeText(cal.name)}`, `NAME:${escapeText(cal.name)}`);
  if (cal.description) lines.push(`X-WR-CALDESC:${escapeText(cal.description)}`, `DESCRIPTION:${escapeText(cal.description)}`);
  if (cal.refreshMinutes) {
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${cal.refreshMinutes}M`, `X-PUBLISHED-TTL:PT${cal.refreshMinutes}M`);
  }
  const byZone = new Map<string, number[]>();
  for (const e of cal.events) {
    if (isUtc(e.timeZone)) continue;
    const list = byZone.get(e.timeZone) ?? [];
    list.push(e.start, e.end);
    if (e.lastOccurrence !== undefined) list.push(e.lastOccurrence);
    byZone.set(e.timeZone, list);
  }
  for (const [zone, instants] of byZone) lines.push(...vtimezone(zone, instants));
  for (const e of cal.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:${utcStamp(stamp)}`,
      dateTime('DTSTART', e.start, e.timeZone),
      dateTime('DTEND', e.end, e.timeZone),
      `SUMMARY:${escapeText(e.summary)}`,
    );
    if (e.rrule) lines.push(`RRULE:${e.rrule}`);
    if (e.exdates?.length) {
      const [first, ...rest] = e.exdates.map((t) => dateTime('EXDATE', t, e.timeZone));
      // One EXDATE property, its values comma-separated (same zone, same form).
      lines.push([first, ...rest.map((r) => r.slice(r.lastIndexOf(':') + 1))].join(','));
    }
    if (e.recurrenceId) lines.push(dateTime('RECURRENCE-ID', e.recurrenceId.at, e.recurrenceId.zone));
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
    if (e.url) lines.push(`URL:${e.url.replace(/[\s"]/g, encodeURIComponent)}`);
    if (e.categories?.length) lines.push(`CATEGORIES:${e.categories.map(escapeText).join(',')}`);
    lines.push(
      `STATUS:${e.status}`,
      `SEQUENCE:${e.sequence}`,
      `CREATED:${utcStamp(e.created)}`,
      `LAST-MODIFIED:${utcStamp(e.lastModified)}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join(CRLF) + CRLF;
}
