import { css, html, type PropertyValues } from 'lit';
import { CercleClient } from '../client/client.js';
import type { LiveStream } from '../client/live.js';
import type { Parser } from '../client/parse.js';
import { TokenKeeper } from '../client/token.js';
import { CercleElement } from '../internal/element.js';
import { theme } from '../styles/host.js';
import { provide } from './protocol.js';
import { communityContext, type LiveHub, type Session } from './context.js';

/**
 * Configures Cercle once for the page and hands it to every widget placed
 * inside it, however deep and in whatever order they upgrade. It renders its
 * children as they are (`display: contents`).
 *
 * @summary The page's Cercle configuration, provided to the widgets inside it.
 * @customElement cercle-community
 * @slot - The page content holding the widgets.
 * @attr {string} lang - Language of the widgets inside (English, French, German, Spanish, or one a page registers; English otherwise); by default the closest `lang` around, e.g. `<html lang>`.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours of the widgets inside: `auto` follows the reader's system; none follows the host page.
 */
export class CercleCommunity extends CercleElement {
  static override styles = [theme, css`:host { display: contents; }`];

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
  /** Where a reader signs in on the host site; defaults to the site's setting. */
  declare loginUrl?: string;
  /** Checks responses; set `strict` (from `client/strict.js`) to parse them with the contract schemas. */
  declare parse?: Parser;
  /** The reader, as far as is known. */
  declare session: Session;

  private provider = provide(this, communityContext);
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
      this.provider.setValue({ client, session, lang: this.getAttribute('lang') || undefined, loginUrl: this.loginUrl, live: this.hub });
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
        return (this.stream ??= new make({ base: client.base, tokens }));
      },
      release: (stream) => {
        if (stream !== this.stream || --this.holders > 0) return;
        // Closed once nobody follows anything; a widget moved in the page takes it back at once.
        this.idle = setTimeout(() => this.closeStream(), 1000);
      },
    };
    if (tokens) {
      let known: string | null | undefined;
      this.unsubscribe = tokens.subscribe((subject) => {
        // Another reader (signed in, out, or someone else): the stream reopens under their token.
        if (known !== undefined) this.stream?.reconnect();
        known = subject;
        this.identify(client, subject);
      });
      tokens.get();
    }
  }

  private closeStream() {
    clearTimeout(this.idle);
    this.stream?.dispose();
    this.stream = undefined;
    this.holders = 0;
  }

  /** The token names a member (or nobody): read who they are. */
  private async identify(client: CercleClient, subject: string | null) {
    const generation = ++this.generation;
    let session: Session = { status: 'anonymous' };
    if (subject) {
      try {
        session = { status: 'member', member: await client.me() };
      } catch {
        // No readable profile: stay anonymous, public content still shows.
      }
    }
    if (generation === this.generation && client === this.client) this.session = session;
  }

  private teardown() {
    this.closeStream();
    this.unsubscribe?.();
    this.client?.tokens?.dispose();
    this.client = this.unsubscribe = this.hub = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-community': CercleCommunity;
  }
}
