import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { Context } from 'hono';
import { addVary, negotiate, type Encoding } from './compress.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.d.ts': 'text/plain',
};

/** Precompressed files made by the build beside each asset (`scripts/compress.js`): `x.js.br`, `x.js.gz`. */
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/** A year, and never revalidated: the file's name changes with its content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Entry files keep their name across versions: a short while, then revalidated with their ETag. */
export const SHORT = 'public, max-age=300';

/**
 * Whether a file name carries its content's hash (`discussion-B3xk9_aQ.js`, as the bundler names shared chunks):
 * eight characters of base64url after the last dash, with a digit or a capital, so that a word such as
 * `-discussion` is not taken for one (a hashed file taken for an entry file is only cached for less long).
 */
export function isHashed(name: string): boolean {
  const m = /-([A-Za-z0-9_-]{8})\.(?:m?js|css|map)$/.exec(name);
  return !!m && /[0-9A-Z]/.test(m[1]);
}

interface Variant {
  data: Buffer;
  etag: string;
}

interface Entry {
  mtimeMs: number;
  size: number;
  raw: Variant;
  encoded: Partial<Record<Encoding, Variant>>;
}

/** The file and its precompressed forms when they are at least as new as it (a stale `.br` is ignored). */
async function load(file: string, st: { mtimeMs: number; size: number }): Promise<Entry> {
  const data = await readFile(file);
  const hash = createHash('sha256').update(data).digest('base64url').slice(0, 22);
  const entry: Entry = { mtimeMs: st.mtimeMs, size: st.size, raw: { data, etag: `"${hash}"` }, encoded: {} };
  for (const enc of Object.keys(SUFFIX) as Encoding[]) {
    const variant = file + SUFFIX[enc];
    const vs = await stat(variant).catch(() => undefined);
    if (vs?.isFile() && vs.mtimeMs >= st.mtimeMs) entry.encoded[enc] = { data: await readFile(variant), etag: `"${hash}-${enc}"` };
  }
  return entry;
}

/** Whether `If-None-Match` names this representation (or any, `*`); weak tags compare by their value. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * Serves the files of `dir` (the browser bundle) under a route whose path after `prefix` names the file:
 * precompressed brotli or gzip when the client accepts it and the build made it, a strong ETag for each form
 * (304 on `If-None-Match`), content-hashed files cached for a year as immutable, the others a short while.
 * The folder's `server/` (the server's own build) is not served. Files are kept in memory once read, and read
 * again when their modification time or size changes.
 */
export function assetServer(dir: string, prefix: string, opts: { exclude?: (rel: string) => boolean } = {}) {
  const root = resolve(dir);
  const cache = new Map<string, Entry>();
  return async (c: Context) => {
    const rel = normalize(c.req.path.slice(prefix.length));
    const file = join(root, rel);
    if (!file.startsWith(root + '/') || rel.includes('\0') || opts.exclude?.(rel)) return c.notFound();
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) return c.notFound();
    let entry = cache.get(file);
    if (!entry || entry.mtimeMs !== st.mtimeMs || entry.size !== st.size) {
      entry = await load(file, st);
      if (cache.size > 2000) cache.clear();
      cache.set(file, entry);
    }
    const available = (Object.keys(entry.encoded) as Encoding[]).filter((e) => entry.encoded[e]);
    const encoding = available.length ? negotiate(c.req.header('accept-encoding'), available) : null;
    const variant = encoding ? entry.encoded[encoding]! : entry.raw;
    const headers = new Headers({
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // The bundle is public code: any page may load it (no credentials are involved).
      'access-control-allow-origin': '*',
      'cache-control': isHashed(rel) ? IMMUTABLE : SHORT,
      etag: variant.etag,
    });
    if (available.length) addVary(headers);
    if (matches(c.req.header('if-none-match'), variant.etag)) return new Response(null, { status: 304, headers });
    if (encoding) headers.set('content-encoding', encoding);
    headers.set('content-length', String(variant.data.byteLength));
    return new Response(c.req.method === 'HEAD' ? null : (variant.data as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
