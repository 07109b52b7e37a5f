import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp, jsonLogger, type Logger } from './app.js';
import { openStore, type Store } from './store/store.js';
import { createLive, type LiveService } from './live/service.js';
import { liveFastPath } from './live/fast.js';
import { webhooksOf } from './webhooks/webhooks.js';
import { assetServer } from './http/assets.js';
import { mailOf } from './notifications/mail.js';
import { NotificationScheduler } from './notifications/digest.js';
import { notifierOf } from './notifications/service.js';

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
  /** HTTP timeouts (see {@link TIMEOUTS} for the defaults). */
  timeouts?: Partial<typeof TIMEOUTS>;
  /** Written to the start-up log line. */
  version?: string;
  /**
   * The API's public base URL, for links in mail (unsubscribe). Default: `CERCLE_PUBLIC_URL`, else the address the
   * server listens on (right for a local or demo server; set it behind a proxy).
   */
  publicUrl?: string;
}

/**
 * HTTP timeouts, in ms. `headersMs`: a client has this long to send its request's headers; `requestMs`: its
 * whole request, body included (a live stream's request ends once opened, so the stream itself is not
 * cut: its heartbeats keep proxies awake); `keepAliveMs`: an idle kept-alive connection is closed after
 * this long — under a reverse proxy, keep it above the proxy's own upstream idle timeout.
 */
export const TIMEOUTS = { headersMs: 20_000, requestMs: 60_000, keepAliveMs: 65_000 };

/** How often the planner's statistics are refreshed. */
const OPTIMIZE_MS = 3600_000;

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  live: LiveService;
  /** Graceful: stops accepting, tells live streams to reconnect elsewhere, finishes requests, closes the database. */
  close(): Promise<void>;
}

/** Starts the Cercle server: the API under `/v1`, and the browser bundle under `/sdk/` when `assets` is given. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const store = opts.store ?? (await openStore(opts.database));
  const logger = opts.logger ?? jsonLogger;
  const live = opts.live ?? (await createLive(store, { url: opts.database, logger }));
  const api = createApp({ store, logger, live });
  // Webhook deliveries left due (a restart, another instance) are picked up; new ones go out at once.
  const hooks = webhooksOf(store, { logger });
  hooks.start();
  // The planner's statistics follow the data: hourly, and (SQLite) when the database closes.
  const optimizing = setInterval(() => {
    store.optimize().catch((err: unknown) => logger.error({ msg: 'optimize.failed', cause: String((err as Error)?.message ?? err) }));
  }, OPTIMIZE_MS);
  optimizing.unref();
  // Mail left in the outbox is sent (and retried); digests, reminders and pruning run every few minutes.
  const mail = mailOf(store, { logger });
  mail.start();
  const scheduler = new NotificationScheduler(store, { logger });
  scheduler.start();
  const root = new Hono();
  if (opts.assets) {
    // The server's own build (dist/server/) sits beside the bundle; it is not the browser's.
    root.get('/sdk/*', assetServer(opts.assets, '/sdk/', { exclude: (rel) => rel.startsWith('server/') }));
  }
  root.route('/', api);
  let server!: ServerType;
  const port = await new Promise<number>((ok, fail) => {
    server = serve({ fetch: root.fetch, port: opts.port, hostname: opts.hostname ?? '127.0.0.1' }, (info) => ok(info.port));
    liveFastPath(server as Server, root.fetch);
    server.once('error', fail);
  });
  const t = { ...TIMEOUTS, ...opts.timeouts };
  const http = server as Server;
  http.headersTimeout = t.headersMs;
  http.requestTimeout = t.requestMs;
  http.keepAliveTimeout = t.keepAliveMs;
  const host = opts.hostname && opts.hostname !== '0.0.0.0' ? opts.hostname : 'localhost';
  const url = `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`;
  notifierOf(store)?.listeningAt(url, opts.publicUrl);
  logger.info({
    msg: 'listening',
    url,
    host: opts.hostname ?? '127.0.0.1',
    port,
    publicUrl: notifierOf(store)?.publicUrl ?? null,
    database: store.kind,
    version: opts.version ?? null,
    timeouts: t,
  });
  return {
    url,
    port,
    store,
    live,
    async close() {
      clearInterval(optimizing);
      const closing = new Promise<void>((ok) => server.close(() => ok()));
      await live.shutdown();
      await hooks.stop();
      await scheduler.stop();
      await notifierOf(store)?.idle();
      await mail.stop();
      const cut = setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), opts.shutdownMs ?? 5000);
      await closing;
      clearTimeout(cut);
      if (!opts.store) await store.close();
    },
  };
}
