import type { CercleError } from '../client/errors.js';
import { en as commonEn, type CommonStrings } from './locales/en.js';
import { DEFAULT_CHAPTER_TERM, type ChapterTerm } from '../contract/defaults.js';

export type { TermWords } from './terms.js';

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

const TERM = Symbol.for('cercle.term');
/**
 * A string that names the association's local groups, as the site calls them (its `chapterTerm`
 * setting): `Localize` calls `f` with the term and shows what it returns, a string or a function string:
 * `chapters: term((t) => fmt(cap(words[t].many) + ': #'))`. Typed as what `f` returns.
 */
export const term = <T>(f: (t: ChapterTerm) => T): T => Object.assign((t: ChapterTerm) => f(t), { [TERM]: true }) as unknown as T;
const isTerm = (v: unknown): v is (t: ChapterTerm) => unknown => typeof v === 'function' && TERM in v;
/** Capitalised: "chapter" → "Chapter". */
export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const fill = (text: string, ...values: (string | number)[]) => {
  let i = 0;
  return text.replace(/#/g, () => String(values[i++] ?? ''));
};

/**
 * The dictionaries of every widget by name, each the shape of its English locale. A widget adds its
 * own with declaration merging (see `widgets/discussion/strings.ts`); `registerLocale` is typed by it.
 */
export interface Dictionaries {
  /** The strings every widget shares (errors, sanctions, sign-in), which a widget's own dictionary may override. */
  common: CommonStrings;
}

type Partial2<T> = { [K in keyof T]?: T[K] extends (...a: never[]) => unknown ? T[K] : T[K] extends object ? Partial<T[K]> : T[K] };

/** Set by the library build: where the language modules are, next to the entry. */
declare const __CERCLE_LOCALES__: string | undefined;
const built = typeof __CERCLE_LOCALES__ === 'string';

/**
 * The languages the kit ships as modules of their own (`locales/<lang>.js`), loaded when a widget first
 * needs one. English is built into every widget.
 */
export const shippedLanguages = ['fr', 'de', 'es'];

/**
 * What pages and language modules registered, shared by every copy of the kit on the page (a widget
 * entry and a language module are separate files): by widget, then language tag (lower case); `warn`
 * turns the missing-string warnings on.
 */
type Registry = {
  dicts: Record<string, Record<string, object>>;
  warn?: boolean;
  /** Set by the loader (`cercle.js`): imports a shipped language from its content-hashed chunk. */
  load?: (lang: string) => Promise<unknown> | undefined;
};
const registry: Registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('cercle.locales')] ??= { dicts: {} }) as Registry;
const registered = registry.dicts;
/** The event `registerLocale` fires on `window`: widgets on the page render again in the new strings. */
const CHANGED = 'cercle-locale';
/** Dictionaries already merged, by widget and tag; emptied when a language is registered. */
const merged = new Map<string, object>();
if (typeof addEventListener === 'function') addEventListener(CHANGED, () => merged.clear());

/**
 * Adds a language to a widget, or changes some of its strings, without forking the kit:
 * `registerLocale('de', 'discussion', { heading: 'Kommentare', … })`. A key left out falls back to
 * English; a region tag (`fr-CA`) falls back to its language (`fr`). Widgets already on the page
 * render again in it.
 */
export function registerLocale<W extends keyof Dictionaries>(lang: string, widget: W, strings: Partial2<Dictionaries[W]>): void {
  const byLang = (registered[widget as string] ??= {});
  const tag = lang.toLowerCase();
  byLang[tag] = { ...byLang[tag], ...strings };
  merged.clear();
  if (typeof dispatchEvent === 'function') dispatchEvent(new CustomEvent(CHANGED, { detail: { lang: tag, widget } }));
}

/**
 * Turns the console warning off (or on again) that says, once per key, that a language lacks a string
 * and English stands in for it. Development only: the kit run from its sources warns, the built files
 * (production) never do.
 */
export function warnMissingStrings(on = true): void {
  registry.warn = on;
  warned.clear();
}
const warned = new Set<string>();

/** Merges `over` onto `base`, one level down too (the `errors` and other maps), leaving out what `over` lacks. */
const overlay = (base: Record<string, unknown>, over: Record<string, unknown> | undefined) => {
  if (!over) return base;
  const out = { ...base };
  for (const k in over) {
    const b = base[k],
      o = over[k];
    out[k] = b && o && typeof b === 'object' && typeof o === 'object' ? { ...b, ...o } : o;
  }
  return out;
};

/** The keys of `en` (and of its maps, as `errors.other`) that none of `layers` gives. */
const missing = (en: Record<string, unknown>, layers: (Record<string, unknown> | undefined)[]): string[] => {
  const out: string[] = [];
  for (const k in en) {
    const has = layers.filter((d) => d && k in d).map((d) => d![k]);
    if (!has.length) out.push(k);
    else if (en[k] && typeof en[k] === 'object')
      for (const sub in en[k] as object) if (!has.some((d) => d && typeof d === 'object' && sub in d)) out.push(k + '.' + sub);
  }
  return out;
};

/** Widgets whose strings name the local groups. */
const asked = new Set<string>();

/** Language modules asked for, so that each is imported once, until they are in (or failed). */
const loading = new Map<string, Promise<unknown>>();
const load = (lang: string) => {
  if (loading.has(lang) || !shippedLanguages.includes(lang)) return;
  // The loader knows its chunks; the library build puts `locales/<lang>.js` beside each entry; the sources keep them in `src/locales/`.
  const url = new URL(built ? __CERCLE_LOCALES__! + lang + '.js' : '../locales/' + lang + '.ts', import.meta.url);
  const p = (registry.load?.(lang) ?? import(/* @vite-ignore */ url.href)).catch(() => console.warn('cercle: no strings at ' + url));
  loading.set(lang, p);
  // Rendered in English for good if it never comes: the widgets wait for it at most this long.
  void p.finally(() => loading.set(lang, Promise.resolve()));
};

/** Each widget's `Localize`, for {@link languageReady}. */
const ofHost = new WeakMap<Element, { ready(): Promise<unknown> | undefined }>();

/** Settles once `host`'s language is in (see `Localize.ready`); undefined when nothing is awaited. */
export const languageReady = (host: Element): Promise<unknown> | undefined => ofHost.get(host)?.ready();

/** How long a widget's first render waits for its language module (then it renders in English, and again when the module is in). */
const LANGUAGE_WAIT = 3000;

type Host = HTMLElement & {
  addController?(c: object): void;
  requestUpdate?(): void;
  renderRoot?: ParentNode;
  chapterTerm?: ChapterTerm;
  readChapterTerm?(): void;
};

/**
 * The widget's language, dictionary and formats: its own `lang` attribute, else the provider's `lang`,
 * else the closest `lang` around it (`<html lang>`). `t` is the dictionary: the built-in locale the
 * widget passes (English), under what a page or a language module registered for that widget. A
 * language the kit ships as a module (`fr`, `de`, `es`) is imported the first time a widget needs it;
 * the widget's first render waits for it (see `ready`), and it renders again when one comes later. `lang` is the language of the text shown, which
 * the widget's top elements carry: English (with the page's region for dates) when nobody gave that
 * language.
 */
export class Localize<W extends keyof Dictionaries> {
  constructor(
    private host: Host,
    private preferred: () => string | undefined,
    private widget: W,
    private builtIn: { en: Dictionaries[W] } & Record<string, Dictionaries[W]>,
  ) {
    host.addController?.(this);
    ofHost.set(host, this);
  }

  private refresh = () => this.host.requestUpdate?.();
  /** Whether the host was asked to read the site's word for its local groups. */
  private termRead = false;

  hostConnected(): void {
    addEventListener(CHANGED, this.refresh);
    // Asked now, so that the language module is on its way before the first render.
    void this.lang;
  }

  /**
   * Settles once the strings of the language asked for are in: at once for English or a language
   * registered, after its module for a shipped one (at most {@link LANGUAGE_WAIT}). A widget's first
   * render waits for it, so that a French page never flashes English.
   */
  ready(): Promise<unknown> | undefined {
    if (this.has(this.requested.toLowerCase())) return;
    void this.lang;
    const p = loading.get(this.requested.split('-')[0].toLowerCase());
    return p && Promise.race([p, new Promise((ok) => setTimeout(ok, LANGUAGE_WAIT))]);
  }

  hostDisconnected(): void {
    removeEventListener(CHANGED, this.refresh);
  }

  /** Marks the rendered text with its language, which may differ from the host's `lang` (English standing in). */
  hostUpdated(): void {
    const lang = this.lang;
    for (const el of Array.from(this.host.renderRoot?.children ?? [])) if (el.getAttribute('lang') !== lang) el.setAttribute('lang', lang);
  }

  /** The language asked for: the widget's `lang`, the provider's, the page's; `en` when none. */
  get requested(): string {
    return this.host.getAttribute('lang') || this.preferred() || closestLang(this.host.parentNode) || 'en';
  }

  /** Whether some strings exist for `tag` (built in, registered, or a region's language). */
  private has(tag: string): boolean {
    const base = tag.split('-')[0];
    const mine = registered[this.widget as string] ?? {};
    return !!(this.builtIn[base] || mine[base] || mine[tag]);
  }

  /**
   * The language of the text shown and of its dates and numbers: the one asked for when there are
   * strings for it; else English with the asked-for region (`pt-BR` → `en-BR`), while a shipped
   * language module loads or for a language nobody gave.
   */
  get lang(): string {
    const asked = this.requested;
    const tag = asked.toLowerCase();
    if (this.has(tag)) return asked;
    load(tag.split('-')[0]);
    const region = /^[a-z]{2,3}(?:-[a-z]{4})?-([a-z]{2}|\d{3})\b/i.exec(asked)?.[1];
    return region ? 'en-' + region.toUpperCase() : 'en';
  }

  /** What the site calls its local groups (its `chapterTerm` setting, which the widget reads). */
  get term(): ChapterTerm {
    return this.host.chapterTerm ?? DEFAULT_CHAPTER_TERM;
  }

  get t(): Dictionaries[W] {
    const tag = this.lang.toLowerCase();
    const term = this.term;
    const key = this.widget + ' ' + tag + ' ' + term;
    let t = merged.get(key);
    if (!t) {
      const base = tag.split('-')[0];
      const mine = registered[this.widget as string] ?? {};
      const layers = [this.builtIn[base], mine[base], tag === base ? undefined : mine[tag]] as (Record<string, unknown> | undefined)[];
      let d = this.builtIn.en as Record<string, unknown>;
      for (const over of layers) d = overlay(d, over);
      if (!built && base !== 'en' && registry.warn !== false)
        for (const k of missing(this.builtIn.en as Record<string, unknown>, layers)) {
          const id = `${this.widget} ${base} ${k}`;
          if (!warned.has(id)) {
            warned.add(id);
            console.warn(`cercle: no ${base} string for ${this.widget} "${k}"; showing English.`);
          }
        }
      // Strings that name the local groups, in the site's own word (which the widget then reads).
      let named = false;
      const words = (m: Record<string, unknown>) => {
        const out = { ...m };
        for (const k in out) {
          const v = out[k];
          if (isTerm(v)) {
            out[k] = v(term);
            named = true;
          } else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = words(v as Record<string, unknown>);
        }
        return out;
      };
      merged.set(key, (t = words(d)));
      if (named) asked.add(this.widget);
    }
    if (asked.has(this.widget) && !this.host.chapterTerm && !this.termRead) {
      this.termRead = true;
      this.host.readChapterTerm?.();
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
    const shared = overlay(commonEn, registered.common?.[this.lang.split('-')[0].toLowerCase()] as Record<string, unknown>);
    const common = overlay(shared, t) as typeof commonEn;
    const m = (t.errors ?? {}) as Record<string, string>;
    const text = m[e.code] ?? common.errors[e.code] ?? m[e.code.split('.')[0]] ?? m.other ?? common.errors.other;
    const s = e.sanction;
    if (!s) return text;
    return [
      text,
      fill(common.sanctionReason, s.reason),
      s.endsAt ? fill(common.sanctionUntil, exact(this, s.endsAt)) : common.sanctionOpen,
    ].join(' ');
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
