import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp, jsonLogger, type Logger } from './app.js';
import { openStore, type Store } from './store/store.js';
import { createLive, type LiveService } from './live/service.js';
import { liveFastPath } from './live/fast.js';
import { webhooksOf } from './webhooks/webhooks.js';

export interface ServerOptions {
  port: number;
  hostname?: string;
  /** postgres:// URL, or a SQLite file path (default `.cercle/cercle.db`). */
  database?: string;
  /** Folder whose files are served under `/sdk/` (the built browser bundle). */
  assets?: string;
  logger?: Logger;
  store?: Store;
  /** Live streams (default: LISTEN/NOTIFY over PostgreSQL, in-process over SQLite). */
  live?: LiveService;
  /** On close, streams are told to reconnect elsewhere; connections still open after this long are cut (default 5 s). */
  shutdownMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  live: LiveService;
  /** Graceful: stops accepting, tells live streams to reconnect elsewhere, finishes requests, closes the database. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json', '.d.ts': 'text/plain',
};

/** Starts the Cercle server: the API under `/v1`, and the browser bundle under `/sdk/` when `assets` is given. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const store = opts.store ?? await openStore(opts.database);
  const logger = opts.logger ?? jsonLogger;
  const live = opts.live ?? await createLive(store, { url: opts.database, logger });
  const api = createApp({ store, logger, live });
  // Webhook deliveries left due (a restart, another instance) are picked up; new ones go out at once.
  const hooks = webhooksOf(store, { logger });
  hooks.start();
  const root = new Hono();
  if (opts.assets) {
    const dir = resolve(opts.assets);
    // The bundle is public code: any page may load it (no credentials are involved).
    root.get('/sdk/*', async (c) => {
      const rel = normalize(c.req.path.slice('/sdk/'.length));
      const file = join(dir, rel);
      // The server's own build (dist/server/) sits beside the bundle; it is not the browser's.
      if (!file.startsWith(dir + '/') || rel.includes('\0') || rel.startsWith('server/')) return c.notFound();
      try {
        const data = await readFile(file);
        return c.body(data, 200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'access-control-allow-origin': '*',
          'cache-control': 'public, max-age=300',
        });
      } catch {
        return c.notFound();
      }
    });
  }
  root.route('/', api);
  let server!: ServerType;
  const port = await new Promise<number>((ok, fail) => {
    server = serve({ fetch: root.fetch, port: opts.port, hostname: opts.hostname ?? '127.0.0.1' }, (info) => ok(info.port));
    liveFastPath(server as Server, root.fetch);
    server.once('error', fail);
  });
  const host = opts.hostname && opts.hostname !== '0.0.0.0' ? opts.hostname : 'localhost';
  return {
    url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`,
    port,
    store,
    live,
    async close() {
      const closing = new Promise<void>((ok) => server.close(() => ok()));
      await live.shutdown();
      await hooks.stop();
      const cut = setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), opts.shutdownMs ?? 5000);
      await closing;
      clearTimeout(cut);
      if (!opts.store) await store.close();
    },
  };
}
