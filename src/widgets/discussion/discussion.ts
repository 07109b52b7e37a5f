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
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 *
 * @fires {CustomEvent<CommentSubmitDetail>} cercle-comment-submit - A member asks to post; cancel it (`preventDefault()`) to stop the post. The draft is kept.
 * @fires {CustomEvent<CommentPostedDetail>} cercle-comment-posted - A comment was stored by the server and shown.
 */
export class CercleDiscussion extends CercleWidget {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    thread: {},
    page: { state: true },
    info: { state: true },
    error: { state: true },
    loadingMore: { state: true },
    text: { state: true },
    busy: { state: true },
    failed: { state: true },
    sendError: { state: true },
    note: { state: true },
  };

  /** Thread key: an id chosen by the site, or by default the page's canonical URL. */
  declare thread?: string;

  private declare page?: CommentPage;
  private declare info?: SitePublic;
  private declare error?: CercleError;
  private declare loadingMore: boolean;
  private declare text: string;
  private declare busy: boolean;
  private declare failed: boolean;
  private declare sendError?: CercleError;
  /** Text of the polite live region. */
  private declare note: string;

  /** The thread key in use, and the client it was loaded with. */
  private key = '';
  private loadedWith?: object;
  private unsubscribe?: () => void;
  private focusId?: string;

  constructor() {
    super();
    this.text = this.note = '';
    this.loadingMore = this.busy = this.failed = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.loadedWith = this.unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = this.community;
    if (c && (c.client != this.loadedWith || changed.has('thread'))) {
      this.loadedWith = c.client;
      this.key = this.thread || canonicalUrl();
      this.unsubscribe?.();
      this.unsubscribe = c.outbox.subscribe((slot, draft, posted) => slot == this.key && this.drafted(draft, posted));
      const draft = c.outbox.get(this.key);
      this.text = draft?.body ?? '';
      this.failed = !!draft?.key && !c.outbox.busy(this.key);
      this.load();
    }
  }

  protected override updated(): void {
    if (this.focusId) this.renderRoot.querySelector<HTMLElement>('#c-' + this.focusId)?.focus();
    this.focusId = undefined;
  }

  protected override render() {
    const { l, page, error } = this;
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
              <button part="more" @click=${this.more} aria-disabled=${this.loadingMore ? 'true' : 'false'}>${t.more}</button>
            </div>`
          : nothing}
        ${this.box()}
        <p class="sr" role="status">${loading ? t.loading : this.note}</p>
      </section>
    `;
  }

  /** The form, or what stands in its place. */
  private box() {
    const session = this.community?.session;
    if (!session || session.status == 'loading' || (!this.page && !this.error)) return html`<div class="ph form" aria-hidden="true"></div>`;
    if (session.status == 'anonymous') return signIn(this.l, this.community?.loginUrl ?? this.info?.loginUrl);
    if (this.error) return nothing;
    if (this.page?.thread.locked) return html`<p>${this.l.error(new CercleError(403, 'thread.locked'))}</p>`;
    return form(
      {
        text: this.text,
        max: this.info?.maxCommentLength ?? 10_000,
        busy: this.busy,
        failed: this.failed,
        error: this.sendError,
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
    this.page = this.error = undefined;
    try {
      const [page, info] = await Promise.all([client.comments({ thread: key }), client.site()]);
      if (key == this.key && client == this.community?.client) {
        this.page = page;
        this.info = info;
      }
    } catch (e) {
      if (key == this.key) this.error = e as CercleError;
    }
  };

  /** Appends the next page and moves focus to its first comment. */
  private more = async () => {
    const page = this.page;
    if (!page?.next || this.loadingMore) return;
    this.loadingMore = true;
    try {
      const next = await this.community!.client.comments({ thread: this.key, cursor: page.next });
      if (page == this.page) {
        this.page = { ...next, items: merge(page.items, next.items) };
        this.focusId = next.items[0]?.id;
      }
    } catch (e) {
      this.note = this.l.error(e as CercleError);
    } finally {
      this.loadingMore = false;
    }
  };

  private write(body: string) {
    this.text = body;
    const draft = this.community!.outbox.get(this.key);
    this.community!.outbox.write(this.key, { ...draft, thread: this.key, body });
  }

  private async send() {
    const outbox = this.community!.outbox;
    const body = this.text;
    const max = this.info?.maxCommentLength ?? 10_000;
    if (this.busy || !body.trim()) return;
    if (body.length > max) {
      this.sendError = new CercleError(400, 'comment.too_long');
      this.note = this.l.error(this.sendError);
      return;
    }
    if (!this.emit('cercle-comment-submit', { thread: this.key, body }, true)) return;
    this.busy = true;
    this.sendError = undefined;
    const draft: Draft = { ...outbox.get(this.key), thread: this.key, body };
    if (!this.page?.thread.createdAt && document.title) draft.title = document.title.slice(0, 300);
    try {
      await outbox.send(this.key, draft);
    } catch (e) {
      const error = (this.sendError = e as CercleError);
      this.note = error.transient ? this.l.t.notSentNote : this.l.error(error);
    } finally {
      this.busy = false;
    }
  }

  /** The outbox changed this thread's draft, or sent it as `posted`. */
  private drafted(draft: Draft | undefined, posted?: Comment) {
    this.failed = !!draft?.failed;
    if (!posted) return;
    this.text = '';
    this.sendError = undefined;
    this.note = this.l.t.posted;
    const page = this.page;
    if (page && !page.items.some((c) => c.id == posted.id))
      this.page = {
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
