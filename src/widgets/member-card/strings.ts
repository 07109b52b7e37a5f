import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The member card's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'member-card', {…})`).
 */
export type CardStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'member-card': CardStrings;
  }
}

/** The localize controller of <cercle-member-card>. */
export type L = Localize<'member-card'>;
