import { html, nothing, type PropertyDeclarations } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { lockThread } from '../../client/discussion.js';
import { adminSettings, auditCsv, auditLog, moderateMany, moderationQueue, sanction, updateSettings } from '../../client/moderation.js';
import type { AdminSettings, AuditEntry, QueueFilter, QueueItem, QueuePage, SettingsPatch } from '../../contract/moderation.js';
import { Localize } from '../../i18n/localize.js';
import { en } from './locales/en.js';
import { Loader } from '../../internal/loader.js';
import { LiveController } from '../../internal/live-controller.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { styles } from './moderation.styles.js';
import { errorText } from './strings.js';
import { auditView, queueView, sanctionView, settingsView, type ItemAction, type SanctionForm } from './views.js';

export interface ModerationActionDetail {
  action: ItemAction;
  /** The comments acted on (approve, hide, restore, delete), or the one whose thread or author was acted on. */
  comments: string[];
}

type Tab = 'queue' | 'settings' | 'audit';
const TABS: Tab[] = ['queue', 'settings', 'audit'];

/**
 * The moderators' back office, on the association's own page and with its
 * own sign-in: the queue of comments waiting for review, held by the word
 * list or the spam check, or flagged by members; approve, hide, restore or
 * delete them one by one or in bulk, lock their thread, mute or ban their
 * author for a period. Site-wide moderators see the whole site, chapter
 * moderators (the token's `moderates` claim) their chapters. Fully usable
 * from the keyboard (j / k, then a, h, d, l, m, b; `?` lists the keys). The
 * queue follows changes live behind a "N changes" button. Administrators
 * also get the site's settings, key rotation and the audit log.
 *
 * @summary The moderation queue, and for administrators the site's settings and audit log.
 * @customElement cercle-moderation
 *
 * @fires cercle-moderation-action - After an action succeeded; `detail`: `{ action, comments }`.
 *
 * @csspart base - The whole back office.
 * @csspart tabs - The queue / settings / audit tabs (administrators).
 * @csspart filters - The filter buttons with their counts.
 * @csspart updates - The "N changes" button (live updates wait behind it).
 * @csspart bulk - Select all and the bulk actions.
 * @csspart list - The list of comments to review.
 * @csspart item - One comment to review.
 * @csspart author - Its author's name.
 * @csspart body - Its text, as written.
 * @csspart actions - Its actions.
 * @csspart dialog - The mute or ban form.
 * @csspart keys - The keyboard help.
 * @csspart empty - Shown when there is nothing to review.
 * @csspart settings - The settings form.
 * @csspart keys-admin - The signing keys: ids, algorithms and ages (keys change on the server only).
 * @csspart audit - The audit log table.
 *
 * @cssprop --cercle-color-accent - Buttons, focus and the current item.
 * @cssprop --cercle-radius - Corner radius.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-moderation-max-body - Height above which a comment's text scrolls (default 12em).
 *
 * @attr {string} chapter - Show only this chapter's threads.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 * @attr {number} heading-level - Level (1–6) of each item's heading, the sanction form's and the keys', to fit under the host page's own headings; by default 2.
 */
export class CercleModeration extends CercleConnected {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    chapter: {},
    _tab: { state: true },
    _data: { state: true },
    _error: { state: true },
    _filter: { state: true },
    _current: { state: true },
    _selected: { state: true },
    _busy: { state: true },
    _note: { state: true },
    _alert: { state: true },
    _showKeys: { state: true },
    _sanction: { state: true },
    _settings: { state: true },
    _audit: { state: true },
    _auditNext: { state: true },
  };

  /** Only this chapter's threads. */
  declare chapter: string;

  declare private _tab: Tab;
  declare private _data?: QueuePage;
  declare private _error?: CercleError;
  declare private _filter: QueueFilter;
  declare private _current: number;
  declare private _selected: Set<string>;
  declare private _busy: boolean;
  declare private _note: string;
  declare private _alert: string;
  declare private _showKeys: boolean;
  declare private _sanction?: SanctionForm;
  declare private _settings?: AdminSettings;
  declare private _audit?: AuditEntry[];
  declare private _auditNext: string | null;

  private l = new Localize(this, () => this.community?.lang, 'moderation', { en });
  private loader = new Loader(this);
  private loadedFor = '';
  private focusAfter = false;
  /** The item's button to focus rather than the item (the one that opened a form now closed). */
  private focusAction?: ItemAction;

  private live = new LiveController(this, {
    community: () => this.community,
    // Not while disconnected: an answer landing after removal must not take the stream again.
    topics: () => (this.isConnected && this._data ? ['site:moderation'] : []),
    // Queue changes wait behind a button: the list never moves under the moderator's eyes.
    onChange: (ev) => ev.kind === 'moderation.changed',
    onReload: () => this.load(),
  });

  constructor() {
    super();
    this.chapter = '';
    this._tab = 'queue';
    this._filter = 'all';
    this._current = 0;
    this._selected = new Set();
    this._busy = false;
    this._note = '';
    this._alert = '';
    this._showKeys = false;
    this._auditNext = null;
  }

  protected override willUpdate(): void {
    const c = this.community;
    if (!c) return;
    // Read while the session is still loading: the read waits for the token and travels in the page's
    // first request. Signing out (or in) later calls for a new read.
    const signedIn = c.session.status !== 'anonymous';
    const key = [signedIn, this.chapter].join('|');
    if (key !== this.loadedFor) {
      this.loadedFor = key;
      if (signedIn) this.load();
    }
  }

  protected override updated(): void {
    if (this.focusAfter) {
      this.focusAfter = false;
      const article = this.renderRoot.querySelector<HTMLElement>(`article[data-index="${this._current}"]`);
      const back = this.focusAction && article?.querySelector<HTMLElement>(`[data-action=${this.focusAction}]`);
      (back || article)?.focus();
    }
    this.focusAction = undefined;
  }

  private queue(cursor?: string | null) {
    return moderationQueue(this.community!.client, {
      filter: this._filter,
      chapter: this.chapter || undefined,
      cursor: cursor || undefined,
    });
  }

  /** Reads the queue again (after an action, a filter, or the reader asking for the changes). */
  async load(keepFocus = false): Promise<void> {
    const c = this.community;
    if (!c) return;
    this._error = undefined;
    return this.loader.run(
      () => this.queue(),
      (data) => {
        this.live.clear();
        this._data = data;
        const ids = new Set(data.items.map((i) => i.comment.id));
        this._selected = new Set([...this._selected].filter((id) => ids.has(id)));
        this._current = Math.max(0, Math.min(this._current, data.items.length - 1));
        this.focusAfter = keepFocus;
      },
      (e) => (this._error = e),
    );
  }

  private async more(): Promise<void> {
    const d = this._data;
    if (!d?.next) return;
    try {
      const page = await this.queue(d.next);
      this._data = { ...page, items: [...d.items, ...page.items] };
    } catch (e) {
      this._alert = errorText(this.l.t, e as CercleError);
    }
  }

  private setFilter(f: QueueFilter) {
    this._filter = f;
    this._current = 0;
    this._selected = new Set();
    this.load();
  }

  private select(id: string, on: boolean) {
    const next = new Set(this._selected);
    if (on) next.add(id);
    else next.delete(id);
    this._selected = next;
  }

  /** Acts on one item, or on the selection when no item is given. */
  private async act(action: ItemAction, item?: QueueItem): Promise<void> {
    const s = this.l.t;
    const c = this.community;
    if (!c || this._busy) return;
    if (action === 'mute' || action === 'ban') {
      if (!item?.author) return;
      const scope = this._data!.scope;
      const ch = item.thread.audience.startsWith('chapter:') ? item.thread.audience.slice(8) : '';
      this._sanction = { kind: action, item, chapters: scope.siteWide ? [] : [ch] };
      await this.updateComplete;
      (this.renderRoot.querySelector('form.dialog select, form.dialog textarea') as HTMLElement | null)?.focus();
      return;
    }
    const ids = item ? [item.comment.id] : [...this._selected];
    if (!ids.length) return;
    if (action === 'delete' && !confirm(ids.length > 1 ? s.deleteManyConfirm(ids.length) : s.deleteConfirm)) return;
    this._busy = true;
    this._alert = '';
    try {
      if (action === 'lock' || action === 'unlock') {
        await lockThread(c.client, item!.thread.key, action === 'lock');
      } else {
        await moderateMany(c.client, action, ids);
      }
      this._note = ids.length > 1 ? s.bulkDone(ids.length, s.done[action]) : s.done[action];
      this.emit('cercle-moderation-action', { action, comments: ids });
      if (!item) this._selected = new Set();
      await this.load(true);
    } catch (e) {
      this._alert = errorText(s, e as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private async sanction(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = this._sanction;
    if (!f?.item.author) return;
    const data = new FormData(e.target as HTMLFormElement);
    const days = Number(data.get('days'));
    const s = this.l.t;
    this._busy = true;
    try {
      await sanction(this.community!.client, {
        member: f.item.author.member.id,
        kind: f.kind,
        reason: String(data.get('reason') ?? '').trim(),
        days: days || null,
        ...(f.chapters[0] ? { chapter: String(data.get('chapter') ?? f.chapters[0]) } : {}),
      });
      this._note = s.done[f.kind];
      this.emit('cercle-moderation-action', { action: f.kind, comments: [f.item.comment.id] });
      this._sanction = undefined;
      await this.load(true);
    } catch (err) {
      this._alert = errorText(s, err as CercleError);
    } finally {
      this._busy = false;
    }
  }

  /** Closes the sanction form; focus goes back to the Mute or Ban button of its item. */
  private cancelSanction() {
    const f = this._sanction;
    this._sanction = undefined;
    this.focusAfter = true;
    this.focusAction = f?.kind;
    const at = f ? (this._data?.items.indexOf(f.item) ?? -1) : -1;
    if (at >= 0) this._current = at;
  }

  /** j / k and the action keys, on the list. */
  private key = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (
      e.ctrlKey ||
      e.metaKey ||
      e.altKey ||
      (t.localName === 'input' && (t as HTMLInputElement).type !== 'checkbox') ||
      t.localName === 'textarea' ||
      t.localName === 'select'
    )
      return;
    const items = this._data?.items ?? [];
    const item = items[this._current];
    const move = (i: number) => {
      this._current = Math.max(0, Math.min(items.length - 1, i));
      this.focusAfter = true;
    };
    const keys: Record<string, () => void> = {
      j: () => move(this._current + 1),
      ArrowDown: () => move(this._current + 1),
      k: () => move(this._current - 1),
      ArrowUp: () => move(this._current - 1),
      Home: () => move(0),
      End: () => move(items.length - 1),
      x: () => item && this.select(item.comment.id, !this._selected.has(item.comment.id)),
      a: () => item && this.act(item.comment.status === 'hidden' ? 'restore' : 'approve', item),
      h: () => item && this.act('hide', item),
      d: () => item && this.act('delete', item),
      l: () => item && this.act(item.thread.locked ? 'unlock' : 'lock', item),
      m: () => item && this.act('mute', item),
      b: () => item && this.act('ban', item),
      r: () => this.load(true),
      '?': () => (this._showKeys = !this._showKeys),
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  };

  private async openTab(tab: Tab) {
    this._tab = tab;
    this._alert = '';
    const c = this.community!;
    try {
      if (tab === 'settings' && !this._settings) this._settings = await adminSettings(c.client);
      if (tab === 'audit') {
        const page = await auditLog(c.client);
        this._audit = page.items;
        this._auditNext = page.next;
      }
    } catch (e) {
      this._alert = errorText(this.l.t, e as CercleError);
    }
  }

  private tabKey(e: KeyboardEvent) {
    const tabs = this.visibleTabs;
    const i = tabs.indexOf(this._tab);
    const next =
      e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : undefined;
    if (!next) return;
    e.preventDefault();
    this.openTab(next).then(() => (this.renderRoot.querySelector(`#tab-${next}`) as HTMLElement | null)?.focus());
  }

  private get visibleTabs(): Tab[] {
    return this._data?.admin ? TABS : ['queue'];
  }

  private async saveSettings(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const st = this._settings!;
    const list = (name: string, sep: RegExp) =>
      String(f.get(name) ?? '')
        .split(sep)
        .map((x) => x.trim())
        .filter(Boolean);
    const patch: SettingsPatch = {
      premoderation: f.get('premoderation') as SettingsPatch['premoderation'],
      editWindowSeconds: Math.round(Number(f.get('editWindow')) * 60),
      reactions: list('reactions', /,/),
      heldWords: list('heldWords', /\n/),
      blockedWords: list('blockedWords', /\n/),
      rateLimits: f.get('limits')
        ? {
            commentsPerMinute: Number(f.get('commentsPerMinute')),
            commentBurst: Number(f.get('commentBurst')),
            writeBurst: st.rateLimits?.writeBurst ?? 60,
            writesPerMinute: st.rateLimits?.writesPerMinute ?? 60,
          }
        : null,
      publicRead: !!f.get('publicRead'),
      loginUrl: String(f.get('loginUrl') ?? '').trim() || null,
      origins: list('origins', /\n/),
    };
    const s = this.l.t;
    this._busy = true;
    this._alert = '';
    try {
      this._settings = await updateSettings(this.community!.client, patch);
      this._note = s.saved;
    } catch (err) {
      this._alert = errorText(s, err as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private async exportAudit(): Promise<void> {
    const s = this.l.t;
    try {
      const blob = await auditCsv(this.community!.client);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `cercle-audit-${this.community!.client.siteId}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      this._note = s.exported;
    } catch (err) {
      this._alert = errorText(s, err as CercleError);
    }
  }

  private async moreAudit(): Promise<void> {
    if (!this._auditNext) return;
    try {
      const page = await auditLog(this.community!.client, this._auditNext);
      this._audit = [...(this._audit ?? []), ...page.items];
      this._auditNext = page.next;
    } catch (err) {
      this._alert = errorText(this.l.t, err as CercleError);
    }
  }

  protected override render() {
    const l = this.l;
    const s = l.t;
    const c = this.community;
    if (c?.session.status === 'anonymous') {
      return html`<p part="base">${c.loginUrl ? html`<a href=${c.loginUrl}>${s.signIn}</a>` : s.signIn}</p>`;
    }
    if (this._error) {
      const forbidden = this._error.code === 'moderation.forbidden' || this._error.code === 'moderation.chapter_forbidden';
      return html`<div part="base" role="alert">
        <p>${forbidden ? s.forbidden : `${s.loadError} ${errorText(s, this._error)}`}</p>
        ${forbidden ? nothing : html`<button type="button" @click=${() => this.load()}>${s.tryAgain}</button>`}
      </div>`;
    }
    const data = this._data;
    if (!data) return html`<div part="base" class="skeleton" role="status">${s.loading}</div>`;
    const tabs = this.visibleTabs;
    return html`<section part="base" aria-label=${s.label}>
      ${
        tabs.length > 1
          ? html`<div role="tablist" part="tabs" aria-label=${s.label} @keydown=${this.tabKey}>
        ${tabs.map(
          (
            t,
          ) => html`<button type="button" role="tab" id="tab-${t}" aria-controls="panel" aria-selected=${this._tab === t ? 'true' : 'false'}
          tabindex=${this._tab === t ? 0 : -1} @click=${() => this.openTab(t)}>${s.tabs[t]}</button>`,
        )}
      </div>`
          : nothing
      }
      <div id="panel" role=${tabs.length > 1 ? 'tabpanel' : nothing} aria-labelledby=${tabs.length > 1 ? `tab-${this._tab}` : nothing}>
        ${
          this._sanction
            ? sanctionView(
                this._sanction,
                l,
                this._busy,
                (e) => this.sanction(e),
                () => this.cancelSanction(),
              )
            : nothing
        }
        ${
          this._tab === 'queue'
            ? queueView(data, l, {
                filter: this._filter,
                current: this._current,
                selected: this._selected,
                busy: this._busy,
                updates: this.live.held.length,
                showKeys: this._showKeys,
                onFilter: (f) => this.setFilter(f),
                onSelect: (id, on) => this.select(id, on),
                onSelectAll: (on) => (this._selected = new Set(on ? data.items.map((i) => i.comment.id) : [])),
                onAction: (a, item) => this.act(a, item),
                onFocusItem: (i) => (this._current = i),
                onKey: this.key,
                onUpdates: () => {
                  this.live.take();
                  this.load();
                },
                onMore: data.next ? () => this.more() : undefined,
                onToggleKeys: () => (this._showKeys = !this._showKeys),
              })
            : this._tab === 'settings'
              ? this._settings
                ? settingsView(this._settings, l, { busy: this._busy, onSave: (e) => this.saveSettings(e) })
                : html`<p role="status">${s.loading}</p>`
              : this._audit
                ? auditView(this._audit, l, this._busy, () => this.exportAudit(), this._auditNext ? () => this.moreAudit() : undefined)
                : html`<p role="status">${s.loading}</p>`
        }
      </div>
      <p class="sr" role="status">${this._note}</p>
      <p class="alert" role="alert">${this._alert}</p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-moderation': CercleModeration;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-moderation-action': CustomEvent<ModerationActionDetail>;
  }
}
