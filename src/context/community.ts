import { css, html, type PropertyValues } from 'lit';
import { CercleClient } from '../client/client.js';
import type { CercleError } from '../client/errors.js';
import type { LiveStream } from '../client/live.js';
import type { Parser } from '../client/parse.js';
import { TokenKeeper } from '../client/token.js';
import { CercleElement } from '../internal/element.js';
import { theme } from '../styles/host.js';
import { provide } from './protocol.js';
import { communityContext, type Community, type LiveHub, type Session } from './context.js';

/** `login-url` with `{url}` replaced by the current page's address, URL-encoded, so that the member comes back to it. */
export const withReturn = (url: string | undefined): string | undefined =>
  url?.replace(/\{url\}/g, () => encodeURIComponent(location.href));

/**
 * Configures Cercle once for the page and hands it to every widget placed
 * inside it, however deep and in whatever order they upgrade. It is a block
 * (`display: block`), so that in a theme's constrained layout it and the
 * widgets inside sit in the content column.
 *
 * Without it, the script tag may carry the configuration:
 * `<script type="module" src="…/cercle.js" data-api="…" data-site="…" data-token-url="…" data-login-url="…">`
 * makes a page-wide provider for widgets placed anywhere outside one.
 *
 * @summary The page's Cercle configuration, provided to the widgets inside it.
 * @customElement cercle-community
 * @slot - The page content holding the widgets.
 * @attr {string} lang - Language of the widgets inside (English, French, German, Spanish, or one a page registers; English otherwise); by default the closest `lang` around, e.g. `<html lang>`.
 * @attr {string} login-url - Where a reader signs in on the host site; `{url}` in it becomes the current page's address, URL-encoded (`/login?next={url}`), so that the member comes back to it.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours of the widgets inside: `auto` follows the page behind (its background's luminance, its `color-scheme`); none follows the host page.
 */
export class CercleCommunity extends CercleElement {
  static override styles = [theme, css`:host { display: block; } :host([hidden]) { display: none; }`];

  static override properties = {
    api: {},
    site: {},
    tokenUrl: { attribute: 'token-url' },
    loginUrl: { attribute: 'login-url' },
    parse: { attribute: false },
    session: { attribute: false },
  };

  /** Base URL of the Cercle server. */
  declare api?: string;
  /** Site id on that server. */
  declare site?: string;
  /** The host site's endpoint that returns a token for its signed-in member (fetched with the host's cookies). */
  declare tokenUrl?: string;
  /** Where a reader signs in on the host site (`{url}` becomes the current page's address, URL-encoded); defaults to the site's setting. */
  declare loginUrl?: string;
  /** Checks responses; set `strict` (from `client/strict.js`) to parse them with the contract schemas. */
  declare parse?: Parser;
  /** The reader, as far as is known. */
  declare session: Session;

  /** True while the script tag's configuration makes its page-wide provider (`define.ts`). */
  static makingImplicit = false;
  /** The page-wide provider made from the script tag: it answers requests on the whole document. */
  readonly implicit = CercleCommunity.makingImplicit;
  private provider: { setValue(value: Community | undefined): void } = provide(
    this,
    communityContext,
    this.implicit ? document : this,
    () => ((this.wanted = true), this.start?.()),
  );
  /** Whether a widget has subscribed (the provider may be set up after it did). */
  private wanted = false;
  /**
   * Asks the host for the reader's token (then the API for who they are): done when the first widget
   * subscribes, not when the provider connects, so that a page whose widgets are not loaded yet (far
   * below the fold) sends nothing.
   */
  private start?: () => void;
  private client?: CercleClient;
  private unsubscribe?: () => void;
  private generation = 0;
  /** The page's live stream, once a widget follows something, and how many widgets hold it. */
  private stream?: LiveStream;
  private holders = 0;
  private idle?: ReturnType<typeof setTimeout>;
  private hub?: LiveHub;

  override connectedCallback(): void {
    super.connectedCallback();
    // Set up again after being moved or re-attached.
    if (!this.client) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.client || changed.has('api') || changed.has('site') || changed.has('tokenUrl') || changed.has('parse')) this.setup();
    const { client, session } = this;
    if (client && this.hub)
      this.provider.setValue({
        client,
        session,
        lang: this.getAttribute('lang') || undefined,
        loginUrl: withReturn(this.loginUrl),
        live: this.hub,
      });
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  private setup() {
    this.teardown();
    if (!this.api || !this.site || !this.isConnected) return;
    const tokens = this.tokenUrl ? new TokenKeeper(new URL(this.tokenUrl, document.baseURI).href) : undefined;
    const client = (this.client = new CercleClient({ api: this.api, site: this.site, tokens, parse: this.parse }));
    this.session = { status: tokens ? 'loading' : 'anonymous' };
    this.hub = {
      acquire: (make) => {
        clearTimeout(this.idle);
        this.holders++;
        // Without a token-url the stream is anonymous: it carries the public topics only.
        if (!this.stream) {
          this.stream = new make({ base: client.base, tokens });
          // The stream coming back means the server is back: what waits for it (unsent posts) may go.
          this.stream.onConnect(() => client.answered());
        }
        return this.stream;
      },
      release: (stream) => {
        if (stream !== this.stream || --this.holders > 0) return;
        // Closed once nobody follows anything; a widget moved in the page takes it back at once.
        this.idle = setTimeout(() => this.closeStream(), 1000);
      },
    };
    if (tokens)
      this.start = () => {
        this.start = undefined;
        let known: string | null | undefined;
        this.unsubscribe = tokens.subscribe((subject) => {
          // Another reader (signed in, out, or someone else): the stream reopens under their token.
          if (known !== undefined) this.stream?.reconnect();
          known = subject;
          this.identify(client, subject);
        });
        tokens.get();
      };
    if (this.wanted) this.start?.();
  }

  private closeStream() {
    clearTimeout(this.idle);
    this.stream?.dispose();
    this.stream = undefined;
    this.holders = 0;
  }

  /**
   * The token names a member (or nobody): read who they are. A failed read keeps the member signed in
   * (`error`): telling them to sign in again would be wrong, and would not help.
   */
  private async identify(client: CercleClient, subject: string | null) {
    const generation = ++this.generation;
    let session: Session = { status: 'anonymous' };
    if (subject) {
      try {
        session = { status: 'member', member: await client.me() };
      } catch (e) {
        session = { status: 'error', error: e as CercleError, retry: () => void this.identify(client, subject) };
      }
    }
    if (generation === this.generation && client === this.client) this.session = session;
  }

  private teardown() {
    this.closeStream();
    this.unsubscribe?.();
    this.client?.tokens?.dispose();
    this.client = this.unsubscribe = this.hub = this.start = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-community': CercleCommunity;
  }
}
