import { z } from 'zod/mini';
import { Cursor, Id, Limit, Line, SiteId, Timestamp, page } from './common.js';
import { MemberSummary } from './resources.js';
import type { RouteSpec } from './route.js';

/** Longest search text, in characters. Only the first 8 words count. */
export const MAX_SEARCH_LENGTH = 200;

export const SearchQuery = z.strictObject({
  /** Words to find: each matches a word starting with it, ignoring case and accents; every word must match. */
  q: Line.check(z.trim(), z.minLength(1), z.maxLength(MAX_SEARCH_LENGTH)),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** A piece of a comment's text, plain (never HTML), with where the searched words are in it. */
export const Excerpt = z.object({
  text: z.string(),
  /** [start, end) offsets in `text`, in UTF-16 code units (JavaScript string indexes), in order. */
  matches: z.array(z.tuple([z.int().check(z.gte(0)), z.int().check(z.gte(0))])),
});
export type Excerpt = z.infer<typeof Excerpt>;

/** One comment that matched a search. */
export const SearchHit = z.object({
  comment: Id,
  thread: z.object({
    /** The thread key: the page URL, or an id the site chose. */
    key: z.string(),
    title: z.nullable(z.string()),
  }),
  /** The page and the comment on it (`#comment-<id>`), when the thread key is the page's http(s) address. */
  url: z.nullable(z.string()),
  /** Null when the author erased their data. */
  author: z.nullable(MemberSummary),
  excerpt: Excerpt,
  createdAt: Timestamp,
  editedAt: z.nullable(Timestamp),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchPage = page(SearchHit);
export type SearchPage = z.infer<typeof SearchPage>;

const SiteParams = z.strictObject({ site: SiteId });

export const searchRoutes = {
  searchDiscussions: {
    method: 'get',
    path: '/v1/sites/{site}/search',
    summary: 'What members said anywhere on the site: published comments matching every word, newest first',
    auth: 'optional',
    params: SiteParams,
    query: SearchQuery,
    ok: {
      status: 200,
      schema: SearchPage,
      description:
        'Comments the reader may read (thread audiences applied; hidden, held and deleted comments never appear), newest first. 400 `search.no_terms` when `q` has no letter or digit.',
    },
  },
} as const satisfies Record<string, RouteSpec>;
