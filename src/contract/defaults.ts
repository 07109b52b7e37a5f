/**
 * One source for each default the server and the widgets share. The server starts a site with these
 * settings; a widget falls back to them while the site's own settings are unknown.
 */

/** The reactions every site starts with; "useful" feeds the engagement ledger. */
export const DEFAULT_REACTIONS = ['thanks', 'useful', 'interested'] as const;

/** A new site's longest comment, in characters (a site may raise it up to `MAX_COMMENT_LENGTH`). */
export const DEFAULT_MAX_COMMENT_LENGTH = 5000;

/**
 * What the association calls its local groups, the same in every widget and language: `branch` is
 * "antenne" in French and "Zweigstelle" in German, `delegation` "délégation" and "delegación"… (the
 * words are in each language's `src/i18n/locales/`).
 */
export const CHAPTER_TERMS = ['chapter', 'branch', 'delegation', 'club', 'section'] as const;
export type ChapterTerm = (typeof CHAPTER_TERMS)[number];
export const DEFAULT_CHAPTER_TERM: ChapterTerm = 'chapter';

/** The largest number of reads one `POST /batch` carries. */
export const MAX_BATCH_READS = 20;

/** Most threads one comment-count read names (a listing page's articles). */
export const MAX_COUNT_THREADS = 100;
