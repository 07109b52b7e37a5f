import { html, nothing } from 'lit';
import type { L } from './strings.js';

/** "3 comments" / "No comments", a link to the page when there is one. */
export function count(n: number, l: L, href?: string) {
  const text = n === 0 ? l.t.none : l.t.count(n);
  return href ? html`<a part="base" href=${href}>${text}</a>` : html`<span part="base">${text}</span>`;
}

/** While counting: a quiet placeholder, named for assistive technology. */
export const skeleton = (l: L) => html`<span part="base" class="skeleton" role="status"><span class="sr">${l.t.loading}</span></span>`;

/** The count could not be read: said plainly, the reason in the tooltip. */
export const failed = (l: L, reason: string) => html`<span part="base" class="muted" title=${reason}>${l.t.loadError}</span>`;

/** A thread the reader may not read: nothing at all. */
export const hidden = () => nothing;
