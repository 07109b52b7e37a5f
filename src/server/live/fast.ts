import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** `POST /v1/sites/{site}/live` */
const LIVE = /^\/v1\/sites\/[^/?]+\/live(\?|$)/;
/** Read at most this much of a stream's opening body (the app refuses larger ones with 413). */
const MAX_BODY = 64 * 1024 + 1;

type Fetch = (request: Request, env: { incoming: IncomingMessage; outgoing: ServerResponse }) => Response | Promise<Response>;

/**
 * Opens live streams beside the Node adapter rather than through it. A stream stays open for hours, and
 * the adapter keeps each open response's request objects (the web Request, its body stream, headers, abort
 * controller: about 16 KB) until it ends; at 10,000 streams that is most of the process's memory. Here the
 * opening request still goes through the whole app — CORS, body checks, the token, the site, the contract,
 * problem answers — as a short-lived Request that is dropped once the route has written the stream's
 * headers on the raw response; then only the connection, its Node response and the stream's state remain.
 */
export function liveFastPath(server: Server, fetch: Fetch): void {
  const others = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && LIVE.test(req.url ?? '')) openStream(req, res, fetch);
    else for (const l of others) l.call(server, req, res);
  });
}

function openStream(req: IncomingMessage, res: ServerResponse, fetch: Fetch) {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (c: Buffer) => {
    if (size >= MAX_BODY) return;
    chunks.push(c);
    size += c.length;
  };
  req.on('data', onData);
  req.once('error', () => res.destroy());
  req.once('end', async () => {
    // Nothing of this request stays attached to the connection for the stream's life.
    req.removeAllListeners('data');
    req.removeAllListeners('error');
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    headers.delete('content-length');
    headers.delete('transfer-encoding');
    // The app's body check reads the declared length: pass what was read, with its true length.
    const body = Buffer.concat(chunks).subarray(0, MAX_BODY);
    chunks.length = 0;
    if (body.length) headers.set('content-length', String(body.length));
    try {
      const answer = await fetch(
        new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
          method: 'POST',
          headers,
          body: body.length ? body : undefined,
        }),
        { incoming: req, outgoing: res },
      );
      // The route wrote the stream's headers itself: the connection is the stream's now.
      if (answer.headers.get('x-hono-already-sent') || res.headersSent) return;
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => (out[k] = v));
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end();
    }
  });
}
