import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The engagement badge's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'engagement-badge', {…})`).
 */
export type EngagementStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'engagement-badge': EngagementStrings;
  }
}

/** The localize controller of <cercle-engagement-badge>. */
export type L = Localize<'engagement-badge'>;
