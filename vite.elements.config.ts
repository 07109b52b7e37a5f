// The npm package @cercle-asso/elements: ES modules with Lit left as a dependency (one copy of Lit
// in the host's bundle), entries sharing their code through chunks, unminified (the host's bundler
// minifies). The self-contained files served under /sdk/ come from vite.config.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  configFile: false,
  // The shared code (the localize controller among it) lands in `chunks/`: the language modules are one folder up.
  define: { __CERCLE_LOCALES__: JSON.stringify('../locales/') },
  build: {
    outDir: 'dist/packages/elements/dist',
    emptyOutDir: true,
    copyPublicDir: false,
    lib: {
      entry: {
        index: 'src/index.ts',
        community: 'src/context/define.ts',
        discussion: 'src/widgets/discussion/define.ts',
        'member-card': 'src/widgets/member-directory/define.ts',
        'engagement-badge': 'src/widgets/engagement-badge/define.ts',
        'event-feed': 'src/widgets/event-feed/define.ts',
        moderation: 'src/widgets/moderation/define.ts',
        insights: 'src/widgets/insights/define.ts',
        admin: 'src/widgets/admin/define.ts',
        notifications: 'src/widgets/notifications/define.ts',
        'comment-count': 'src/widgets/comment-count/define.ts',
        'locales/fr': 'src/locales/fr.ts',
        'locales/de': 'src/locales/de.ts',
        'locales/es': 'src/locales/es.ts',
      },
      formats: ['es'],
    },
    rolldownOptions: { external: [/^lit(\/|$)/], output: { chunkFileNames: 'chunks/[name]-[hash].js' } },
  },
});
