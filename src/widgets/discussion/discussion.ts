import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { CercleError } from '../../client/errors.js';
import type { Draft } from '../../client/outbox.js';
import type { Comment, CommentPage, SitePublic } from '../../contract/resources.js';
import { canonicalUrl } from '../../internal/dom.js';
import { CercleWidget } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { styles } from './discussion.styles.js';
import { comment, form, signIn, skeleton } from './views.js';

/** Detail of `cercle-comment-submit`: what is about to be posted. */
export interface CommentSubmitDetail {
  thread: string;
  body: string;
}

/** Detail of `cercle-comment-posted`: the comment as the server stored it. */
export interface CommentPostedDetail {
  thread: string;
  comment: Comment;
}

/**
 * The comments of a thread — by default the page itself, keyed by its
 * canonical URL — with a form for signed-in members to join in. What a member
 * types is kept as a draft across reloads; a post that fails in transit stays
 * in the box with a retry that cannot post twice.
 *
 * @summary Comments of a page or topic, and a form to post one.
 * @customElement cercle-discussion
 *
 * @slot header - Replaces the heading (the comment count).
 * @slot empty - Shown instead of the list when there is no comment yet.
 *
 * @csspart base - The whole discussion.
 * @csspart list - The list of comments.
 * @csspart comment - One comment (`<article>`).
 * @csspart avatar - The author's picture or initials.
 * @csspart name - The author's name (a heading).
 * @csspart meta - Time and status of a comment.
 * @csspart body - The text of a comment.
 * @csspart more - The "show more" button.
 * @csspart form - The form to post a comment.
 * @csspart actions - The counter and post button, or the sign-in link.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-color-on-accent - Text on accent-coloured buttons.
 * @cssprop --cercle-radius - Corner radius of boxes and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-discussion-gap - Space between comments.
 *
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 *
 * @fires {CustomEvent<CommentSubmitDetail>} cercle-comment-submit - A member asks to post; cancel it (`preventDefault()`) to stop the post. The draft is kept.
 * @fires {CustomEvent<CommentPostedDetail>} cercle-comment-posted - A comment was stored by the server and shown.
 */
export class CercleDiscussion extends CercleWidget {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    thread: {},
    _page: { state: true },
    _info: { state: true },
    _error: { state: true },
    _loadingMore: { state: true },
    _text: { state: true },
    _busy: { state: true },
    _failed: { state: true },
    _sendError: { state: true },
    _note: { state: true },
  };

  /** Thread key: an id chosen by the site, or by default the page's canonical URL. */
  declare thread?: string;

  private declare _page?: CommentPage;
  private declare _info?: SitePublic;
  private declare _error?: CercleError;
  private declare _loadingMore: boolean;
  private declare _text: string;
  private declare _busy: boolean;
  private declare _failed: boolean;
  private declare _sendError?: CercleError;
  /** Text of the polite live region. */
  private declare _note: string;

  /** The thread key in use, and the client it was loaded with. */
  private key = '';
  private loadedWith?: object;
  private unsubscribe?: () => void;
  private focusId?: string;

  constructor() {
    super();
    this._text = this._note = '';
    this._loadingMore = this._busy = this._failed = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page: the provider answers with the same value, which alone would not update.
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (!c) return;
    const fresh = c.client != this.loadedWith || changed.has('thread');
    if (fresh || !this.unsubscribe) {
      this.unsubscribe?.();
      this.unsubscribe = c.outbox.subscribe((slot, draft, posted) => slot == this.key && this.drafted(draft, posted));
    }
    if (fresh) {
      this.loadedWith = c.client;
      this.key = this.thread || canonicalUrl();
      const draft = c.outbox.get(this.key);
      this._text = draft?.body ?? '';
      this._failed = !!draft?.key && !c.outbox.busy(this.key);
      this.load();
    }
  }

  protected override updated(): void {
    if (this.focusId) this.renderRoot.querySelector<HTMLElement>('#c-' + this.focusId)?.focus();
    this.focusId = undefined;
  }

  protected override render() {
    const { l, _page: page, _error: error } = this;
    const t = l.t;
    const loading = !page && !error;
    return html`
      <section part="base">
        <slot name="header"><h2>${page ? l.plural(t.count, page.thread.commentCount) : t.heading}</h2></slot>
        ${error
          ? html`<p>${error.code == 'thread.forbidden' ? l.error(error) : t.loadError}</p>
              <div><button @click=${this.load}>${t.tryAgain}</button></div>`
          : page && !page.items.length
            ? html`<slot name="empty"><p>${t.empty}</p></slot>`
            : html`<ol part="list" aria-busy=${loading ? 'true' : 'false'}>
                ${loading ? skeleton() : page!.items.map((c) => comment(c, l))}
              </ol>`}
        ${page?.next
          ? html`<div>
              <button part="more" @click=${this.more} aria-disabled=${this._loadingMore ? 'true' : 'false'}>${t.more}</button>
            </div>`
          : nothing}
        ${this.box()}
        <p class="sr" role="status">${loading ? t.loading : this._note}</p>
      </section>
    `;
  }

  /** The form, or what stands in its place. */
  private box() {
    const session = this.community?.session;
    if (!session || session.status == 'loading' || (!this._page && !this._error)) return html`<div class="ph form" aria-hidden="true"></div>`;
    if (session.status == 'anonymous') return signIn(this.l, this.community?.loginUrl ?? this._info?.loginUrl);
    if (this._error) return nothing;
    if (this._page?.thread.locked) return html`<p>${this.l.error(new CercleError(403, 'thread.locked'))}</p>`;
    return form(
      {
        text: this._text,
        max: this._info?.maxCommentLength ?? 10_000,
        busy: this._busy,
        failed: this._failed,
        error: this._sendError,
        onInput: (e) => this.write((e.target as HTMLTextAreaElement).value),
        onSubmit: (e) => (e.preventDefault(), this.send()),
        onRetry: () => this.send(),
      },
      this.l,
    );
  }

  /** Loads the first page of comments and the site's settings. */
  private load = async () => {
    const { client } = this.community!;
    const key = this.key;
    this._page = this._error = undefined;
    try {
      const [page, info] = await Promise.all([client.comments({ thread: key }), client.site()]);
      if (key == this.key && client == this.community?.client) {
        this._page = page;
        this._info = info;
      }
    } catch (e) {
      if (key == this.key) this._error = e as CercleError;
    }
  };

  /** Appends the next page and moves focus to its first comment. */
  private more = async () => {
    const page = this._page;
    if (!page?.next || this._loadingMore) return;
    this._loadingMore = true;
    try {
      const next = await this.community!.client.comments({ thread: this.key, cursor: page.next });
      if (page == this._page) {
        this._page = { ...next, items: merge(page.items, next.items) };
        this.focusId = next.items[0]?.id;
      }
    } catch (e) {
      this._note = this.l.error(e as CercleError);
    } finally {
      this._loadingMore = false;
    }
  };

  private write(body: string) {
    this._text = body;
    const draft = this.community!.outbox.get(this.key);
    this.community!.outbox.write(this.key, { ...draft, thread: this.key, body });
  }

  private async send() {
    const outbox = this.community!.outbox;
    const body = this._text;
    const max = this._info?.maxCommentLength ?? 10_000;
    if (this._busy || !body.trim()) return;
    if (body.length > max) {
      this._sendError = new CercleError(400, 'comment.too_long');
      this._note = this.l.error(this._sendError);
      return;
    }
    if (!this.emit('cercle-comment-submit', { thread: this.key, body }, true)) return;
    this._busy = true;
    this._sendError = undefined;
    const draft: Draft = { ...outbox.get(this.key), thread: this.key, body };
    if (!this._page?.thread.createdAt && document.title) draft.title = document.title.slice(0, 300);
    try {
      await outbox.send(this.key, draft);
    } catch (e) {
      const error = (this._sendError = e as CercleError);
      this._note = error.transient ? this.l.t.notSentNote : this.l.error(error);
    } finally {
      this._busy = false;
    }
  }

  /** The outbox changed this thread's draft, or sent it as `posted`. */
  private drafted(draft: Draft | undefined, posted?: Comment) {
    this._failed = !!draft?.failed;
    if (!posted) return;
    this._text = '';
    this._sendError = undefined;
    this._note = this.l.t.posted;
    const page = this._page;
    if (page && !page.items.some((c) => c.id == posted.id))
      this._page = {
        ...page,
        thread: { ...page.thread, commentCount: page.thread.commentCount + 1 },
        items: [...page.items, posted],
      };
    this.emit('cercle-comment-posted', { thread: this.key, comment: posted });
  }
}

const merge = (a: Comment[], b: Comment[]) => [...a, ...b.filter((c) => !a.some((x) => x.id == c.id))];

declare global {
  interface HTMLElementTagNameMap {
    'cercle-discussion': CercleDiscussion;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-comment-submit': CustomEvent<CommentSubmitDetail>;
    'cercle-comment-posted': CustomEvent<CommentPostedDetail>;
  }
}
