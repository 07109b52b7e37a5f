import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LiveStream, type LiveEvent } from '../client/live.js';
import type { Community, LiveHub } from '../context/context.js';

export interface LiveControllerOptions {
  /** The community context (undefined until it arrives): its hub hands out the page's one stream. */
  community: () => Community | undefined;
  /** Topics the widget shows now, e.g. `['thread:' + key]`; read on every update. */
  topics: () => string[];
  /** Changes applied at once (edits, deletions, counts). Return `true` to hold the change back as "new". */
  onChange: (event: LiveEvent) => boolean | void;
  /** The page missed too much: refetch. */
  onReload?: () => void;
  /** Least time between two screen-reader announcements of the new count (default 5 s). */
  announceEveryMs?: number;
}

/**
 * Follows a widget's topics on the page's one live stream, for as long as the widget is connected.
 * New items wait in `held` behind an "N new" button (no layout shift, the reading position kept);
 * `announcement` is the count for a polite live region, updated at most every few seconds.
 */
export class LiveController implements ReactiveController {
  /** Changes held back until the reader asks for them. */
  held: LiveEvent[] = [];
  /** The text of the polite live region: the held count, refreshed at most every `announceEveryMs`. */
  announcement = 0;
  private stream?: LiveStream;
  private hub?: LiveHub;
  private key = '';
  private offs: (() => void)[] = [];
  private lastAnnounce = 0;
  private announceTimer?: ReturnType<typeof setTimeout>;
  /** A widget removed from the page follows nothing, even if its data arrives afterwards. */
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: LiveControllerOptions,
  ) {
    host.addController(this);
  }

  /** The stream's position: pass it when the widget starts loading its data, so that nothing falls in between. */
  get after(): string | null {
    return this.stream?.lastEventId ?? null;
  }

  hostConnected() {
    // Disconnecting let go of the stream: follow again (what was held stays held).
    this.connected = true;
    this.hostUpdated();
  }

  hostUpdated() {
    if (!this.connected) return;
    const hub = this.opts.community()?.live;
    const topics = hub ? this.opts.topics() : [];
    const key = topics.join('\n');
    if (key === this.key && hub === this.hub) return;
    this.unsubscribe();
    if (key !== this.key) this.clear();
    this.key = key;
    if (!hub || !topics.length) return;
    const stream = (this.stream = hub.acquire(LiveStream));
    this.hub = hub;
    const after = stream.lastEventId;
    for (const t of topics) this.offs.push(stream.subscribe(t, (ev) => this.receive(ev), after));
    if (this.opts.onReload) this.offs.push(stream.onReload(this.opts.onReload));
  }

  hostDisconnected() {
    this.connected = false;
    this.unsubscribe();
    clearTimeout(this.announceTimer);
  }

  /** Hands over what was held (the reader pressed "N new") and clears the count. */
  take(): LiveEvent[] {
    const out = this.held;
    this.held = [];
    this.announcement = 0;
    this.host.requestUpdate();
    return out;
  }

  /** Forgets what was held (the widget reloaded what it shows). */
  clear(): void {
    this.held = [];
    this.announcement = 0;
  }

  /** Lets go of held changes that no longer stand (e.g. a held comment was deleted, or shown by another path). */
  drop(ref: string): void {
    if (!this.held.some((e) => e.ref === ref)) return;
    this.held = this.held.filter((e) => e.ref !== ref);
    if (this.announcement > this.held.length) this.announcement = this.held.length;
    this.host.requestUpdate();
  }

  private receive(ev: LiveEvent) {
    if (this.opts.onChange(ev) === true) {
      this.held = [...this.held, ev];
      this.scheduleAnnouncement();
    }
    this.host.requestUpdate();
  }

  private scheduleAnnouncement() {
    const every = this.opts.announceEveryMs ?? 5000;
    const wait = this.lastAnnounce + every - Date.now();
    if (wait <= 0) {
      this.lastAnnounce = Date.now();
      this.announcement = this.held.length;
    } else if (!this.announceTimer) {
      this.announceTimer = setTimeout(() => {
        this.announceTimer = undefined;
        this.lastAnnounce = Date.now();
        this.announcement = this.held.length;
        this.host.requestUpdate();
      }, wait);
    }
  }

  private unsubscribe() {
    for (const off of this.offs.splice(0)) off();
    if (this.stream) this.hub?.release(this.stream);
    this.stream = this.hub = undefined;
  }
}
