import type { en } from './locales/en.js';

/**
 * The search's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('nl', 'search', {…})`).
 */
export type SearchStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    search: SearchStrings;
  }
}
