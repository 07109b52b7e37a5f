import type { CercleError } from '../client/errors.js';
import { en, type Plural, type Strings } from './en.js';
import { fr } from './fr.js';

/** The nearest `lang` attribute from `node` up, crossing shadow roots; `<html lang>` last. */
export function closestLang(node: Node | null): string {
  while (node) {
    if ((node as HTMLElement).lang) return (node as HTMLElement).lang;
    node = node.parentNode ?? (node as ShadowRoot).host ?? null;
  }
  return '';
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/**
 * Intl formatters are slow to make (a fraction of a millisecond each: a thousand comments, made two
 * thousand): one of each kind and language, kept for the page.
 */
const made = new Map<string, unknown>();
function once<T>(key: string, make: () => T): T {
  let f = made.get(key) as T | undefined;
  if (!f) made.set(key, (f = make()));
  return f;
}

/**
 * The element's language and formats, without any dictionary: its own `lang`
 * attribute, else the provider's `lang`, else the closest `lang` around it
 * (`<html lang>`). A widget that keeps all its strings in its own module uses
 * this alone and does not carry the shared dictionaries in its bundle.
 */
export class Lang {
  constructor(
    private host: HTMLElement,
    private preferred: () => string | undefined,
  ) {}

  get lang(): string {
    return this.host.getAttribute('lang') || this.preferred() || closestLang(this.host.parentNode) || 'en';
  }

  /** French for any `fr*` tag, English otherwise. */
  get fr(): boolean {
    return /^fr\b/i.test(this.lang);
  }

  /** Picks the plural form for `n` and puts the number in place of `#`. */
  plural(forms: Plural, n: number): string {
    const lang = this.lang;
    return (forms[once('p' + lang, () => new Intl.PluralRules(lang)).select(n)] ?? forms.other).replace('#', n.toLocaleString(lang));
  }

}

/** "3 hours ago", "yesterday"… in `l`'s language. Functions, not methods: entries without dates do not carry them. */
export function relative(l: Lang, iso: string, now = Date.now()): string {
  let v = (Date.parse(iso) - now) / 1000;
  let i = 0;
  while (Math.abs(v) >= units[i][1]) v /= units[i++][1];
  const lang = l.lang;
  return once('r' + lang, () => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })).format(Math.round(v), units[i][0]);
}

/** Full date and time in `l`'s language, for a tooltip. */
export function exact(l: Lang, iso: string): string {
  const lang = l.lang;
  return once('d' + lang, () => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' })).format(new Date(iso));
}

/**
 * `Lang` with dictionaries: the shared ones (`fr.ts`, `en.ts`) by default, or a
 * widget's own built on them. French for any `fr*` tag, English otherwise.
 */
export class Localize<S extends Strings = Strings> extends Lang {
  constructor(
    host: HTMLElement,
    preferred: () => string | undefined,
    private dictionaries = { en, fr } as { en: S; fr: S },
  ) {
    super(host, preferred);
  }

  get t(): S {
    return this.fr ? this.dictionaries.fr : this.dictionaries.en;
  }

  /** A readable sentence for an error: by its code, then its family (`auth`, `network`). */
  error(e: CercleError): string {
    const m = this.t.errors;
    return m[e.code] ?? m[e.code.split('.')[0]] ?? m.other;
  }
}
