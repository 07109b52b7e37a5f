import type { Context } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problem.js';

/** Token buckets: `take` answers the seconds to wait (0: allowed, and counted). */
export interface Limiter {
  take(key: string, burst: number, perMinute: number): number | Promise<number>;
  refund(key: string, burst: number): void | Promise<void>;
}

/**
 * Token buckets kept in this process's memory: each key may spend `burst` at once and earns
 * `perMinute` back each minute. With several server instances each keeps its own buckets, so the
 * effective limit is per instance (a shared store is not worth a database write per request here).
 */
export class RateLimiter implements Limiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds to wait before `key` may act, or 0 (and the action is counted). */
  take(key: string, burst: number, perMinute: number): number {
    const now = this.now();
    const rate = perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
    }
    b.tokens -= 1;
    if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys) this.prune(now);
    this.buckets.set(key, b);
    return 0;
  }

  /** Gives back one token (the action was refused for another reason and should not count). */
  refund(key: string, burst: number) {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(burst, b.tokens + 1);
  }

  private prune(now: number) {
    for (const [k, b] of this.buckets) if (now - b.at > 3_600_000) this.buckets.delete(k);
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}

/**
 * Token buckets in the database, shared by every instance (PostgreSQL): one UPSERT a check, which refills
 * the bucket for the time passed, spends a token when there is one and says whether it did.
 */
export class DbRateLimiter implements Limiter {
  private takes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async take(key: string, burst: number, perMinute: number): Promise<number> {
    const now = this.now();
    const rate = perMinute / 60_000;
    const refilled = sql<number>`least(${burst}::double precision, rate_buckets.tokens + (${now}::bigint - rate_buckets.at) * ${rate}::double precision)`;
    const { rows } = await sql<{ tokens: number; granted: number }>`
      insert into rate_buckets (key, tokens, at, granted) values (${key}, ${burst - 1}, ${now}, 1)
      on conflict (key) do update set
        tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        granted = case when ${refilled} >= 1 then 1 else 0 end,
        at = ${now}
      returning tokens, granted`.execute(this.db);
    if (++this.takes % 1000 === 0) void this.prune(now);
    const row = rows[0];
    if (Number(row.granted) === 1) return 0;
    return Math.max(1, Math.ceil((1 - Number(row.tokens)) / rate / 1000));
  }

  async refund(key: string, burst: number): Promise<void> {
    await sql`update rate_buckets set tokens = least(${burst}::double precision, tokens + 1) where key = ${key}`.execute(this.db);
  }

  /** Buckets untouched for an hour are full again: their rows go. */
  private async prune(now: number) {
    await this.db
      .deleteFrom('rate_buckets')
      .where('at', '<', now - 3_600_000)
      .execute()
      .catch(() => undefined);
  }
}

export const rateLimited = (seconds: number, what: string) =>
  new ProblemError(
    429,
    'rate.limited',
    'Too many actions in a short time',
    `${what} Try again in ${seconds} s; your text is kept.`,
    undefined,
    { 'retry-after': String(seconds) },
  );

/**
 * The address a request comes from, grouped as a limit should count it: an IPv4 address whole,
 * an IPv6 address by its /64 (one subscriber's network). Behind a reverse proxy set
 * `CERCLE_TRUST_PROXY` to the number of proxies in front, and the matching `X-Forwarded-For` entry is used.
 */
export function clientNetwork(c: Context): string {
  const ip = clientAddress(c);
  return ip ? networkOf(ip) : 'unknown';
}

/** The client's address: the socket's, or with `CERCLE_TRUST_PROXY` set, the matching `X-Forwarded-For` entry. */
export function clientAddress(c: Context): string {
  const hops = Number(process.env.CERCLE_TRUST_PROXY ?? 0);
  if (hops > 0) {
    const list = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ip = list[list.length - hops] ?? list[0];
    if (ip) return ip;
  }
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? '';
}

export function networkOf(ip: string): string {
  const s = ip
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  if (v4) return v4[1];
  if (!s.includes(':')) return s.slice(0, 64);
  const [head, tail = ''] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = s.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = s.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
