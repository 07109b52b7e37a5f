// Custom Elements Manifest analyzer: reads the elements' JSDoc (@summary, @slot, @csspart, @cssprop, @fires).
export default {
  globs: ['src/context/*.ts', 'src/widgets/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts', '**/define.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      // The analyzer lists modules in the file system's order, which differs between two checkouts:
      // sorted by path, the same sources always give the same file.
      name: 'cercle-stable-order',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      },
    },
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
