import { type PropertyDeclarations, type PropertyValues } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { commentCount } from '../../client/discussion.js';
import { Loader } from '../../internal/loader.js';
import { Localize } from '../../i18n/localize.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { en } from './locales/en.js';
import { styles } from './comment-count.styles.js';
import { count, failed, hidden, skeleton } from './views.js';

/**
 * How many published comments a thread has, for listing pages: "3 comments",
 * "No comments", linking to the article with `href`. Every count on a page
 * travels in one request. A thread the reader may not read (members only, a
 * chapter's) shows nothing.
 *
 * @summary The number of comments of a thread, for a list of articles.
 * @customElement cercle-comment-count
 *
 * @csspart base - The count: a link with `href`, else text.
 *
 * @cssprop --cercle-color-accent - Colour of the link.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 *
 * @attr {string} thread - The thread's key, as on its `<cercle-discussion thread>`.
 * @attr {string} href - Where the count links to: the article's page (optional).
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleCommentCount extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'comment-count', { en });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    thread: {},
    href: {},
    _count: { state: true },
    _error: { state: true },
  };

  /** The thread's key. */
  declare thread: string;
  /** The article's page, if the count should link to it. */
  declare href?: string;

  /** The count; null when the reader may not read the thread; undefined while loading. */
  declare private _count?: number | null;
  declare private _error?: CercleError;

  private loadedFor = '';
  private loader = new Loader(this);

  constructor() {
    super();
    this.thread = '';
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const c = this.community;
    if (!c || !this.thread) return;
    // A read made while the session loads waits for the token and joins the page's first request;
    // signing out or in later changes which threads the reader may read.
    const key = [this.thread, c.session.status !== 'anonymous'].join('|');
    if (key === this.loadedFor) return;
    this.loadedFor = key;
    this._error = undefined;
    void this.loader.run(
      () => commentCount(c.client, this.thread),
      (n) => (this._count = n ?? null),
      (e) => (this._error = e),
    );
  }

  protected override render() {
    const { l } = this;
    if (this._error) return failed(l, l.error(this._error));
    if (this._count === undefined) return skeleton(l);
    if (this._count === null) return hidden();
    return count(this._count, l, this.href);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-comment-count': CercleCommentCount;
  }
}
