import type { en } from './locales/en.js';

/**
 * The member directory's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'member-directory', {…})`).
 */
export type DirectoryStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'member-directory': DirectoryStrings;
  }
}

/** The localize controller of <cercle-member-directory>. */
