import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { openApiDocument } from '../contract/openapi.js';
import { routes } from '../contract/routes.js';
import { SiteId } from '../contract/common.js';
import { authError, TokenVerifier } from './auth/verify.js';
import { ProblemError, problem, problemBody, sendProblem } from './http/problem.js';
import type { Site, Store } from './store/store.js';
import { parse } from './http/validate.js';
import { siteViewer, toViewer, unknownMember, type Viewer } from './http/viewer.js';
import { isSiteToken } from '../contract/requests.js';
import { moderatedChapters } from './store/chapters.js';
import { jsonLogger, type Logger } from './http/logger.js';
import type { AppServices, Feature, HandlerContext, Registrar } from './http/types.js';
import { CommentLifecycle } from './comments/lifecycle.js';
import { assertMayWrite } from './domain/sanctions.js';
import { EventBus } from './domain/events.js';
import * as admin from './features/admin/index.js';
import * as core from './features/core/index.js';
import { batchTarget } from './features/core/batch.js';
import * as discussion from './features/discussion/index.js';
import * as search from './features/search/index.js';
import * as events from './features/events/index.js';
import * as live from './features/live/index.js';
import * as members from './features/members/index.js';
import * as engagement from './features/engagement/index.js';
import * as moderation from './features/moderation/index.js';
import * as insights from './features/insights/index.js';
import * as notifications from './features/notifications/index.js';
import { LiveService } from './live/service.js';
import { subscribeWebhooks } from './webhooks/subscribers.js';
import { newId } from './domain/ids.js';
import { originAllowed, originRefused } from './http/origins.js';
import { sql } from 'kysely';
import { DbRateLimiter, RateLimiter, type Limiter } from './http/ratelimit.js';
import { enforceLimit } from './http/limits.js';
import { storageProblem } from './http/storage.js';
import { compressAnswers } from './http/compress.js';

export interface AppOptions {
  store: Store;
  logger?: Logger;
  now?: () => number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Live streams and their bus (default: in-process, for one instance). */
  live?: LiveService;
  /** Rate-limit buckets (default: in the database on PostgreSQL, shared by every instance; in memory on SQLite). */
  limiter?: Limiter;
}

const FEATURES: Feature[] = [core, discussion, events, live, members, engagement, moderation, admin, search, insights, notifications];

const SITE_CACHE_MS = 2000;

/** The mail unsubscribe link (`routes.unsubscribe`). */
/** How long a browser may reuse a preflight's answer (seconds). */
export const PREFLIGHT_MAX_AGE_S = 7200;

const UNSUBSCRIBE = /^\/v1\/sites\/[^/]+\/mail\/unsubscribe\/[^/]+$/;

/** PostgreSQL's "deadlock detected" and "could not serialize": the transaction rolled back whole and may run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs a handler again (up to three times in all) when PostgreSQL aborted its transaction to break a
 * deadlock between concurrent requests: nothing of the aborted attempt was kept, so the retry is safe.
 */
async function retryingConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= 3 || !RETRYABLE.has((err as { code?: string })?.code ?? '')) throw err;
      await new Promise((ok) => setTimeout(ok, attempt * (5 + Math.random() * 20)));
    }
  }
}

export { jsonLogger, silentLogger, type Logger } from './http/logger.js';

export function createApp(opts: AppOptions) {
  const { store } = opts;
  const logger = opts.logger ?? jsonLogger;
  const now = opts.now ?? Date.now;
  const liveService = opts.live ?? new LiveService({ store, logger, now });
  const bus = new EventBus(logger);
  const services: AppServices = { store, live: liveService, bus, logger, now, site: siteById };
  const comments = new CommentLifecycle(store, bus);
  const limiter = opts.limiter ?? (store.kind === 'postgres' ? new DbRateLimiter(store.db, now) : new RateLimiter(now));
  const app = new Hono();

  // Sites are read on every request (CORS, settings): keep them a moment.
  const siteCache = new Map<string, { at: number; site: Site | undefined }>();
  async function siteById(id: string): Promise<Site | undefined> {
    const hit = siteCache.get(id);
    if (hit && now() - hit.at < SITE_CACHE_MS) return hit.site;
    const site = await store.site(id);
    if (siteCache.size > 1000) siteCache.clear();
    siteCache.set(id, { at: now(), site });
    return site;
  }
  const verifier = new TokenVerifier(store, now, { site: siteById });

  app.onError((err, c) => {
    if (err instanceof ProblemError) return sendProblem(c, err);
    const storage = storageProblem(err);
    if (storage) {
      logger.error({
        msg: storage.problem.code,
        method: c.req.method,
        path: c.req.path,
        database: store.kind,
        code: storage.code,
        cause: storage.cause,
      });
      return sendProblem(c, storage.problem);
    }
    logger.error({ msg: 'unhandled', method: c.req.method, path: c.req.path, error: String((err as Error)?.stack ?? err) });
    return sendProblem(c, problem(500, 'server.error', 'Something went wrong on the server'));
  });
  app.notFound((c) => sendProblem(c, problem(404, 'route.not_found', 'No such route', `${c.req.method} ${c.req.path}`)));

  // Structured request log.
  app.use('*', async (c, next) => {
    const started = performance.now();
    const id = c.req.header('x-request-id')?.slice(0, 64) || newId();
    c.header('x-request-id', id);
    await next();
    if (c.req.header('x-cercle-batch')) return;
    logger.info({
      msg: 'request',
      id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  // Answers above 1 KB go out compressed (brotli or gzip, as accepted); live streams never are.
  app.use('/v1/*', compressAnswers());

  // CORS: exactly the site's listed origins and patterns (http/origins.ts); a request from any other origin is refused.
  app.use('/v1/sites/:site/*', cors);
  app.use('/v1/sites/:site', cors);
  async function cors(c: Context, next: () => Promise<void>) {
    const origin = c.req.header('origin');
    if (!origin) return next();
    // A mail's unsubscribe link is opened and its page's form posted from the server's own origin, not the site's.
    if (UNSUBSCRIBE.test(c.req.path)) return next();
    // Open Badges documents are public and read by verifiers on any origin; no credentials go with them.
    if (/^\/v1\/sites\/[^/]+\/ob\//.test(c.req.path) && (c.req.method === 'GET' || c.req.method === 'OPTIONS')) {
      c.header('access-control-allow-origin', '*');
      if (c.req.method === 'OPTIONS') return c.body(null, 204);
      return next();
    }
    const id = c.req.param('site') ?? '';
    const site = SiteId.safeParse(id).success ? await siteById(id) : undefined;
    c.header('vary', 'Origin', { append: true });
    if (!site || !originAllowed(site.origins, origin)) throw originRefused(origin);
    c.header('access-control-allow-origin', origin);
    if (c.req.method === 'OPTIONS') {
      c.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
      c.header('access-control-allow-headers', 'authorization, content-type, idempotency-key, last-event-id');
      // Two hours (Chromium's ceiling; Firefox keeps up to a day): a page asks once per route, not before every read.
      c.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
      return c.body(null, 204);
    }
    c.header('access-control-expose-headers', 'retry-after, x-request-id');
    return next();
  }

  // Writes: a body, when there is one, is JSON and bounded in size; an action without a body needs no content type.
  app.use('/v1/*', async (c, next) => {
    // RFC 8058 one-click unsubscribe posts a form body (List-Unsubscribe=One-Click), which the route ignores.
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(c.req.method) && !UNSUBSCRIBE.test(c.req.path)) {
      const type = c.req.header('content-type');
      const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
      if (type !== undefined ? !/^application\/json\s*(;|$)/i.test(type) : hasBody) {
        throw problem(415, 'request.unsupported_media_type', 'Send JSON', 'Content-Type must be application/json.');
      }
    }
    return next();
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? 64 * 1024,
      onError: () => {
        throw problem(413, 'request.too_large', 'The request body is too large', `At most ${opts.maxBodyBytes ?? 64 * 1024} bytes.`);
      },
    }),
  );

  async function viewerFor(c: Context, site: Site, required: boolean, identity?: 'verify'): Promise<Viewer | null> {
    const header = c.req.header('authorization');
    if (!header) {
      if (required) throw authError('auth.missing', 'Send the token from the site\'s token endpoint as "Authorization: Bearer …".');
      return null;
    }
    const m = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!m) throw authError('auth.malformed', 'Expected "Authorization: Bearer <token>".');
    const verified = await verifier.verify(m[1]).catch((err) => {
      if (err instanceof ProblemError) logger.info({ msg: 'auth.refused', site: site.id, code: err.code, status: err.status });
      throw err;
    });
    if (verified.site !== site.id) throw authError('auth.site_mismatch', `The token is for "${verified.site}".`);
    // The site acting for itself (its command line, an admin tool) is nobody in the directory: no member row.
    if (isSiteToken(verified.claims)) return siteViewer(site.id, verified.claims);
    if (identity === 'verify') {
      const known = await store.memberByHostId(site.id, verified.claims.sub);
      return known
        ? { ...toViewer(known), moderates: verified.claims.moderates ?? [], email: verified.claims.email, locale: verified.claims.locale }
        : unknownMember(site.id, verified.claims);
    }
    const [row, assigned] = await Promise.all([
      store.upsertMember(site.id, verified.claims),
      moderatedChapters(store, site.id, verified.claims.sub),
    ]);
    // Chapters an admin gave this member to moderate count as if the token named them in `moderates`.
    return {
      ...toViewer(row),
      moderates: [...new Set([...(verified.claims.moderates ?? []), ...assigned])],
      email: verified.claims.email,
      locale: verified.claims.locale,
    };
  }

  const register: Registrar = (spec, handler, options = {}) => {
    const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(spec.method.toUpperCase(), path, async (c) => {
      const params = spec.params ? parse(spec.params, c.req.param(), 'params') : {};
      const query = spec.query ? parse(spec.query, c.req.query(), 'query') : {};
      let site: Site | undefined;
      if ('site' in params) {
        site = await siteById(String(params.site));
        if (!site) throw problem(404, 'site.unknown', 'No such site', String(params.site));
      }
      let body: unknown;
      if (spec.body) {
        let raw: unknown;
        try {
          raw = await c.req.json();
        } catch {
          throw problem(400, 'request.malformed_json', 'The body is not valid JSON');
        }
        const precise = options.invalidBody && !spec.body.safeParse(raw).success ? options.invalidBody(raw) : undefined;
        if (precise) throw precise;
        body = parse(spec.body, raw, 'body');
      }
      const viewer = site && spec.auth !== 'none' ? await viewerFor(c, site, spec.auth === 'required', options.identity) : null;
      if (viewer?.actor === 'site' && (spec.method === 'get' ? options.site === 'refuse' : options.site !== 'allow')) {
        throw problem(
          403,
          'auth.site_actor',
          'This needs a member',
          'The token acts for the site itself (act: "site"); sign one for a member to do this.',
        );
      }
      const siteChanged = () => {
        siteCache.delete(site?.id ?? '');
        verifier.forgetKeys(site?.id ?? '');
      };
      const ctx = {
        c,
        store,
        site: site!,
        viewer,
        params,
        query,
        body,
        now,
        live: liveService,
        spec,
        siteChanged,
        emit: bus.emit.bind(bus),
        comments,
      } as unknown as HandlerContext;
      if (viewer?.actor === 'member' && spec.method !== 'get' && !options.sanctions) await assertMayWrite(store, site!.id, viewer, now());
      // Every write and stream open spends from its bucket, for the member and for their network.
      await enforceLimit(limiter, c, spec, site, viewer?.pk || null);
      // Events raised by the handler are delivered once it has returned (its transactions are over), and
      // only for the attempt that succeeded.
      const result = await retryingConflicts(() => bus.collecting(() => handler(ctx as never)));
      if (result instanceof Response) return result;
      for (const [k, v] of Object.entries(result.headers ?? {})) c.header(k, v);
      return c.json(result.body as object, (result.status ?? spec.ok.status) as ContentfulStatusCode);
    });
  };

  register(routes.health, async () => ({ body: { ok: true, database: store.kind } }));
  register(routes.ready, async () => {
    try {
      await sql`select 1`.execute(store.db);
    } catch (err) {
      logger.error({
        msg: 'ready.failed',
        database: store.kind,
        code: String((err as { code?: unknown })?.code ?? ''),
        cause: String((err as Error)?.message ?? err),
      });
      throw new ProblemError(
        503,
        'storage.unavailable',
        'The database does not answer',
        'This instance is not ready; try another or wait.',
        undefined,
        { 'retry-after': '5' },
      );
    }
    return { body: { ok: true, database: store.kind } };
  });
  const doc = openApiDocument();
  register(routes.openapi, async () => ({ body: doc }));
  for (const feature of FEATURES) feature.install(register, services);
  subscribeWebhooks(services);

  // Batch: each read goes through the app itself, with the caller's token, and is answered in order.
  register(
    routes.batch,
    async ({ c, site, body }) => {
      const unique = [...new Set(body.reads)];
      const answers = new Map<string, { status: number; body: unknown }>();
      await Promise.all(
        unique.map(async (read) => {
          const target = batchTarget(site.id, read);
          if ('refused' in target) {
            answers.set(read, { status: target.refused.status, body: problemBody(target.refused) });
            return;
          }
          const { url } = target;
          const headers: Record<string, string> = { 'x-cercle-batch': '1' };
          const auth = c.req.header('authorization');
          if (auth) headers.authorization = auth;
          const res = await app.fetch(new Request(url, { headers }));
          const text = await res.text();
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = text;
          }
          answers.set(read, { status: res.status, body: parsed });
        }),
      );
      return { body: { results: body.reads.map((r) => answers.get(r)!) } };
    },
    { sanctions: 'open' },
  );

  return app;
}
