import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { WebhookEventType, WebhookPayload } from '../../contract/moderation.js';
import type { Logger } from '../http/logger.js';
import { newId, nowIso } from '../domain/ids.js';
import { problem } from '../http/problem.js';
import type { Kysely, Transaction } from 'kysely';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../store/schema.js';
import { RetryQueue } from '../store/retry-queue.js';
import type { Store } from '../store/store.js';

// ---- where a webhook may point ------------------------------------------------------------

const V4_BLOCKS: [number, number][] = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0000200, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xc6336400, 24],
  [0xcb007100, 24],
  [0xe0000000, 4],
  [0xf0000000, 4],
];

function v4Number(ip: string) {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function privateV4(ip: string) {
  const n = v4Number(ip);
  return V4_BLOCKS.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const n = v4Number(tail[1]);
    s = s.slice(0, -tail[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest ? rest.split(':') : [];
  const fill = rest !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16) || 0);
}

/**
 * Whether an address is not on the public Internet: loopback, private (RFC 1918, unique local),
 * link-local, carrier-grade NAT, documentation, multicast, unspecified — IPv4-mapped and NAT64
 * forms of those included.
 */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip.replace(/^\[|\]$/g, ''));
  if (kind === 4) return privateV4(ip);
  if (kind !== 6) return true;
  const g = v6Groups(ip.replace(/^\[|\]$/g, ''));
  const v4 = () => `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    return g[5] === 0 && g[6] === 0 && g[7] <= 1 ? true : privateV4(v4());
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return privateV4(v4());
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  return false;
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|lan|home\.arpa|localdomain)\.?$/i;

/** Production mode: webhooks may not reach loopback or private addresses. On when NODE_ENV is `production`. */
export const productionMode = () => process.env.NODE_ENV === 'production';

/**
 * Checks a webhook URL: absolute http(s), no credentials in it, and in production no loopback, private or
 * local-network host (the address it resolves to is checked again at each delivery, against DNS rebinding).
 */
export function checkWebhookUrl(raw: string, production: boolean): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw problem(400, 'webhook.url_invalid', 'The webhook URL is not a valid URL', undefined, [
      { path: 'body.url', message: 'An absolute URL, e.g. https://example.org/hooks/cercle.' },
    ]);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw problem(
      400,
      'webhook.url_scheme',
      'A webhook URL must start with https:// or http://',
      `"${u.protocol}" cannot receive webhooks.`,
      [{ path: 'body.url', message: 'http or https only.' }],
    );
  }
  if (u.username || u.password) {
    throw problem(
      400,
      'webhook.url_invalid',
      'A webhook URL may not carry a user name or password',
      'Authenticate receivers with the signature instead.',
      [{ path: 'body.url', message: 'No credentials in the URL.' }],
    );
  }
  if (production) {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (LOCAL_NAMES.test(host) || (isIP(host) && isPrivateAddress(host)) || (!host.includes('.') && !isIP(host))) {
      throw problem(
        400,
        'webhook.url_private',
        'A webhook may not point at a loopback, private or local address',
        `${host} is not reachable from the Internet; use the receiver's public address.`,
        [{ path: 'body.url', message: 'Public hosts only.' }],
      );
    }
  }
  u.hash = '';
  return u.href;
}

// ---- signing -------------------------------------------------------------------------------

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as receivers check it. */
export function signature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** For receivers written in TypeScript: checks a `Cercle-Signature` header (constant time, at most `toleranceS` old). */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !parts.v1) return false;
  const expected = signature(secret, body, t).split('v1=')[1];
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(parts.v1, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

// ---- the sender ----------------------------------------------------------------------------

/** Waits between attempts: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h; then the delivery is given up. */
export const BACKOFF_S = [10, 60, 300, 1800, 7200, 21600, 43200];
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

export interface WebhookOptions {
  /** Refuse loopback and private receivers (default: NODE_ENV is `production`). */
  production?: boolean;
  logger?: Logger;
  now?: () => number;
  /** Backoff between attempts, seconds (tests shorten it). */
  backoff?: number[];
  /**
   * How long an event that may flap (an RSVP changed back and forth) waits before it is sent, so that the
   * changes made meanwhile merge into one delivery carrying the latest state (default 1000 ms).
   */
  coalesceMs?: number;
}

interface Attempt {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * Signed, timestamped events to the URLs a site registered. Deliveries are rows (an outbox): an event
 * is stored once per webhook, sent at once, retried with backoff until a 2xx answer, and the log keeps
 * each one's attempts and last answer. With several instances, a delivery is leased by one at a time.
 * Nothing is sent for a site without webhooks.
 */
export class WebhookService extends RetryQueue {
  readonly production: boolean;
  private readonly coalesceMs: number;

  constructor(store: Store, opts: WebhookOptions = {}) {
    super(store, 'webhook_deliveries', 'webhook.run_failed', { logger: opts.logger, now: opts.now, backoff: opts.backoff ?? BACKOFF_S });
    this.production = opts.production ?? productionMode();
    this.coalesceMs = opts.coalesceMs ?? 1000;
  }

  /**
   * Queues an event for every active webhook of the site that takes this type, then sends. Returns the
   * deliveries queued or updated. With `coalesce`, the event states the latest value of something that may
   * change again at once: it goes out after a short wait, and a delivery with the same key not yet
   * attempted takes this event's payload instead of a second one being queued.
   */
  async emit(siteId: string, type: WebhookEventType, data: Record<string, unknown>, opts: { coalesce?: string } = {}): Promise<number> {
    const hooks = await this.store.db
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('site_id', '=', siteId)
      .where('active', '=', 1)
      .execute();
    const targets = hooks.filter((h) => (JSON.parse(h.events) as string[]).includes(type));
    if (!targets.length) return 0;
    const at = nowIso(this.now());
    const payload: WebhookPayload = { id: newId(), type, site: siteId, createdAt: at, data };
    const text = JSON.stringify(payload);
    const key = opts.coalesce ? `${type}|${opts.coalesce}` : null;
    let fresh = targets;
    if (key) {
      const merged = await this.store.db
        .updateTable('webhook_deliveries')
        .set({ payload: text, event_id: payload.id })
        .where('site_id', '=', siteId)
        .where('coalesce_key', '=', key)
        .where(
          'webhook_id',
          'in',
          targets.map((h) => h.id),
        )
        .where('status', '=', 'pending')
        .where('attempts', '=', 0)
        .returning('webhook_id')
        .execute();
      const done = new Set(merged.map((m) => m.webhook_id));
      fresh = targets.filter((h) => !done.has(h.id));
    }
    if (fresh.length) {
      const due = key ? nowIso(this.now() + this.coalesceMs) : at;
      await this.store.db
        .insertInto('webhook_deliveries')
        .values(
          fresh.map((h) => ({
            id: newId(),
            site_id: siteId,
            webhook_id: h.id,
            event_id: payload.id,
            event_type: type,
            payload: text,
            status: 'pending' as const,
            attempts: 0,
            next_attempt_at: due,
            lease_until: null,
            last_status: null,
            last_error: null,
            created_at: at,
            delivered_at: null,
            coalesce_key: key,
          })),
        )
        .execute();
    }
    if (key) void this.schedule();
    else this.kick();
    return targets.length;
  }

  /**
   * Queues an event for the site's webhooks that take its type inside the caller's transaction (so that
   * it is queued exactly when the rest is committed); call `kick()` after the commit. Returns how many.
   */
  async queueIn(
    db: Kysely<Database> | Transaction<Database>,
    siteId: string,
    type: WebhookEventType,
    data: Record<string, unknown>,
    eventId = newId(),
  ) {
    const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('site_id', '=', siteId).where('active', '=', 1).execute();
    const targets = hooks.filter((h) => (JSON.parse(h.events) as string[]).includes(type));
    if (!targets.length) return 0;
    const at = nowIso(this.now());
    const text = JSON.stringify({ id: eventId, type, site: siteId, createdAt: at, data } satisfies WebhookPayload);
    await db
      .insertInto('webhook_deliveries')
      .values(
        targets.map((h) => ({
          id: newId(),
          site_id: siteId,
          webhook_id: h.id,
          event_id: eventId,
          event_type: type,
          payload: text,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          lease_until: null,
          last_status: null,
          last_error: null,
          created_at: at,
          delivered_at: null,
          coalesce_key: null,
        })),
      )
      .execute();
    return targets.length;
  }

  /**
   * Many events of one type at once, inside the caller's transaction: the site's hooks are read once and the
   * deliveries inserted many rows at a time. Returns how many hooks listen for the type (0: nothing queued).
   */
  async queueManyIn(
    db: Kysely<Database> | Transaction<Database>,
    siteId: string,
    type: WebhookEventType,
    events: { data: Record<string, unknown>; eventId: string }[],
  ) {
    if (!events.length) return 0;
    const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('site_id', '=', siteId).where('active', '=', 1).execute();
    const targets = hooks.filter((h) => (JSON.parse(h.events) as string[]).includes(type));
    if (!targets.length) return 0;
    const at = nowIso(this.now());
    const rows = events.flatMap(({ data, eventId }) => {
      const text = JSON.stringify({ id: eventId, type, site: siteId, createdAt: at, data } satisfies WebhookPayload);
      return targets.map((h) => ({
        id: newId(),
        site_id: siteId,
        webhook_id: h.id,
        event_id: eventId,
        event_type: type,
        payload: text,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: at,
        lease_until: null,
        last_status: null,
        last_error: null,
        created_at: at,
        delivered_at: null,
        coalesce_key: null,
      }));
    });
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 200))
        .execute();
    return targets.length;
  }

  /** Whether the site has an active webhook for this type (or one of these types). */
  async listens(siteId: string, type: WebhookEventType | WebhookEventType[]): Promise<boolean> {
    const types: string[] = Array.isArray(type) ? type : [type];
    const hooks = await this.store.db
      .selectFrom('webhooks')
      .select('events')
      .where('site_id', '=', siteId)
      .where('active', '=', 1)
      .execute();
    return hooks.some((h) => (JSON.parse(h.events) as string[]).some((t) => types.includes(t)));
  }

  protected async runOnce(): Promise<number> {
    const at = nowIso(this.now());
    const due = await this.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(20)
      .execute();
    let n = 0;
    await Promise.all(
      due.map(async ({ id }) => {
        const claimed = await this.store.db
          .updateTable('webhook_deliveries')
          .set({ status: 'sending', lease_until: nowIso(this.now() + LEASE_MS) })
          .where('id', '=', id)
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
              eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)]),
            ]),
          )
          .executeTakeFirst();
        if (!Number(claimed.numUpdatedRows)) return;
        n++;
        await this.deliver(id);
      }),
    );
    if (due.length === 20) this.again = true;
    return n;
  }

  private async deliver(id: string) {
    const d = await this.store.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.payload', 'd.attempts', 'd.event_id', 'd.event_type', 'w.url', 'w.secret', 'w.active'])
      .where('d.id', '=', id)
      .executeTakeFirst();
    if (!d) return;
    const attempts = Number(d.attempts) + 1;
    const result: Attempt = d.active
      ? await this.send(d.url, d.secret, d.payload, d.event_type, d.event_id)
      : { ok: false, status: null, error: 'webhook paused' };
    const at = nowIso(this.now());
    const gone = result.status === 410;
    const patch: Partial<WebhookDeliveryRow> = result.ok
      ? { status: 'delivered', delivered_at: at, next_attempt_at: null }
      : attempts > this.backoff.length || gone || !d.active
        ? { status: 'failed', next_attempt_at: null }
        : { status: 'pending', next_attempt_at: nowIso(this.now() + this.delay(attempts)) };
    await this.store.db
      .updateTable('webhook_deliveries')
      .set({ ...patch, attempts, lease_until: null, last_status: result.status, last_error: result.error })
      .where('id', '=', id)
      .execute();
    this.logger?.info({ msg: 'webhook.attempt', delivery: id, event: d.event_type, ok: result.ok, status: result.status, attempts });
  }

  /**
   * Sends a signed `ping` to one webhook now, whatever events it takes and even when paused, and logs it as a
   * delivery: the receiver's answer (status, or the network error) comes back to the admin who asked.
   */
  async ping(hook: Pick<WebhookRow, 'id' | 'site_id' | 'url' | 'secret'>): Promise<Attempt & { delivery: string; ms: number }> {
    const at = nowIso(this.now());
    const payload = { id: newId(), type: 'ping', site: hook.site_id, createdAt: at, data: { webhook: hook.id } };
    const text = JSON.stringify(payload);
    const started = performance.now();
    const result = await this.send(hook.url, hook.secret, text, 'ping', payload.id);
    const ms = Math.round(performance.now() - started);
    const delivery = newId();
    await this.store.db
      .insertInto('webhook_deliveries')
      .values({
        id: delivery,
        site_id: hook.site_id,
        webhook_id: hook.id,
        event_id: payload.id,
        event_type: 'ping',
        payload: text,
        status: result.ok ? 'delivered' : 'failed',
        attempts: 1,
        next_attempt_at: null,
        lease_until: null,
        last_status: result.status,
        last_error: result.error,
        created_at: at,
        delivered_at: result.ok ? nowIso(this.now()) : null,
        coalesce_key: null,
      })
      .execute();
    return { ...result, delivery, ms };
  }

  /** One POST: no redirects followed, 10 s at most, the address checked after resolution in production. */
  private send(url: string, secret: string, body: string, type: string, eventId: string): Promise<Attempt> {
    let u: URL;
    try {
      u = new URL(checkWebhookUrl(url, this.production));
    } catch (err) {
      return Promise.resolve({ ok: false, status: null, error: String((err as Error).message).slice(0, 300) });
    }
    const production = this.production;
    const lookup = (host: string, opts: object, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      dnsLookup(host, { ...opts, all: true }, (err, addresses) => {
        if (err) return cb(err, []);
        const list = addresses as LookupAddress[];
        if (production && list.some((a) => isPrivateAddress(a.address))) {
          return cb(Object.assign(new Error(`${host} resolves to a private address`), { code: 'EPRIVATE' }), []);
        }
        if ((opts as { all?: boolean }).all) return cb(null, list);
        cb(null, list[0].address, list[0].family);
      });
    };
    const t = Math.floor(this.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Cercle-Webhooks/1',
      'cercle-event': type,
      'cercle-delivery': eventId,
      'cercle-signature': signature(secret, body, t),
    };
    return new Promise<Attempt>((resolve) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
        u,
        { method: 'POST', headers, lookup: lookup as never, timeout: TIMEOUT_MS },
        (res: IncomingMessage) => {
          let seen = 0;
          let text = '';
          res.on('data', (chunk: Buffer) => {
            if (seen < 300) text += chunk.toString('utf8', 0, Math.max(0, 300 - seen));
            seen += chunk.length;
            if (seen > 65536) res.destroy();
          });
          const done = () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 300;
            resolve({ ok, status, error: ok ? null : `HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}` });
          };
          res.on('end', done);
          res.on('close', done);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
      req.on('error', (err) => resolve({ ok: false, status: null, error: String(err.message).slice(0, 300) }));
      req.end(body);
    });
  }
}

const services = new WeakMap<Store, WebhookService>();

/** The webhook sender of a store (one per database handle in this process). */
export function webhooksOf(store: Store, opts?: WebhookOptions): WebhookService {
  let s = services.get(store);
  if (!s || opts) {
    s = new WebhookService(store, opts);
    services.set(store, s);
  }
  return s;
}
