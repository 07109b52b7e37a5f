#!/usr/bin/env node
// Precompressed copies of the browser files (`x.js.br`, `x.js.gz` beside `x.js`), made once at build
// time at the highest levels, so that the server sends them without compressing on each request.
// Run at the end of `npm run build`; the server's own build (dist/server/) and the packages are left out.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dirs = ['dist', 'dist/chunks', 'dist/locales'];
let files = 0;
for (const dir of dirs) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = join(dir, name);
    const data = readFileSync(file);
    writeFileSync(file + '.gz', gzipSync(data, { level: 9 }));
    writeFileSync(
      file + '.br',
      brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    );
    files++;
  }
}
console.log(`compress: ${files} files, each with .br and .gz`);
