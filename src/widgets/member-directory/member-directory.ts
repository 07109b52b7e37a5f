import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { searchMembers } from '../../client/members.js';
import type { MemberCard } from '../../contract/members.js';
import { Localize } from '../../i18n/localize.js';
import { Loader } from '../../internal/loader.js';
import { CercleConnected } from '../../internal/widget.js';
import { en } from './locales/en.js';
import { host } from '../../styles/host.js';
import { cardsOf } from '../member-card/cards.js';
import { styles } from './member-directory.styles.js';
import { sessionError } from '../../internal/session-error.js';

/**
 * The member directory: a search over names and the fields each member lets
 * this reader see, by chapter and expertise. Members who keep themselves out
 * of the directory are not listed. Each result opens the member's card.
 *
 * @summary Search the members, each result opening their card.
 * @customElement cercle-member-directory
 *
 * @csspart base - The whole directory.
 * @csspart search - The search form.
 * @csspart list - The list of members.
 * @csspart item - One member.
 * @csspart more - The "show more" button.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-radius - Corner radius of fields and buttons.
 *
 * @attr {string} chapter - Only members of this chapter.
 * @attr {string} expertise - Start with this expertise filter.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleMemberDirectory extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'member-directory', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    chapter: {},
    expertise: {},
    _items: { state: true },
    _next: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };

  /** Only members of this chapter. */
  declare chapter?: string;
  /** Expertise filter. */
  declare expertise?: string;

  declare private _items?: MemberCard[];
  declare private _next: string | null;
  declare private _error?: CercleError;
  declare private _busy: boolean;

  private q = '';
  private loadedWith?: object;
  private timer?: ReturnType<typeof setTimeout>;
  private loader = new Loader(this);

  constructor() {
    super();
    this._next = null;
    this._busy = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.loadedWith = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (c && (c.client !== this.loadedWith || changed.has('chapter'))) {
      this.loadedWith = c.client;
      this.search();
    }
  }

  protected override render() {
    const t = this.l.t;
    const items = this._items;
    const session = this.community?.session;
    return html`
      <div part="base">
        <form part="search" role="search" @submit=${this.submit} @input=${this.typed}>
          <label>${t.search}<input type="search" name="q" maxlength="100" autocomplete="off" /></label>
          <label>${t.expertise}<input type="search" name="expertise" maxlength="40" .value=${this.expertise ?? ''} /></label>
        </form>
        ${session?.status === 'error' ? sessionError(session, this.l) : nothing}
        <p role="status">${this._error ? this.l.error(this._error) : items ? t.results(items.length) + (this._next ? '+' : '') : ''}</p>
        <ul part="list" aria-busy=${items ? 'false' : 'true'}>
          ${(items ?? []).map(
            (m) => html`<li part="item">
              <cercle-member-card member=${m.id} variant="hovercard">${m.name}</cercle-member-card>
              <span>${[m.profile.headline, m.profile.company].filter(Boolean).join(' · ')}</span>
            </li>`,
          )}
        </ul>
        ${
          this._next
            ? html`<div><button part="more" @click=${this.more} aria-disabled=${this._busy ? 'true' : 'false'}>${t.more}</button></div>`
            : nothing
        }
      </div>
    `;
  }

  private typed = (e: Event) => {
    const form = (e.target as HTMLInputElement).form!;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.read(form), 300);
  };

  private submit = (e: SubmitEvent) => {
    e.preventDefault();
    clearTimeout(this.timer);
    this.read(e.target as HTMLFormElement);
  };

  private read(form: HTMLFormElement) {
    const data = new FormData(form);
    this.q = String(data.get('q') ?? '').trim();
    this.expertise = String(data.get('expertise') ?? '').trim() || undefined;
    this.search();
  }

  private async fetch(cursor?: string | null) {
    const { client } = this.community!;
    const page = await searchMembers(client, { q: this.q, chapter: this.chapter, expertise: this.expertise, cursor });
    // The cards are known now: each result's hovercard opens without another request.
    const cards = cardsOf(client);
    page.items.forEach((c) => cards.put(c));
    return page;
  }

  private search = () => {
    this._error = undefined;
    return this.loader.run(
      () => this.fetch(),
      (page) => {
        this._items = page.items;
        this._next = page.next;
      },
      (e) => (this._error = e),
    );
  };

  private more = async () => {
    if (!this._next || this._busy) return;
    this._busy = true;
    await this.loader.follow(
      () => this.fetch(this._next),
      async (page) => {
        const items = (this._items = [...(this._items ?? []), ...page.items]);
        this._next = page.next;
        await this.updateComplete;
        const first = this.renderRoot.querySelectorAll('[part=item] cercle-member-card')[items.length - page.items.length];
        first?.shadowRoot?.querySelector<HTMLElement>('button')?.focus();
      },
      (e) => (this._error = e),
    );
    this._busy = false;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-member-directory': CercleMemberDirectory;
  }
}
