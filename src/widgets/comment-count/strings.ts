import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The comment count's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'comment-count', {…})`).
 */
export type CommentCountStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'comment-count': CommentCountStrings;
  }
}

/** The localize controller of <cercle-comment-count>. */
export type L = Localize<'comment-count'>;
