import type { CercleError } from '../client/errors.js';
import { en as commonEn } from './locales/en.js';
import { fr as commonFr } from './locales/fr.js';

/** The nearest `lang` attribute from `node` up, crossing shadow roots; `<html lang>` last. */
function closestLang(node: Node | null): string {
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
 * A plural function string: `one` or `other` by `lang`'s plural rules, `#` standing for the number
 * written in `lang`; a second `#` in the text takes `rest`. E.g. `left: plural('en', '# character left', '# characters left')`.
 */
export const plural =
  (lang: string, one: string, other: string) =>
  (n: number, ...rest: string[]): string =>
    fill(once('p' + lang, () => new Intl.PluralRules(lang)).select(n) === 'one' ? one : other, n.toLocaleString(lang), ...rest);

/** A function string with placeholders: each `#` takes the next value, e.g. `since: fmt('Member since #')`. */
export const fmt =
  (text: string) =>
  (...values: (string | number)[]): string =>
    fill(text, ...values);

export const fill = (text: string, ...values: (string | number)[]) => {
  let i = 0;
  return text.replace(/#/g, () => String(values[i++] ?? ''));
};

/**
 * The dictionaries of every widget by name, each the shape of its English locale. A widget adds its
 * own with declaration merging (see `widgets/discussion/strings.ts`); `registerLocale` is typed by it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each widget through declaration merging
export interface Dictionaries {}

type Partial2<T> = { [K in keyof T]?: T[K] extends (...a: never[]) => unknown ? T[K] : T[K] extends object ? Partial<T[K]> : T[K] };

/** Languages a page added, by widget then by language tag (lower case). */
const registered: Record<string, Record<string, object>> = {};
/** Dictionaries already merged, by widget and tag; emptied when a language is registered. */
const merged = new Map<string, object>();

/**
 * Adds a language to a widget, or changes some of its strings, without forking the kit:
 * `registerLocale('de', 'discussion', { heading: 'Kommentare', … })`. A key left out falls back to
 * English; a region tag (`fr-CA`) falls back to its language (`fr`). Widgets already on the page
 * take it at their next render (set their `lang` to re-render them at once).
 */
export function registerLocale<W extends keyof Dictionaries>(lang: string, widget: W, strings: Partial2<Dictionaries[W]>): void {
  const byLang = (registered[widget as string] ??= {});
  const tag = lang.toLowerCase();
  byLang[tag] = { ...byLang[tag], ...strings };
  merged.clear();
}

/** Merges `over` onto `base`, one level down too (the `errors` and other maps), leaving out what `over` lacks. */
const overlay = (base: Record<string, unknown>, over: Record<string, unknown> | undefined) => {
  if (!over) return base;
  const out = { ...base };
  for (const k in over) {
    const b = base[k], o = over[k];
    out[k] = b && o && typeof b === 'object' && typeof o === 'object' ? { ...b, ...o } : o;
  }
  return out;
};

/**
 * The widget's language, dictionary and formats: its own `lang` attribute, else the provider's `lang`,
 * else the closest `lang` around it (`<html lang>`); English for a language nobody gave. `t` is the
 * dictionary: the built-in locales the widget passes (English and French), under what a page
 * registered for that widget.
 */
export class Localize<W extends keyof Dictionaries> {
  constructor(
    private host: HTMLElement,
    private preferred: () => string | undefined,
    private widget: W,
    private builtIn: { en: Dictionaries[W] } & Record<string, Dictionaries[W]>,
  ) {}

  get lang(): string {
    return this.host.getAttribute('lang') || this.preferred() || closestLang(this.host.parentNode) || 'en';
  }

  get t(): Dictionaries[W] {
    const tag = this.lang.toLowerCase();
    const key = this.widget + ' ' + tag;
    let t = merged.get(key);
    if (!t) {
      const base = tag.split('-')[0];
      const mine = registered[this.widget as string] ?? {};
      let d = this.builtIn.en as Record<string, unknown>;
      for (const over of [this.builtIn[base], mine[base], tag === base ? undefined : mine[tag]]) d = overlay(d, over as Record<string, unknown>);
      merged.set(key, (t = d));
    }
    return t as Dictionaries[W];
  }

  /**
   * A readable sentence for an error: by its code, then its family (`auth`, `network`). A sanction
   * (`member.muted`, `member.banned`) adds its reason and its end, from the kit's shared strings when
   * the widget's dictionary has none.
   */
  error(e: CercleError): string {
    const t = this.t as Partial<typeof commonEn>;
    const common = overlay(/^fr/i.test(this.lang) ? commonFr : commonEn, t) as typeof commonEn;
    const m = (t.errors ?? {}) as Record<string, string>;
    const text = m[e.code] ?? common.errors[e.code] ?? m[e.code.split('.')[0]] ?? m.other ?? common.errors.other;
    const s = e.sanction;
    if (!s) return text;
    return [text, fill(common.sanctionReason, s.reason), s.endsAt ? fill(common.sanctionUntil, exact(this, s.endsAt)) : common.sanctionOpen].join(' ');
  }
}

/** "3 hours ago", "yesterday"… in `l`'s language. Functions, not methods: entries without dates do not carry them. */
export function relative(l: { lang: string }, iso: string, now = Date.now()): string {
  let v = (Date.parse(iso) - now) / 1000;
  let i = 0;
  while (Math.abs(v) >= units[i][1]) v /= units[i++][1];
  const lang = l.lang;
  return once('r' + lang, () => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })).format(Math.round(v), units[i][0]);
}

/** Full date and time in `l`'s language, for a tooltip. */
export function exact(l: { lang: string }, iso: string): string {
  const lang = l.lang;
  return once('d' + lang, () => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' })).format(new Date(iso));
}
