import { html, nothing, type PropertyDeclarations } from 'lit';
import { CercleError } from '../../client/errors.js';
import { attendees, createEvent, updateEvent } from '../../client/events.js';
import { attendeesCsv, checkIn, checkIns, createSeries, undoCheckIn } from '../../client/organisers.js';
import type { Attendee, CheckIn, EventPatch, NewEvent, Recurrence } from '../../contract/events.js';
import type { Event } from '../../contract/resources.js';
import { Localize } from '../../i18n/localize.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { styles } from './event-organiser.styles.js';
import { de } from './locales/de.js';
import { en } from './locales/en.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import './strings.js';
import { dayOf, knownZone, localValue } from './time.js';
import { doorList, eventForm, type FormState } from './views.js';

/** Detail of `cercle-event-saved`: the event (or the first occurrence of a new series) as stored. */
export interface EventSavedDetail {
  event: Event;
  /** Occurrences made, for a new series. */
  occurrences?: number;
}

/** A check-in kept on the device until the server has it. */
interface Queued {
  key: string;
  member?: string;
  name: string;
  walkIn: boolean;
  at: string;
  /** Takes back the check-in `key` (a mistaken tap), after whatever was queued before it. */
  undo?: boolean;
}

type Mode = 'new' | 'edit' | 'duplicate' | 'door';

const newKey = () =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

const storage = (): Storage | undefined => {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
};

/** Form fields the server's problem paths name (`body.endsAt`, `body.recurrence.until`). */
const FIELD_OF: Record<string, keyof FormState> = {
  title: 'title',
  description: 'description',
  chapter: 'chapter',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  timeZone: 'timeZone',
  place: 'place',
  onlineUrl: 'onlineUrl',
  capacity: 'capacity',
  maxGuests: 'maxGuests',
  rsvpDeadline: 'rsvpDeadline',
  audience: 'audience',
  until: 'until',
  count: 'until',
};

/**
 * The organiser's tools for one event (or, without `event`, a "New event" button): create, edit and
 * duplicate events and recurring series in a form that keeps what was typed and shows each refusal
 * next to its field; and the door, where people are checked in on a phone, by name, also without a
 * connection (check-ins wait on the device and are sent when it returns, never counted twice).
 * `<cercle-event-feed>` loads it only for members who may organise.
 *
 * @summary Organiser tools: event form, recurring series, check-in at the door.
 * @customElement cercle-event-organiser
 *
 * @csspart base - The tools.
 * @csspart tools - The buttons that open the form or the door.
 * @csspart form - The event form.
 * @csspart preview - The description as members will read it.
 * @csspart door - The check-in list.
 *
 * @cssprop --cercle-color-accent - Buttons and focus rings.
 * @cssprop --cercle-color-danger - Errors.
 * @cssprop --cercle-radius - Corner radius.
 *
 * @fires {CustomEvent<EventSavedDetail>} cercle-event-saved - An event or a series was stored.
 */
export class CercleEventOrganiser extends CercleConnected {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    event: { attribute: false },
    chapters: { attribute: false },
    network: { type: Boolean },
    _mode: { state: true },
    _form: { state: true },
    _errors: { state: true },
    _message: { state: true },
    _busy: { state: true },
    _people: { state: true },
    _walkIns: { state: true },
    _query: { state: true },
    _queue: { state: true },
    _offline: { state: true },
    _refusals: { state: true },
    _walkIn: { state: true },
  };

  /** The event the tools act on; none for "New event". */
  declare event?: Event;
  /** Chapters the organiser may hold events in (id and name). */
  declare chapters: { id: string; name: string }[];
  /** Events for the whole network may be made (admins). */
  declare network: boolean;

  declare private _mode?: Mode;
  declare private _form: FormState;
  declare private _errors: Partial<Record<keyof FormState, string>>;
  declare private _message?: string;
  declare private _busy: boolean;
  declare private _people?: Attendee[];
  declare private _walkIns: CheckIn[];
  declare private _query: string;
  declare private _queue: Queued[];
  declare private _offline: boolean;
  declare private _refusals: string[];
  declare private _walkIn: { name: string; member: string };

  private l = new Localize(this, () => this.community?.lang, 'event-organiser', { en, fr, de, es });
  /** The form as opened for an edit, to send only what changed. */
  private original?: FormState;
  private flushing = false;
  /** The device's kept check-ins were looked for. */
  private resumed = false;
  private again = false;
  private timer?: ReturnType<typeof setInterval>;

  constructor() {
    super();
    this.chapters = [];
    this.network = false;
    this._form = this.blank();
    this._errors = {};
    this._busy = false;
    this._walkIns = [];
    this._query = '';
    this._queue = [];
    this._offline = false;
    this._refusals = [];
    this._walkIn = { name: '', member: '' };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('online', this.flush);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.flush);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  protected override willUpdate(): void {
    // Check-ins left on this device (the page closed before they were sent) go as soon as the tools
    // are back on the page, without waiting for the door to be opened again.
    if (this.community && this.event && !this.resumed) {
      this.resumed = true;
      const kept = this.kept();
      if (kept.length) {
        this.saveQueue(kept);
        this.flush();
      }
    }
  }

  private kept(): Queued[] {
    try {
      const v = JSON.parse(storage()?.getItem(this.storeKey) ?? '[]');
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  }

  private get client() {
    return this.community!.client;
  }

  private blank(): FormState {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    return {
      title: '',
      description: '',
      chapter: '',
      startsAt: '',
      endsAt: '',
      timeZone: zone,
      place: '',
      onlineUrl: '',
      capacity: '',
      maxGuests: '0',
      rsvpDeadline: '',
      audience: 'members',
      repeat: 'none',
      until: '',
    };
  }

  private fromEvent(e: Event): FormState {
    const z = e.timeZone;
    return {
      title: e.title,
      description: e.description,
      chapter: e.chapter?.id ?? '',
      startsAt: localValue(e.startsAt, z),
      endsAt: localValue(e.endsAt, z),
      timeZone: z,
      place: e.place ?? '',
      onlineUrl: e.onlineUrl ?? '',
      capacity: e.capacity === null ? '' : String(e.capacity),
      maxGuests: String(e.maxGuests),
      rsvpDeadline: e.rsvpDeadline ? localValue(e.rsvpDeadline, z) : '',
      audience: e.audience,
      repeat: 'none',
      until: '',
    };
  }

  /** Opens a tool: the form (new, edit, duplicate) or the door. */
  open(mode: Mode) {
    this._mode = mode;
    this._errors = {};
    this._message = undefined;
    if (mode === 'door') {
      this.loadDoor();
      return;
    }
    this._form = mode === 'new' || !this.event ? { ...this.blank(), chapter: this.chapters[0]?.id ?? '' } : this.fromEvent(this.event);
    this.original = mode === 'edit' ? this._form : undefined;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#f-title')?.focus());
  }

  private close = () => {
    const was = this._mode;
    this._mode = undefined;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-open="${was}"]`)?.focus());
  };

  // ---- the form ------------------------------------------------------------------------------

  private set = (field: keyof FormState, value: string) => {
    this._form = { ...this._form, [field]: value } as FormState;
    if (this._errors[field]) {
      const { [field]: _gone, ...rest } = this._errors;
      this._errors = rest;
    }
  };

  /** The request the form stands for; messages by field for what cannot be sent as typed. */
  private request(): { body?: NewEvent; recurrence?: Recurrence; errors: Partial<Record<keyof FormState, string>> } {
    const f = this._form;
    const s = this.l.t;
    const errors: Partial<Record<keyof FormState, string>> = {};
    if (!f.title.trim()) errors.title = s.title;
    if (!f.startsAt) errors.startsAt = s.startsAt;
    if (!f.endsAt) errors.endsAt = s.endsAt;
    if (!knownZone(f.timeZone)) errors.timeZone = s.timeZone;
    const int = (v: string) => (v.trim() === '' ? null : Number(v));
    const body: NewEvent = {
      title: f.title.trim(),
      description: f.description,
      chapter: f.chapter || null,
      startsAt: f.startsAt,
      endsAt: f.endsAt,
      timeZone: f.timeZone,
      place: f.place.trim() || null,
      onlineUrl: f.onlineUrl.trim() || null,
      capacity: int(f.capacity),
      maxGuests: int(f.maxGuests) ?? 0,
      rsvpDeadline: f.rsvpDeadline || null,
      audience: (f.audience || 'members') as NewEvent['audience'],
    };
    let recurrence: Recurrence | undefined;
    if (f.repeat !== 'none' && this._mode !== 'edit') {
      const d = dayOf(f.startsAt);
      if (!f.until) errors.until = s.until;
      if (d) {
        const until = f.until || undefined;
        recurrence =
          f.repeat === 'weekly'
            ? { freq: 'weekly', byDay: [d.weekday], until }
            : f.repeat === 'fortnightly'
              ? { freq: 'weekly', interval: 2, byDay: [d.weekday], until }
              : f.repeat === 'monthlyWeekday'
                ? { freq: 'monthly', byDay: [d.weekday], setPos: d.nth, until }
                : { freq: 'monthly', monthDay: d.day, until };
      }
    }
    return { body, recurrence, errors };
  }

  /**
   * What the organiser changed, and only that: an unchanged chapter is not sent (moving an event needs
   * rights in the new chapter), nor anything members would be told about for nothing. A new zone sends
   * the times with it, read on the new venue's clock.
   */
  private changes(body: NewEvent): EventPatch {
    const was = this.original ?? this._form;
    const now = this._form;
    const patch: EventPatch = {};
    const keys = [
      'title',
      'description',
      'chapter',
      'startsAt',
      'endsAt',
      'timeZone',
      'place',
      'onlineUrl',
      'capacity',
      'maxGuests',
      'rsvpDeadline',
      'audience',
    ] as const;
    const zoneMoved = was.timeZone !== now.timeZone;
    for (const k of keys) {
      const times = k === 'startsAt' || k === 'endsAt' || k === 'rsvpDeadline';
      if (was[k] !== now[k] || (zoneMoved && times && now[k])) (patch as Record<string, unknown>)[k] = body[k];
    }
    return patch;
  }

  private submit = async () => {
    if (this._busy) return;
    const s = this.l.t;
    const { body, recurrence, errors } = this.request();
    if (Object.keys(errors).length || !body) {
      this._errors = errors;
      this._message = s.fix;
      this.focusError();
      return;
    }
    this._busy = true;
    this._message = undefined;
    try {
      let event: Event;
      let occurrences: number | undefined;
      if (this._mode === 'edit' && this.event) {
        event = await updateEvent(this.client, this.event.id, this.changes(body));
      } else if (recurrence) {
        const series = await createSeries(this.client, { ...body, recurrence });
        event = series.occurrences[0];
        occurrences = series.occurrences.length;
      } else {
        event = await createEvent(this.client, body);
      }
      this._errors = {};
      this._message = occurrences ? s.series(occurrences) : s.saved;
      if (this._mode === 'edit') {
        this.event = event;
        this.original = this._form;
      }
      this.emit('cercle-event-saved', { event, ...(occurrences ? { occurrences } : {}) });
      if (this._mode !== 'edit') this._form = this.blank();
    } catch (err) {
      this.showError(err);
    } finally {
      this._busy = false;
    }
  };

  private message(err: unknown): string {
    const s = this.l.t;
    if (!(err instanceof CercleError)) return s.errors.other;
    return s.errors[err.code] ?? err.detail ?? s.errors.other;
  }

  private showError(err: unknown) {
    const errors: Partial<Record<keyof FormState, string>> = {};
    if (err instanceof CercleError) {
      const known = this.l.t.errors[err.code];
      for (const [path, text] of Object.entries(err.fieldErrors)) {
        const key = FIELD_OF[path.split('.').pop() ?? ''] ?? (path.startsWith('body.recurrence') ? 'repeat' : undefined);
        if (key) errors[key] = known ?? text;
      }
    }
    this._errors = errors;
    this._message = this.message(err);
    this.focusError();
  }

  private focusError() {
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  // ---- the door --------------------------------------------------------------------------------

  private get storeKey() {
    return `cercle-door:${this.client.siteId}:${this.event!.id}`;
  }

  private saveQueue(q: Queued[]) {
    this._queue = q;
    try {
      if (q.length) storage()?.setItem(this.storeKey, JSON.stringify(q));
      else storage()?.removeItem(this.storeKey);
    } catch {
      /* storage full or refused: the queue still lives in memory */
    }
    if (q.length && !this.timer) this.timer = setInterval(this.flush, 10_000);
    if (!q.length && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async loadDoor() {
    if (!this._queue.length) this.saveQueue(this.kept());
    await this.reloadDoor();
    this.flush();
  }

  private async reloadDoor() {
    try {
      const [list, doors] = await Promise.all([attendees(this.client, this.event!.id), checkIns(this.client, this.event!.id)]);
      this._people = list.items;
      this._walkIns = doors.items;
    } catch (err) {
      if (err instanceof CercleError && err.transient) this._offline = true;
      else this._refusals = [...this._refusals, this.message(err)];
      this._people ??= [];
    }
  }

  /** Sends what waits, in order; stops at the first failure in transit, drops (and reports) a refusal. */
  private flush = async () => {
    if (!this.event || !this._queue.length) return;
    if (this.flushing) {
      // Asked again (back online, a new check-in) while a send hangs: go once more when it is over.
      this.again = true;
      return;
    }
    this.flushing = true;
    this.again = false;
    let sent = false;
    try {
      while (this._queue.length) {
        const q = this._queue[0];
        try {
          if (q.undo) {
            this._walkIns = (await undoCheckIn(this.client, this.event.id, q.key)).items;
            this._people = this._people?.map((a) => (a.member.id === q.member ? { ...a, attended: null } : a));
          } else
            await checkIn(this.client, this.event.id, q.key, {
              ...(q.member ? { member: q.member } : {}),
              ...(q.walkIn ? { walkIn: true, name: q.name } : {}),
              at: q.at,
            });
          sent = true;
        } catch (err) {
          if (err instanceof CercleError && err.transient) {
            this._offline = true;
            return;
          }
          this._refusals = [...this._refusals, this.l.t.refused(q.name, this.message(err))];
        }
        this.saveQueue(this._queue.slice(1));
      }
      this._offline = false;
    } finally {
      this.flushing = false;
      if (this.again && this._queue.length) queueMicrotask(this.flush);
      else if (sent && !this._queue.length) await this.reloadDoor();
    }
  };

  private enqueue(q: Queued) {
    this.saveQueue([...this._queue, q]);
    this.flush();
  }

  /** Members in the room: as the server has them, then what waits on the device, in order. */
  private inside(): Set<string> {
    const inside = new Set<string>();
    for (const a of this._people ?? []) if (a.attended) inside.add(a.member.id);
    for (const w of this._walkIns) if (w.member) inside.add(w.member.id);
    for (const q of this._queue) {
      if (q.member && q.undo) inside.delete(q.member);
      else if (q.member) inside.add(q.member);
    }
    return inside;
  }

  /** The key a member's check-in goes by: the last one queued, else the server's. */
  private keyOf(member: string): string | undefined {
    const queued = this._queue.filter((q) => q.member === member && !q.undo).at(-1);
    return queued?.key ?? this._walkIns.find((w) => w.member?.id === member)?.key;
  }

  /** A mistaken tap on someone already in: the check-in is taken back (queued like the rest). */
  private undoMember = (a: Attendee) => {
    const key = this.keyOf(a.member.id);
    if (!key || !this.inside().has(a.member.id)) return;
    this.enqueue({ key, member: a.member.id, name: a.member.name, walkIn: false, at: new Date().toISOString(), undo: true });
  };

  private checkInMember = (a: Attendee) => {
    if (this.inside().has(a.member.id)) return;
    this.enqueue({ key: newKey(), member: a.member.id, name: a.member.name, walkIn: false, at: new Date().toISOString() });
  };

  private addWalkIn = () => {
    const { name, member } = this._walkIn;
    const who = this._people?.find((a) => a.member.id === member);
    if (!name.trim() && !who) {
      this.renderRoot.querySelector<HTMLElement>('#w-name')?.focus();
      return;
    }
    this.enqueue({
      key: newKey(),
      member: who?.member.id,
      name: name.trim() || who!.member.name,
      walkIn: true,
      at: new Date().toISOString(),
    });
    this._walkIn = { name: '', member: '' };
  };

  private exportCsv = async () => {
    try {
      const blob = await attendeesCsv(this.client, this.event!.id);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'attendees.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      this._refusals = [...this._refusals, this.message(err)];
    }
  };

  // ---- render ---------------------------------------------------------------------------------

  protected override render() {
    if (!this.community) return nothing;
    const s = this.l.t;
    const e = this.event;
    const tools = e
      ? html`<div part="tools">
          ${e.cancelled ? nothing : html`<button data-open="edit" aria-expanded=${this._mode === 'edit' ? 'true' : 'false'} @click=${() => this.open('edit')}>${s.edit}</button>`}
          <button data-open="duplicate" aria-expanded=${this._mode === 'duplicate' ? 'true' : 'false'} @click=${() => this.open('duplicate')}>${s.duplicate}</button>
          ${e.cancelled ? nothing : html`<button data-open="door" aria-expanded=${this._mode === 'door' ? 'true' : 'false'} @click=${() => this.open('door')}>${s.door}</button>`}
        </div>`
      : html`<div part="tools"><button data-open="new" class="primary" aria-expanded=${this._mode === 'new' ? 'true' : 'false'} @click=${() => this.open('new')}>${s.newEvent}</button></div>`;
    return html`<div part="base">${tools}${this.panel()}</div>`;
  }

  private panel() {
    const s = this.l.t;
    const mode = this._mode;
    if (!mode) return nothing;
    if (mode === 'door') {
      const people = this._people ?? [];
      const inside = this.inside();
      const undone = new Set(this._queue.filter((q) => q.undo).map((q) => q.key));
      const queuedWalkIns: CheckIn[] = this._queue
        .filter((q) => q.walkIn && !q.member && !q.undo && !undone.has(q.key))
        .map((q) => ({ key: q.key, member: null, name: q.name, walkIn: true, at: q.at, duplicate: false }));
      return doorList({
        s,
        going: people.filter((a) => a.status === 'going' || inside.has(a.member.id)),
        others: people.filter((a) => a.status !== 'going' && !inside.has(a.member.id)),
        walkIns: [...this._walkIns.filter((w) => !w.member), ...queuedWalkIns],
        inside,
        query: this._query,
        pending: this._queue.length,
        offline: this._offline,
        refusals: this._refusals,
        walkInName: this._walkIn.name,
        walkInMember: this._walkIn.member,
        loading: !this._people,
        search: (q) => (this._query = q),
        checkIn: this.checkInMember,
        undo: this.undoMember,
        walkIn: this.addWalkIn,
        setWalkIn: (patch) => (this._walkIn = { ...this._walkIn, ...patch }),
        exportCsv: this.exportCsv,
        close: this.close,
      });
    }
    const chapters = [...this.chapters];
    const current = this.event?.chapter;
    if (current && !chapters.some((c) => c.id === current.id)) chapters.unshift(current);
    return eventForm({
      s,
      lang: this.l.lang,
      heading: mode === 'edit' && this.event ? s.formEdit(this.event.title) : s.formNew,
      form: this._form,
      errors: this._errors,
      message: this._message,
      busy: this._busy,
      repeatable: mode !== 'edit',
      chapters,
      network: this.network,
      submitLabel: mode === 'edit' ? s.save : s.create,
      set: this.set,
      submit: this.submit,
      close: this.close,
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-event-organiser': CercleEventOrganiser;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-event-saved': CustomEvent<EventSavedDetail>;
  }
}
