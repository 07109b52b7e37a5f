import type { Localize } from '../../i18n/localize.js';
import type { en } from './locales/en.js';

/**
 * The back office's dictionary: the shape of its English locale, which every other locale follows
 * (`locales/fr.ts`, or one a page adds with `registerLocale('de', 'moderation', {…})`).
 */
export type ModerationStrings = typeof en;

declare module '../../i18n/localize.js' {
  interface Dictionaries {
    moderation: ModerationStrings;
  }
}

/** The localize controller of <cercle-moderation>. */
export type L = Localize<'moderation'>;

/** The message for an error: the widget's own for known codes, else by family. */
export function errorText(s: ModerationStrings, err: { code?: string; status?: number }): string {
  const code = err.code ?? '';
  return s.errors[code] ?? (code.startsWith('auth.') ? s.errors.auth : code.startsWith('network.') ? s.errors.network : s.errors.other);
}
