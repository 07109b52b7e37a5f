#!/usr/bin/env node
// The Cercle command line: `cercle serve`, `cercle site add|list|rotate-key|add-key`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/server/cli/index.ts');
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (err) {
  process.stderr.write(`cercle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
