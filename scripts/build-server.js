// The server as JavaScript: our code bundled into dist/server/cercle.js, the packages it uses left to
// node_modules. The command line then starts with plain `node`, without compiling TypeScript first.
import { build } from 'esbuild';

await build({
  entryPoints: { cercle: 'src/server/cli/index.ts' },
  outdir: 'dist/server',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
