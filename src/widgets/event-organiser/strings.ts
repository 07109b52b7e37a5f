import type { en } from './locales/en.js';

/** The organiser tools' dictionary: the shape of the English locale, which the others follow. */
export type OrganiserStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    'event-organiser': OrganiserStrings;
  }
}
