import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { badgeCredential, memberEngagement, myEngagement, setEngagementHidden } from '../../client/engagement.js';
import type { CredentialRequest, Engagement, MyEngagement } from '../../contract/engagement.js';
import { Loader } from '../../internal/loader.js';
import { LiveController } from '../../internal/live-controller.js';
import { Localize } from '../../i18n/localize.js';
import { CercleConnected } from '../../internal/widget.js';
import { en } from './locales/en.js';
import { host } from '../../styles/host.js';
import { styles } from './engagement-badge.styles.js';
import { sessionError } from '../../internal/session-error.js';
import { chip, full, skeletonChip } from './views.js';

/**
 * A member's standing in the community, computed from what they did for it:
 * their level and badges. Compact (the default) is a chip to put next to a
 * name; `view="full"` shows progress towards the next level and, for
 * `member="me"`, why each badge was earned, the badges still to earn, a
 * switch to hide them from others and an Open Badges 3.0 export.
 *
 * @summary A member's level and badges, and for the member why they hold them.
 * @customElement cercle-engagement-badge
 *
 * @csspart base - The chip, or the whole card in the full view.
 * @csspart level - The level's name.
 * @csspart icon - A badge or level icon (decorative: the text says the same).
 * @csspart progress - Progress towards the next level.
 * @csspart badges - The list of badges held.
 * @csspart badge - One badge.
 * @csspart hide - The "hide my badges" switch.
 *
 * @cssprop --cercle-color-accent - Icons, progress and buttons.
 * @cssprop --cercle-radius - Corner radius of badges and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-engagement-chip-background - Background of the compact chip.
 * @cssprop --cercle-engagement-gap - Space between the parts of the full view.
 *
 * @attr {string} member - The host site's member id, or `me` for the signed-in member.
 * @attr {'compact' | 'full'} view - A chip next to a name (default), or the full card.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 * @attr {number} heading-level - Level (1–6) of the level's heading; badges and what comes next one level below, each badge one further, to fit under the host page's own headings; by default 2.
 */
export class CercleEngagementBadge extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'engagement-badge', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    member: {},
    view: { reflect: true },
    _data: { state: true },
    _error: { state: true },
    _busy: { state: true },
    _note: { state: true },
  };

  /** The host site's member id, or `me`. */
  declare member: string;
  /** `compact` (a chip) or `full`. */
  declare view: 'compact' | 'full';

  declare private _data?: Engagement | MyEngagement;
  declare private _error?: CercleError;
  declare private _busy: boolean;
  declare private _note: string;

  private loadedFor = '';
  private loader = new Loader(this);

  constructor() {
    super();
    this.member = '';
    this.view = 'compact';
    this._busy = false;
    this._note = '';
  }

  /** The member's own activity may have earned something: read again. */
  private refresh = () => this.member === 'me' && this.load();
  /** The reader's own badges, on the page's live stream: a new one (earned anywhere) reads them again. */
  private live = new LiveController(this, {
    community: () => this.community,
    topics: () => {
      const s = this.community?.session;
      return this.member === 'me' && s?.status === 'member' ? ['member:' + s.member.id] : [];
    },
    onChange: (ev) => void (ev.kind === 'badge.awarded' && this.refresh()),
  });

  override connectedCallback(): void {
    super.connectedCallback();
    for (const type of ['cercle-comment-posted', 'cercle-rsvp-change']) document.addEventListener(type, this.refresh);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const type of ['cercle-comment-posted', 'cercle-rsvp-change']) document.removeEventListener(type, this.refresh);
  }

  private get mine(): boolean {
    return this.member === 'me' && this.view === 'full';
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const c = this.community;
    if (!c || !this.member) return;
    // Reads made while the session is still loading wait for the token and travel in the page's
    // first request; only signing out (or in) later calls for a new read.
    const signedIn = c.session.status !== 'anonymous';
    const key = [this.member, this.view, signedIn].join('|');
    if (key !== this.loadedFor && (this.member !== 'me' || signedIn)) {
      this.loadedFor = key;
      this.load();
    }
  }

  private load(): Promise<void> | undefined {
    const c = this.community;
    if (!c) return;
    this._error = undefined;
    return this.loader.run(
      () => (this.mine ? myEngagement(c.client) : memberEngagement(c.client, this.member, this.view === 'full' ? 'full' : undefined)),
      (data) => (this._data = data),
      (e) => (this._error = e),
    );
  }

  private async hide(hidden: boolean): Promise<void> {
    this._busy = true;
    try {
      await setEngagementHidden(this.community!.client, hidden);
      await this.load();
    } catch (e) {
      this._note = this.l.error(e as CercleError);
    } finally {
      this._busy = false;
    }
  }

  private async export(badge: string, chapter: string | null, name: string): Promise<void> {
    this._busy = true;
    try {
      const lang = /^fr\b/i.test(this.l.lang) ? 'fr' : 'en';
      const credential = await badgeCredential(this.community!.client, badge, {
        name: name as CredentialRequest['name'],
        lang,
        ...(chapter ? { chapter } : {}),
      });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(credential, null, 2)], { type: 'application/json' }));
      a.download = badge + '.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      this._note = this.l.t.exported(credential.name);
    } catch (e) {
      const err = e as CercleError;
      this._note = this.l.t.errors[err.code] ?? this.l.error(err);
    } finally {
      this._busy = false;
    }
  }

  protected override render() {
    const { l, _data: data, _error: error } = this;
    const t = l.t;
    const session = this.community?.session;
    if (this.view !== 'full') {
      if (error || (this.member === 'me' && (session?.status === 'anonymous' || session?.status === 'error'))) return nothing;
      return data ? chip(data, l) : skeletonChip();
    }
    if (this.member === 'me' && session?.status === 'error') return sessionError(session, l, 'base');
    if (this.member === 'me' && this.community?.session.status === 'anonymous') {
      const login = this.community.loginUrl;
      return html`<p part="base">${login ? html`<a href=${login}>${l.t.signIn}</a>` : l.t.signIn}</p>`;
    }
    if (error) {
      return html`<div part="base" role="alert">
        <p>${t.loadError} ${l.error(error)}</p>
        <button @click=${() => this.load()}>${l.t.tryAgain}</button>
      </div>`;
    }
    if (!data) return html`<div part="base" class="card skeleton" role="status">${t.loading}</div>`;
    return html`${full(data, l, {
      me: this.mine ? (data as MyEngagement) : undefined,
      busy: this._busy,
      onHide: (h) => this.hide(h),
      onExport: (b, ch, n) => this.export(b, ch, n),
    })}
      <p class="sr" role="status">${this._note}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-engagement-badge': CercleEngagementBadge;
  }
}
