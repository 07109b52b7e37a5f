// Wall-clock times in a zone, for the organiser's form (the browser has no zone arithmetic of its own).

const pad = (n: number) => String(n).padStart(2, '0');

function parts(ms: number, zone: string) {
  const out: Record<string, number> = {};
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** `YYYY-MM-DDTHH:mm`, the value of an `<input type="datetime-local">`, of the instant `iso` in `zone`. */
export function localValue(iso: string, zone: string): string {
  const p = parts(Date.parse(iso), zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant the clocks of `zone` show `local` (`YYYY-MM-DDTHH:mm`); NaN when it is not one. */
export function instantOf(local: string, zone: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(local);
  if (!m) return NaN;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = asUtc;
  try {
    for (let i = 0; i < 2; i++) {
      const p = parts(t, zone);
      const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
      t += asUtc - shown;
    }
  } catch {
    return NaN;
  }
  return t;
}

/** Whether the runtime knows the zone. */
export function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zones the browser knows, `UTC` first. */
export function zones(): string[] {
  const list = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...list.filter((z) => z !== 'UTC')];
}

/** Weekday code (`MO`…`SU`), the week of the month (1–4, or -1 for the last 7 days) and the day of a local date. */
export function dayOf(
  local: string,
): { weekday: 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU'; nth: number; day: number; index: number } | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(local);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  const index = (d.getUTCDay() + 6) % 7;
  const day = +m[3];
  const last = new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate();
  const nth = day + 7 > last && day > 28 ? -1 : Math.ceil(day / 7);
  return { weekday: (['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const)[index], nth: nth > 4 ? -1 : nth, day, index };
}
