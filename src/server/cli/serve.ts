import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '../main.js';
import { databaseUrl, type Out } from './shared.js';

export const SERVE_USAGE = `  serve [--port 8787] [--host 127.0.0.1] [--assets DIR]
                             run the server (database: DATABASE_URL, else CERCLE_DB, else .cercle/cercle.db);
                             the browser bundle is served under /sdk/ (default: this package's dist/)
`;

/** The folder holding this package's package.json, from the sources (src/server/cli/) or the build (dist/server/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** `cercle serve`: runs until SIGTERM or SIGINT (returns -1: the process stays up). */
export async function serveCommand(args: string[], _out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8787' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      assets: { type: 'string' },
    },
  });
  const bundled = join(packageRoot(), 'dist');
  const assets = values.assets ?? (existsSync(bundled) ? bundled : undefined);
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version;
  // Start-up is logged as JSON lines like every request: listening, database kind, version.
  const server = await startServer({ port: Number(values.port), hostname: values.host, database: databaseUrl(), assets, version });
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}
