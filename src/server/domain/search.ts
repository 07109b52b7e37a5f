import type { Visibility } from '../../contract/members.js';
import { parseMarkup, type Block, type Inline } from '../../contract/markup.js';
import type { MemberProfileRow, MemberRow } from '../store/schema.js';
import { fold, visibilitySettings } from './visibility.js';

/**
 * Full-text search, the parts both databases share: how typed text becomes search terms, which words of
 * a member's card each kind of reader may find them by, and the excerpt of a found comment.
 *
 * Words are letters and digits; everything else separates them, so a query can never carry FTS5 or
 * tsquery syntax (quotes, `*`, `-`, `NEAR`, `&`, `|`, `:`): those are either separators or plain words.
 * Every term matches as a word prefix ("dup" finds "Dupont"), ignoring case and accents.
 */

/** At most this many terms count in one query; the rest are ignored. */
export const MAX_TERMS = 8;
const WORD = /[\p{L}\p{N}]+/gu;

/** The search terms of typed text: folded (lower case, no accents) words, at most MAX_TERMS, each once. */
export function searchTerms(q: string): string[] {
  return [...new Set(fold(q).match(WORD) ?? [])].slice(0, MAX_TERMS);
}

/** An FTS5 query: every term as a quoted prefix (terms are letters and digits only), optionally within one column. */
export const fts5Query = (terms: readonly string[], column?: string) =>
  terms.map((t) => `${column ? `${column} : ` : ''}"${t}" *`).join(' AND ');

/** A PostgreSQL tsquery (for `to_tsquery('simple', …)`): every term as a prefix. */
export const tsQuery = (terms: readonly string[]) => terms.map((t) => `${t}:*`).join(' & ');

/**
 * The same accent folding as `fold`, in PostgreSQL with built-in immutable functions only (no `unaccent`
 * extension to create, which hosted databases often refuse): NFD, combining marks removed, lower case.
 * It is the expression the comment index is built on; a query must repeat it exactly to use the index.
 */
export const PG_FOLDED_BODY = `lower(regexp_replace(normalize(body, NFD), '[\\u0300-\\u036f]', '', 'g'))`;

/**
 * The index rows of one member. The directory matches a member on their name, expertise tags, headline,
 * company and role in the association, each with its own visibility; rather than checking visibility on
 * each match, each row holds only what one kind of reader may see, and a reader searches only the rows of
 * their kinds (`readerScopes`). So a hidden field cannot match, whatever the query:
 *
 * - `public`: fields visible to anyone, present only when the member is listed publicly;
 * - `members`: fields visible to any signed-in member, when listed to members;
 * - `chapter:<id>`, one a chapter of the member: what readers of that chapter see, when listed to them;
 * - `self:<pk>`: everything, for the member themself ("only me" means them alone).
 *
 * Each row's text includes the lower levels', so one row answers for a reader.
 */
export interface MemberSearchRow {
  scope: string;
  /** The folded name (what mention suggestions search). */
  name: string;
  /** The folded name and every field this scope may see. */
  doc: string;
}

const RANK: Record<Visibility, number> = { public: 0, members: 1, chapter: 2, private: 3 };

export function memberSearchRows(m: Pick<MemberRow, 'pk' | 'name' | 'chapters'>, p: MemberProfileRow | null): MemberSearchRow[] {
  const vis = visibilitySettings(p?.visibility);
  const name = fold(m.name);
  let tags: string[] = [];
  try {
    const v = JSON.parse(p?.expertise ?? '[]');
    if (Array.isArray(v)) tags = v.filter((t): t is string => typeof t === 'string');
  } catch {
    /* no tags */
  }
  const fields: [Visibility, string][] = [
    [vis.expertise, tags.join(' ')],
    [vis.headline, p?.headline ?? ''],
    [vis.company, p?.company ?? ''],
    [vis.associationRole, p?.association_role ?? ''],
  ];
  const docAt = (level: number) =>
    fold([m.name, ...fields.filter(([v, text]) => text && RANK[v] <= level).map(([, text]) => text)].join(' \n '));
  let chapters: string[] = [];
  try {
    const v = JSON.parse(m.chapters);
    if (Array.isArray(v)) chapters = v.filter((c): c is string => typeof c === 'string');
  } catch {
    /* none */
  }
  const listed = RANK[vis.listed];
  const rows: MemberSearchRow[] = [];
  if (listed <= RANK.public) rows.push({ scope: 'public', name, doc: docAt(RANK.public) });
  if (listed <= RANK.members) rows.push({ scope: 'members', name, doc: docAt(RANK.members) });
  if (listed <= RANK.chapter) {
    const doc = docAt(RANK.chapter);
    for (const c of new Set(chapters)) rows.push({ scope: `chapter:${c}`, name, doc });
  }
  rows.push({ scope: `self:${m.pk}`, name, doc: docAt(RANK.private) });
  return rows;
}

/** The index rows a reader may search: theirs and those of their kinds (see `memberSearchRows`). */
export function readerScopes(reader: { pk: string; chapters: readonly string[] } | null): string[] {
  if (!reader) return ['public'];
  return ['members', ...[...new Set(reader.chapters)].map((c) => `chapter:${c}`), `self:${reader.pk}`];
}

// ---- excerpts ---------------------------------------------------------------------

const inlineText = (c: Inline[]): string =>
  c.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? ' ' : n.t === 'mention' ? `@${n.name}` : inlineText(n.c))).join('');
const blockText = (b: Block): string =>
  b.t === 'p' ? inlineText(b.c) : b.t === 'pre' ? b.v : b.t === 'quote' ? b.c.map(blockText).join(' ') : b.items.map(inlineText).join(' ');

/** What a comment says, as plain text: its formatting marks gone, a mention as `@Name`, a link as its text. */
export const plainText = (source: string) => parseMarkup(source).map(blockText).join(' ');

export interface Excerpt {
  text: string;
  /** [start, end) offsets in `text` (UTF-16 code units, as JavaScript strings count) of the words that matched. */
  matches: [number, number][];
}

/**
 * A window of `text` around the first word that matches a term (by prefix, ignoring case and accents),
 * cut at word boundaries, with the offsets of every matching word in it. Plain text, never HTML: the
 * browser marks the ranges through its own bindings.
 */
export function excerpt(text: string, terms: readonly string[], size = 240): Excerpt {
  const flat = text.replace(/\s+/g, ' ').trim();
  const words: [number, number][] = [];
  for (const m of flat.matchAll(WORD)) {
    const w = fold(m[0]);
    if (terms.some((t) => w.startsWith(t))) words.push([m.index!, m.index! + m[0].length]);
  }
  let start = 0;
  if (flat.length > size && words.length) {
    start = Math.max(0, words[0][0] - Math.floor(size / 4));
    if (start > 0) {
      const space = flat.indexOf(' ', start);
      start = space >= 0 && space < words[0][0] ? space + 1 : words[0][0];
    }
  }
  let end = Math.min(flat.length, start + size);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  const lead = start > 0 ? '… ' : '';
  const out = lead + flat.slice(start, end) + (end < flat.length ? ' …' : '');
  const shift = lead.length - start;
  return {
    text: out,
    matches: words.filter(([a, b]) => a >= start && b <= end).map(([a, b]) => [a + shift, b + shift]),
  };
}
