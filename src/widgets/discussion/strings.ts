import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The discussion's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'discussion', {…})`).
 */
export type DiscussionStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    discussion: DiscussionStrings;
  }
}

/** The localize controller of <cercle-discussion>. */
export type L = Localize<'discussion'>;
