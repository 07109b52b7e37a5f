import { html, nothing, type TemplateResult } from 'lit';
import type { Excerpt, SearchHit } from '../../contract/search.js';
import { exact, relative } from '../../i18n/localize.js';
import type { SearchStrings } from './strings.js';

/** What the search shows: nothing asked yet, a load under way, its answer, or why there is none. */
export type SearchState =
  | { kind: 'idle' }
  | { kind: 'no-words' }
  | { kind: 'loading' }
  | { kind: 'done'; hits: SearchHit[]; next: string | null }
  | { kind: 'error'; message: string };

interface L {
  t: SearchStrings;
  lang: string;
}

/** The excerpt's text with its matched words in `<mark>`: text through Lit bindings only, never HTML. */
export function marked(e: Excerpt): TemplateResult {
  const out: (string | TemplateResult)[] = [];
  let at = 0;
  for (const [start, end] of e.matches) {
    if (start < at || end > e.text.length || end <= start) continue;
    out.push(e.text.slice(at, start), html`<mark part="mark">${e.text.slice(start, end)}</mark>`);
    at = end;
  }
  out.push(e.text.slice(at));
  return html`${out}`;
}

/**
 * Where a result leads: the server's link to the comment on its page, else the page's `thread-href`
 * template with `{thread}` and `{comment}` filled in (for threads whose key is an id, not an address).
 */
export function hrefOf(h: SearchHit, template: string | undefined): string | null {
  if (h.url) return h.url;
  if (!template) return null;
  return template.replace(/\{thread\}/g, encodeURIComponent(h.thread.key)).replace(/\{comment\}/g, encodeURIComponent(h.comment));
}

export function resultView(h: SearchHit, l: L, template: string | undefined): TemplateResult {
  const t = l.t;
  const href = hrefOf(h, template);
  const title = h.thread.title || (h.url ? new URL(h.url).pathname : '') || t.untitled;
  return html`<li part="result">
    <article aria-labelledby=${'r-' + h.comment} tabindex="-1">
      <h3 id=${'r-' + h.comment} part="page">
        ${href ? html`<a part="link" href=${href}>${title}</a>` : html`<span>${title}</span>`}
      </h3>
      <p part="excerpt">${marked(h.excerpt)}</p>
      <p part="meta">
        ${t.by(h.author?.name ?? t.formerMember)} ·
        <time datetime=${h.createdAt} title=${exact(l, h.createdAt)}>${relative(l, h.createdAt)}</time>
      </p>
    </article>
  </li>`;
}

/** The sentence the polite live region reads out. */
export function statusText(s: SearchState, q: string, t: SearchStrings): string {
  switch (s.kind) {
    case 'idle':
      return '';
    case 'no-words':
      return t.noWords;
    case 'loading':
      return t.searching;
    case 'error':
      return s.message;
    case 'done':
      return s.hits.length ? (s.next ? t.moreThan(s.hits.length) : t.results(s.hits.length)) : t.none(q);
  }
}

export function resultsView(s: SearchState, l: L, template: string | undefined, more: () => void, busy: boolean, retry: () => void) {
  const hits = s.kind === 'done' ? s.hits : [];
  return html`
    <ol part="results" aria-label=${l.t.landmark} ?hidden=${!hits.length}>
      ${hits.map((h) => resultView(h, l, template))}
    </ol>
    ${
      s.kind === 'done' && s.next
        ? html`<button type="button" part="more" @click=${more} aria-disabled=${busy ? 'true' : 'false'}>${l.t.more}</button>`
        : nothing
    }
    ${s.kind === 'error' ? html`<button type="button" part="retry" @click=${retry}>${l.t.tryAgain}</button>` : nothing}
  `;
}
