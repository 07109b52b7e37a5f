// Custom Elements Manifest analyzer: reads the elements' JSDoc (@summary, @slot, @csspart, @cssprop, @fires).
export default {
  globs: ['src/context/*.ts', 'src/widgets/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts', '**/define.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      // Internal reactive state (`_page: { state: true }`) is neither an attribute nor API.
      name: 'cercle-hide-state',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules)
          for (const d of mod.declarations ?? []) {
            if (d.attributes) d.attributes = d.attributes.filter((a) => !a.name.startsWith('_'));
            if (d.members) d.members = d.members.filter((m) => !m.name.startsWith('_'));
          }
      },
    },
  ],
};
