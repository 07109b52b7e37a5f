import type { en } from './locales/en.js';

/**
 * The administration's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'admin', {…})`).
 */
export type AdminStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    admin: AdminStrings;
  }
}
