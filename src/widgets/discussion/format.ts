import { html, nothing, type TemplateResult } from 'lit';
import { parseMarkup, safeHref, type Block, type Inline } from '../../contract/markup.js';
import type { MemberSummary } from '../../contract/resources.js';

/** How mentions are shown: current names by member id, and where a member's card lives (if anywhere). */
export interface FormatOptions {
  mentions?: readonly MemberSummary[];
  /** URL of a member's card on the host site, e.g. `id => '/membres/' + id`. */
  memberHref?: (id: string) => string | undefined;
}

/** Rel of every link a member writes: no endorsement, user content, no access to this page. */
export const LINK_REL = 'nofollow ugc noopener';

/**
 * Comment source → Lit templates. Every piece of user text goes through a binding (text or
 * attribute), never through HTML: there is no string here that the browser parses as markup.
 * Links keep only http, https and mailto targets; anything else stays visible as plain text.
 */
export function formatBody(src: string, opts: FormatOptions = {}): TemplateResult[] {
  const names = new Map((opts.mentions ?? []).map((m) => [m.id, m.name]));
  const inline = (n: Inline): TemplateResult | string => {
    switch (n.t) {
      case 'text':
        return n.v;
      case 'br':
        return html`<br />`;
      case 'code':
        return html`<code>${n.v}</code>`;
      case 'b':
        return html`<strong>${n.c.map(inline)}</strong>`;
      case 'i':
        return html`<em>${n.c.map(inline)}</em>`;
      case 'link': {
        const href = safeHref(n.href);
        if (!href) return html`${n.c.map(inline)} (${n.href})`;
        return html`<a href=${href} rel=${LINK_REL} target="_blank">${n.c.map(inline)}</a>`;
      }
      case 'mention': {
        const name = names.get(n.id) ?? n.name;
        const href = opts.memberHref?.(n.id);
        return href
          ? html`<a class="mention" part="mention" href=${href}>@${name}</a>`
          : html`<span class="mention" part="mention">@${name}</span>`;
      }
    }
  };
  const block = (b: Block): TemplateResult => {
    switch (b.t) {
      case 'p':
        return html`<p>${b.c.map(inline)}</p>`;
      case 'pre':
        return html`<pre><code>${b.v}</code></pre>`;
      case 'quote':
        return html`<blockquote>${b.c.map(block)}</blockquote>`;
      case 'ul':
        return html`<ul>${b.items.map((it) => html`<li>${it.map(inline)}</li>`)}</ul>`;
      case 'ol':
        return html`<ol start=${b.start === 1 ? nothing : b.start}>${b.items.map((it) => html`<li>${it.map(inline)}</li>`)}</ol>`;
    }
  };
  return parseMarkup(src).map(block);
}

/** The text around the caret that a mention is being typed as (`@cam` → `cam`), or null. */
export function mentionQuery(text: string, caret: number): { start: number; q: string } | null {
  const m = /(^|[\s(])@([\p{L}\p{N}][\p{L}\p{N}'’ -]{0,30})$/u.exec(text.slice(Math.max(0, caret - 40), caret));
  if (!m) return null;
  const q = m[2];
  if (/\s$/.test(q) && q.trim().split(/\s+/).length > 2) return null;
  return { start: caret - q.length - 1, q: q.trim() };
}

/** Replaces the `@query` being typed with a mention token; returns the new text and caret. */
export function insertMention(text: string, at: { start: number; q: string }, caret: number, m: Pick<MemberSummary, 'id' | 'name'>) {
  const token = `@[${m.name.replace(/[\]\n]/g, ' ')}](${m.id}) `;
  const next = text.slice(0, at.start) + token + text.slice(caret);
  return { text: next, caret: at.start + token.length };
}
