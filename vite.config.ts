// Library build of the browser kit.
// - `cercle.js`: the loader (src/loader.ts), unhashed, short-cached; it imports content-hashed chunks
//   (`chunks/<widget>-<hash>.js`, one a widget; `chunks/shared-<hash>.js`, Lit, the client and the
//   provider, everything two widgets share; `chunks/<lang>-<hash>.js`, a language), cacheable for a year.
// - One self-contained ES file per widget, Lit bundled, for a page with one widget: each entry is
//   built on its own so that a page loads exactly one file (and `locales/<lang>.js` beside them).
import { build, defineConfig, parseAst, type InlineConfig, type Plugin } from 'vite';

const entries: Record<string, string> = {
  /** The provider and the discussion only. */
  discussion: 'src/widgets/discussion/define.ts',
  /** The provider and the comment count only (listing pages). */
  'comment-count': 'src/widgets/comment-count/define.ts',
  /** The provider, member cards and the member directory. */
  'member-card': 'src/widgets/member-card/define.ts',
  /** The provider and the engagement badge only. */
  'engagement-badge': 'src/widgets/engagement-badge/define.ts',
  /** The provider and the event feed only. */
  'event-feed': 'src/widgets/event-feed/define.ts',
  /** The provider and the moderation back office only. */
  moderation: 'src/widgets/moderation/define.ts',
  /** The provider and the search across the discussions only. */
  search: 'src/widgets/search/define.ts',
  /** The provider and the notifications bell only (a site header). */
  notifications: 'src/widgets/notifications/define.ts',
  /** The provider and the community team's insights only (not on members' pages). */
  insights: 'src/widgets/insights/define.ts',
  /** The provider and the administration views (chapters, sanctions, webhooks); not on members' pages. */
  admin: 'src/widgets/admin/define.ts',
  /** Every widget in French, imported by a widget whose language is `fr` (or loaded by the page). */
  'locales/fr': 'src/locales/fr.ts',
  /** Every widget in German. */
  'locales/de': 'src/locales/de.ts',
  /** Every widget in Spanish. */
  'locales/es': 'src/locales/es.ts',
};

type Node = { type?: string; start: number; end: number; [key: string]: unknown };

/**
 * Shrinks the static text of our `html` and `css` templates, which the
 * minifier leaves alone: CSS loses its layout whitespace; in HTML, a line
 * break between two tags or at either end of a template goes, any other line
 * break becomes one space (the same rendering outside `<pre>`, which the
 * templates do not use).
 */
const templates = (): Plugin => ({
  name: 'cercle-minify-templates',
  enforce: 'post',
  transform(code, id) {
    if (!/\/src\/.*\.ts$/.test(id) || !/\b(html|css)`/.test(code)) return;
    const edits: [number, number, string][] = [];
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(visit);
      const n = node as Node;
      const tag = n.type === 'TaggedTemplateExpression' && (n.tag as { name?: string }).name;
      if (tag === 'css' || tag === 'html') {
        const quasis = (n.quasi as { quasis: Node[] }).quasis;
        quasis.forEach((q, i) => {
          let text = code.slice(q.start, q.end);
          if (tag === 'css')
            text = text
              .replace(/\s+/g, ' ')
              .replace(/ ?([{};,]) ?/g, '$1')
              .replace(/: /g, ':')
              .replace(/;}/g, '}')
              .trim();
          else {
            // Line breaks opening or closing a template make text nodes that render nothing.
            if (i === 0) text = text.replace(/^\s*\n\s*/, '');
            if (i === quasis.length - 1) text = text.replace(/\s*\n\s*$/, '');
            text = text.replace(/>\s*\n\s*</g, '><').replace(/\s*\n\s*/g, ' ');
          }
          edits.push([q.start, q.end, text]);
        });
      }
      for (const k in n) if (k !== 'type') visit(n[k]);
    };
    visit(parseAst(code));
    edits.sort((a, b) => b[0] - a[0]);
    for (const [start, end, text] of edits) code = code.slice(0, start) + text + code.slice(end);
    return { code, map: null };
  },
});

const library = (name: string): InlineConfig => ({
  configFile: false,
  logLevel: 'warn',
  plugins: [templates()],
  // Where a widget finds the language modules: `locales/` beside the entry it was loaded from.
  define: { __CERCLE_LOCALES__: JSON.stringify('./locales/') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    copyPublicDir: false,
    lib: { entry: { [name]: entries[name] }, formats: ['es'], fileName: name },
    // `allow-extension`: what an entry shares with a chunk it imports on demand (the organiser tools) stays
    // in the entry, which the chunk imports from; else the entry itself would be split in two files.
    rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { minify: true } },
  },
});

/**
 * A chunk's name: the widget's folder for its `define.ts` (or a module a widget imports on demand, such
 * as the organiser tools), the language for a language module, `shared`; `common-<module>` for code that
 * only some widgets share.
 */
const chunkName = (id: string | null, name: string) =>
  /\/widgets\/([^/]+)\/[^/]+\.ts$/.exec(id ?? '')?.[1] ??
  /\/locales\/([a-z]{2})\.ts$/.exec(id ?? '')?.[1] ??
  (name === 'shared' ? name : 'common-' + name);

/** Whether a module belongs to the shared chunk. */
const shared = (id: string) =>
  /node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]/.test(id) ||
  (/src[\\/](client|context|internal|i18n|styles|contract)[\\/]/.test(id) &&
    !/client[\\/](discussion|events|members|moderation|engagement|outbox|search|notifications|insights|organisers)\.ts$|contract[\\/]markup\.ts$|i18n[\\/]locales[\\/](fr|de|es)\.ts$/.test(
      id,
    ));

/** The loader and its chunks: code two widget chunks share goes to the one shared chunk. */
const loader: InlineConfig = {
  configFile: false,
  logLevel: 'info',
  plugins: [templates()],
  // The loader hands the language chunks to the widgets itself; this path is never used for them.
  define: { __CERCLE_LOCALES__: JSON.stringify('../locales/') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    copyPublicDir: false,
    lib: { entry: { cercle: 'src/loader.ts' }, formats: ['es'], fileName: 'cercle' },
    rolldownOptions: {
      output: {
        minify: true,
        chunkFileNames: (chunk) => `chunks/${chunkName(chunk.facadeModuleId, chunk.name)}-[hash].js`,
        // The kit's common ground (Lit, the client and its live stream, the provider, the base
        // elements, the localize controller): one chunk, whichever widget comes first. What only some
        // widgets use (one feature's remote calls, the outbox, the comment markup, a language's
        // strings) stays with them, or in a small chunk of its own when two of them share it.
        codeSplitting: { groups: [{ name: 'shared', test: shared }] },
      },
    },
  },
};

export default defineConfig({
  ...loader,
  plugins: [
    templates(),
    {
      name: 'cercle-separate-entries',
      apply: 'build',
      async closeBundle() {
        for (const name of Object.keys(entries)) await build(library(name));
      },
    },
  ],
});
