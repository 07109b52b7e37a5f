import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { searchDiscussions } from '../../client/search.js';
import { Localize } from '../../i18n/localize.js';
import { Loader } from '../../internal/loader.js';
import { sessionError } from '../../internal/session-error.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { en } from './locales/en.js';
import { styles } from './search.styles.js';
import { resultsView, statusText, type SearchState } from './views.js';

/** Letters or digits: without one there is nothing to search for. */
const WORD = /[\p{L}\p{N}]/u;
const MAX_LENGTH = 200;

/**
 * Search across the discussions: what members said about a subject anywhere on the site. Each result
 * names its page, its author and date, shows the passage with the searched words marked, and links to
 * the comment on its page. Only what the reader may read is found. The number of results is read out
 * politely as they arrive.
 *
 * @summary Search what members said, anywhere on the site.
 * @customElement cercle-search
 *
 * @csspart base - The whole search.
 * @csspart form - The search form (a `search` landmark).
 * @csspart input - The search box.
 * @csspart button - The search button.
 * @csspart status - The live region saying how many comments were found.
 * @csspart results - The list of results.
 * @csspart result - One result.
 * @csspart page - A result's page title.
 * @csspart link - The link to the comment on its page.
 * @csspart excerpt - The passage of the comment.
 * @csspart mark - A searched word in the passage.
 * @csspart meta - Author and date of a result.
 * @csspart more - The "show more results" button.
 * @csspart retry - The "try again" button after an error.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-radius - Corner radius of the box and buttons.
 * @cssprop --cercle-search-mark-background - Background of searched words in passages.
 * @cssprop --cercle-search-mark-color - Colour of searched words in passages.
 * @cssprop --cercle-search-gap - Space between results.
 *
 * @attr {string} q - A search to run at once (the page's own `?q=`, for instance).
 * @attr {string} thread-href - Where a result leads when its thread key is an id, not a page address: `{thread}` and `{comment}` are filled in (e.g. `/forum/{thread}#comment-{comment}`).
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleSearch extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'search', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    q: {},
    threadHref: { attribute: 'thread-href' },
    _state: { state: true },
    _busy: { state: true },
  };

  /** The search text. */
  declare q: string;
  /** Link template for threads whose key is not a page address. */
  declare threadHref?: string;

  declare private _state: SearchState;
  declare private _busy: boolean;

  /** The text of the search shown (what the results answer). */
  private asked = '';
  private loadedWith?: object;
  private timer?: ReturnType<typeof setTimeout>;
  private loader = new Loader();

  constructor() {
    super();
    this.q = '';
    this._state = { kind: 'idle' };
    this._busy = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.loader.stop();
    this.loadedWith = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (c && (c.client !== this.loadedWith || (changed.has('q') && this.q !== this.asked))) {
      this.loadedWith = c.client;
      this.search(this.q);
    }
  }

  protected override render() {
    const l = this.l;
    const t = l.t;
    const session = this.community?.session;
    return html`
      <div part="base">
        <form part="form" role="search" aria-label=${t.landmark} @submit=${this.submit}>
          <label>
            ${t.label}
            <input
              part="input"
              type="search"
              name="q"
              maxlength=${MAX_LENGTH}
              autocomplete="off"
              spellcheck="false"
              aria-describedby="hint"
              .value=${this.q}
              @input=${this.typed}
              @keydown=${this.key}
            />
          </label>
          <button part="button" type="submit">${t.submit}</button>
        </form>
        <p id="hint" class="hint">${t.hint}</p>
        ${session?.status === 'error' ? sessionError(session, l) : nothing}
        <p part="status" role="status">${statusText(this._state, this.asked, t)}</p>
        ${resultsView(this._state, l, this.threadHref, this.more, this._busy, () => this.search(this.asked))}
      </div>
    `;
  }

  private typed = (e: Event) => {
    this.q = (e.target as HTMLInputElement).value;
    this.asked = this.q;
    clearTimeout(this.timer);
    // Typing waits for a pause before it asks the server; Enter asks at once.
    this.timer = setTimeout(() => this.search(this.q), 300);
  };

  private key = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.q) {
      e.preventDefault();
      clearTimeout(this.timer);
      this.q = '';
      (e.target as HTMLInputElement).value = '';
      this.search('');
    }
  };

  private submit = (e: SubmitEvent) => {
    e.preventDefault();
    clearTimeout(this.timer);
    const q = String(new FormData(e.target as HTMLFormElement).get('q') ?? '');
    this.q = q;
    this.search(q);
  };

  private search(text: string) {
    const q = text.trim().slice(0, MAX_LENGTH);
    this.asked = text;
    if (!q) {
      this.loader.stop();
      this._state = { kind: 'idle' };
      return;
    }
    if (!WORD.test(q)) {
      this.loader.stop();
      this._state = { kind: 'no-words' };
      return;
    }
    const c = this.community;
    if (!c) return;
    this._state = { kind: 'loading' };
    void this.loader.run(
      () => searchDiscussions(c.client, q),
      (page) => (this._state = { kind: 'done', hits: page.items, next: page.next }),
      (e: CercleError) => (this._state = { kind: 'error', message: this.l.error(e) }),
    );
  }

  private more = async () => {
    const s = this._state;
    const c = this.community;
    if (s.kind !== 'done' || !s.next || this._busy || !c) return;
    this._busy = true;
    const q = this.asked.trim().slice(0, MAX_LENGTH);
    await this.loader.follow(
      () => searchDiscussions(c.client, q, s.next),
      async (page) => {
        this._state = { kind: 'done', hits: [...s.hits, ...page.items], next: page.next };
        await this.updateComplete;
        // The first new result takes the focus, so that the keyboard goes on from where the list grew.
        const first = this.renderRoot.querySelectorAll<HTMLElement>('[part=result] article')[s.hits.length];
        first?.focus();
      },
      (e: CercleError) => (this._state = { kind: 'error', message: this.l.error(e) }),
    );
    this._busy = false;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-search': CercleSearch;
  }
}
