import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { CercleError } from '../../client/errors.js';
import {
  listNotifications,
  markNotificationsRead,
  notificationFeed,
  notificationPreferences,
  resetNotificationFeed,
  revokeNotificationFeed,
  updateNotificationPreferences,
} from '../../client/notifications.js';
import type {
  Notification,
  NotificationFeed,
  NotificationLive,
  NotificationPreferences,
  NotificationPreferencesPatch,
} from '../../contract/notifications.js';
import { Localize } from '../../i18n/localize.js';
import { LiveController } from '../../internal/live-controller.js';
import { Loader } from '../../internal/loader.js';
import { sessionError } from '../../internal/session-error.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { en } from './locales/en.js';
import { styles } from './notifications.styles.js';
import { bell, feed, list, settings } from './views.js';

/**
 * The signed-in member's notifications: a bell with the unread count that opens a panel listing them
 * (replies, mentions…), each linking to its comment on its page, with "mark as read", "mark all as
 * read", the member's settings (which kinds, how often a digest, e-mail where the site sends it) and a
 * private feed address. The count follows the page's live stream, the same in every tab. Signed out,
 * it shows nothing: there is nothing to notify a visitor of.
 *
 * @summary A bell with the member's unread notifications, their list and their settings.
 * @customElement cercle-notifications
 *
 * @csspart base - The wrapper of the bell and the panel.
 * @csspart bell - The bell button.
 * @csspart count - The unread count on the bell (hidden from screen readers: the bell's name says it).
 * @csspart panel - The panel the bell opens.
 * @csspart list - The list of notifications.
 * @csspart item - One notification (with the class `unread` or `read`).
 * @csspart empty - The text shown when there is no notification.
 * @csspart settings - The settings disclosure.
 * @csspart feed - The private feed section.
 *
 * @cssprop --cercle-color-accent - Links, buttons and the unread mark.
 * @cssprop --cercle-radius - Corner radius of the panel, items and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-notifications-badge-background - Background of the unread count.
 * @cssprop --cercle-notifications-badge-color - Text colour of the unread count.
 * @cssprop --cercle-notifications-panel-background - Background of the panel.
 * @cssprop --cercle-notifications-panel-width - Width of the panel (24rem by default).
 *
 * @fires cercle-notification-open - The reader follows a notification's link; `detail.notification`. Cancelable: the page may handle it itself.
 *
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleNotifications extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'notifications', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    _items: { state: true },
    _unread: { state: true },
    _next: { state: true },
    _error: { state: true },
    _open: { state: true },
    _prefs: { state: true },
    _prefsError: { state: true },
    _feed: { state: true },
    _busy: { state: true },
    _note: { state: true },
  };

  declare private _items?: Notification[];
  declare private _unread?: number;
  declare private _next: string | null;
  declare private _error?: CercleError;
  declare private _open: boolean;
  declare private _prefs?: NotificationPreferences;
  declare private _prefsError?: string;
  declare private _feed?: NotificationFeed;
  declare private _busy: boolean;
  /** The polite live region: what just happened (saved, copied, new notifications). */
  declare private _note: string;

  private loadedFor = '';
  private loader = new Loader();
  private prefsLoader = new Loader();

  constructor() {
    super();
    this._next = null;
    this._open = false;
    this._busy = false;
    this._note = '';
  }

  /** The signed-in member's host id, or '' when nobody is. */
  private get member(): string {
    const s = this.community?.session;
    return s?.status === 'member' ? s.member.id : '';
  }

  /** The member's own topic on the page's one stream: a notification made for them anywhere arrives here. */
  private live = new LiveController(this, {
    community: () => this.community,
    topics: () => (this.member ? ['member:' + this.member] : []),
    onChange: (ev) => {
      if (ev.kind !== 'notification') return;
      const data = ev.data as NotificationLive | undefined;
      if (!data || !this._items) return void this.load();
      // The change carries the count and the new notification: no read needed.
      const removed = new Set(data.removed ?? []);
      const items = this._items.filter((n) => !removed.has(n.id) && n.id !== data.item?.id);
      // A read in another tab (the count changed, no item): read again to know which. This tab's own reads
      // come back with the count it already shows.
      const elsewhere = !data.item && !removed.size && data.unread !== this._unread;
      this._items = data.item ? [data.item, ...items] : items;
      this._unread = data.unread;
      if (elsewhere) void this.load();
      if (data.item && !data.item.readAt) this._note = this.l.t.arrived(1);
    },
    onReload: () => void this.load(),
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.outside);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.outside);
    this.loadedFor = '';
  }

  /** A press outside the widget closes the panel, as with any disclosure that floats over the page. */
  private outside = (e: Event) => {
    if (this._open && !e.composedPath().includes(this)) this._open = false;
  };

  private onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this._open) return;
    e.stopPropagation();
    this.close();
  };

  private close(): void {
    this._open = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('#bell')?.focus());
  }

  private toggle = () => {
    if (this._open) return this.close();
    this._open = true;
    if (this._error) void this.load();
    if (!this._prefs) this.loadSettings();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#heading')?.focus());
  };

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const c = this.community;
    if (!c) return;
    // While the provider reads who is signed in, the bell's first read joins that same request (one
    // request a page): its answer is the member's own, kept once the session names them. Signed out, the
    // read is refused in the batch and the bell shows nothing.
    const signingIn = c.session.status === 'loading' && !!c.client.tokens;
    const key = this.member ? c.client.base + '|' + this.member : signingIn ? c.client.base + '|?' : '';
    if (key === this.loadedFor) return;
    const early = this.loadedFor === c.client.base + '|?' && !!this.member;
    this.loadedFor = key;
    if (early) return;
    this.loader.stop();
    this.prefsLoader.stop();
    this._items = this._unread = this._prefs = this._feed = this._error = this._prefsError = undefined;
    this._open = false;
    if (key) void this.load();
  }

  private load(): Promise<void> {
    const c = this.community;
    if (!c || !this.loadedFor) return Promise.resolve();
    this._error = undefined;
    const signingIn = !this.member;
    return this.loader.run(
      // Before the session is known, the read waits for the token: none, no read (a signed-out reader costs
      // no request); one, the read joins the provider's own in the same batch.
      async () => (signingIn && !(await c.client.tokens?.get()) ? null : listNotifications(c.client)),
      (page) => {
        if (!page) return;
        this._items = page.items;
        this._unread = page.unread;
        this._next = page.next;
      },
      (e) => (this._error = e),
    );
  }

  private more = () => {
    const c = this.community;
    if (!c || !this._next) return;
    void this.loader.follow(
      () => listNotifications(c.client, this._next!),
      (page) => {
        const known = new Set(this._items?.map((n) => n.id));
        this._items = [...(this._items ?? []), ...page.items.filter((n) => !known.has(n.id))];
        this._unread = page.unread;
        this._next = page.next;
      },
      (e) => (this._note = this.l.error(e)),
    );
  };

  /** The preferences and the feed's state, read together (one request) when the panel first opens. */
  private loadSettings = () => {
    const c = this.community;
    if (!c) return;
    this._prefsError = undefined;
    void this.prefsLoader.run(
      () => Promise.all([notificationPreferences(c.client), notificationFeed(c.client)]),
      ([p, f]) => {
        this._prefs = p;
        this._feed = f;
      },
      (e) => (this._prefsError = this.l.error(e)),
    );
  };

  private markRead(n: Notification, moveFocus: boolean): void {
    const c = this.community;
    if (!c || n.readAt) return;
    // Shown read at once; the server's answer gives the count, a failure reads the list again.
    const at = new Date().toISOString();
    this._items = this._items?.map((x) => (x.id === n.id ? { ...x, readAt: at } : x));
    this._unread = Math.max(0, (this._unread ?? 1) - 1);
    // The button pressed goes away: focus goes back to the panel's heading rather than to the page.
    if (moveFocus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#heading')?.focus());
    markNotificationsRead(c.client, { ids: [n.id] }).then(
      (r) => (this._unread = r.unread),
      (e: CercleError) => {
        this._note = this.l.error(e);
        void this.load();
      },
    );
  }

  private async markAll(): Promise<void> {
    const c = this.community;
    // Busy buttons stay focusable (a disabled one would drop the focus to the page): a second press waits.
    if (!c || this._busy) return;
    this._busy = true;
    try {
      const r = await markNotificationsRead(c.client, { all: true });
      const at = new Date().toISOString();
      this._items = this._items?.map((x) => (x.readAt ? x : { ...x, readAt: at }));
      this._unread = r.unread;
      this._note = this.l.t.allRead;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#heading')?.focus());
    } catch (e) {
      this._note = this.l.error(e as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private follow(n: Notification, e?: Event): void {
    if (!this.emit('cercle-notification-open', { notification: n }, true)) e?.preventDefault();
    this.markRead(n, false);
  }

  private async save(patch: NotificationPreferencesPatch): Promise<void> {
    const c = this.community;
    if (!c || this._busy) return;
    this._busy = true;
    this._prefsError = undefined;
    try {
      this._prefs = await updateNotificationPreferences(c.client, patch);
      this._note = this.l.t.saved;
    } catch (e) {
      this._prefsError = this.l.error(e as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private async feedChange(make: boolean): Promise<void> {
    const c = this.community;
    if (!c || this._busy) return;
    this._busy = true;
    try {
      this._feed = make ? await resetNotificationFeed(c.client) : await revokeNotificationFeed(c.client);
      // The button pressed is gone: focus goes to the new address, or to the section's heading.
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(make ? '#feed-url' : '#feed-heading')?.focus());
      if (!make) this._note = this.l.t.revoked;
    } catch (e) {
      this._note = this.l.error(e as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this._note = this.l.t.copied;
    } catch {
      // No clipboard (permissions, an old browser): the address is selected for the reader to copy.
      this.renderRoot.querySelector<HTMLInputElement>('#feed-url')?.select();
    }
  }

  protected override render() {
    const { l } = this;
    const t = l.t;
    const session = this.community?.session;
    if (!session || session.status === 'anonymous' || session.status === 'loading') return nothing;
    if (session.status === 'error') return sessionError(session, l, 'base');
    const open = this._open;
    let content;
    if (this._error)
      content = html`<div role="alert">
        <p class="error">${t.loadError} ${l.error(this._error)}</p>
        <button type="button" @click=${() => this.load()}>${t.tryAgain}</button>
      </div>`;
    else if (!this._items) content = html`<p role="status">${t.loading}</p>`;
    else
      content = list(this._items, !!this._next, l, {
        onRead: (n) => this.markRead(n, true),
        onFollow: (n, e) => this.follow(n, e),
        onMore: this.more,
      });
    return html`<div part="base" @keydown=${this.onKey}>
      ${bell({ unread: this._error ? undefined : this._unread, open, onToggle: this.toggle }, l)}
      <div part="panel" id="panel" role="region" aria-labelledby="heading" ?hidden=${!open}>
        <div class="head">
          <h2 id="heading" tabindex="-1">${t.heading}</h2>
          ${
            this._unread
              ? html`<button type="button" aria-disabled=${this._busy ? 'true' : 'false'} @click=${() => this.markAll()}>${t.markAll}</button>`
              : nothing
          }
        </div>
        ${open ? content : nothing}
        ${
          open
            ? settings(
                {
                  prefs: this._prefs,
                  error: this._prefsError,
                  busy: this._busy,
                  onSave: (p) => void this.save(p),
                  onRetry: this.loadSettings,
                },
                l,
              )
            : nothing
        }
        ${
          open
            ? feed(
                {
                  feed: this._feed,
                  api: this.community!.client.base.replace(/\/v1\/sites\/[^/]+$/, ''),
                  busy: this._busy,
                  onCreate: () => void this.feedChange(true),
                  onCopy: (u) => void this.copy(u),
                  onRevoke: () => void this.feedChange(false),
                },
                l,
              )
            : nothing
        }
      </div>
      <p class="sr" role="status">${this._note}</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-notifications': CercleNotifications;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-notification-open': CustomEvent<{ notification: Notification }>;
  }
}
