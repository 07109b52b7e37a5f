import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { silentLogger } from '../../src/server/app.js';
import { IMMUTABLE, isHashed, SHORT } from '../../src/server/http/assets.js';
import { negotiate } from '../../src/server/http/compress.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { backends, call, ORIGIN, setup, token } from './support.js';

/** A raw HTTP GET (fetch would decode the body and hide what went over the wire). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('content negotiation', () => {
  it('picks brotli, then gzip, as the client weighs them', () => {
    assert.equal(negotiate('gzip, deflate, br'), 'br');
    assert.equal(negotiate('gzip, deflate, br;q=0'), 'gzip');
    assert.equal(negotiate('br;q=0.5, gzip;q=0.8'), 'gzip');
    assert.equal(negotiate('deflate'), null);
    assert.equal(negotiate('*'), 'br');
    assert.equal(negotiate('*;q=0, gzip'), 'gzip');
    assert.equal(negotiate(undefined), null);
    assert.equal(negotiate('identity'), null);
    assert.equal(negotiate('br, gzip', ['gzip']), 'gzip');
  });

  it('tells hashed file names from entry names', () => {
    assert.ok(isHashed('chunks/shared-B3xk9_aQ.js'));
    assert.ok(isHashed('discussion-Dq81zLmN.js'));
    assert.ok(!isHashed('cercle.js'));
    assert.ok(!isHashed('comment-count.js'));
    assert.ok(!isHashed('cercle-discussion.js'));
    assert.ok(!isHashed('locales/es.js'));
  });
});

for (const backend of backends()) {
  describe(`compressed API answers (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      ctx = await setup(backend);
      const t = await token({ sub: 'writer' });
      for (let i = 0; i < 12; i++) {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', {
          token: t,
          body: { thread: 'long', body: `Retour d'expérience n°${i} sur la transmission d'entreprise en région.` },
        });
        assert.equal(r.status, 201);
      }
    });
    after(() => ctx.cleanup());

    const read = (encoding?: string, thread = 'long') =>
      ctx.app.request(`/v1/sites/asso/comments?thread=${thread}`, {
        headers: { origin: ORIGIN, ...(encoding !== undefined ? { 'accept-encoding': encoding } : {}) },
      });

    it('sends a large answer with brotli or gzip as accepted, the same JSON once decoded', async () => {
      const plain = await read();
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.match(plain.headers.get('vary') ?? '', /accept-encoding/i);
      const text = await plain.text();
      assert.ok(text.length > 1024, `${text.length} bytes`);

      const br = await read('gzip, br');
      assert.equal(br.status, 200);
      assert.equal(br.headers.get('content-encoding'), 'br');
      assert.match(br.headers.get('vary') ?? '', /accept-encoding/i);
      assert.equal(br.headers.get('access-control-allow-origin'), ORIGIN);
      const brBytes = Buffer.from(await br.arrayBuffer());
      assert.equal(Number(br.headers.get('content-length')), brBytes.length);
      assert.ok(brBytes.length < text.length / 2, `${brBytes.length} of ${text.length}`);
      assert.deepEqual(JSON.parse(brotliDecompressSync(brBytes).toString()), JSON.parse(text));

      const gz = await read('gzip;q=1, br;q=0');
      assert.equal(gz.headers.get('content-encoding'), 'gzip');
      assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()), JSON.parse(text));
    });

    it('leaves a small answer as it is', async () => {
      const r = await read('br, gzip', 'short-and-empty');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-encoding'), null);
      const body = await r.json();
      assert.deepEqual(body.items, []);
    });

    it('compresses a refusal only when it is large, and keeps its problem+json type', async () => {
      const r = await ctx.app.request('/v1/sites/asso/comments?thread=', { headers: { origin: ORIGIN, 'accept-encoding': 'br' } });
      assert.equal(r.status, 400);
      assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal(r.headers.get('content-encoding'), null);
    });

    it('never compresses a live stream', async () => {
      const res = await ctx.app.request('/v1/sites/asso/live', {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json', 'accept-encoding': 'br, gzip' },
        body: JSON.stringify({ topics: ['thread:long'] }),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(res.headers.get('content-encoding'), null);
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /event: ready/);
      await reader.cancel();
    });
  });
}

describe('the browser bundle under /sdk/', () => {
  let dir: string;
  let server: RunningServer;
  const entry = `export const x = ${JSON.stringify('cercle '.repeat(400))};\n`;
  const chunk = `export const shared = ${JSON.stringify('lit '.repeat(500))};\n`;
  before(async () => {
    const { store, cleanup } = await backends()[0].open();
    dir = mkdtempSync(join(tmpdir(), 'cercle-sdk-'));
    writeFileSync(join(dir, 'cercle.js'), entry);
    writeFileSync(join(dir, 'cercle.js.br'), brotliCompressSync(entry));
    writeFileSync(join(dir, 'cercle.js.gz'), gzipSync(entry));
    writeFileSync(join(dir, 'shared-B3xk9_aQ.js'), chunk);
    writeFileSync(join(dir, 'shared-B3xk9_aQ.js.br'), brotliCompressSync(chunk));
    writeFileSync(join(dir, 'plain.js'), 'export {};\n');
    // A precompressed copy older than its file is stale: it must not be served.
    writeFileSync(join(dir, 'stale.js'), entry);
    writeFileSync(join(dir, 'stale.js.br'), brotliCompressSync('export const old = 1;'));
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'stale.js.br'), past, past);
    server = await startServer({ port: 0, store, assets: dir, logger: silentLogger });
    const close = server.close.bind(server);
    server.close = async () => {
      await close();
      await cleanup();
    };
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the precompressed file the client accepts, with a strong ETag for each form', async () => {
    const br = await get(`${server.url}/sdk/cercle.js`, { 'accept-encoding': 'gzip, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), entry);
    assert.match(br.headers['content-type'], /^text\/javascript/);
    assert.match(br.headers.vary, /accept-encoding/i);
    assert.equal(br.headers['cache-control'], SHORT);
    assert.equal(br.headers['access-control-allow-origin'], '*');

    const gz = await get(`${server.url}/sdk/cercle.js`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), entry);

    const raw = await get(`${server.url}/sdk/cercle.js`);
    assert.equal(raw.headers['content-encoding'], undefined);
    assert.equal(raw.body.toString(), entry);
    assert.equal(Number(raw.headers['content-length']), Buffer.byteLength(entry));

    const tags = new Set([br.headers.etag, gz.headers.etag, raw.headers.etag]);
    assert.equal(tags.size, 3);
    for (const t of tags) assert.match(t, /^"[\w-]+"$/);
  });

  it('answers 304 to a matching If-None-Match, and the file to one that does not match', async () => {
    const first = await get(`${server.url}/sdk/cercle.js`, { 'accept-encoding': 'br' });
    const again = await get(`${server.url}/sdk/cercle.js`, { 'accept-encoding': 'br', 'if-none-match': first.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.equal(again.headers['cache-control'], SHORT);
    const weak = await get(`${server.url}/sdk/cercle.js`, { 'accept-encoding': 'br', 'if-none-match': `"nope", W/${first.headers.etag}` });
    assert.equal(weak.status, 304);
    const other = await get(`${server.url}/sdk/cercle.js`, { 'if-none-match': first.headers.etag });
    assert.equal(other.status, 200, 'the raw form has its own tag');
    assert.equal(other.body.toString(), entry);
  });

  it('caches content-hashed files for a year, immutable', async () => {
    const r = await get(`${server.url}/sdk/shared-B3xk9_aQ.js`, { 'accept-encoding': 'br, gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], IMMUTABLE);
    assert.equal(r.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(r.body).toString(), chunk);
    // No gzip copy was built: a gzip-only client gets the file as it is.
    const plain = await get(`${server.url}/sdk/shared-B3xk9_aQ.js`, { 'accept-encoding': 'gzip' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), chunk);
  });

  it('ignores a precompressed copy older than its file, and serves a file without copies as it is', async () => {
    const stale = await get(`${server.url}/sdk/stale.js`, { 'accept-encoding': 'br' });
    assert.equal(stale.headers['content-encoding'], undefined);
    assert.equal(stale.body.toString(), entry);
    const plain = await get(`${server.url}/sdk/plain.js`, { 'accept-encoding': 'br' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, undefined);
    assert.ok(plain.headers.etag);
  });

  it('refuses paths outside the bundle and the server build', async () => {
    assert.equal((await get(`${server.url}/sdk/../package.json`)).status, 404);
    assert.equal((await get(`${server.url}/sdk/%2e%2e/%2e%2e/etc/passwd`)).status, 404);
    assert.equal((await get(`${server.url}/sdk/server/cercle.js`)).status, 404);
    assert.equal((await get(`${server.url}/sdk/missing.js`)).status, 404);
  });
});
