import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { CercleError } from '../../client/errors.js';
import {
  acknowledgeRsvp,
  attendees,
  calendarFeed,
  cancelEvent,
  eventCalendar,
  feedUrl,
  getEvent,
  listEvents,
  markAttendance,
  resetCalendarFeed,
  revokeCalendarFeed,
  rsvp,
  siteCalendarUrl,
} from '../../client/events.js';
import type { LiveEvent } from '../../client/live.js';
import type { CalendarFeed, RsvpAnswer } from '../../contract/events.js';
import type { Event, EventPage } from '../../contract/resources.js';
import { fill, Localize } from '../../i18n/localize.js';
import { en } from './locales/en.js';
import { Loader } from '../../internal/loader.js';
import { LiveController } from '../../internal/live-controller.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { styles } from './event-feed.styles.js';
import { addMonths, dayOf, monthRange } from './time.js';
import { event, feed, month, skeleton, type Ui, type View } from './views.js';
import { sessionError } from '../../internal/session-error.js';

/** Detail of `cercle-rsvp-submit`: the answer about to be sent. */
export interface RsvpSubmitDetail {
  event: string;
  status: RsvpAnswer;
  guests: number;
}

/** Detail of `cercle-rsvp-change`: the event as the server now has it, with the member's answer in `myRsvp`. */
export interface RsvpChangeDetail {
  event: Event;
}

/**
 * Upcoming events of some chapters (or of the whole network), each with its
 * time in the reader's zone, place, places left and an inline answer: going,
 * maybe or not going, guests, a first-come waitlist with automatic promotion.
 * Members see who is going; everyone can add an event to their calendar.
 * Organisers cancel events and mark attendance in place; for members who may
 * organise, the feed loads `<cercle-event-organiser>` (new, edit, duplicate,
 * recurring series, check-in at the door), which members' pages never fetch. Shown events stay current without a reload:
 * counts and places left follow everyone's answers, edits and cancellations
 * appear in place, and a reader promoted off the waitlist sees it at once.
 *
 * @summary Events with inline RSVP, waitlist, who's going and calendar links.
 * @customElement cercle-event-feed
 *
 * @slot header - Shown above the events (a heading of the host's choice).
 * @slot empty - Shown instead of the list when there is no event.
 *
 * @csspart base - The whole feed.
 * @csspart list - The list of events.
 * @csspart event - One event (`<article>`).
 * @csspart title - The event's title (a heading).
 * @csspart meta - Lines of date, place, chapter and places.
 * @csspart place - The place line (also `meta`).
 * @csspart organiser - The organiser line (also `meta`).
 * @csspart banner - "Cancelled", or "a place freed up: you are going".
 * @csspart description - The event's description.
 * @csspart rsvp - The answer buttons, guests and state; or the sign-in link.
 * @csspart actions - Who is going, calendar links, organiser tools.
 * @csspart attendees - The "who is going" disclosure.
 * @csspart calendar-links - The "add to my calendar" disclosure.
 * @csspart calendar - The month table (`view="calendar-month"`).
 * @csspart nav - Previous and next month.
 * @csspart more - The "show more" button.
 * @csspart footer - Calendar subscriptions.
 * @csspart feed - The member's private calendar address.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-color-on-accent - Text on accent-coloured buttons.
 * @cssprop --cercle-color-danger - Cancellation and errors.
 * @cssprop --cercle-radius - Corner radius of boxes and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-event-feed-gap - Space between events.
 * @cssprop --cercle-event-feed-event-height - Height kept for each event while loading.
 *
 * @attr {string} chapter - Chapter ids, comma-separated; none for the whole network.
 * @attr {number} limit - Events a page (1–100, default 10); "show more" brings the next ones.
 * @attr {'list' | 'compact' | 'calendar-month'} view - Full list (default), one block an event without details, or a month table above the month's events.
 * @attr {boolean} past - Past events, latest first, instead of upcoming ones.
 * @attr {string} month - First month shown by `calendar-month` (`2026-12`); the current one by default.
 * @attr {string} time-zone - IANA zone the times are shown in; the reader's by default.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 * @attr {number} heading-level - Level (1–6) of each event's title, to fit under the host page's own headings; by default 2.
 *
 * @fires {CustomEvent<RsvpSubmitDetail>} cercle-rsvp-submit - A member answers; cancel it (`preventDefault()`) to stop the answer.
 * @fires {CustomEvent<RsvpChangeDetail>} cercle-rsvp-change - The server stored an answer (or a waitlist promotion was acknowledged).
 */
export class CercleEventFeed extends CercleConnected {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    chapter: {},
    limit: { type: Number },
    view: { reflect: true },
    past: { type: Boolean },
    month: {},
    timeZone: { attribute: 'time-zone' },
    _page: { state: true },
    _error: { state: true },
    _more: { state: true },
    _shown: { state: true },
    _note: { state: true },
    _feed: { state: true },
    _feedUrl: { state: true },
    _organiser: { state: true },
  };

  /** Chapter ids, comma-separated; none for the whole network. */
  declare chapter?: string;
  /** Events a page. */
  declare limit?: number;
  declare view: 'list' | 'compact' | 'calendar-month';
  /** Past events, latest first. */
  declare past: boolean;
  /** First month of `calendar-month` (`YYYY-MM`). */
  declare month?: string;
  /** IANA zone the times are shown in; the reader's by default. */
  declare timeZone?: string;

  declare private _page?: EventPage;
  declare private _error?: CercleError;
  declare private _more: boolean;
  /** The month the calendar shows. */
  declare private _shown: string;
  /** Text of the polite live region. */
  declare private _note: string;
  declare private _feed?: CalendarFeed;
  declare private _feedUrl: string | null;
  /** The organiser tools' module is loaded (only ever for members who may organise). */
  declare private _organiser?: boolean;
  private organiserAsked = false;

  private l = new Localize(this, () => this.community?.lang, 'event-feed', { en });
  private state = new Map<string, Ui>();
  private loginUrl?: string | null;
  private loadedWith?: object;
  /** The reader the events were read for: a member id, `''` for nobody, undefined while unknown. */
  private reader?: string;
  private loader = new Loader(this);
  private focusId?: string;
  /** The shown events on the page's live stream: counts patched, edits refetched, promotions shown. */
  private live = new LiveController(this, {
    community: () => this.community,
    topics: () => (this._page?.items ?? []).map((e) => 'event:' + e.id),
    onChange: (ev) => this.onLive(ev),
    onReload: () => this.refresh(),
  });

  constructor() {
    super();
    this.view = 'list';
    this.past = this._more = false;
    this._note = this._shown = '';
    this._feedUrl = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page: the provider answers with the same value, which alone would not update.
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (!c) return;
    const session = c.session;
    const reader = session.status === 'member' ? session.member.id : session.status === 'anonymous' ? '' : undefined;
    const otherReader = reader !== undefined && this.reader !== undefined && reader !== this.reader;
    if (reader !== undefined) this.reader = reader;
    if (changed.has('month') || !this._shown)
      this._shown = /^\d{4}-\d\d$/.test(this.month ?? '') ? this.month! : dayOf(Date.now(), this.zone).slice(0, 7);
    if (
      c.client !== this.loadedWith ||
      otherReader ||
      (['chapter', 'limit', 'view', 'past', 'month'] as const).some((k) => changed.has(k))
    ) {
      this.loadedWith = c.client;
      this.load();
    }
  }

  protected override updated(): void {
    if (this.focusId) this.renderRoot.querySelector<HTMLElement>('#e-' + this.focusId)?.focus();
    this.focusId = undefined;
    // The organiser tools are a chunk of their own, fetched only when the reader may organise: an
    // admin, or the organiser of an event shown. Members' pages never load it.
    if (this.mayOrganise && !this.organiserAsked) {
      this.organiserAsked = true;
      import('../event-organiser/organiser.js').then(
        () => (this._organiser = true),
        () => (this.organiserAsked = false),
      );
    }
  }

  private get isAdmin(): boolean {
    const session = this.community?.session;
    return session?.status === 'member' && session.member.roles.includes('admin');
  }

  /** Chapters the reader organises, as their profile says. */
  private get organises() {
    const session = this.community?.session;
    return session?.status === 'member' ? (session.member.organises ?? []) : [];
  }

  /** May make events: an admin, or the organiser of some chapter. */
  private get mayCreate(): boolean {
    return this.community?.session.status === 'member' && (this.isAdmin || this.organises.length > 0);
  }

  /** May make events, or manage one shown. */
  private get mayOrganise(): boolean {
    return this.mayCreate || (this.community?.session.status === 'member' && !!this._page?.items.some((e) => e.canManage));
  }

  /** Chapters the reader may hold events in: those they organise, then (for admins) those of the events shown and the feed's. */
  private get organisedChapters(): { id: string; name: string }[] {
    const out = new Map<string, string>();
    for (const c of this.organises) out.set(c.id, c.name);
    if (this.isAdmin) for (const e of this._page?.items ?? []) if (e.chapter) out.set(e.chapter.id, e.chapter.name);
    for (const id of (this.chapter ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      if (!out.has(id) && this.isAdmin) out.set(id, id);
    return [...out].map(([id, name]) => ({ id, name }));
  }

  private saved = () => {
    this.refresh();
  };

  private organiserTools(e?: Event) {
    return html`<cercle-event-organiser
      .event=${e}
      .chapters=${this.organisedChapters}
      ?network=${this.isAdmin}
      @cercle-event-saved=${this.saved}
    ></cercle-event-organiser>`;
  }

  /** The zone times are shown in: `time-zone` when it is a known one, else the reader's. */
  private get zone() {
    try {
      return this.timeZone ? new Intl.DateTimeFormat('en', { timeZone: this.timeZone }).resolvedOptions().timeZone : undefined;
    } catch {
      return undefined;
    }
  }

  private get size() {
    return Math.min(100, Math.max(1, Math.floor(this.limit ?? 10) || 10));
  }

  protected override render() {
    const { _page: page, _error: error } = this;
    const s = this.l.t;
    const v = this.viewOf();
    const loading = !page && !error;
    const calendar = this.view === 'calendar-month';
    const session = this.community?.session;
    // Signed in on the host, but the member's profile could not be read: say so, never "sign in".
    const signedOut = error?.code === 'auth.missing' && session?.status !== 'error';
    const items = page?.items ?? [];
    return html`
      <section part="base" aria-label=${s.label}>
        <slot name="header"></slot>
        ${session?.status === 'error' && !error ? sessionError(session, this.l) : nothing}
        ${this._organiser && this.mayCreate && !this.past ? this.organiserTools() : nothing}
        ${
          calendar
            ? html`<div part="nav">
              <button @click=${() => this.go(-1)} aria-label=${s.prev}>‹</button>
              <button @click=${() => this.go(1)} aria-label=${s.next}>›</button>
            </div>
            ${month(this._shown, items, v, (id) => ((this.focusId = id), this.requestUpdate()))}`
            : nothing
        }
        ${
          error
            ? html`<p>${signedOut ? html`<a href=${this.loginUrl ?? this.community?.loginUrl ?? nothing}>${s.signIn}</a>` : s.loadError}</p>
              ${signedOut ? nothing : html`<div><button @click=${this.tryAgain}>${s.tryAgain}</button></div>`}`
            : page && !items.length
              ? html`<slot name="empty"><p>${calendar ? s.emptyMonth : this.past ? s.emptyPast : s.empty}</p></slot>`
              : html`<ol part="list" aria-busy=${loading ? 'true' : 'false'} class=${this.view}>
                ${loading ? skeleton(Math.min(this.size, 3)) : items.map((e) => event(e, v))}
              </ol>`
        }
        ${
          page?.next && !calendar
            ? html`<div><button part="more" @click=${this.more} aria-disabled=${this._more ? 'true' : 'false'}>${s.more}</button></div>`
            : nothing
        }
        ${loading || signedOut ? nothing : this.footer(v)}
        <p class="sr" role="status">${loading ? s.loading : this._note}</p>
      </section>
    `;
  }

  private footer(v: View) {
    const c = this.community!;
    return html`<div part="footer">
      <a href=${siteCalendarUrl(c.client, this.chapter)}>${v.s.subscribe}</a>
      ${
        c.session.status === 'member'
          ? feed(this._feed, this._feedUrl, this.ui('feed').busy !== undefined, v, this.feedOpen, this.feedMake, this.feedStop)
          : nothing
      }
      ${this.ui('feed').error ? html`<p class="error" role="alert">${v.error(this.ui('feed').error!)}</p>` : nothing}
    </div>`;
  }

  /** Data and actions the views are fed. */
  private viewOf(): View {
    const l = this.l;
    const s = l.t;
    return {
      s,
      lang: l.lang,
      zone: this.zone,
      now: Date.now(),
      compact: this.view === 'compact',
      member: this.community?.session.status === 'member',
      organise: this._organiser ? (e: Event) => this.organiserTools(e) : undefined,
      sessionFailed: this.community?.session.status === 'error',
      loginUrl: this.community?.loginUrl ?? this.loginUrl,
      ui: (id) => this.ui(id),
      plural: (forms, n) => forms(n),
      error: (e) => l.error(e),
      answer: this.answer,
      ack: (e) => this.act(e, 'ack', () => acknowledgeRsvp(this.client, e.id), true),
      download: this.download,
      who: this.who,
      cancelForm: (e, open) => {
        Object.assign(this.ui(e.id), { cancelling: open, error: undefined });
        this.requestUpdate();
        this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(open ? '#r-' + e.id : `#e-${e.id} .danger`)?.focus());
      },
      reason: (e, text) => (this.ui(e.id).reason = text),
      cancel: (e) =>
        this.act(e, 'cancel', () => cancelEvent(this.client, e.id, this.ui(e.id).reason?.trim()), true).then((ok) => {
          if (ok) {
            Object.assign(this.ui(e.id), { cancelling: false, reason: '' });
            this._note = s.cancelDone;
          }
        }),
      mark: (e, member, on) => ((this.ui(e.id).marks ??= {})[member] = on),
      saveMarks: this.saveMarks,
    };
  }

  private get client() {
    return this.community!.client;
  }

  private ui(id: string): Ui {
    let u = this.state.get(id);
    if (!u) this.state.set(id, (u = {}));
    return u;
  }

  /** Reads the first page of events (or the month's), and the site's sign-in address when the provider has none. */
  /** "Try again" after a failed read: the events, and the member's profile if that read failed too (one button for both). */
  private tryAgain = () => {
    const session = this.community?.session;
    if (session?.status === 'error') session.retry();
    return this.load();
  };

  private load = () => {
    const c = this.community!;
    this._page = this._error = undefined;
    this.state.clear();
    const site = c.loginUrl ? null : c.client.site().catch(() => null);
    return this.loader.run(
      () => this.first().finally(async () => (this.loginUrl = (await site)?.loginUrl)),
      (page) => (this._page = page),
      (e) => (this._error = e),
    );
  };

  /** The first page of events, or the month's: those starting on one of its days in the reader's zone. */
  private async first(): Promise<EventPage> {
    const calendar = this.view === 'calendar-month';
    const page = await listEvents(
      this.client,
      calendar
        ? { chapter: this.chapter, limit: 100, ...monthRange(this._shown) }
        : { chapter: this.chapter, limit: this.size, past: this.past },
    );
    if (calendar) page.items = page.items.filter((e) => dayOf(Date.parse(e.startsAt), this.zone).startsWith(this._shown));
    return page;
  }

  /** The stream says the page missed too much: read the events again, keeping what is shown meanwhile. */
  private refresh = async () => {
    if (!this._page) return;
    // On failure what is shown stays; the next change or reload tries again.
    await this.loader.follow(
      () => this.first(),
      (page) => this._page && (this._page = page),
    );
  };

  /** A change to a shown event, from the live stream. */
  private onLive(ev: LiveEvent): void {
    const shown = this._page?.items.find((x) => x.id === ev.ref);
    if (!shown) return;
    const d = ev.data as Pick<Event, 'capacity' | 'going' | 'taken' | 'maybe' | 'waitlist' | 'placesLeft'> | undefined;
    if (ev.kind === 'rsvp.changed' && d) {
      const { capacity, going, taken, maybe, waitlist, placesLeft } = d;
      this.replace({ ...shown, capacity, going, taken, maybe, waitlist, placesLeft });
      // The payload carries counts only, never a member's answer: a reader on the waitlist reads
      // their own position again when the line got shorter (someone ahead may have left).
      if (shown.myRsvp?.status === 'waitlist' && waitlist < shown.waitlist) void this.reread(ev.ref, false);
    } else if (ev.kind === 'event.updated' || ev.kind === 'waitlist.promoted' || ev.kind === 'rsvp.changed') {
      void this.reread(ev.ref, ev.kind === 'waitlist.promoted');
    }
  }

  /** Reads one event again (edited, cancelled, or the reader promoted); gone from sight, it leaves the list. */
  private reread(id: string, promoted: boolean) {
    return this.loader.follow(
      () => getEvent(this.client, id),
      (e) => {
        this.replace(e);
        if (promoted && e.myRsvp?.promotedAt) this._note = this.l.t.promoted;
      },
      (err) => {
        const page = this._page;
        if (page && err.status === 404) this._page = { ...page, items: page.items.filter((x) => x.id !== id) };
      },
    );
  }

  /** Appends the next page and moves focus to its first event. */
  private more = async () => {
    const page = this._page;
    if (!page?.next || this._more) return;
    this._more = true;
    try {
      const next = await listEvents(this.client, { chapter: this.chapter, limit: this.size, past: this.past, cursor: page.next });
      if (page === this._page) {
        this._page = { next: next.next, items: [...page.items, ...next.items.filter((e) => !page.items.some((x) => x.id === e.id))] };
        this.focusId = next.items[0]?.id;
      }
    } catch (e) {
      this._note = this.viewOf().error(e as CercleError);
    } finally {
      this._more = false;
    }
  };

  private go(n: number) {
    this._shown = addMonths(this._shown, n);
    this.load();
  }

  /** Puts the server's copy of an event in place of ours. */
  private replace(e: Event) {
    const page = this._page;
    if (page) this._page = { ...page, items: page.items.map((x) => (x.id === e.id ? e : x)) };
  }

  /**
   * Runs a write for an event: one at a time, its error shown by the event
   * with a retry, the reader's input kept. Resolves to whether it worked.
   */
  private async act(e: Event, what: string, run: () => Promise<Event | void>, focus = false): Promise<boolean> {
    const u = this.ui(e.id);
    if (u.busy) return false;
    u.busy = what;
    u.error = undefined;
    this.requestUpdate();
    try {
      const next = await run();
      if (next) {
        this.replace(next);
        if (what === 'rsvp' || what === 'ack') this.emit('cercle-rsvp-change', { event: next });
      }
      if (focus) this.focusId = e.id;
      return true;
    } catch (err) {
      u.error = err as CercleError;
      u.retry = () => this.act(e, what, run, focus);
      this._note = this.viewOf().error(u.error);
      return false;
    } finally {
      u.busy = undefined;
      this.requestUpdate();
    }
  }

  private answer = async (e: Event, status: RsvpAnswer, guests = 0) => {
    const s = this.l.t;
    const u = this.ui(e.id);
    if (!this.emit('cercle-rsvp-submit', { event: e.id, status, guests }, true)) return;
    if (e.maxGuests && status !== 'declined') u.guests = guests;
    let saved: Event | undefined;
    const ok = await this.act(
      e,
      'rsvp',
      async () => (saved = await rsvp(this.client, e.id, e.maxGuests && status !== 'declined' ? { status, guests } : { status })),
    );
    if (ok && saved?.myRsvp) {
      u.guests = undefined;
      this._note = fill(s.mine[saved.myRsvp.status], saved.myRsvp.position ?? '');
      if (u.people) this.who(saved, true, true);
    }
  };

  /** Downloads the event's calendar file (with the token, so members-only events and online links come too). */
  private download = (e: Event) =>
    this.act(e, 'ics', async () => {
      const url = URL.createObjectURL(await eventCalendar(this.client, e.id));
      const a = document.createElement('a');
      a.href = url;
      a.download =
        (e.title
          .normalize('NFKD')
          .replace(/[\u0300-\u036f]/g, '')
          .replace(/[^A-Za-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .toLowerCase()
          .slice(0, 60) || 'event') + '.ics';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      this._note = this.l.t.downloaded;
    });

  /** Reads who is going when the disclosure opens (again after an answer changes it). */
  private who = async (e: Event, open: boolean, again = false) => {
    const u = this.ui(e.id);
    if (!open || (u.people && !again && !(u.people instanceof CercleError))) return;
    if (!u.people || u.people instanceof CercleError) u.people = undefined;
    this.requestUpdate();
    try {
      u.people = await attendees(this.client, e.id);
    } catch (err) {
      u.people = err as CercleError;
    }
    this.requestUpdate();
  };

  private saveMarks = async (e: Event) => {
    const u = this.ui(e.id);
    const list = u.people;
    if (!list || list instanceof CercleError) return;
    const marks = list.items
      .filter((a) => a.status === 'going')
      .map((a) => ({ member: a.member.id, attended: u.marks?.[a.member.id] ?? a.attended ?? false }));
    if (!marks.length) return;
    if (await this.act(e, 'marks', async () => void (u.people = await markAttendance(this.client, e.id, marks)))) {
      u.marks = undefined;
      this._note = this.l.t.attendanceSaved;
    }
  };

  private feedOpen = async () => {
    if (this._feed) return;
    try {
      const f = await calendarFeed(this.client);
      // A private address made or stopped while this read was on its way wins.
      this._feed ??= f;
    } catch {
      // The buttons still work without knowing.
    }
  };

  private feedWrite = async (run: () => Promise<CalendarFeed>) => {
    const u = this.ui('feed');
    if (u.busy) return;
    u.busy = 'feed';
    u.error = undefined;
    this.requestUpdate();
    try {
      const f = (this._feed = await run());
      this._feedUrl = feedUrl(this.client, f);
      if (!f.active) this._note = this.l.t.feedStopped;
    } catch (err) {
      u.error = err as CercleError;
    } finally {
      u.busy = undefined;
      this.requestUpdate();
    }
  };

  private feedMake = () => this.feedWrite(() => resetCalendarFeed(this.client));
  private feedStop = () => this.feedWrite(() => revokeCalendarFeed(this.client));
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-event-feed': CercleEventFeed;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-rsvp-submit': CustomEvent<RsvpSubmitDetail>;
    'cercle-rsvp-change': CustomEvent<RsvpChangeDetail>;
  }
}
