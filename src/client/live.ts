import type { LiveClose, LiveEvent, LiveReady, LiveReload } from '../contract/live.js';
import type { TokenKeeper } from './token.js';

export type { LiveEvent };
export type LiveListener = (event: LiveEvent) => void;

export interface LiveOptions {
  /** `{api}/v1/sites/{site}` (the client's `base`). */
  base: string;
  tokens?: TokenKeeper;
  /** Shares one stream between the tabs of this site (default true where the browser can). */
  shareTabs?: boolean;
  /** For tests. */
  fetch?: typeof fetch;
}

type TabMessage =
  { t: 'topics'; tab: string; topics: string[]; after?: string } | { t: 'event'; ev: LiveEvent } | { t: 'reload' } | { t: 'hello' };

const MAX_BACKOFF = 30_000;
const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));

/**
 * The page's one live stream. Every widget subscribes to its topics here; they travel over a single
 * Server-Sent Events response (read with `fetch`, so the token goes in `Authorization`), changed without
 * reconnecting. Tabs of the same site share it: one leader tab (a Web Lock) holds the stream and relays
 * over a BroadcastChannel. Drops are retried with backoff and `Last-Event-ID`, so nothing is missed;
 * when the server says the page is too far behind, `onReload` listeners refetch what they show.
 */
export class LiveStream {
  private readonly base: string;
  private readonly tokens?: TokenKeeper;
  private readonly fetch: typeof fetch;
  private readonly tab = Math.random().toString(36).slice(2);
  /** topic → listeners in this tab. */
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly reloads = new Set<() => void>();
  private readonly connects = new Set<() => void>();
  /** Topics wanted by the other tabs (leader only). */
  private readonly remote = new Map<string, Set<string>>();
  private channel: BroadcastChannel | null = null;
  private leader = false;
  private releaseLock: (() => void) | null = null;
  private abort: AbortController | null = null;
  private stream: LiveReady | null = null;
  /** The topics the open stream follows. */
  private sent = new Set<string>();
  /** The control request in flight: the next sync waits for it. */
  private syncing: Promise<void> | null = null;
  private lastId: string | null = null;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private started = false;
  private pendingAfter: string | undefined;

  constructor(options: LiveOptions) {
    this.base = options.base;
    this.tokens = options.tokens;
    this.fetch = options.fetch ?? ((...a) => globalThis.fetch(...a));
    const share = options.shareTabs ?? true;
    if (share && typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && navigator.locks) {
      this.channel = new BroadcastChannel('cercle-live:' + this.base);
      this.channel.onmessage = (e) => this.onTab(e.data as TabMessage);
    }
  }

  /** Id of the last change received (what a widget loading now should pass as `after`). */
  get lastEventId(): string | null {
    return this.lastId;
  }

  /** Whether this tab holds the stream. */
  get isLeader(): boolean {
    return this.leader;
  }

  /**
   * Follows `topic`: `listener` gets each change. `after` (the `lastEventId` read when the widget started
   * loading its data) replays what changed in between. Returns the unsubscribe function.
   */
  subscribe(topic: string, listener: LiveListener, after?: string | null): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    if (after) this.pendingAfter = this.pendingAfter && Number(this.pendingAfter) < Number(after) ? this.pendingAfter : after;
    this.changed();
    return () => {
      set!.delete(listener);
      if (!set!.size) this.listeners.delete(topic);
      this.changed();
    };
  }

  /**
   * The reader changed (signed in, out, or as someone else): reopens the stream at once under the
   * token now in hand, keeping its position, and tells listeners to refetch what they show.
   */
  reconnect(): void {
    if (this.disposed) return;
    if (this.leader && (this.abort || this.stream)) this.restart(0);
    this.reload();
  }

  /** Called when the server says the page missed too much: refetch what is shown. */
  onReload(fn: () => void): () => void {
    this.reloads.add(fn);
    return () => this.reloads.delete(fn);
  }

  /** Calls `fn` each time this tab's stream (re)connects: the server is answering. Returns the unsubscribe function. */
  onConnect(fn: () => void): () => void {
    this.connects.add(fn);
    return () => this.connects.delete(fn);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    this.abort?.abort();
    this.releaseLock?.();
    this.channel?.close();
  }

  // ---- topics -------------------------------------------------------------------------------

  private wanted(): Set<string> {
    const all = new Set(this.listeners.keys());
    for (const s of this.remote.values()) for (const t of s) all.add(t);
    return all;
  }

  /** Topics changed in this tab: tell the leader (or be it), on the next microtask so one tick's changes go together. */
  private changed() {
    if (this.disposed) return;
    if (!this.started) {
      this.started = true;
      queueMicrotask(() => this.begin());
      return;
    }
    queueMicrotask(() => this.announce());
  }

  private announce() {
    const after = this.pendingAfter;
    this.pendingAfter = undefined;
    if (this.leader || !this.channel) void this.sync(after);
    else this.channel.postMessage({ t: 'topics', tab: this.tab, topics: [...this.listeners.keys()], after } satisfies TabMessage);
  }

  private begin() {
    if (!this.channel) {
      this.becomeLeader();
      return;
    }
    this.announce();
    // Whoever gets the lock holds the stream; the others wait for it to be released (tab closed).
    void navigator.locks.request(
      'cercle-live:' + this.base,
      () =>
        new Promise<void>((release) => {
          if (this.disposed) return release();
          this.releaseLock = release;
          this.becomeLeader();
          this.channel!.postMessage({ t: 'hello' } satisfies TabMessage);
        }),
    );
  }

  private becomeLeader() {
    this.leader = true;
    this.connect();
  }

  private onTab(m: TabMessage) {
    if (m.t === 'event') {
      if (!this.lastId || Number(m.ev.id) > Number(this.lastId)) this.lastId = m.ev.id;
      this.emit(m.ev);
    } else if (m.t === 'reload') for (const fn of this.reloads) fn();
    else if (m.t === 'hello' && !this.leader) this.announce();
    else if (m.t === 'topics' && this.leader) {
      if (m.topics.length) this.remote.set(m.tab, new Set(m.topics));
      else this.remote.delete(m.tab);
      void this.sync(m.after);
    }
  }

  private emit(ev: LiveEvent) {
    for (const fn of this.listeners.get(ev.topic) ?? []) {
      try {
        fn(ev);
      } catch (err) {
        console.error(err);
      }
    }
  }

  /** Sends the stream its new topics (leader). */
  private async sync(after?: string) {
    const s = this.stream;
    if (!s) {
      if (!this.abort && this.leader) this.connect();
      return;
    }
    if (this.syncing) {
      // After the request in flight (queueing microtasks until it ends would starve the page).
      void this.syncing.then(() => this.sync(after));
      return;
    }
    const want = this.wanted();
    const add = [...want].filter((t) => !this.sent.has(t));
    const remove = [...this.sent].filter((t) => !want.has(t));
    if (!add.length && !remove.length) return;
    let done!: () => void;
    this.syncing = new Promise<void>((ok) => (done = ok));
    try {
      const res = await this.control(s, { add, remove, ...(after && add.length ? { after } : {}) });
      if (res.ok) this.sent = want;
      else this.restart(0);
    } catch {
      this.restart(1000);
    } finally {
      this.syncing = null;
      done();
    }
  }

  private async control(s: LiveReady, body: Record<string, unknown>, token?: string | null) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return this.fetch(this.base + '/live/' + s.stream, { method: 'POST', headers, body: JSON.stringify({ key: s.key, ...body }) });
  }

  // ---- the stream (leader) --------------------------------------------------------------------

  private restart(delay: number) {
    this.abort?.abort();
    this.abort = null;
    this.stream = null;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    if (this.disposed) return;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private backoff(): number {
    this.failures++;
    return jitter(Math.min(MAX_BACKOFF, 1000 * 2 ** (this.failures - 1)));
  }

  private connect() {
    if (this.disposed || this.abort) return;
    const topics = [...this.wanted()];
    if (!topics.length) return;
    const abort = (this.abort = new AbortController());
    void this.run(abort, topics).catch(() => {
      if (this.abort === abort) this.restart(this.backoff());
    });
  }

  private async run(abort: AbortController, topics: string[]) {
    const token = this.tokens ? await this.tokens.get() : null;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (token) headers.authorization = 'Bearer ' + token;
    if (this.lastId) headers['last-event-id'] = this.lastId;
    const res = await this.fetch(this.base + '/live', {
      method: 'POST',
      headers,
      body: JSON.stringify({ topics }),
      signal: abort.signal,
      cache: 'no-store',
    });
    if (!res.ok || !res.body) {
      const retry = Number(res.headers.get('retry-after'));
      if (res.status === 401 && this.tokens) await this.tokens.refresh();
      if (this.abort === abort) this.restart(retry > 0 ? jitter(retry * 1000) : this.backoff());
      return;
    }
    this.sent = new Set(topics);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let closed: LiveClose | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.abort !== abort) break;
      this.alive();
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const c = this.frame(block, token);
        if (c) closed = c;
      }
    }
    if (this.abort !== abort) return;
    this.stream = null;
    // Reconnect: at once after a token expiry (with a fresh one), after the delay the server gave, or with backoff.
    if (closed?.reason === 'token.expired' || closed?.reason === 'token.member_changed') {
      if (this.tokens) await this.tokens.refresh();
      if (closed.reason === 'token.member_changed') this.reload();
      this.restart(0);
    } else if (closed) this.restart(closed.reason === 'client.slow' ? this.backoff() : closed.retryMs);
    else this.restart(this.backoff());
  }

  /** Heartbeats: no byte for two periods means the stream is dead (a proxy may keep the socket open). */
  private alive() {
    clearTimeout(this.watchdog);
    const period = this.stream?.heartbeatMs ?? 30_000;
    this.watchdog = setTimeout(() => this.restart(this.backoff()), period * 2 + 5000);
  }

  private frame(block: string, token: string | null): LiveClose | null {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (!data.length) return null;
    const payload = JSON.parse(data.join('\n'));
    if (event === 'ready') {
      this.stream = payload as LiveReady;
      this.failures = 0;
      this.lastId ??= this.stream.lastEventId;
      this.alive();
      void this.sync(this.pendingAfter);
      for (const fn of this.connects) fn();
    } else if (event === 'change') {
      const ev = payload as LiveEvent;
      if (id && (!this.lastId || Number(id) > Number(this.lastId))) this.lastId = id;
      this.emit(ev);
      this.channel?.postMessage({ t: 'event', ev } satisfies TabMessage);
    } else if (event === 'reload') {
      this.lastId = (payload as LiveReload).lastEventId;
      this.reload();
    } else if (event === 'token') {
      void this.renew(token);
    } else if (event === 'close') {
      return payload as LiveClose;
    }
    return null;
  }

  private reload() {
    for (const fn of this.reloads) fn();
    this.channel?.postMessage({ t: 'reload' } satisfies TabMessage);
  }

  /** The token runs out soon: hand the stream a fresh one without reconnecting. */
  private async renew(old: string | null) {
    if (!this.tokens || !this.stream) return;
    // The token keeper renews ahead of expiry too: use its newer token when it has one.
    let fresh = await this.tokens.get();
    if (!fresh || fresh === old) fresh = await this.tokens.refresh();
    if (fresh && fresh !== old && this.stream) await this.control(this.stream, {}, fresh).catch(() => undefined);
  }
}
