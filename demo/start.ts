import { fileURLToPath } from 'node:url';
import { jsonLogger, silentLogger, type Logger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { openStore, type Store } from '../src/server/store/store.js';
import { startHost, type RunningHost } from './host.js';
import { seedDemo } from './seed.js';

export interface DemoOptions {
  /** Port of the association's site (0: any free port). */
  port: number;
  /** Port of the Cercle server (0: any free port). */
  cerclePort: number;
  /** postgres:// URL or SQLite file; ignored when `store` is given. */
  database?: string;
  store?: Store;
  logger?: Logger;
}

export interface RunningDemo {
  /** The association's site. */
  url: string;
  /** The Cercle server (API and `/sdk/` bundle). */
  cercleUrl: string;
  store: Store;
  close(): Promise<void>;
}

const ASSETS = fileURLToPath(new URL('../dist', import.meta.url));

/** Starts the Cercle server and the demo association's site beside it, seeding the site on first start. */
export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const store = opts.store ?? (await openStore(opts.database));
  const cercle = await startServer({ port: opts.cerclePort, store, assets: ASSETS, logger: opts.logger ?? silentLogger });
  let host: RunningHost | undefined;
  try {
    host = await startHost({ port: opts.port, cercleUrl: cercle.url, store });
    await seedDemo(store, host.url);
  } catch (err) {
    await host?.close();
    await cercle.close();
    if (!opts.store) await store.close();
    throw err;
  }
  return {
    url: host.url,
    cercleUrl: cercle.url,
    store,
    async close() {
      await Promise.all([host.close(), cercle.close()]);
      if (!opts.store) await store.close();
    },
  };
}

async function main() {
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 8080),
    cerclePort: Number(process.env.CERCLE_PORT ?? 8787),
    database: process.env.DATABASE_URL || process.env.CERCLE_DB || undefined,
    logger: jsonLogger,
  });
  process.stdout.write(`Demo site: ${demo.url}\nCercle server: ${demo.cercleUrl}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
