import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { LiveClose, LiveEvent, LiveReady, LiveReload } from '../../contract/live.js';
import { canSee } from '../domain/audience.js';
import type { Logger } from '../http/logger.js';
import { nowIso } from '../domain/ids.js';
import type { Site, Store } from '../store/store.js';
import { toViewer, type Viewer } from '../http/viewer.js';
import type { ControlMessage, LiveBus, LiveChange, LivePublisher, LiveRecord } from './bus.js';
import { LocalBus } from './local.js';
import { EventLog } from './log.js';

export interface LiveOptions {
  store: Store;
  /** Defaults to the in-process bus (one instance). Several instances on PostgreSQL: a {@link PgBus}. */
  bus?: LiveBus;
  logger?: Logger;
  now?: () => number;
  /** Heartbeat period (default 25 s: under the 60 s idle timeouts of common proxies). */
  heartbeatMs?: number;
  /** How long the event log keeps changes (default 24 h). */
  retentionSeconds?: number;
  /** A stream with more than this many bytes waiting to be sent is dropped (default 256 KiB). */
  maxBufferedBytes?: number;
  /** A reconnecting client further behind than this many changes is told to reload (default 500). */
  maxCatchUp?: number;
  /** The `token` notice goes out this long before the token expires (default 60 s). */
  tokenNoticeSeconds?: number;
  /**
   * Changes that only say "the counts moved" (reactions, RSVPs) for the same thing are sent at most once
   * this often: the first at once, the ones meanwhile merged into one sent at the end (default 500 ms; 0: off).
   */
  coalesceMs?: number;
}

/** Kinds whose streams re-read the current state: several in a row say no more than the last. */
const COALESCED = new Set<string>(['reactions.changed', 'rsvp.changed']);

/**
 * Renders a change once per instance for every stream that receives it (e.g. the comment as the API
 * returns it), as `data`. Return `undefined` to send ids only (the client fetches `ref`). What it
 * returns must be fit for everyone in the change's audience: nothing reader-specific.
 */
export type Hydrator = (store: Store, rec: LiveRecord) => Promise<unknown>;

export interface Sink {
  /** A frame: the same bytes for every stream it goes to, encoded once. */
  write(chunk: string | Uint8Array): void;
  buffered(): number;
  end(): void;
  /** Called once when the client goes away (at once if it already has). */
  onClose(fn: () => void): void;
}

interface Conn {
  id: string;
  key: string;
  site: Site;
  viewer: Viewer | null;
  /** Token expiry, ms since epoch (null: anonymous). */
  exp: number | null;
  noticeSent: boolean;
  topics: Set<string>;
  /** Highest change id written (dedupe: a change is never written twice). */
  lastId: number;
  /** Changes that arrive while the catch-up query runs. */
  pending: { rec: LiveRecord; frame: Uint8Array }[] | null;
  sink: Sink;
  closed: boolean;
}

const frame = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));
/** The heartbeat, as bytes: one buffer written to every stream. */
const HEARTBEAT = Buffer.from(': hb\n\n');

/**
 * Live streams of one server instance: the page's SSE connections, the topics they follow, fan-out of
 * changes from the bus (filtered by each connection's audience), catch-up from the event log, heartbeats,
 * token expiry, back-pressure and shutdown.
 */
export class LiveService implements LivePublisher {
  readonly bus: LiveBus;
  readonly log: EventLog;
  readonly heartbeatMs: number;
  readonly retentionSeconds: number;
  private readonly store: Store;
  private readonly logger?: Logger;
  private readonly now: () => number;
  private readonly maxBuffered: number;
  private readonly maxCatchUp: number;
  private readonly noticeMs: number;
  private readonly conns = new Map<string, Conn>();
  private readonly hydrators = new Map<string, Hydrator>();
  /** `site \n topic` → streams following it. */
  private readonly index = new Map<string, Set<Conn>>();
  /** Highest change id dispatched per site on this instance. */
  private readonly dispatched = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private accepting = true;
  private started: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly coalesceMs: number;
  /** Coalesced changes in their window: `site \n topic \n kind \n ref` → the change to send when it ends (null: none since). */
  private readonly windows = new Map<string, { site: string; change: LiveChange | null; timer: NodeJS.Timeout }>();

  constructor(opts: LiveOptions) {
    this.store = opts.store;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.log = new EventLog(opts.store.db, opts.store.kind);
    this.bus = opts.bus ?? new LocalBus(this.log, this.now);
    this.heartbeatMs = opts.heartbeatMs ?? 25_000;
    this.retentionSeconds = opts.retentionSeconds ?? 24 * 3600;
    this.maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
    this.maxCatchUp = opts.maxCatchUp ?? 500;
    this.noticeMs = (opts.tokenNoticeSeconds ?? 60) * 1000;
    this.coalesceMs = opts.coalesceMs ?? 500;
  }

  /** Connects the bus and starts heartbeats and pruning; idempotent, called on first use. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.bus.start({
        change: (rec) => this.enqueue(() => this.dispatch(rec)),
        control: (msg) => this.enqueue(() => this.applyControl(msg)),
        reset: () => this.closeAll('bus.reset', 2000),
      });
      const beat = setInterval(() => this.beat(), this.heartbeatMs);
      const sweep = setInterval(() => this.sweepTokens(), Math.min(5000, this.heartbeatMs));
      const prune = setInterval(() => void this.prune(), 10 * 60_000);
      for (const t of [beat, sweep, prune]) t.unref();
      this.timers.push(beat, sweep, prune);
    })();
    return this.started;
  }

  /** How changes of these kinds are rendered on the stream; each feature tells its own when the app starts. */
  hydrate(kinds: readonly string[], fn: Hydrator) {
    for (const k of kinds) this.hydrators.set(k, fn);
  }

  get connections() {
    return this.conns.size;
  }

  /** The last change's fan-out on this instance: streams following its topic, and the time to hand it to all their sockets. */
  lastFanout: { streams: number; ms: number } | null = null;

  async publish(siteId: string, change: LiveChange): Promise<void> {
    if (this.coalesceMs > 0 && COALESCED.has(change.kind)) {
      const key = `${siteId}\n${change.topic}\n${change.kind}\n${change.ref}\n${change.audience ?? ''}`;
      const open = this.windows.get(key);
      if (open) {
        open.change = change;
        return;
      }
      this.openWindow(key, siteId);
    } else if (this.windows.size) {
      // Streams see a topic's changes in order: a count change held back goes out before anything else on its topic.
      const prefix = `${siteId}\n${change.topic}\n`;
      for (const [key, w] of this.windows) {
        if (!key.startsWith(prefix) || !w.change) continue;
        const held = w.change;
        w.change = null;
        await this.send(siteId, held);
      }
    }
    return this.send(siteId, change);
  }

  /** Starts a coalescing window; when it ends, the last change held is sent and a new window opens for it. */
  private openWindow(key: string, site: string) {
    const timer = setTimeout(() => {
      const w = this.windows.get(key);
      this.windows.delete(key);
      if (!w?.change) return;
      this.openWindow(key, site);
      void this.send(site, w.change);
    }, this.coalesceMs);
    timer.unref();
    this.windows.set(key, { site, change: null, timer });
  }

  /** Sends the changes held in coalescing windows now (shutdown). */
  private async flushWindows() {
    const held = [...this.windows.values()];
    this.windows.clear();
    for (const w of held) {
      clearTimeout(w.timer);
      if (w.change) await this.send(w.site, w.change);
    }
  }

  private async send(siteId: string, change: LiveChange): Promise<void> {
    try {
      await this.start();
      await this.bus.publish(siteId, change);
    } catch (err) {
      this.logger?.error({ msg: 'live.publish_failed', site: siteId, kind: change.kind, error: String((err as Error)?.message ?? err) });
    }
  }

  get available() {
    return this.accepting && this.bus.healthy;
  }

  private enqueue(fn: () => Promise<void> | void) {
    this.chain = this.chain.then(fn).catch((err) => {
      this.logger?.error({ msg: 'live.dispatch_failed', error: String((err as Error)?.stack ?? err) });
    });
  }

  private visible(conn: Conn, audience: string) {
    if (audience.startsWith('member:')) return conn.viewer?.hostId === audience.slice(7);
    // `moderators:<chapter>`: site-wide moderators and that chapter's own moderators (the moderation queue).
    if (audience.startsWith('moderators:')) {
      const v = conn.viewer;
      return !!v && (v.roles.includes('moderator') || v.roles.includes('admin') || (v.moderates ?? []).includes(audience.slice(11)));
    }
    return canSee(audience, conn.viewer, conn.site.settings.publicRead);
  }

  /** The change's `change` frame, rendered and encoded once for all the streams it goes to. */
  private async render(rec: LiveRecord): Promise<Uint8Array> {
    let data: unknown;
    const h = this.hydrators.get(rec.kind);
    if (h) {
      try {
        data = await h(this.store, rec);
      } catch (err) {
        this.logger?.error({ msg: 'live.hydrate_failed', kind: rec.kind, error: String(err) });
      }
    }
    const ev: LiveEvent = {
      id: String(rec.id),
      topic: rec.topic,
      kind: rec.kind,
      ref: rec.ref,
      at: rec.at,
      ...(rec.version === null ? {} : { version: rec.version }),
      ...(data === undefined ? {} : { data }),
    };
    return Buffer.from(frame('change', ev, rec.id));
  }

  private async dispatch(rec: LiveRecord) {
    this.dispatched.set(rec.site, Math.max(this.dispatched.get(rec.site) ?? 0, rec.id));
    const set = this.index.get(`${rec.site}\n${rec.topic}`);
    if (!set?.size) return;
    const text = await this.render(rec);
    const t0 = performance.now();
    for (const conn of set) {
      if (conn.pending) conn.pending.push({ rec, frame: text });
      else this.deliver(conn, rec, text);
    }
    this.lastFanout = { streams: set.size, ms: performance.now() - t0 };
  }

  private deliver(conn: Conn, rec: LiveRecord, text: Uint8Array, replay = false) {
    if (conn.closed || (!replay && rec.id <= conn.lastId)) return;
    if (!replay) conn.lastId = rec.id;
    if (this.visible(conn, rec.audience)) this.write(conn, text);
  }

  /** Writes, or drops a client that does not read: it reconnects and catches up from the log. */
  private write(conn: Conn, text: string | Uint8Array) {
    if (conn.closed) return;
    if (conn.sink.buffered() > this.maxBuffered) {
      this.logger?.info({ msg: 'live.slow_client_dropped', stream: conn.id, buffered: conn.sink.buffered() });
      this.drop(conn);
      return;
    }
    conn.sink.write(text);
  }

  private follow(conn: Conn, topics: Iterable<string>) {
    for (const t of topics) {
      if (conn.topics.has(t)) continue;
      conn.topics.add(t);
      const k = `${conn.site.id}\n${t}`;
      let set = this.index.get(k);
      if (!set) this.index.set(k, (set = new Set()));
      set.add(conn);
    }
  }

  private unfollow(conn: Conn, topics: Iterable<string>) {
    for (const t of topics) {
      if (!conn.topics.delete(t)) continue;
      const k = `${conn.site.id}\n${t}`;
      const set = this.index.get(k);
      set?.delete(conn);
      if (set && !set.size) this.index.delete(k);
    }
  }

  private drop(conn: Conn) {
    if (conn.closed) return;
    conn.closed = true;
    this.unfollow(conn, [...conn.topics]);
    this.conns.delete(conn.id);
    conn.sink.end();
  }

  private close(conn: Conn, reason: LiveClose['reason'], retryMs: number) {
    if (conn.closed) return;
    conn.sink.write(frame('close', { reason, retryMs } satisfies LiveClose));
    this.drop(conn);
  }

  private closeAll(reason: LiveClose['reason'], spreadMs: number) {
    for (const conn of [...this.conns.values()]) this.close(conn, reason, jitter(spreadMs));
  }

  private beat() {
    for (const conn of this.conns.values()) this.write(conn, HEARTBEAT);
  }

  private sweepTokens() {
    const now = this.now();
    for (const conn of [...this.conns.values()]) {
      if (conn.exp === null) continue;
      if (now >= conn.exp) this.close(conn, 'token.expired', 0);
      else if (!conn.noticeSent && now >= conn.exp - this.noticeMs) {
        conn.noticeSent = true;
        this.write(conn, frame('token', { expiresAt: nowIso(conn.exp) }));
      }
    }
  }

  async prune() {
    try {
      const n = await this.log.prune(nowIso(this.now() - this.retentionSeconds * 1000));
      if (n) this.logger?.info({ msg: 'live.pruned', rows: n });
    } catch (err) {
      this.logger?.error({ msg: 'live.prune_failed', error: String(err) });
    }
  }

  /**
   * Opens a stream on `sink`: `ready`, then what was missed since `lastEventId` (or `reload` when the
   * log no longer holds it), then live changes. The caller has checked the site and the token.
   */
  async open(args: { site: Site; viewer: Viewer | null; exp: number | null; topics: string[]; lastEventId?: number; sink: Sink }) {
    await this.start();
    const conn: Conn = {
      id: randomBytes(12).toString('base64url'),
      key: randomBytes(24).toString('base64url'),
      site: args.site,
      viewer: args.viewer,
      exp: args.exp,
      noticeSent: false,
      topics: new Set(),
      lastId: 0,
      pending: [],
      sink: args.sink,
      closed: false,
    };
    this.conns.set(conn.id, conn);
    this.follow(conn, args.topics);
    conn.sink.onClose(() => this.drop(conn));
    try {
      let start: number;
      let reload: LiveReload['reason'] | null = null;
      let missed: LiveRecord[] = [];
      if (args.lastEventId === undefined) {
        start = await this.log.lastId(conn.site.id);
      } else {
        const bounds = await this.log.bounds();
        if (args.lastEventId < bounds.prunedThrough) reload = 'log.expired';
        else if (args.lastEventId > bounds.last) reload = 'log.unknown';
        else {
          missed = await this.log.since(conn.site.id, args.lastEventId, [...conn.topics], this.maxCatchUp + 1);
          if (missed.length > this.maxCatchUp) reload = 'log.too_far';
        }
        start = reload ? await this.log.lastId(conn.site.id) : args.lastEventId;
        if (reload) missed = [];
      }
      const ready: LiveReady = {
        stream: conn.id,
        key: conn.key,
        heartbeatMs: this.heartbeatMs,
        retentionSeconds: this.retentionSeconds,
        tokenExpiresAt: conn.exp === null ? null : nowIso(conn.exp),
        lastEventId: String(start),
      };
      conn.sink.write(frame('ready', ready));
      if (reload) conn.sink.write(frame('reload', { reason: reload, lastEventId: String(start) } satisfies LiveReload));
      conn.lastId = start;
      for (const rec of missed) this.deliver(conn, rec, await this.render(rec));
      // Changes that arrived meanwhile, in order and once (the log read may have included some of them).
      while (conn.pending?.length) {
        const batch = conn.pending;
        conn.pending = [];
        for (const p of batch) this.deliver(conn, p.rec, p.frame);
      }
      conn.pending = null;
      if (this.conns.size % 1000 === 0) this.logger?.info({ msg: 'live.connections', count: this.conns.size });
    } catch (err) {
      this.drop(conn);
      throw err;
    }
    return conn.id;
  }

  /** Topics or token of a stream, wherever it is held: local streams apply it, the bus carries it to the others. */
  async control(msg: ControlMessage & { after?: number }) {
    await this.start();
    if (this.conns.has(msg.stream)) this.enqueue(() => this.applyControl(msg));
    else await this.bus.control(msg);
  }

  private async applyControl(msg: ControlMessage & { after?: number }) {
    const conn = this.conns.get(msg.stream);
    if (!conn || conn.closed || conn.key !== msg.key || conn.site.id !== msg.site) return;
    if (msg.refresh) {
      if (conn.viewer && conn.viewer.hostId !== msg.refresh.hostId) {
        this.close(conn, 'token.member_changed', 0);
        return;
      }
      const row = await this.store.memberByHostId(conn.site.id, msg.refresh.hostId);
      if (row) {
        conn.viewer = { ...conn.viewer, ...toViewer(row) };
        conn.exp = msg.refresh.exp * 1000;
        conn.noticeSent = false;
      }
    }
    if (msg.remove?.length) this.unfollow(conn, msg.remove);
    const added = (msg.add ?? []).filter((t) => !conn.topics.has(t));
    this.follow(conn, added);
    // The widget that asked for these topics loaded its data when the stream was at `after`: replay what
    // it may have missed between then and now (later changes come through dispatch, in order).
    if (added.length && msg.after !== undefined) {
      const upto = Math.max(conn.lastId, this.dispatched.get(conn.site.id) ?? 0);
      const rows = await this.log.since(conn.site.id, msg.after, added, this.maxCatchUp);
      for (const rec of rows) if (rec.id <= upto) this.deliver(conn, rec, await this.render(rec), true);
    }
  }

  /**
   * Stops accepting streams and tells every open one to reconnect (elsewhere, spread over `spreadMs`).
   * Sockets are ended; the HTTP server can then close.
   */
  async shutdown(spreadMs = 3000) {
    this.accepting = false;
    await this.flushWindows();
    this.closeAll('server.shutdown', spreadMs);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.chain;
    await this.bus.close();
  }
}

/**
 * A sink over Node's response: what the kernel has not taken yet counts as buffered. A class, so that
 * each of thousands of streams costs one small object and no closures.
 */
class NodeSink implements Sink {
  constructor(private readonly res: ServerResponse) {}
  onClose(fn: () => void) {
    if (this.res.destroyed || this.res.writableEnded) fn();
    else this.res.once('close', fn);
  }
  write(s: string | Uint8Array) {
    this.res.write(s);
  }
  buffered() {
    return this.res.writableLength;
  }
  end() {
    if (this.res.writableLength > 0 && !this.res.writableEnded) this.res.destroy();
    else this.res.end();
  }
}

export const nodeSink = (res: ServerResponse): Sink => new NodeSink(res);

/** A sink over a web ReadableStream (when the app runs without Node's HTTP server, e.g. in tests). */
export function streamSink(): { sink: Sink; body: ReadableStream<Uint8Array> } {
  const enc = new TextEncoder();
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  let cancel = () => {};
  let done = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        ctrl = c;
      },
      cancel: () => {
        done = true;
        cancel();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  return {
    body,
    sink: {
      onClose: (fn) => {
        if (done) fn();
        else cancel = fn;
      },
      write: (s) => {
        if (!done) ctrl.enqueue(typeof s === 'string' ? enc.encode(s) : s);
      },
      buffered: () => (done ? 0 : -(ctrl.desiredSize ?? 0)),
      end: () => {
        if (done) return;
        done = true;
        ctrl.close();
      },
    },
  };
}

/**
 * The live service a server process runs: over PostgreSQL (a `postgres://` URL), the LISTEN/NOTIFY bus
 * so that any number of instances share changes; otherwise the in-process bus.
 */
export async function createLive(
  store: Store,
  opts: { url?: string; schema?: string; logger?: Logger } & Omit<LiveOptions, 'store' | 'bus'> = {},
) {
  let bus: LiveBus | undefined;
  if (store.kind === 'postgres' && opts.url && /^postgres(ql)?:\/\//.test(opts.url)) {
    const { PgBus } = await import('./pg.js');
    bus = new PgBus(new EventLog(store.db, 'postgres'), { url: opts.url, schema: opts.schema, logger: opts.logger });
  }
  const live = new LiveService({ ...opts, store, bus });
  await live.start();
  return live;
}
