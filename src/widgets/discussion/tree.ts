import { html, nothing, type TemplateResult } from 'lit';
import type { Comment } from '../../contract/resources.js';
import { exact, relative } from '../../i18n/localize.js';
import type { L as Localize } from './strings.js';
import { formatBody } from './format.js';
import type { DiscussionStrings } from './strings.js';
import { avatar, type Mode } from './views.js';

/** Replies nest this deep; deeper ones are listed flat under the third level, each saying whom it answers. */
const MAX_DEPTH = 3;

export interface TreeContext {
  l: Localize;
  s: DiscussionStrings;
  /** The reader's member id, when signed in. */
  me?: string;
  moderator: boolean;
  locked: boolean;
  reactions: readonly string[];
  labels?: Record<string, Record<string, string>>;
  lastVisitAt?: string | null;
  editWindowMs: number;
  now: number;
  open?: { id: string; mode: Mode };
  /** How many comments the feed holds (`aria-setsize`): -1 while more can be loaded. */
  setSize: number;
  /** Where a member's card lives on the host site (from `member-href`): authors and mentions link there. */
  memberHref?: (id: string) => string;
  /** The inline box of the open comment (reply, edit, flag, delete, who reacted). */
  box(c: Comment, mode: Mode): TemplateResult | typeof nothing;
  react(c: Comment, kind: string): void;
  toggle(c: Comment, mode: Mode): void;
  moderate(c: Comment, action: 'hide' | 'restore' | 'approve'): void;
  goTo(id: string): void;
}

const label = (ctx: TreeContext, kind: string) =>
  ctx.labels?.[kind]?.[/^fr\b/i.test(ctx.l.lang) ? 'fr' : 'en'] ?? ctx.s.reactions[kind] ?? kind;

/** Whether a comment is new to the reader: after their last visit, and not theirs. */
export const isNew = (c: Comment, ctx: Pick<TreeContext, 'lastVisitAt' | 'me'>) =>
  !!ctx.lastVisitAt && c.createdAt > ctx.lastVisitAt && c.author?.id !== ctx.me && c.status === 'published';

/** Escape on a comment's buttons closes its open box (who reacted, say, which takes no focus of its own). */
function closeOnEscape(e: KeyboardEvent, c: Comment, ctx: TreeContext) {
  const open = ctx.open;
  if (e.key !== 'Escape' || e.defaultPrevented || open?.id !== c.id) return;
  e.preventDefault();
  ctx.toggle(c, open.mode);
}

function actions(c: Comment, ctx: TreeContext): TemplateResult | typeof nothing {
  const { s } = ctx;
  if (c.status === 'deleted') return nothing;
  const own = !!ctx.me && c.author?.id === ctx.me;
  const member = !!ctx.me;
  const published = c.status === 'published';
  const canReact = member && !own && published && !ctx.locked;
  const counts = new Map(c.reactions.map((r) => [r.kind, r]));
  const opened = (mode: Mode) => ctx.open?.id === c.id && ctx.open.mode === mode;
  const editable = own && c.status !== 'hidden' && !ctx.locked && ctx.now - Date.parse(c.createdAt) < ctx.editWindowMs;
  const btn = (mode: Mode, text: string) =>
    html`<button type="button" data-mode=${mode} aria-expanded=${opened(mode) ? 'true' : 'false'} @click=${() => ctx.toggle(c, mode)}>${text}</button>`;
  const kinds = published ? ctx.reactions.filter((k) => canReact || counts.get(k)?.count) : [];
  return html`
    <div part="comment-actions" @keydown=${(e: KeyboardEvent) => closeOnEscape(e, c, ctx)}>
      ${
        kinds.length
          ? html`<span role="group" aria-label=${s.reactionsOf}>${kinds.map((k) => {
              const r = counts.get(k);
              // "Thanks, 2": the comma, unseen, keeps a screen reader from saying "Thanks2".
              const text = html`${label(ctx, k)}${r?.count ? html`<span class="sr">,</span> <span class="n">${r.count}</span>` : nothing}`;
              return canReact
                ? html`<button type="button" class="reaction" aria-pressed=${r?.mine ? 'true' : 'false'} @click=${() => ctx.react(c, k)}>${text}</button>`
                : html`<span class="reaction">${text}</span>`;
            })}</span>`
          : nothing
      }
      ${member && c.reactions.length ? btn('who', s.who) : nothing}
      ${member && published && !ctx.locked ? btn('reply', s.reply) : nothing}
      ${editable ? btn('edit', s.edit) : nothing}
      ${own ? btn('delete', s.del) : nothing}
      ${member && !own && published ? (c.flagged ? html`<span class="muted">${s.flagged}</span>` : btn('flag', s.flag)) : nothing}
      ${
        ctx.moderator
          ? html`${c.status === 'pending' ? html`<button type="button" @click=${() => ctx.moderate(c, 'approve')}>${s.approve}</button>` : nothing}
          ${
            c.status === 'hidden'
              ? html`<button type="button" @click=${() => ctx.moderate(c, 'restore')}>${s.restore}</button>`
              : html`<button type="button" @click=${() => ctx.moderate(c, 'hide')}>${s.hide}</button>`
          }
          ${c.flagCount ? html`<span class="flags">${ctx.s.flags(c.flagCount)}</span>` : nothing}`
          : nothing
      }
    </div>
    ${ctx.open?.id === c.id ? ctx.box(c, ctx.open.mode) : nothing}
  `;
}

function body(c: Comment, ctx: TreeContext) {
  const { s, l } = ctx;
  if (c.status === 'deleted') return html`<p class="gone" id=${'g-' + c.id}>${l.t.deleted}</p>`;
  const own = !!ctx.me && c.author?.id === ctx.me;
  if (c.status === 'hidden' && !c.body) return html`<p class="gone" id=${'g-' + c.id}>${s.hidden}</p>`;
  return html`${c.status === 'hidden' ? html`<p class="note">${own ? s.hiddenOwn : s.hidden}</p>` : nothing}
    ${c.status === 'pending' && own ? html`<p class="note">${s.held}</p>` : nothing}
    ${formatBody(c.body, { mentions: c.mentions, memberHref: ctx.memberHref })}`;
}

/**
 * A tombstone: a deleted comment, or a hidden one shown without its text. The server sends it
 * without its author (whoever deleted it, the author or an erasure), so it names nobody: "Former
 * member" is only for a comment that stands without its author.
 */
export const isTombstone = (c: Comment) => !c.author && (c.status === 'deleted' || (c.status === 'hidden' && !c.body));

/**
 * One comment as an article of the feed, at `pos` (1-based) in it; `parent` is named when the comment
 * is shown away from it (flattened).
 */
export function article(c: Comment, ctx: TreeContext, pos: number, parent?: Comment): TemplateResult {
  const { l, s } = ctx;
  const fresh = isNew(c, ctx);
  const tomb = isTombstone(c);
  const name = c.author?.name ?? l.t.former;
  const href = c.author && ctx.memberHref?.(c.author.id);
  return html`
    <article part="comment" id=${'c-' + c.id} tabindex="-1" aria-labelledby=${(tomb ? 'g-' : 'n-') + c.id}
      aria-posinset=${pos} aria-setsize=${ctx.setSize} class=${fresh ? 'new' : ''} data-status=${c.status}>
      <header>
        ${avatar(c.author)}
        ${tomb ? nothing : html`<h3 part="name" id=${'n-' + c.id}>${href ? html`<a href=${href}>${name}</a>` : name}</h3>`}
        <p part="meta">
          <time datetime=${c.createdAt} title=${exact(l, c.createdAt)}>${relative(l, c.createdAt, ctx.now)}</time
          ><span class="sr"> (${exact(l, c.createdAt)})</span>${c.editedAt ? ` · ${l.t.edited}` : nothing}${c.status === 'pending' ? ` · ${l.t.pending}` : nothing}${
            fresh ? html` · <strong class="badge">${s.isNew}</strong>` : nothing
          }${
            parent
              ? html` · <a href=${'#c-' + parent.id} @click=${(e: Event) => (e.preventDefault(), ctx.goTo(parent.id))}
                >${s.inReplyTo(parent.author?.name ?? (isTombstone(parent) ? s.aDeleted : l.t.former))}</a
              >`
              : nothing
          }
        </p>
      </header>
      <div part="body">${body(c, ctx)}</div>
      ${actions(c, ctx)}
    </article>
  `;
}

/**
 * The page's comments as a tree: top-level comments in the page's order, replies nested under them to
 * `MAX_DEPTH`, deeper replies listed flat at that level, oldest first. Every comment is an article of the
 * one feed (numbered in reading order); the wrappers carry no role, so the feed owns its articles directly.
 *
 * The first threads of the feed, whole, until at least `budget` articles are in (every thread when
 * `budget` is Infinity): the feed's start renders at once and the rest follows in later chunks.
 * Articles keep their numbers in the whole feed (`aria-posinset`), the later ones coming after.
 * `shown` is how many articles the parts hold, `total` how many the whole feed holds.
 */
export function treeUpTo(
  items: readonly Comment[],
  ctx: TreeContext,
  budget: number,
): { parts: TemplateResult[]; shown: number; total: number } {
  const byId = new Map(items.map((c) => [c.id, c]));
  const kids = new Map<string, Comment[]>();
  const roots: Comment[] = [];
  for (const c of items) {
    if (c.parentId && byId.has(c.parentId)) kids.set(c.parentId, [...(kids.get(c.parentId) ?? []), c]);
    else roots.push(c);
  }
  const below = (c: Comment): Comment[] => (kids.get(c.id) ?? []).flatMap((k) => [k, ...below(k)]);
  // Templates are built in reading order, so a counter numbers the articles as they are read.
  let pos = 0;
  const node = (c: Comment, depth: number): TemplateResult => {
    const children = kids.get(c.id) ?? [];
    if (depth >= MAX_DEPTH) {
      // Every descendant in time order, each naming the comment it answers.
      const flat = below(c).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      const first = html`<div class="node">${article(c, ctx, ++pos)}</div>`;
      return html`${first}${flat.map((d) => html`<div class="node">${article(d, ctx, ++pos, byId.get(d.parentId!))}</div>`)}`;
    }
    const self = article(c, ctx, ++pos);
    return html`<div class="node">
      ${self}
      ${children.length ? html`<div class="replies">${children.map((k) => node(k, depth + 1))}</div>` : nothing}
    </div>`;
  };
  const parts: TemplateResult[] = [];
  for (const r of roots) {
    if (pos >= budget) break;
    parts.push(node(r, 0));
  }
  return { parts, shown: pos, total: items.length };
}
