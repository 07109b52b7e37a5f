// Precompressed copies of the browser bundle, made once at build time: `x.js.br` (brotli, best quality) and
// `x.js.gz` (gzip -9) beside each file of dist/ worth it, so that the server sends them as they are
// (src/server/http/assets.ts) instead of compressing the same bytes on every request. The server's own build
// (dist/server/) and the type declarations are left alone. Copies of files that no longer exist are removed.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const DIST = 'dist';
const SKIP = new Set(['server', 'types']);
const TYPES = /\.(?:m?js|css|map|json|svg)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === DIST && SKIP.has(entry.name))) yield* files(path);
    } else yield path;
  }
}

if (!existsSync(DIST)) {
  console.error('compress: no dist/ (run the build first)');
  process.exit(1);
}
let count = 0;
let before = 0;
let afterBr = 0;
for (const path of files(DIST)) {
  if (/\.(?:br|gz)$/.test(path)) {
    if (!existsSync(path.replace(/\.(?:br|gz)$/, ''))) rmSync(path);
    continue;
  }
  if (!TYPES.test(path) || statSync(path).size < MIN_BYTES) continue;
  const data = readFileSync(path);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  count++;
  before += data.length;
  afterBr += br.length;
}
console.log(
  `compress: ${count} files of ${relative('.', DIST)}/ (${Math.round(before / 1024)} KB → ${Math.round(afterBr / 1024)} KB brotli)`,
);
