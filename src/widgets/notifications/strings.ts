import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The notifications' dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('it', 'notifications', {…})`).
 */
export type NotificationStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    notifications: NotificationStrings;
  }
}

/** The localize controller of <cercle-notifications>. */
export type L = Localize<'notifications'>;
