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

/** The name a mention shows: what markup can hold (no `]`, no line break). */
export const mentionName = (name: string): string => name.replace(/[\]\n]/g, ' ').trim();

/** Replaces the `@query` being typed with `@Name ` as the member reads it; returns the new text and caret. */
export function insertMention(text: string, at: { start: number; q: string }, caret: number, m: Pick<MemberSummary, 'name'>) {
  const shown = `@${mentionName(m.name)} `;
  const next = text.slice(0, at.start) + shown + text.slice(caret);
  return { text: next, caret: at.start + shown.length };
}

/** Names → member ids of the mentions chosen in one box. */
export type MentionMap = Map<string, string>;

const MENTION = /(\\?)@\[([^\]\n]{1,120})\]\(([A-Za-z0-9_.:@-]{1,128})\)/g;
const CODE = /(`+)[^]*?\1/g;

/** `fn` applied to the text outside code spans, which keep what they say. */
function outsideCode(text: string, fn: (part: string) => string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(CODE)) {
    out += fn(text.slice(from, m.index)) + m[0];
    from = m.index + m[0].length;
  }
  return out + fn(text.slice(from));
}

/**
 * What a box shows of a comment's source: each `@[Name](id)` as `@Name`, its id put in `map`.
 * Code spans and escaped mentions stay as written.
 */
export function fromMarkup(src: string, map: MentionMap): string {
  return outsideCode(src, (part) =>
    part.replace(MENTION, (all, escaped: string, name: string, id: string) => {
      if (escaped) return all;
      map.set(name, id);
      return '@' + name;
    }),
  );
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The source to send for what a box shows: each `@Name` of a chosen member becomes `@[Name](id)`. A
 * mention whose text was changed no longer matches a name and stays plain text; the longest name wins.
 */
export function toMarkup(text: string, map: MentionMap): string {
  if (!map.size) return text;
  const names = [...map.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}_\\\\])@(${names})(?![\\p{L}\\p{N}_])`, 'gu');
  return outsideCode(text, (part) => part.replace(re, (_, name: string) => `@[${name}](${map.get(name)})`));
}
