import type { en } from './locales/en.js';

/**
 * The insights' dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'insights', {…})`).
 */
export type InsightsStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    insights: InsightsStrings;
  }
}
