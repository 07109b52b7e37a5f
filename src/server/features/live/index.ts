import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { LiveEventId } from '../../../contract/live.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import { commentOut } from '../../domain/mapping.js';
import { DiscussionStore } from '../../store/discussion.js';
import { ProblemError } from '../../http/problem.js';
import { parse } from '../../http/validate.js';
import { nodeSink, streamSink } from '../../live/service.js';

/** Expiry (ms) of the bearer token the registrar has already verified. */
function tokenExpiry(c: Context): number | null {
  const m = /^Bearer +(\S+)/i.exec(c.req.header('authorization') ?? '');
  if (!m) return null;
  try {
    const claims = JSON.parse(Buffer.from(m[1].split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** The live stream and its control route. */
export function install(register: Registrar, { live }: AppServices) {
  // New and edited comments go out rendered once per instance, as the API returns them.
  live.hydrate(['comment.created', 'comment.updated', 'comment.restored'], async (store, rec) => {
    const row = await store.comment(rec.site, rec.ref);
    if (!row || row.status !== 'published') return undefined;
    // With its mentions, so that an edited comment shows the names it mentions.
    const mentions = (await new DiscussionStore(store).mentions(rec.site, [rec.ref])).get(rec.ref) ?? [];
    return { ...commentOut(row), mentions };
  });

  register(routes.liveOpen, async ({ c, site, viewer, body, live }) => {
    if (!live.available) {
      throw new ProblemError(503, 'live.unavailable', 'Live updates are unavailable for a moment', 'Reconnect after the delay in Retry-After.',
        undefined, { 'retry-after': String(1 + Math.floor(Math.random() * 4)) });
    }
    const header = c.req.header('last-event-id');
    const last = header ? parse(LiveEventId, header, 'header') : body.lastEventId;
    const args = {
      site, viewer, exp: viewer ? tokenExpiry(c) : null, topics: [...new Set(body.topics)],
      lastEventId: last === undefined ? undefined : Number(last),
    };
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    };
    // Headers set by the middleware (CORS, request id) go out with the stream.
    c.res.headers.forEach((v, k) => {
      if (k !== 'content-type' && k !== 'content-length') headers[k] = v;
    });
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.writeHead === 'function') {
      // The stream ends only when the connection does: its bytes go out as they are, without chunked
      // framing (one write a frame instead of three, the same buffer for every stream).
      outgoing.useChunkedEncodingByDefault = false;
      outgoing.shouldKeepAlive = false;
      outgoing.writeHead(200, { ...headers, connection: 'close' });
      outgoing.flushHeaders();
      outgoing.socket?.setNoDelay(true);
      await live.open({ ...args, sink: nodeSink(outgoing) }).catch((err) => {
        outgoing.destroy();
        throw err;
      });
      // Tells @hono/node-server the response went out by hand (made now: the server swaps the global Response class).
      return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
    }
    const { sink, body: stream } = streamSink();
    await live.open({ ...args, sink });
    return new Response(stream, { status: 200, headers });
  }, { sanctions: 'open' });

  register(routes.liveControl, async ({ c, site, params, body, viewer, live }) => {
    const exp = viewer ? tokenExpiry(c) : null;
    await live.control({
      site: site.id, stream: params.stream, key: body.key, add: body.add, remove: body.remove,
      ...(body.after === undefined ? {} : { after: Number(body.after) }),
      ...(viewer && exp ? { refresh: { hostId: viewer.hostId, exp: Math.floor(exp / 1000) } } : {}),
    });
    return { status: 202, body: { accepted: true } };
  }, { sanctions: 'open' });
}
