// Library build of the browser kit: one self-contained ES file per entry, Lit bundled.
// Rolldown would share code between two entries through a chunk; each entry is
// built on its own instead, so a page loads exactly one file.
import { build, defineConfig, parseAst, type InlineConfig, type Plugin } from 'vite';

const entries: Record<string, string> = {
  /** Every element. */
  cercle: 'src/index.ts',
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
  /** The provider and the community team's insights only (not in `cercle.js`: only the team's page loads it). */
  insights: 'src/widgets/insights/define.ts',
  /** The provider and the administration views (chapters, sanctions, webhooks); not in `cercle.js`. */
  admin: 'src/widgets/admin/define.ts',
  /** The provider and the notifications bell only (a site header). */
  notifications: 'src/widgets/notifications/define.ts',
  /** Every widget in German, imported by a widget whose language is `de` (or loaded by the page). */
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

const library = (name: string, first: boolean): InlineConfig => ({
  configFile: false,
  logLevel: first ? 'info' : 'warn',
  plugins: [templates()],
  // Where a widget finds the language modules: `locales/` beside the entry it was loaded from.
  define: { __CERCLE_LOCALES__: JSON.stringify('./locales/') },
  build: {
    outDir: 'dist',
    emptyOutDir: first,
    copyPublicDir: false,
    lib: { entry: { [name]: entries[name] }, formats: ['es'], fileName: name },
    // `allow-extension`: what an entry shares with a chunk it imports on demand (the organiser tools) stays
    // in the entry, which the chunk imports from; else the entry itself would be split in two files.
    rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { minify: true } },
  },
});

const [first, ...rest] = Object.keys(entries);

export default defineConfig({
  ...library(first, true),
  plugins: [
    templates(),
    {
      name: 'cercle-separate-entries',
      apply: 'build',
      async closeBundle() {
        for (const name of rest) await build(library(name, false));
      },
    },
  ],
});
