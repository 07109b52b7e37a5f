import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import {
  deleteComment,
  editComment,
  flagComment,
  listComments,
  lockThread,
  markRead,
  mentions,
  moderateComment,
  react,
  reactors,
} from '../../client/discussion.js';
import { CercleError } from '../../client/errors.js';
import { Outbox, outboxOf, type Draft } from '../../client/outbox.js';
import type { Comment, CommentPage, SitePublic } from '../../contract/resources.js';
import type { LiveEvent } from '../../client/live.js';
import { canonicalUrl } from '../../internal/dom.js';
import { Loader } from '../../internal/loader.js';
import { sessionError } from '../../internal/session-error.js';
import { LiveController } from '../../internal/live-controller.js';
import { Localize } from '../../i18n/localize.js';
import type { L } from './strings.js';
import { en } from './locales/en.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { DEFAULT_MAX_COMMENT_LENGTH, DEFAULT_REACTIONS } from '../../contract/defaults.js';
import { styles } from './discussion.styles.js';
import type { FlagReason, Reactors } from '../../contract/discussion.js';
import { formatBody } from './format.js';
import { MentionController } from './mention-controller.js';
import { addFresh, addOwn, addReply, appendPage, patch, pending, recount, replace, tombstone } from './thread.js';
import { isNew, treeUpTo } from './tree.js';
import { form, inlineBox, signIn, skeleton, type Combo, type Mode } from './views.js';

/** Comments rendered at once: more than the first screens hold, on a phone or a wide screen. */
const FIRST = 30;
/** Comments added in each idle moment after the first render. */
const CHUNK = 150;

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
 * in the box with a retry that cannot post twice. A page opened at
 * `#comment-<id>` (a search result's link) brings that comment into view and
 * focuses it, when it is on the first page of the thread.
 *
 * @summary Comments of a page or topic, and a form to post one.
 * @customElement cercle-discussion
 *
 * @slot header - Replaces the heading (the comment count).
 * @slot empty - Shown instead of the list when there is no comment yet.
 *
 * @csspart base - The whole discussion.
 * @csspart toolbar - Sort (pressed buttons), the "new since your last visit" count, and the moderators' count of pending comments and lock button.
 * @csspart list - The feed of comments (`role=feed`: Page Down and Page Up move from one comment to the next).
 * @csspart comment - One comment (`<article>`).
 * @csspart avatar - The author's picture or initials.
 * @csspart name - The author's name (a heading; a link to their card with `member-href`).
 * @csspart meta - Time, "edited", "pending", "new" and "in reply to" of a comment.
 * @csspart body - The text of a comment (also the preview).
 * @csspart mention - A mentioned member in a comment (a link to their card with `member-href`).
 * @csspart comment-actions - Reactions, reply, edit, delete, report, and the moderators' hide, restore and approve.
 * @csspart new-comments - The "N new comments" button that shows comments arrived live.
 * @csspart more - The "show more" button.
 * @csspart form - The form to post a comment.
 * @csspart preview - The preview of the comment being written.
 * @csspart actions - The counter and post button, or the sign-in link.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-color-on-accent - Text on accent-coloured buttons.
 * @cssprop --cercle-radius - Corner radius of boxes and buttons.
 * @cssprop --cercle-font-family - Font; inherits the page's by default.
 * @cssprop --cercle-discussion-gap - Space between comments.
 * @cssprop --cercle-discussion-indent - Indent of each level of replies (default `1.5rem`).
 *
 * @attr {string} thread - Thread key: an id chosen by the site, or by default the page's canonical URL (`<link rel="canonical">`, else the address without query and hash).
 * @attr {string} member-href - Address of a member's card on the host site, `{id}` standing for the member's id (e.g. `/members#{id}`): authors' names and mentions link there.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 * @attr {number} heading-level - Level (1–6) of the heading (the comment count); each comment's author one level below, to fit under the host page's own headings; by default 2.
 *
 * @fires {CustomEvent<CommentSubmitDetail>} cercle-comment-submit - A member asks to post; cancel it (`preventDefault()`) to stop the post. The draft is kept.
 * @fires {CustomEvent<CommentPostedDetail>} cercle-comment-posted - A comment was stored by the server and shown.
 */
export class CercleDiscussion extends CercleConnected {
  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    thread: {},
    memberHref: { attribute: 'member-href' },
    _page: { state: true },
    _info: { state: true },
    _error: { state: true },
    _loadingMore: { state: true },
    _text: { state: true },
    _busy: { state: true },
    _failed: { state: true },
    _sendError: { state: true },
    _note: { state: true },
    _sort: { state: true },
    _open: { state: true },
    _boxText: { state: true },
    _boxError: { state: true },
    _reactors: { state: true },
    _preview: { state: true },
    _reloading: { state: true },
    _budget: { state: true },
  };

  /** Thread key: an id chosen by the site, or by default the page's canonical URL. */
  declare thread?: string;
  /** Address of a member's card on the host site, `{id}` standing for the member's id (e.g. `/members#{id}`). */
  declare memberHref?: string;

  declare private _page?: CommentPage;
  declare private _info?: SitePublic;
  declare private _error?: CercleError;
  declare private _loadingMore: boolean;
  declare private _text: string;
  declare private _busy: boolean;
  declare private _failed: boolean;
  declare private _sendError?: CercleError;
  /** Text of the polite live region. */
  declare private _note: string;
  declare private _sort: 'oldest' | 'newest' | 'useful';
  /** The comment whose inline box is open, and which box. */
  declare private _open?: { id: string; mode: Mode };
  /** Text of the open reply or edit box. */
  declare private _boxText: string;
  declare private _boxError?: CercleError;
  declare private _reactors?: Reactors;
  declare private _preview: boolean;
  /** Read again in another order: the comments shown stay (the feed busy) until the new order comes. */
  declare private _reloading: boolean;
  /**
   * How many comments are rendered: the first screens at once ({@link FIRST}), the rest in chunks
   * while the browser is idle ({@link CHUNK}); everything as soon as a comment must be reached.
   */
  declare private _budget: number;
  /** The idle callback that renders the next chunk. */
  private nextChunk?: number;
  /** The feed holds more comments than it renders yet. */
  private partial = false;

  /** The thread key in use, and the client it was loaded with. */
  private key = '';
  private loadedWith?: object;
  private unsubscribe?: () => void;
  private focusId?: string;
  /** A button of a comment to focus after the update (the one that opened a box now closed). */
  private focusMode?: { id: string; mode: Mode };
  /** The thread on the page's live stream: changes applied in place, new comments held behind a button. */
  private loader = new Loader(this);
  /** The mention combobox of the main box. */
  private mention = new MentionController(this, {
    id: 'mentions',
    lookUp: (q) => this.lookUp(q),
    textarea: () => this.renderRoot.querySelector<HTMLTextAreaElement>('#text'),
    inserted: (text) => this.write(text),
  });
  /** The mention combobox of the open reply or edit box, one for each box opened. */
  private boxMention?: MentionController;
  private live = new LiveController(this, {
    community: () => this.community,
    topics: () => (this.key ? ['thread:' + this.key] : []),
    onChange: (ev) => this.onLive(ev),
    onReload: () => this.refresh(),
  });
  /** Language, formats and the discussion's dictionary (`l.t`). */
  protected l: L = new Localize(this, () => this.community?.lang, 'discussion', { en });

  constructor() {
    super();
    this._text = this._note = this._boxText = '';
    this._loadingMore = this._busy = this._failed = this._preview = this._reloading = false;
    this._sort = 'oldest';
    this._budget = FIRST;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page: the provider answers with the same value, which alone would not update.
    this.requestUpdate();
    addEventListener('hashchange', this.toAnchor);
  }

  /**
   * The page's address names a comment (`#comment-<id>`, as notifications link to one): it gets the
   * focus, which brings it into view, once shown. The browser cannot reach it inside the shadow root.
   */
  private toAnchor = () => {
    const id = /^#comment-([A-Za-z0-9_.:@-]+)$/.exec(location.hash)?.[1];
    if (id && this._page?.items.some((c) => c.id === id)) {
      this.focusId = id;
      this.requestUpdate();
    }
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.toAnchor);
    if (this.nextChunk !== undefined) ('cancelIdleCallback' in window ? cancelIdleCallback : clearTimeout)(this.nextChunk);
    this.nextChunk = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A comment about to take the focus (an anchor, a reply link, a new page…) must be in the DOM.
    if (this.focusId || this.focusMode) this._budget = Infinity;
    const c = this.community;
    if (!c) return;
    const fresh = c.client !== this.loadedWith || changed.has('thread');
    // Not while disconnected: a late answer updating a removed element must not listen again.
    if (this.isConnected && (fresh || !this.unsubscribe)) {
      this.unsubscribe?.();
      this.unsubscribe = this.outbox.subscribe((slot, draft, posted) =>
        slot === this.key ? this.drafted(draft, posted) : slot.startsWith(this.key + '#') && posted ? this.replied(posted) : undefined,
      );
    }
    if (fresh) {
      this.loadedWith = c.client;
      this.key = this.thread || canonicalUrl();
      const draft = this.outbox.get(this.key);
      this._text = this.mention.load(draft?.body ?? '');
      this._failed = !!draft?.key && !this.outbox.busy(this.key);
      this.load();
    }
  }

  protected override updated(): void {
    if (this.partial && this.nextChunk === undefined) {
      const more = () => ((this.nextChunk = undefined), (this._budget += CHUNK));
      // Safari has no idle callback: a timer lets a frame through between chunks.
      this.nextChunk = 'requestIdleCallback' in window ? requestIdleCallback(more, { timeout: 300 }) : self.setTimeout(more, 16);
    }
    const back = this.focusMode;
    const opener = back && this.renderRoot.querySelector<HTMLElement>(`#c-${CSS.escape(back.id)} [data-mode=${back.mode}]`);
    if (opener) opener.focus();
    else if (this.focusId) this.renderRoot.querySelector<HTMLElement>('#c-' + CSS.escape(this.focusId))?.focus();
    this.focusId = this.focusMode = undefined;
  }

  protected override render() {
    const { l, _page: page, _error: error } = this;
    const t = l.t;
    const loading = !page && !error;
    const feed = page && !loading ? treeUpTo(page.items, this.treeContext(page), this._budget) : undefined;
    this.partial = !!feed && feed.shown < feed.total;
    return html`
      <section part="base">
        <slot name="header"><h2>${page ? t.count(page.thread.commentCount) : t.heading}</h2></slot>
        ${page ? this.toolbar(page) : loading ? this.toolbar() : nothing}
        ${page?.items.length && this._sort === 'newest' ? this.fresh(true) : nothing}
        ${
          error
            ? this.failure(error)
            : page && !page.items.length
              ? html`<slot name="empty"><p>${t.empty}</p></slot>`
              : html`<div part="list" role="feed" aria-label=${t.heading} aria-busy=${loading || this._reloading || this._loadingMore || this.partial ? 'true' : 'false'}
                  @keydown=${this.feedKeys}>
                ${feed ? feed.parts : skeleton()}
              </div>`
        }
        ${page?.items.length && this._sort !== 'newest' ? this.fresh(false) : nothing}
        ${
          page?.next
            ? html`<div>
              <button part="more" @click=${this.more} aria-disabled=${this._loadingMore ? 'true' : 'false'}>${t.more}</button>
            </div>`
            : nothing
        }
        ${this.box()}
        <p class="sr" role="status">${loading ? t.loading : this._note}</p>
        <p class="sr" role="status">${this.live.announcement ? l.t.freshCount(this.live.announcement) : ''}</p>
      </section>
    `;
  }

  /**
   * The feed's keys (WAI-ARIA feed pattern): Page Down and Page Up move focus to the next and the
   * previous comment, from anywhere inside one.
   */
  private feedKeys = (e: KeyboardEvent) => {
    if (e.key !== 'PageDown' && e.key !== 'PageUp') return;
    // Inside a reply being written, the keys stay the text box's.
    if ((e.composedPath()[0] as Element).matches?.('textarea, input')) return;
    const all = [...this.renderRoot.querySelectorAll<HTMLElement>('article[part=comment]')];
    const here = e.composedPath().find((n): n is HTMLElement => n instanceof HTMLElement && n.localName === 'article');
    const at = here ? all.indexOf(here) : -1;
    const to = all[e.key === 'PageDown' ? at + 1 : Math.max(0, at - 1)];
    if (!to && e.key === 'PageDown' && this.partial) {
      // The next comments are not rendered yet: render them all, then move on.
      e.preventDefault();
      this._budget = Infinity;
      this.updateComplete.then(() => this.renderRoot.querySelectorAll<HTMLElement>('article[part=comment]')[at + 1]?.focus());
      return;
    }
    if (!to || to === here) return;
    e.preventDefault();
    to.focus();
  };

  /**
   * The "N new comments" button, where new comments will appear (above the list when the newest come
   * first, below it otherwise). Its place is kept in the flow whether it shows or not: nothing moves
   * when it comes or goes, and it never covers a comment or its buttons (WCAG 2.4.11).
   */
  private fresh(top: boolean) {
    const n = this.live.held.length;
    return html`<div class=${top ? 'fresh top' : 'fresh'}>${
      n
        ? html`<button type="button" class="primary" part="new-comments" @click=${this.showFresh}>${this.l.t.freshCount(n)}</button>`
        : nothing
    }</div>`;
  }

  /** Inserts the held comments where they belong and moves focus to the first of them. */
  private showFresh = () => {
    const page = this._page;
    const held = this.live.take().map((e) => e.data as Comment);
    if (!page) return;
    const { page: next, added: fresh } = addFresh(page, held, this._sort === 'newest');
    if (!fresh.length) return;
    this._page = next;
    this._budget = Infinity;
    this._note = this.l.t.freshShown(fresh.length);
    this.markRead(this._page);
    const ids = new Set(fresh.map((c) => 'c-' + c.id));
    this.updateComplete.then(() => [...this.renderRoot.querySelectorAll<HTMLElement>('article[id]')].find((a) => ids.has(a.id))?.focus());
  };

  /** A change on the thread's stream, applied in place; a new comment by someone else is held (`true`). */
  private onLive(ev: LiveEvent): boolean {
    const page = this._page;
    if (!page) return false;
    const c = ev.data as Comment | undefined;
    const here = page.items.find((x) => x.id === ev.ref);
    const me = this.me();
    switch (ev.kind) {
      case 'comment.created':
      case 'comment.restored':
      case 'comment.updated':
        if (!c) {
          // Held for moderation: news for moderators, who see the count.
          if (ev.kind === 'comment.created' && page.moderator && !here) this._page = pending(page, 1);
          return false;
        }
        if (here) {
          if (here.status === 'pending' && page.pendingCount) this._page = pending(page, -1);
          this.patch(here, { ...here, body: c.body, status: c.status, editedAt: c.editedAt, mentions: c.mentions ?? here.mentions });
          return false;
        }
        if (ev.kind === 'comment.updated') {
          // Edited before the reader showed it: show the new text.
          this.live.held = this.live.held.map((e) => (e.ref === ev.ref ? { ...e, data: { ...(e.data as Comment), ...c } } : e));
          return false;
        }
        if (c.author?.id && c.author.id === me) {
          // The reader's own (from another tab): no need to ask.
          this._page = addOwn(page, c);
          return false;
        }
        return !this.live.held.some((e) => e.ref === ev.ref);
      case 'comment.deleted':
        this.live.drop(ev.ref);
        if (here && here.status !== 'deleted') this.patch(here, tombstone(here));
        return false;
      case 'comment.hidden':
        this.live.drop(ev.ref);
        if (here && here.status !== 'hidden') {
          const keep = page.moderator || (!!me && here.author?.id === me);
          this.patch(here, { ...here, status: 'hidden', body: keep ? here.body : '' });
        }
        return false;
      case 'reactions.changed': {
        const counts = (ev.data as { reactions?: { kind: string; count: number }[] } | undefined)?.reactions;
        if (here && counts) this.patch(here, recount(here, counts));
        return false;
      }
    }
    return false;
  }

  /** Puts a changed comment in place, keeping the published count in step. */
  private patch(prev: Comment, next: Comment) {
    this._page = patch(this._page!, prev, next);
  }

  /** The stream says the page missed too much: read the thread again, without blanking it. */
  private refresh = async () => {
    const client = this.community?.client;
    const key = this.key;
    if (!client || !this._page) return;
    try {
      const page = await listComments(client, { thread: key, sort: this.sortParam() });
      if (key === this.key && client === this.community?.client) {
        this.live.clear();
        this._page = page;
      }
    } catch {
      // What is shown stays; the next change or reload tries again.
    }
  };

  /** Sort, the "new" count, and the moderators' tools. */
  private toolbar(page?: CommentPage) {
    const s = this.l.t;
    const me = this.me();
    // While the comments load, the same bar, out of reach: the list below starts where it will stay.
    if (!page)
      return html`<div part="toolbar" class="toolbar" aria-hidden="true" inert>
        <span>${s.sort}</span>
        <span class="sort">${(['oldest', 'newest', 'useful'] as const).map((k) => html`<button type="button" tabindex="-1">${s.sorts[k]}</button>`)}</span>
      </div>`;
    const fresh = page.items.filter((c) => isNew(c, { lastVisitAt: page.lastVisitAt, me })).length;
    return html`<div part="toolbar" class="toolbar">
      <span id="sort-label">${s.sort}</span>
      <span role="group" class="sort" aria-labelledby="sort-label">
        ${(['oldest', 'newest', 'useful'] as const).map(
          (k) =>
            html`<button type="button" aria-pressed=${k === this._sort ? 'true' : 'false'} @click=${() => this.resort(k)}>${s.sorts[k]}</button>`,
        )}
      </span>
      ${fresh ? html`<span class="badge">${s.newCount(fresh)}</span>` : nothing}
      ${page.moderator && page.pendingCount ? html`<span>${s.pendingCount(page.pendingCount)}</span>` : nothing}
      ${
        page.moderator
          ? html`<button type="button" @click=${() => this.lock(!page.thread.locked)}>${page.thread.locked ? s.unlock : s.lock}</button>`
          : nothing
      }
    </div>`;
  }

  /** The page's drafts and unsent posts (made by the first discussion, shared by the others). */
  private get outbox(): Outbox {
    return outboxOf(this.community!.client);
  }

  private me = () => (this.community?.session.status === 'member' ? this.community.session.member.id : undefined);

  private treeContext(page: CommentPage) {
    return {
      l: this.l,
      s: this.l.t,
      me: this.me(),
      moderator: !!page.moderator,
      locked: page.thread.locked,
      reactions: this._info?.reactions ?? DEFAULT_REACTIONS,
      labels: this._info?.reactionLabels,
      lastVisitAt: page.lastVisitAt,
      editWindowMs: (this._info?.editWindowSeconds ?? 900) * 1000,
      now: Date.now(),
      open: this._open,
      setSize: page.next ? -1 : page.items.length,
      box: (c: Comment, mode: Mode) => this.inlineBox(c, mode),
      react: (c: Comment, kind: string) => this.react(c, kind),
      toggle: (c: Comment, mode: Mode) => this.toggle(c, mode),
      moderate: (c: Comment, action: 'hide' | 'restore' | 'approve') => this.moderate(c, action),
      goTo: (id: string) => ((this.focusId = id), this.requestUpdate()),
      memberHref: this.memberHref ? (id: string) => this.memberHref!.replace('{id}', encodeURIComponent(id)) : undefined,
    };
  }

  /** The reply, edit, report, delete or "who reacted" box under a comment. */
  private inlineBox(c: Comment, mode: Mode) {
    return inlineBox(
      c,
      mode,
      {
        text: this._boxText,
        busy: this._busy,
        error: this._boxError,
        reactors: this._reactors?.comment === c.id ? this._reactors : undefined,
        reactionLabels: this._info?.reactionLabels,
        onCancel: () => this.toggle(c, mode),
        onDelete: () => this.erase(c),
        onFlag: (f) => this.report(c, f),
        onSave: () => (mode === 'edit' ? this.saveEdit(c) : this.sendReply(c)),
        onInput: (e) => {
          const t = e.target as HTMLTextAreaElement;
          this.writeBox(c, mode, t.value);
          this.boxMention?.typed(t);
        },
        mention: this.boxMention && this.combo(this.boxMention),
      },
      this.l,
    );
  }

  /** Members the reader may mention whose names start with `q`; undefined when not signed in. */
  private lookUp(q: string) {
    return this.community?.session.status === 'member' ? mentions(this.community.client, this.key, q) : undefined;
  }

  /** What the view of a box needs of its mention combobox. */
  private combo(m: MentionController): Combo {
    return {
      id: m.id,
      label: this.l.t.mentionList,
      empty: this.l.t.noMatch,
      found: (n) => this.l.t.mentionFound(n),
      open: m.open,
      pick: (member) => m.pick(member),
      onKeyDown: m.keydown,
    };
  }

  /** A new mention combobox for the reply or edit box of `c` (or none), the previous one let go. */
  private boxCombo(c: Comment, mode: Mode | undefined) {
    this.boxMention?.close();
    if (this.boxMention) this.removeController(this.boxMention);
    this.boxMention =
      mode === 'reply' || mode === 'edit'
        ? new MentionController(this, {
            id: 'mentions-' + c.id,
            lookUp: (q) => this.lookUp(q),
            textarea: () => this.renderRoot.querySelector<HTMLTextAreaElement>('#t-' + CSS.escape(c.id)),
            inserted: (text) => this.writeBox(c, mode, text),
          })
        : undefined;
    return this.boxMention;
  }

  private toggle(c: Comment, mode: Mode) {
    const closing = this._open?.id === c.id && this._open.mode === mode;
    this._open = closing ? undefined : { id: c.id, mode };
    this._boxError = undefined;
    const combo = this.boxCombo(c, closing ? undefined : mode);
    if (closing) {
      this.focusId = c.id;
      this.focusMode = { id: c.id, mode };
      return;
    }
    const outbox = this.outbox;
    const src = mode === 'edit' ? c.body : mode === 'reply' ? (outbox.get(Outbox.slot(this.key, c.id))?.body ?? '') : '';
    this._boxText = combo ? combo.load(src) : src;
    if (mode === 'who')
      reactors(this.community!.client, c.id).then(
        (r) => (this._reactors = r),
        (e) => (this._boxError = e),
      );
    this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>(`#box-${CSS.escape(c.id)} textarea, #box-${CSS.escape(c.id)} input, #box-${CSS.escape(c.id)} button`)
        ?.focus(),
    );
  }

  private writeBox(c: Comment, mode: Mode, text: string) {
    this._boxText = text;
    if (mode === 'reply') {
      const slot = Outbox.slot(this.key, c.id);
      this.outbox.write(slot, { ...this.outbox.get(slot), thread: this.key, parentId: c.id, body: this.boxSource() });
    }
  }

  /** Runs a write, reporting its failure in the open box (or the live region); returns its answer. */
  private async act<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      this._boxError = undefined;
      return await fn();
    } catch (e) {
      this._boxError = e as CercleError;
      this._note = this.l.t.actionErrors[(e as CercleError).code] ?? this.l.error(e as CercleError);
      return undefined;
    }
  }

  /** Puts the server's version of a comment in the page. */
  private replace(c: Comment) {
    if (this._page) this._page = replace(this._page, c);
  }

  private async sendReply(parent: Comment) {
    const slot = Outbox.slot(this.key, parent.id);
    const outbox = this.outbox;
    if (this._busy || !this._boxText.trim()) return;
    this._busy = true;
    await this.act(() => outbox.send(slot, { ...outbox.get(slot), thread: this.key, parentId: parent.id, body: this.boxSource() }));
    this._busy = false;
  }

  /** The source of the open reply or edit box, its mentions as markup. */
  private boxSource() {
    return this.boxMention ? this.boxMention.markup(this._boxText) : this._boxText;
  }

  /** A reply was stored: show it under its parent, close the box. */
  private replied(posted: Comment) {
    this.live.drop(posted.id);
    if (this._page) this._page = addReply(this._page, posted);
    this._open = undefined;
    this.boxCombo(posted, undefined);
    this._boxText = '';
    this._note = this.l.t.posted;
    this.focusId = posted.id;
    this.emit('cercle-comment-posted', { thread: this.key, comment: posted });
  }

  private async saveEdit(c: Comment) {
    const saved = await this.act(() => editComment(this.community!.client, c.id, this.boxSource()));
    if (!saved) return;
    this.replace(saved);
    this._open = undefined;
    this.boxCombo(c, undefined);
    this._note = this.l.t.saved;
    this.focusId = c.id;
  }

  private async erase(c: Comment) {
    const gone = await this.act(() => deleteComment(this.community!.client, c.id));
    if (!gone) return;
    this.replace(gone);
    this._open = undefined;
    this._note = this.l.t.deletedNote;
    this.focusId = c.id;
  }

  private async react(c: Comment, kind: string) {
    const mine = c.reactions.find((r) => r.kind === kind)?.mine;
    const r = await this.act(() => react(this.community!.client, c.id, kind, mine));
    if (r) this.replace({ ...c, reactions: r.reactions });
  }

  private async report(c: Comment, f: HTMLFormElement) {
    const data = new FormData(f);
    const note = String(data.get('note') ?? '').trim();
    const ok = await this.act(() => flagComment(this.community!.client, c.id, data.get('reason') as FlagReason, note));
    if (!ok) return;
    this.replace({ ...c, flagged: true });
    this._open = undefined;
    this._note = this.l.t.flagSent;
    this.focusId = c.id;
  }

  private async moderate(c: Comment, action: 'hide' | 'restore' | 'approve') {
    const r = await this.act(() => moderateComment(this.community!.client, c.id, action));
    if (!r) return;
    this.replace(r);
    const page = this._page!;
    if (action === 'approve' && page.pendingCount) this._page = pending(page, -1);
    this._note = this.l.t[action];
  }

  private async lock(locked: boolean) {
    const t = await this.act(() => lockThread(this.community!.client, this.key, locked));
    if (t && this._page) this._page = { ...this._page, thread: { ...this._page.thread, locked: t.locked } };
  }

  /** The sort to ask for; the server's default (oldest first) goes unsaid. */
  private sortParam = () => (this._sort === 'oldest' ? undefined : this._sort);

  /**
   * Reads the thread in another order. The buttons and the comments stay in place meanwhile (the feed
   * says it is busy), so focus stays on the button pressed.
   */
  private resort(sort: 'oldest' | 'newest' | 'useful') {
    if (sort === this._sort && !this._reloading) return;
    this._sort = sort;
    this.load(true);
  }

  /** Remembers how far the member has read (the newest comment shown). */
  private markRead(page: CommentPage) {
    if (this.community?.session.status !== 'member' || !page.items.length) return;
    const newest = page.items.reduce((a, c) => (c.createdAt > a ? c.createdAt : a), '');
    if (page.lastVisitAt && newest <= page.lastVisitAt) return;
    markRead(this.community.client, this.key, newest).catch(() => {});
  }

  private loginUrl = () => this.community?.loginUrl ?? this._info?.loginUrl;

  /** Why the thread is not shown: a members-only thread asks to sign in; a failure that may pass offers to try again. */
  private failure(error: CercleError) {
    const { l } = this;
    if (error.code === 'auth.missing') return signIn(l, this.loginUrl(), l.t.signInToRead);
    return html`<p>${error.code === 'thread.forbidden' ? l.error(error) : l.t.loadError}</p>
      <div><button @click=${() => this.load()}>${l.t.tryAgain}</button></div>`;
  }

  /** The form, or what stands in its place. */
  private box() {
    const session = this.community?.session;
    if (!session || session.status === 'loading' || (!this._page && !this._error))
      return html`<div class="ph form" aria-hidden="true"></div>`;
    if (session.status === 'error') return sessionError(session, this.l, 'actions');
    // A members-only thread already says to sign in, in its place.
    if (session.status === 'anonymous') return this._error?.code === 'auth.missing' ? nothing : signIn(this.l, this.loginUrl());
    if (this._error) return nothing;
    if (this._page?.thread.locked) return html`<p>${this.l.error(new CercleError(403, 'thread.locked'))}</p>`;
    return form(
      {
        text: this._text,
        size: this.mention.markup(this._text).length,
        max: this._info?.maxCommentLength ?? DEFAULT_MAX_COMMENT_LENGTH,
        busy: this._busy,
        failed: this._failed,
        error: this._sendError,
        onInput: (e) => {
          const t = e.target as HTMLTextAreaElement;
          this.write(t.value);
          this.mention.typed(t);
        },
        extras: {
          hint: this.l.t.hint,
          preview: this.l.t.preview,
          write: this.l.t.write,
          previewing: this._preview,
          rendered: this._text.trim() ? formatBody(this.mention.markup(this._text)) : this.l.t.nothingToPreview,
          onPreview: () => ((this._preview = !this._preview), this.mention.close()),
          mention: this.combo(this.mention),
        },
        onSubmit: (e) => (e.preventDefault(), this.send()),
        onRetry: () => this.send(),
      },
      this.l,
    );
  }

  /** Loads the first page of comments and the site's settings; `keep` leaves the comments shown until then. */
  private load = (keep = false) => {
    const { client } = this.community!;
    this._reloading = keep && !!this._page;
    if (!this._reloading) this._page = undefined;
    this._error = undefined;
    this.live.clear();
    return this.loader.run(
      () => Promise.all([listComments(client, { thread: this.key, sort: this.sortParam() }), client.site()]),
      ([page, info]) => {
        this._page = page;
        this._budget = FIRST;
        this._info = info;
        this._reloading = false;
        this.markRead(page);
        this.toAnchor();
      },
      (e) => ((this._error = e), (this._reloading = false)),
    );
  };

  /** Appends the next page and moves focus to its first comment. */
  private more = async () => {
    const page = this._page;
    if (!page?.next || this._loadingMore) return;
    this._loadingMore = true;
    try {
      const next = await listComments(this.community!.client, { thread: this.key, cursor: page.next, sort: this.sortParam() });
      if (page === this._page) {
        this._page = appendPage(page, next);
        this.markRead(next);
        this.focusId = next.items[0]?.id;
      }
    } catch (e) {
      this._note = this.l.error(e as CercleError);
    } finally {
      this._loadingMore = false;
    }
  };

  /** Keeps what the main box shows, and its source as the draft. */
  private write(text: string) {
    this._text = text;
    const draft = this.outbox.get(this.key);
    this.outbox.write(this.key, { ...draft, thread: this.key, body: this.mention.markup(text) });
  }

  private async send() {
    const outbox = this.outbox;
    const body = this.mention.markup(this._text);
    const max = this._info?.maxCommentLength ?? DEFAULT_MAX_COMMENT_LENGTH;
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
    this._text = this.mention.load('');
    this._sendError = undefined;
    this._note = this.l.t.posted;
    this.live.drop(posted.id);
    const page = this._page;
    if (page && !page.items.some((c) => c.id === posted.id))
      this._page = {
        ...page,
        thread: { ...page.thread, commentCount: page.thread.commentCount + 1 },
        items: [...page.items, posted],
      };
    this.emit('cercle-comment-posted', { thread: this.key, comment: posted });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-discussion': CercleDiscussion;
  }
  interface GlobalEventHandlersEventMap {
    'cercle-comment-submit': CustomEvent<CommentSubmitDetail>;
    'cercle-comment-posted': CustomEvent<CommentPostedDetail>;
  }
}
