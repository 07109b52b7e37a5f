// Custom Elements Manifest analyzer: reads the elements' JSDoc (@summary, @slot, @csspart, @cssprop, @fires).
export default {
  globs: ['src/context/*.ts', 'src/widgets/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts', '**/define.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
