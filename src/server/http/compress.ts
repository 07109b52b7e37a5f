import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';

export type Encoding = 'br' | 'gzip';

/** Answers smaller than this go out as they are: a compressed frame would save little and cost CPU. */
export const COMPRESS_MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * The encoding to send for an `Accept-Encoding` header among `offered` (in the server's order of preference),
 * or null for none: q-values count (`br;q=0` refuses brotli), `*` stands for any encoding not named.
 */
export function negotiate(header: string | undefined, offered: readonly Encoding[] = ['br', 'gzip']): Encoding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const enc of offered) {
    const v = q.get(enc) ?? (enc === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
    if (v > bestQ) {
      best = enc;
      bestQ = v;
    }
  }
  return best;
}

/**
 * Compresses `data` for an answer made on the fly: brotli at quality 4 (near gzip's speed, smaller output),
 * gzip at level 6. Runs on libuv's thread pool, not on the event loop.
 */
export function compress(data: Uint8Array, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 4,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
        },
      })
    : gz(data, { level: 6 });
}

/** Adds `Accept-Encoding` to `Vary` once: the answer depends on it for a cache. */
export function addVary(headers: Headers) {
  const v = headers.get('vary');
  if (!v || !/\baccept-encoding\b/i.test(v)) headers.append('vary', 'Accept-Encoding');
}

const COMPRESSIBLE = /^application\/(?:[\w.+-]+\+)?json\b|^text\/(?:calendar|plain|html|csv)\b/i;

/**
 * Compresses JSON (and calendar, text) answers above {@link COMPRESS_MIN_BYTES} with brotli or gzip as the client
 * accepts. Never a live stream (`text/event-stream` goes out as each event is written), never an answer that
 * already has an encoding, never a HEAD or a 204/304.
 */
export function compressAnswers(minBytes = COMPRESS_MIN_BYTES): MiddlewareHandler {
  return async (c: Context, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (!res.body || c.req.method === 'HEAD' || res.status === 204 || res.status === 304) return;
    if (!COMPRESSIBLE.test(type) || res.headers.has('content-encoding')) return;
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(length) && length < minBytes) return;
    const encoding = negotiate(c.req.header('accept-encoding'));
    if (!encoding) {
      addVary(res.headers);
      return;
    }
    const raw = new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    addVary(headers);
    let body: Uint8Array = raw;
    if (raw.byteLength >= minBytes) {
      body = await compress(raw, encoding);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(body.byteLength));
    }
    // Hono merges the headers of the answer it holds into one set over it: clearing it first keeps this one whole.
    c.res = undefined;
    c.res = new Response(body as Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers });
  };
}
