/**
 * `cercle.js`, the page's one script: a loader of about a kilobyte that imports a widget's code when
 * its tag comes near the viewport.
 *
 * - Each tag below names the chunk that defines it. The first chunk brings the shared one (Lit, the
 *   client, `<cercle-community>`), loaded once for every widget of the page.
 * - A tag is loaded when it comes within {@link MARGIN} of the viewport, at once with
 *   `loading="eager"`; tags added to the page later are watched too.
 * - The page's language module (French, German, Spanish; English is built in) loads beside the first
 *   chunk, and the widgets wait for it before their first render: no English flash on a French page.
 * - Until its chunk has defined it, each tag keeps the place of what replaces it ({@link PLACES}).
 * - Reads the widgets make while chunks of the same wave are still arriving travel in one request:
 *   the client waits for the wave ({@link WAVE}) before sending.
 */

/** A tag and the chunk that defines it: adding a widget to the loader is one line. */
const WIDGETS: Record<string, () => Promise<unknown>> = {
  'cercle-discussion': () => import('./widgets/discussion/define.js'),
  'cercle-comment-count': () => import('./widgets/comment-count/define.js'),
  'cercle-member-card': () => import('./widgets/member-card/define.js'),
  'cercle-member-directory': () => import('./widgets/member-directory/define.js'),
  'cercle-engagement-badge': () => import('./widgets/engagement-badge/define.js'),
  'cercle-event-feed': () => import('./widgets/event-feed/define.js'),
  'cercle-moderation': () => import('./widgets/moderation/define.js'),
  'cercle-search': () => import('./widgets/search/define.js'),
  'cercle-notifications': () => import('./widgets/notifications/define.js'),
  'cercle-insights': () => import('./widgets/insights/define.js'),
  'cercle-admin': () => import('./widgets/admin/define.js'),
};

/** The language modules the kit ships (English is built into the widgets). */
const LANGUAGES: Record<string, () => Promise<unknown>> = {
  fr: () => import('./locales/fr.js'),
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
};

/**
 * The room each tag keeps before its chunk defines it, the height of its loading skeleton (what the
 * widget shows while its data loads, see each widget's styles), so that nothing below moves when it
 * upgrades. A page may override them: `cercle-discussion:not(:defined) { min-height: … }`.
 */
const PLACES =
  ':where(cercle-community,cercle-member-directory,cercle-discussion,cercle-event-feed,cercle-member-card,cercle-engagement-badge,cercle-moderation,cercle-search,cercle-insights,cercle-admin):not(:defined){display:block}' +
  ':where(cercle-discussion):not(:defined){min-height:var(--cercle-discussion-placeholder,14rem)}' +
  ':where(cercle-event-feed):not(:defined){min-height:var(--cercle-event-feed-placeholder,12rem)}' +
  ':where(cercle-member-card):not(:defined){min-height:var(--cercle-member-card-placeholder,9rem)}' +
  ':where(cercle-member-directory):not(:defined){min-height:var(--cercle-member-directory-placeholder,6rem)}' +
  ':where(cercle-engagement-badge):not(:defined){display:inline-block;min-height:1.75rem}' +
  ':where(cercle-moderation,cercle-insights,cercle-admin):not(:defined){min-height:24rem}' +
  ':where(cercle-search):not(:defined){min-height:var(--cercle-search-placeholder,3rem)}' +
  ':where(cercle-notifications):not(:defined){display:inline-block;min-width:2.25rem;min-height:2.25rem}' +
  ':where(cercle-comment-count):not(:defined){display:inline-block;min-width:2ch}';

/** How near the viewport a tag must come for its chunk to load. */
const MARGIN = '600px';

/** Shared with the kit's code through global symbols (the language registry, the pending wave). */
const g = globalThis as Record<symbol, unknown>;
const WAVE = Symbol.for('cercle.wave');

/** What was asked for (tags, languages), each once. */
const asked = new Map<string, Promise<unknown>>();
let wave: Promise<unknown>[] | undefined;

/** The language a tag's text is asked in: its own `lang`, the closest around it, the page's. */
const langOf = (el: Element) => (el.closest('[lang]')?.getAttribute('lang') ?? '').slice(0, 2).toLowerCase();

const need = (load: (() => Promise<unknown>) | undefined, key: string): Promise<unknown> | undefined => {
  if (!load || asked.has(key)) return asked.get(key);
  if (!wave) {
    const list: Promise<unknown>[] = (wave = []);
    // Everything asked for in this task is one wave; the client holds its reads until the wave is in.
    g[WAVE] = Promise.resolve().then(function settle(): Promise<unknown> {
      const n = list.length;
      return Promise.allSettled(list).then(() => (list.length > n ? settle() : ((wave = undefined), (g[WAVE] = undefined))));
    });
  }
  const p = load().catch((e) => console.error('cercle: could not load ' + key, e));
  asked.set(key, p);
  wave.push(p);
  return p;
};

const load = (el: Element) => {
  io.unobserve(el);
  need(LANGUAGES[langOf(el)], langOf(el));
  need(WIDGETS[el.localName], el.localName);
};

const io = new IntersectionObserver((entries) => entries.forEach((e) => e.isIntersecting && load(e.target)), { rootMargin: MARGIN });

const SELECTOR = Object.keys(WIDGETS).join();

const watch = (root: ParentNode) => {
  const found = [...root.querySelectorAll(SELECTOR)];
  if ((root as Element).matches?.(SELECTOR)) found.push(root as Element);
  for (const el of found) {
    if (asked.has(el.localName)) continue;
    if (el.getAttribute('loading') === 'eager') load(el);
    else io.observe(el);
  }
};

// The language registry the widgets read: a language a widget asks for later comes from its chunk too.
((g[Symbol.for('cercle.locales')] ??= { dicts: {} }) as { load?: unknown }).load = (lang: string) => need(LANGUAGES[lang], lang);

if (!g[Symbol.for('cercle.loader')]) {
  g[Symbol.for('cercle.loader')] = 1;
  document.head.append(Object.assign(document.createElement('style'), { textContent: PLACES }));
  watch(document);
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) watch(n as Element);
  }).observe(document, { childList: true, subtree: true });
}
