#!/usr/bin/env node
// The Cercle command line: `cercle serve`, `cercle site add|list|rotate-key|add-key`, … (`cercle --help`).
// It runs the server built into dist/server/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/server/cercle.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cercle: the server is not built (dist/server/cercle.js is missing). Run `npm run build` first.\n');
  process.exit(1);
}
process.setSourceMapsEnabled?.(true);
const { main } = await import(entry.href);
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (err) {
  process.stderr.write(`cercle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
