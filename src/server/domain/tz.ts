// Time zones from the runtime's own tz database (Intl), without a library.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `zone` at the instant `ms`, and the zone's UTC offset then (seconds east of UTC). */
export function wallTime(zone: string, ms: number): WallTime & { offset: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(parts.timeZoneName ?? '');
  if (!m) throw new Error(`Unexpected offset "${parts.timeZoneName}" for ${zone}`);
  const offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) : 0;
  let year = Number(parts.year);
  if (parts.era === 'BC') year = 1 - year;
  return {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    offset,
  };
}

/** UTC offset of `zone` at the instant `ms`, in seconds east of UTC. */
export const offsetAt = (zone: string, ms: number) => wallTime(zone, Math.floor(ms / 1000) * 1000).offset;

/**
 * The instant at which the wall clock in `zone` shows `local`. A time skipped by a change to
 * summer time is read with the offset before the change (02:30 on the spring-forward night
 * becomes 03:30); a time that happens twice is the first of the two.
 */
export function zonedToUtc(local: WallTime, zone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const before = offsetAt(zone, asUtc - 86_400_000);
  const after = offsetAt(zone, asUtc + 86_400_000);
  // Try the earlier offset first (the larger one when the clocks go back), then the other.
  for (const off of before >= after ? [before, after] : [after, before]) {
    const t = asUtc - off * 1000;
    if (offsetAt(zone, t) === off) return t;
  }
  return asUtc - before * 1000; // in a gap: the offset that held before it
}

/** Parses an ISO-8601 date-time: with `Z` or an offset it is an instant; without, a wall time in `zone`. */
export function parseEventTime(value: string, zone: string): number {
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(value)) return Date.parse(value);
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?$/.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m;
  return zonedToUtc({ year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +(s ?? 0) }, zone);
}

export interface Transition {
  /** The instant of the change (ms). */
  at: number;
  from: number;
  to: number;
}

const transitionCache = new Map<string, Transition[]>();

/** Changes of UTC offset of `zone` during the calendar years `fromYear`..`toYear` (UTC), in order. */
export function transitions(zone: string, fromYear: number, toYear: number): Transition[] {
  const out: Transition[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    const key = `${zone}|${y}`;
    let list = transitionCache.get(key);
    if (!list) {
      list = [];
      const start = Date.UTC(y, 0, 1);
      const end = Date.UTC(y + 1, 0, 1);
      // Offsets are sampled every 3 days (no zone changes twice within that), then each change is
      // narrowed down to the second by bisection.
      const step = 3 * 86_400_000;
      let t = start;
      let off = offsetAt(zone, t);
      while (t < end) {
        const next = Math.min(t + step, end);
        const nextOff = offsetAt(zone, next);
        if (nextOff !== off) {
          let lo = t;
          let hi = next;
          while (hi - lo > 1000) {
            const mid = Math.floor((lo + hi) / 2000) * 1000;
            if (mid <= lo) break;
            if (offsetAt(zone, mid) === off) lo = mid;
            else hi = mid;
          }
          list.push({ at: hi, from: off, to: nextOff });
        }
        t = next;
        off = nextOff;
      }
      if (transitionCache.size > 2000) transitionCache.clear();
      transitionCache.set(key, list);
    }
    out.push(...list);
  }
  return out;
}
