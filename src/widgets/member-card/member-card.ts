import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { CercleError } from '../../client/errors.js';
import { answerIntroduction, eraseMe, exportMyData, listIntroductions, requestIntroduction, updateMyCard } from '../../client/members.js';
import type { ContactField, EraseResult, Introduction, MemberCard, ProfilePatch } from '../../contract/members.js';
import { Localize } from '../../i18n/localize.js';
import { CercleConnected } from '../../internal/widget.js';
import { en } from './locales/en.js';
import { host } from '../../styles/host.js';
import { cardsOf } from './cards.js';
import { styles } from './member-card.styles.js';
import { sessionError } from '../../internal/session-error.js';
import {
  CONTACTS,
  TEXT_FIELDS,
  answerForm,
  askForm,
  avatar,
  card,
  editForm,
  introductions,
  myData,
  serverErrors,
  skeleton,
  validate,
  type FieldErrors,
} from './views.js';

/** Detail of `cercle-member-card-change`: my card as the server stored it. */
export interface MemberCardChangeDetail {
  card: MemberCard;
}
/** Detail of `cercle-introduction-request`: who I ask to meet, and my message. */
export interface IntroductionRequestDetail {
  member: string;
  message: string;
}
/** Detail of `cercle-member-erase`: how my comments are to go. */
export interface MemberEraseDetail {
  comments: 'anonymize' | 'delete';
}

type Mode = 'view' | 'edit' | 'ask' | 'erase';
const FIELDS = ['headline', 'company', 'associationRole', 'expertise', 'bio', 'website', 'linkedin', 'phone', 'email', 'listed'] as const;

/**
 * A member as this reader may see them: the server leaves out every field the
 * member keeps from this reader. On my own card (`member="me"`) I edit my
 * fields and who sees each, answer introduction requests, download my data
 * or erase it. On someone else's, I ask to be introduced.
 *
 * `variant="compact"` is an inline chip; `variant="hovercard"` a chip that
 * opens the card on hover, on keyboard focus and on tap, closes with Escape,
 * and stays inside the viewport. Put the member's name inside the element to
 * show it before the card arrives.
 *
 * @summary A member's card, chip or hovercard, with per-field consent.
 * @customElement cercle-member-card
 *
 * @slot - Text shown in the chip until the card arrives (the member's name).
 *
 * @csspart base - The full card (`<article>`).
 * @csspart header - Picture, name, headline.
 * @csspart avatar - The picture, or the initials.
 * @csspart name - The member's name.
 * @csspart headline - The member's headline.
 * @csspart meta - Company and role; chapters, roles and membership date.
 * @csspart tags - Expertise tags.
 * @csspart bio - The presentation.
 * @csspart contact - Links and contact details.
 * @csspart form - The edit or introduction form.
 * @csspart actions - Buttons.
 * @csspart introductions - My introductions (my own card).
 * @csspart data - Download and erase (my own card).
 * @csspart trigger - The chip's button (hovercard).
 * @csspart popover - The card opened by the hovercard.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-color-on-accent - Text on accent-coloured buttons.
 * @cssprop --cercle-color-danger - Errors and the erase button.
 * @cssprop --cercle-radius - Corner radius of boxes and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-member-card-gap - Space between the parts of the card.
 * @cssprop --cercle-member-card-avatar-size - Size of the picture on the full card.
 * @cssprop --cercle-member-card-min-height - Space kept for the card while it loads.
 *
 * @attr {string} member - The host site's member id, or `me` for the signed-in member.
 * @attr {'full' | 'compact' | 'hovercard'} variant - How the card shows (default `full`).
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 * @attr {number} heading-level - Level (1–6) of the member's name; the card's sections one level below, to fit under the host page's own headings; by default 3.
 *
 * @fires {CustomEvent<MemberCardChangeDetail>} cercle-member-card-change - My card was saved by the server.
 * @fires {CustomEvent<IntroductionRequestDetail>} cercle-introduction-request - I ask to be introduced; cancel it (`preventDefault()`) to stop the request.
 * @fires {CustomEvent<MemberEraseDetail>} cercle-member-erase - I confirmed erasing my data; cancel it to stop.
 * @fires {CustomEvent<EraseResult>} cercle-member-erased - My data was erased.
 */
export class CercleMemberCard extends CercleConnected {
  /** The card's name is an `<h3>` as written; `heading-level` moves it. */
  static override headingTop = 3;

  private l = new Localize(this, () => this.community?.lang, 'member-card', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    member: {},
    variant: { reflect: true },
    _card: { state: true },
    _error: { state: true },
    _mode: { state: true },
    _open: { state: true },
    _intros: { state: true },
    _mine: { state: true },
    _values: { state: true },
    _errors: { state: true },
    _formError: { state: true },
    _busy: { state: true },
    _note: { state: true },
    _siteName: { state: true },
    _erased: { state: true },
  };

  /** The host site's member id, or `me`. */
  declare member?: string;
  /** `full` (default), `compact` (inline chip) or `hovercard` (chip that opens the card). */
  declare variant: 'full' | 'compact' | 'hovercard';

  declare private _card?: MemberCard;
  declare private _error?: CercleError;
  declare private _mode: Mode;
  declare private _open: boolean;
  declare private _intros?: Introduction[];
  /** My own contact details that are filled in (what I can offer to share). */
  declare private _mine?: ContactField[];
  declare private _values: ProfilePatch;
  declare private _errors: FieldErrors;
  declare private _formError?: string;
  declare private _busy: boolean;
  declare private _note: string;
  declare private _siteName: string;
  declare private _erased: boolean;

  private loadedWith?: object;
  private timer?: ReturnType<typeof setTimeout>;
  private pinned = false;
  private focusSel?: string;

  constructor() {
    super();
    this.variant = 'full';
    this._mode = 'view';
    this._open = this._busy = this._erased = false;
    this._values = {};
    this._errors = {};
    this._note = this._siteName = '';
    this.addEventListener('keydown', this.onKey);
    this.addEventListener('focusout', this.onFocusOut);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.listen(false);
    this.loadedWith = undefined;
    this._open = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (c && this.member && (c.client !== this.loadedWith || changed.has('member'))) {
      this.loadedWith = c.client;
      this.load();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const pop = this.renderRoot.querySelector<HTMLElement>('[popover]');
    if (pop && this.isConnected && (changed as Map<string, unknown>).has('_open')) {
      pop.togglePopover?.(this._open);
      this.listen(this._open);
    }
    if (this._open) this.place();
    // Focus given back to the chip (after Escape) is not a reader's focus: it must not open the card again.
    this.returning = true;
    if (this.focusSel) this.renderRoot.querySelector<HTMLElement>(this.focusSel)?.focus();
    this.returning = false;
    this.focusSel = undefined;
  }

  protected override render() {
    const c = this._card;
    if (this.variant === 'compact') return html`<span part="base" class="chip">${this.chip()}</span>`;
    if (this.variant === 'hovercard')
      return html`
        <button
          part="trigger"
          class="chip"
          aria-expanded=${this._open ? 'true' : 'false'}
          aria-controls="pop"
          aria-haspopup="dialog"
          @pointerenter=${this.hoverIn}
          @pointerleave=${this.hoverOut}
          @focus=${this.focused}
          @click=${this.clicked}
        >
          ${this.chip()}
        </button>
        <div id="pop" part="popover" popover="manual" role="dialog" aria-labelledby="pop-name"
          @pointerenter=${() => clearTimeout(this.timer)} @pointerleave=${this.hoverOut}>
          ${this._open ? this.body('pop-name') : nothing}
        </div>
      `;
    return html`<article part="base" class=${this._erased ? 'erased' : ''} aria-labelledby="name" aria-busy=${c || this._error ? 'false' : 'true'}>${this.body('name')}</article>`;
  }

  /** Avatar and name; the slotted text until the card arrives. */
  private chip(): TemplateResult {
    const c = this._card;
    return html`${avatar(c)}<span part="name">${c ? c.name : html`<slot></slot>`}</span>`;
  }

  /** The card's content for the full and hovercard variants. */
  private body(headingId: string): TemplateResult {
    const { l, _card: c, _error: error } = this;
    const t = l.t;
    const status = html`<p class="sr" role="status">${this._note}</p>`;
    if (this._erased) return html`<p>${t.erased}</p>${status}`;
    const session = this.community?.session;
    if (error?.code.startsWith('auth') && session?.status === 'error')
      return html`<p id=${headingId}>${t.loadError}</p>${sessionError(session, l)}`;
    if (error?.code.startsWith('auth')) return html`<p id=${headingId}>${this.signIn(l.t.signIn)}</p>`;
    if (error)
      return html`
        <p id=${headingId}>${this.message(error, t.loadError)}</p>
        ${error.code === 'member.unknown' ? nothing : html`<div><button @click=${this.reload}>${l.t.tryAgain}</button></div>`}
      `;
    if (!c) return skeleton(l);
    if (this._mode === 'edit' && c.self)
      return html`<h3 part="name" id=${headingId}>${c.name}</h3>
        ${editForm({ card: c, values: this._values, errors: this._errors, siteName: this._siteName, onSubmit: this.save, onCancel: this.view }, l)}
        ${this._formError ? html`<p class="error">${this._formError}</p>` : nothing}${status}`;
    return html`
      ${card(c, l, headingId)}
      ${c.self ? this.selfActions(headingId) : this.introActions()}
      ${status}
    `;
  }

  private selfActions(headingId: string) {
    const t = this.l.t;
    const full = this.variant === 'full';
    return html`
      <p class="note">${t.hostOwned(this._siteName)}</p>
      <div part="actions"><button id="edit" @click=${this.edit} aria-describedby=${headingId}>${t.edit}</button></div>
      ${full && this._intros ? introductions(this._intros, this._mine ?? [], this.l, this.answer) : nothing}
      ${this.formError()}
      ${
        full
          ? myData(
              {
                confirming: this._mode === 'erase',
                busy: this._busy,
                onDownload: this.download,
                onAsk: this.askErase,
                onSubmit: this.erase,
                onCancel: this.view,
              },
              this.l,
            )
          : nothing
      }
    `;
  }

  /** Asking to be introduced, or where the introduction stands. */
  private introActions() {
    const t = this.l.t;
    const c = this._card!;
    const session = this.community?.session;
    if (session?.status === 'error') return sessionError(session, this.l, 'actions');
    if (session?.status !== 'member')
      return session?.status === 'anonymous' ? html`<p part="actions">${this.signIn(t.signIn)}</p>` : nothing;
    const i = c.introduction;
    if (i?.direction === 'received' && i.status === 'pending')
      return html`<p>${t.asksYou(c.name)}</p>${
        this._mine ? answerForm({ id: i.id } as Introduction, this._mine, this.l, this.answer) : nothing
      }${this.formError()}`;
    if (i)
      return html`<p class="note" role="status">${i.status === 'pending' ? t.pending : i.status === 'accepted' ? t.accepted : t.declined}</p>`;
    if (this._mode === 'ask' && this._mine)
      return askForm(
        { name: c.name, mine: this._mine, busy: this._busy, error: this._formError, onSubmit: this.ask, onCancel: this.view },
        this.l,
      );
    return html`<div part="actions"><button id="ask" @click=${this.openAsk}>${t.ask}</button></div>`;
  }

  private formError() {
    return this._formError ? html`<p class="error">${this._formError}</p>` : nothing;
  }

  private signIn(text: string) {
    const url = this.community?.loginUrl;
    return url ? html`<a href=${url}>${text}</a>` : text;
  }

  private message(e: CercleError, fallback: string) {
    return this.l.t.errors[e.code] ?? (e.code.startsWith('auth') || e.code.startsWith('network') ? this.l.error(e) : fallback);
  }

  // ---- loading ---------------------------------------------------------------

  private load = async () => {
    this.loadingChanged(true);
    try {
      await this.read();
    } finally {
      this.loadingChanged(false);
    }
  };

  private read = async () => {
    const { client } = this.community!;
    const id = this.member!;
    this._card = this._error = undefined;
    const cards = cardsOf(client);
    let intros: Promise<unknown> | undefined;
    if (id === 'me') {
      // Nobody signed in: nothing to read. The wait ends in the tick the client sends its batch, so these reads join it.
      if (!(await client.tokens?.get())) return void (this._error = new CercleError(401, 'auth.missing'));
      // My own card reads my introductions in the same tick: one request for both.
      if (this.variant === 'full') intros = this.readIntros();
    }
    try {
      const [card, site] = await Promise.all([cards.get(id), client.site()]);
      if (id !== this.member) return;
      this._siteName = site.name;
      this._card = card;
      if (card.self) {
        this._mine = CONTACTS.filter((k) => card.profile[k]);
        if (this.variant === 'full') await (intros ?? this.readIntros());
      } else if (card.introduction?.direction === 'received' && card.introduction.status === 'pending') this.loadMine();
    } catch (e) {
      if (id === this.member) this._error = e as CercleError;
    }
  };

  private reload = () => {
    this.load();
  };

  private readIntros() {
    return listIntroductions(this.community!.client).then(
      (page) => (this._intros = page.items),
      () => (this._intros = undefined),
    );
  }

  /** My filled-in contact details, from my own card. */
  private async loadMine() {
    try {
      const me = await cardsOf(this.community!.client).get('me');
      this._mine = CONTACTS.filter((k) => me.profile[k]);
    } catch {
      this._mine = [];
    }
  }

  // ---- editing my card ---------------------------------------------------------

  private edit = () => {
    const p = this._card!.profile;
    this._values = { ...p, expertise: p.expertise ?? [], visibility: { ...this._card!.visibility } };
    this._errors = {};
    this._formError = undefined;
    this._mode = 'edit';
    this.focusSel = '#f-headline';
  };

  private view = () => {
    const back = this._mode === 'edit' ? '#edit' : this._mode === 'ask' ? '#ask' : undefined;
    this._mode = 'view';
    this._formError = undefined;
    this.focusSel = back;
  };

  /** Saves at once on screen; the server's answer confirms it, or the card goes back as it was. */
  private save = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(data.get(k) ?? '').trim();
    const patch: ProfilePatch = { visibility: {} };
    for (const k of [...TEXT_FIELDS, 'bio'] as const) patch[k] = text(k);
    patch.expertise = text('expertise')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const k of FIELDS) (patch.visibility as Record<string, string>)[k] = text('v-' + k);
    const errors = validate(patch, this.l);
    this._values = patch;
    if (Object.keys(errors).length) return this.invalid(errors);
    const before = this._card!;
    const profile: MemberCard['profile'] = {};
    for (const k of [...TEXT_FIELDS, 'bio'] as const) if (patch[k]) profile[k] = patch[k]!;
    if (patch.expertise.length) profile.expertise = patch.expertise;
    this._card = { ...before, profile, visibility: { ...before.visibility!, ...patch.visibility } };
    this._mode = 'view';
    this._note = this.l.t.saving;
    this.focusSel = '#edit';
    const { client } = this.community!;
    try {
      const saved = await updateMyCard(client, patch);
      this._card = saved;
      this._mine = CONTACTS.filter((k) => saved.profile[k]);
      cardsOf(client).put(saved);
      this._note = this.l.t.saved;
      this.emit('cercle-member-card-change', { card: saved });
    } catch (err) {
      this._card = before;
      this._mode = 'edit';
      this._formError = this.l.t.saveFailed + ' ' + this.message(err as CercleError, '');
      this.invalid(serverErrors(err as CercleError));
      this._note = this.l.t.saveFailed;
    }
  };

  private invalid(errors: FieldErrors) {
    this._errors = errors;
    const first = Object.keys(errors)[0];
    this.focusSel = first ? `[name=${first === 'listed' ? 'v-listed' : first}]` : undefined;
  }

  // ---- introductions -------------------------------------------------------------

  private openAsk = async () => {
    this._formError = undefined;
    this._mode = 'ask';
    if (!this._mine) await this.loadMine();
    this.focusSel = '#ask-msg';
  };

  private ask = async (e: SubmitEvent) => {
    e.preventDefault();
    if (this._busy) return;
    const data = new FormData(e.target as HTMLFormElement);
    const message = String(data.get('message') ?? '').trim();
    const c = this._card!;
    if (!message) {
      this._formError = this.l.t.errors['request.invalid'];
      this.focusSel = '#ask-msg';
      return;
    }
    if (!this.emit('cercle-introduction-request', { member: c.id, message }, true)) return;
    this._busy = true;
    try {
      const i = await requestIntroduction(this.community!.client, { to: c.id, message, share: data.getAll('share') as ContactField[] });
      this._card = { ...c, introduction: { id: i.id, status: i.status, direction: 'sent' } };
      cardsOf(this.community!.client).put(this._card);
      this._mode = 'view';
      this._note = this.l.t.sent;
    } catch (err) {
      this._formError = this.message(err as CercleError, this.l.t.loadError);
    } finally {
      this._busy = false;
    }
  };

  /** Accepts (sharing `share`) or declines (`null`) a request addressed to me. */
  private answer = async (i: Introduction, share: ContactField[] | null) => {
    const { client } = this.community!;
    this._formError = undefined;
    if (share && !share.length) return void (this._formError = this._note = this.l.t.chooseOne);
    try {
      const done = await answerIntroduction(client, i.id, share);
      this._note = share ? this.l.t.accepted : this.l.t.declined;
      if (this._intros) this._intros = this._intros.map((x) => (x.id === done.id ? done : x));
      const c = this._card!;
      if (c.introduction?.id === done.id) {
        this._card = { ...c, introduction: { ...c.introduction, status: done.status } };
        cardsOf(client).put(this._card);
      }
    } catch (err) {
      this._formError = this._note = this.message(err as CercleError, this.l.t.loadError);
    }
  };

  // ---- my data ---------------------------------------------------------------------

  private download = async () => {
    try {
      const data = await exportMyData(this.community!.client);
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `cercle-${data.site}-${data.exportedAt.slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      this._note = this.message(err as CercleError, this.l.t.loadError);
    }
  };

  private askErase = () => {
    this._mode = 'erase';
    this.focusSel = '.erase input';
  };

  private erase = async (e: SubmitEvent) => {
    e.preventDefault();
    if (this._busy) return;
    const comments = new FormData(e.target as HTMLFormElement).get('comments') === 'delete' ? 'delete' : 'anonymize';
    if (!this.emit('cercle-member-erase', { comments }, true)) return;
    this._busy = true;
    const { client } = this.community!;
    try {
      const result = await eraseMe(client, comments);
      cardsOf(client).clear();
      this._erased = true;
      this._note = this.l.t.erased;
      this.emit('cercle-member-erased', result);
    } catch (err) {
      this._note = this.message(err as CercleError, this.l.t.loadError);
    } finally {
      this._busy = false;
    }
  };

  // ---- hovercard -------------------------------------------------------------------

  private later(fn: () => void, ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  private show(pin = false) {
    clearTimeout(this.timer);
    this.pinned ||= pin;
    this._open = true;
  }

  private hide(focusTrigger = false) {
    clearTimeout(this.timer);
    this.pinned = false;
    this._open = false;
    if (focusTrigger) this.focusSel = '[part=trigger]';
  }

  private hoverIn = (e: PointerEvent) => {
    if (e.pointerType === 'mouse') this.later(() => this.show(), 300);
  };

  private hoverOut = (e: PointerEvent) => {
    if (e.pointerType === 'mouse' && !this.pinned) this.later(() => this.hide(), 250);
  };

  /** Set while the widget itself moves focus back to the chip. */
  private returning = false;

  /**
   * Keyboard focus opens the card; a tap or click focuses without `:focus-visible` and is handled by
   * `clicked`; focus given back by the widget (Escape from inside the card) leaves it closed.
   */
  private focused = (e: FocusEvent) => {
    if (!this.returning && (e.target as HTMLElement).matches(':focus-visible')) this.show();
  };

  private clicked = () => {
    if (this._open && this.pinned) this.hide();
    else this.show(true);
  };

  private onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this._open) {
      e.stopPropagation();
      this.hide(true);
    }
  };

  private onFocusOut = (e: FocusEvent) => {
    const to = e.relatedTarget as Node | null;
    if (this._open && to && to !== this && !this.renderRoot.contains(to) && !this.contains(to)) this.hide();
  };

  private outside = (e: Event) => {
    if (!e.composedPath().includes(this)) this.hide();
  };

  private reposition = () => this.place();

  private listen(on: boolean) {
    const m = on ? 'addEventListener' : 'removeEventListener';
    document[m]('pointerdown', this.outside, true);
    window[m]('scroll', this.reposition, true);
    window[m]('resize', this.reposition);
  }

  /** Below the chip, or above it when there is no room; always inside the viewport. */
  private place() {
    const pop = this.renderRoot.querySelector<HTMLElement>('[popover]');
    const trigger = this.renderRoot.querySelector<HTMLElement>('[part=trigger]');
    if (!pop || !trigger) return;
    const r = trigger.getBoundingClientRect();
    const m = 8;
    const w = pop.offsetWidth;
    const h = pop.offsetHeight;
    let top = r.bottom + m;
    if (top + h > innerHeight - m && r.top - m - h >= m) top = r.top - m - h;
    top = Math.max(m, Math.min(top, innerHeight - h - m));
    const left = Math.max(m, Math.min(r.left, innerWidth - w - m));
    pop.style.top = top + 'px';
    pop.style.left = left + 'px';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-member-card': CercleMemberCard;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-member-card-change': CustomEvent<MemberCardChangeDetail>;
    'cercle-introduction-request': CustomEvent<IntroductionRequestDetail>;
    'cercle-member-erase': CustomEvent<MemberEraseDetail>;
    'cercle-member-erased': CustomEvent<EraseResult>;
  }
}
