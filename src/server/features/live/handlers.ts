import type { ServerResponse } from 'node:http';
import { LiveEventId } from '../../../contract/live.js';
import { routes } from '../../../contract/routes.js';
import { ProblemError } from '../../http/problem.js';
import { parse } from '../../http/validate.js';
import { nodeSink, streamSink } from '../../live/service.js';
import type { HandlerContext } from '../../http/types.js';
import { tokenExpiry } from './stream.js';

/** Open the page's live stream (Server-Sent Events). */
export async function liveOpen({ c, site, viewer, body, live }: HandlerContext<typeof routes.liveOpen>) {
  if (!live.available) {
    throw new ProblemError(
      503,
      'live.unavailable',
      'Live updates are unavailable for a moment',
      'Reconnect after the delay in Retry-After.',
      undefined,
      { 'retry-after': String(1 + Math.floor(Math.random() * 4)) },
    );
  }
  const header = c.req.header('last-event-id');
  const last = header ? parse(LiveEventId, header, 'header') : body.lastEventId;
  const args = {
    site,
    viewer,
    exp: viewer ? tokenExpiry(c) : null,
    topics: [...new Set(body.topics)],
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
}

/** Change an open stream's topics, or hand it a fresh token. */
export async function liveControl({ c, site, params, body, viewer, live }: HandlerContext<typeof routes.liveControl>) {
  const exp = viewer ? tokenExpiry(c) : null;
  await live.control({
    site: site.id,
    stream: params.stream,
    key: body.key,
    add: body.add,
    remove: body.remove,
    ...(body.after === undefined ? {} : { after: Number(body.after) }),
    ...(viewer && exp ? { refresh: { hostId: viewer.hostId, exp: Math.floor(exp / 1000) } } : {}),
  });
  return { status: 202, body: { accepted: true } };
}
