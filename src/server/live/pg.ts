import type pg from 'pg';
import { sql } from 'kysely';
import { nowIso } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import type { BusHandlers, ControlMessage, LiveBus, LiveChange, LiveKind, LiveRecord } from './bus.js';
import type { EventLog } from './log.js';

/** A notification must stay well under PostgreSQL's 8,000-byte payload limit. */
const MAX_PAYLOAD = 7000;
const PING_MS = 15_000;

export interface PgBusOptions {
  url: string;
  /** Schema the store uses (its search_path); the channel names follow it so schemas never hear each other. */
  schema?: string;
  logger?: Logger;
  now?: () => number;
}

type Wire = { i: number; s: string; t: string; k: string; r: string; a: string; v: number | null; at: string };

/**
 * The bus of several instances on one PostgreSQL. A change is appended to the event log and announced
 * with NOTIFY in the same transaction (ids and versions only); each instance LISTENs on a dedicated
 * connection outside the query pool and relays to its own streams. When that connection drops, changes
 * may have been missed: the instance says `reset` (its streams reconnect and catch up from the log) and
 * reconnects with backoff.
 */
export class PgBus implements LiveBus {
  readonly kind = 'postgres' as const;
  healthy = false;
  private handlers: BusHandlers | null = null;
  private client: pg.Client | null = null;
  private channel = 'cercle_live';
  private closed = false;
  private retryMs = 250;
  private timer: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private readonly logger?: Logger;
  private readonly now: () => number;

  constructor(
    private readonly log: EventLog,
    private readonly opts: PgBusOptions,
  ) {
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
  }

  get controlChannel() {
    return `${this.channel}_ctl`;
  }

  async start(handlers: BusHandlers) {
    this.handlers = handlers;
    const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(this.log.db);
    const schema = (rows[0]?.s ?? 'public').replace(/[^a-z0-9_]/gi, '').toLowerCase();
    this.channel = schema === 'public' ? 'cercle_live' : `cercle_live_${schema}`.slice(0, 55);
    await this.connect();
  }

  private async connect() {
    const { default: pgmod } = await import('pg');
    const schema = this.opts.schema?.replace(/[^a-z0-9_]/g, '');
    const client = new pgmod.Client({
      connectionString: this.opts.url,
      keepAlive: true,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    client.on('notification', (n) => this.onNotification(n));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`listen "${this.channel}"`);
    await client.query(`listen "${this.controlChannel}"`);
    this.client = client;
    this.healthy = true;
    this.retryMs = 250;
    this.ping = setInterval(() => {
      client.query('select 1').catch((err) => this.lost(client, err));
    }, PING_MS);
    this.ping.unref();
  }

  private lost(client: pg.Client, err?: unknown) {
    if (this.client !== client) return;
    this.client = null;
    this.healthy = false;
    if (this.ping) clearInterval(this.ping);
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger?.error({ msg: 'live.listen_lost', error: String((err as Error)?.message ?? err ?? 'ended') });
    this.handlers?.reset();
    this.reconnect();
  }

  private reconnect() {
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.closed) return;
        this.connect().then(
          () => {
            this.logger?.info({ msg: 'live.listen_restored' });
            // Changes committed while we were away are in the log: streams reconnect and catch up.
            this.handlers?.reset();
          },
          (err) => {
            this.logger?.error({ msg: 'live.listen_retry', error: String((err as Error)?.message ?? err) });
            this.retryMs = Math.min(this.retryMs * 2, 5000);
            this.reconnect();
          },
        );
      },
      this.retryMs * (0.5 + Math.random()),
    );
  }

  private onNotification(n: pg.Notification) {
    if (!n.payload || !this.handlers) return;
    try {
      const m = JSON.parse(n.payload);
      if (n.channel === this.channel) {
        const w = m as Wire;
        this.handlers.change({ id: w.i, site: w.s, topic: w.t, kind: w.k as LiveKind, ref: w.r, audience: w.a, version: w.v, at: w.at });
      } else if (n.channel === this.controlChannel) {
        this.handlers.control(m as ControlMessage);
      }
    } catch (err) {
      this.logger?.error({ msg: 'live.bad_notification', error: String(err) });
    }
  }

  publish(siteId: string, change: LiveChange): Promise<LiveRecord> {
    return this.log.append(siteId, change, nowIso(this.now()), (rec) => {
      const w: Wire = { i: rec.id, s: rec.site, t: rec.topic, k: rec.kind, r: rec.ref, a: rec.audience, v: rec.version, at: rec.at };
      return { channel: this.channel, payload: JSON.stringify(w) };
    });
  }

  /** Sends a control message to every instance; long topic lists go in several notifications. */
  async control(msg: ControlMessage) {
    for (const part of splitControl(msg)) {
      await sql`select pg_notify(${this.controlChannel}, ${JSON.stringify(part)})`.execute(this.log.db);
    }
  }

  async close() {
    this.closed = true;
    this.healthy = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('notification');
      await c.end().catch(() => undefined);
    }
    this.handlers = null;
  }
}

/** Splits a control message so that each part's JSON stays under the NOTIFY payload limit. */
export function splitControl(msg: ControlMessage): ControlMessage[] {
  if (Buffer.byteLength(JSON.stringify(msg)) <= MAX_PAYLOAD) return [msg];
  const base: ControlMessage = { site: msg.site, stream: msg.stream, key: msg.key, ...(msg.refresh ? { refresh: msg.refresh } : {}) };
  const parts: ControlMessage[] = [];
  let cur: ControlMessage = { ...base };
  let size = Buffer.byteLength(JSON.stringify(base)) + 32;
  for (const field of ['remove', 'add'] as const) {
    for (const topic of msg[field] ?? []) {
      const len = Buffer.byteLength(JSON.stringify(topic)) + 1;
      if (size + len > MAX_PAYLOAD) {
        parts.push(cur);
        cur = { site: msg.site, stream: msg.stream, key: msg.key };
        size = Buffer.byteLength(JSON.stringify(cur)) + 32;
      }
      (cur[field] ??= []).push(topic);
      size += len;
    }
  }
  parts.push(cur);
  return parts;
}
