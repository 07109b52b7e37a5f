import type { en } from './locales/en.js';

/**
 * The event feed's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'event-feed', {…})`).
 */
export type FeedStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'event-feed': FeedStrings;
  }
}

/** The localize controller of <cercle-event-feed>. */
