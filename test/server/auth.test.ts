import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createApp, silentLogger } from '../../src/server/app.js';
import { KEYS_CACHE_MS } from '../../src/server/auth/verify.js';
import { backends, call, SECRET, setup, token } from './support.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

for (const backend of backends()) {
  describe(`sign-in from the host site (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      ctx = await setup(backend);
    });
    after(() => ctx.cleanup());

    const me = (t?: string, headers?: Record<string, string>) => call(ctx.app, 'GET', '/v1/sites/asso/me', { token: t, headers });

    it('creates the member on first sight and returns them from /me', async () => {
      const r = await me(await token({ sub: 'alice', name: 'Alice Durand', roles: ['member'], chapters: ['toulouse'] }));
      assert.equal(r.status, 200);
      assert.deepEqual(
        { id: r.body.id, name: r.body.name, chapters: r.body.chapters, roles: r.body.roles },
        { id: 'alice', name: 'Alice Durand', chapters: ['toulouse'], roles: ['member'] },
      );
      const row = await ctx.store.memberByHostId('asso', 'alice');
      assert.equal(row?.name, 'Alice Durand');
    });

    it('lets the newest token win display updates, not an older one replayed later', async () => {
      const t = now();
      await me(await token({ sub: 'bob', name: 'Bob v2', iat: t - 10 }));
      let r = await me(await token({ sub: 'bob', name: 'Bob v1', iat: t - 100 }));
      assert.equal(r.body.name, 'Bob v2');
      r = await me(await token({ sub: 'bob', name: 'Bob v3', iat: t }));
      assert.equal(r.body.name, 'Bob v3');
    });

    const rejections: [string, () => Promise<string>, string][] = [
      [
        'alg: none',
        async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'asso', aud: 'cercle', sub: 'x', iat: now(), exp: now() + 60 })}.`,
        'auth.alg_not_allowed',
      ],
      ['a bad signature', async () => token({ secret: Buffer.alloc(32, 9).toString('base64url') }), 'auth.bad_signature'],
      [
        'a tampered payload',
        async () => {
          const [h, , s] = (await token()).split('.');
          return `${h}.${b64({ iss: 'asso', aud: 'cercle', sub: 'admin', roles: ['admin'], iat: now(), exp: now() + 60 })}.${s}`;
        },
        'auth.bad_signature',
      ],
      ['an expired token', async () => token({ iat: now() - 1200, exp: now() - 600 }), 'auth.expired'],
      ['a token not yet valid', async () => token({ nbf: now() + 600 }), 'auth.not_yet_valid'],
      ['a token issued in the future', async () => token({ iat: now() + 600, exp: now() + 1200 }), 'auth.not_yet_valid'],
      ['the wrong audience', async () => token({ aud: 'someone-else' }), 'auth.wrong_audience'],
      ['an unknown issuer', async () => token({ iss: 'nobody' }), 'auth.unknown_issuer'],
      [
        'a missing sub',
        async () =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer('asso')
            .setAudience('cercle')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(Buffer.from(SECRET, 'base64url')),
        'auth.claim_missing',
      ],
      [
        'a missing exp',
        async () =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer('asso')
            .setAudience('cercle')
            .setSubject('x')
            .setIssuedAt()
            .sign(Buffer.from(SECRET, 'base64url')),
        'auth.claim_missing',
      ],
      ['a token older than the maximum age', async () => token({ iat: now() - 3 * 3600, exp: now() + 600 }), 'auth.too_old'],
      ['a lifetime over one hour', async () => token({ iat: now(), exp: now() + 4 * 3600 }), 'auth.lifetime_too_long'],
      ['an oversized token', async () => `${b64({ alg: 'HS256' })}.${'A'.repeat(9000)}.sig`, 'auth.too_large'],
      ['garbage', async () => 'not-a-token', 'auth.malformed'],
      ['base64 that is not JSON', async () => 'aGVsbG8.d29ybGQ.c2ln', 'auth.malformed'],
      ['invalid claims (roles outside the list)', async () => token({ roles: ['superuser'] }), 'auth.invalid_claims'],
    ];
    for (const [what, make, code] of rejections) {
      it(`refuses ${what} with 401 ${code}`, async () => {
        const r = await me(await make());
        assert.equal(r.status, 401, JSON.stringify(r.body));
        assert.equal(r.body.code, code);
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.match(r.headers.get('www-authenticate') ?? '', /invalid_token/);
      });
    }

    it('refuses a name claim carrying NUL or another control character with 401 auth.invalid_claims', async () => {
      for (const name of ['Ca\u0000mille', 'Ca\u001bmille', 'Line\nbreak', 'half \uD800']) {
        const r = await me(await token({ sub: 'ctl', name }));
        assert.equal(r.status, 401, JSON.stringify(r.body));
        assert.equal(r.body.code, 'auth.invalid_claims');
        assert.match(r.body.detail, /^name:/);
      }
      assert.equal(await ctx.store.memberByHostId('asso', 'ctl'), undefined);
    });

    it('refuses an issuer that cannot be a site id without asking the database', async () => {
      const r = await me(await token({ iss: 'as\u0000so' }));
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.unknown_issuer');
    });

    it('answers 400 request.invalid naming the field to NUL and control characters, signed in or out', async () => {
      for (const t of [undefined, await token()]) {
        for (const path of [
          '/v1/sites/asso/comments?thread=a%00b',
          '/v1/sites/asso/comments?thread=a%1Bb',
          '/v1/sites/asso/mentions?thread=t&q=a%00',
        ]) {
          const r = await call(ctx.app, 'GET', path, { token: t });
          assert.equal(r.status, 400, `${path} ${JSON.stringify(r.body)}`);
          assert.equal(r.body.code, 'request.invalid');
          assert.match(r.body.errors[0].path, /^query\.(thread|q)$/);
          assert.match(r.body.errors[0].message, /Control characters/);
        }
      }
      const post = await call(ctx.app, 'POST', '/v1/sites/asso/comments', {
        token: await token(),
        body: { thread: 't-nul', body: 'hi\u0000there' },
      });
      assert.equal(post.status, 400);
      assert.deepEqual(
        post.body.errors.map((e: { path: string }) => e.path),
        ['body.body'],
      );
      const lone = await call(ctx.app, 'POST', '/v1/sites/asso/comments', {
        token: await token(),
        body: { thread: 't-nul', body: 'half \uD83D of an emoji' },
      });
      assert.equal(lone.status, 400);
      assert.equal(await ctx.store.thread('asso', 't-nul'), undefined);
      const ok = await call(ctx.app, 'POST', '/v1/sites/asso/comments', {
        token: await token(),
        body: { thread: 't-nul', body: 'Two lines,\n\tand an emoji 😀' },
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
    });

    it('refuses a missing token on /me and a non-Bearer header', async () => {
      assert.equal((await me()).body.code, 'auth.missing');
      const r = await call(ctx.app, 'GET', '/v1/sites/asso/me', { headers: { authorization: 'Basic abc' } });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.malformed');
    });

    it('refuses a token of one site used on another', async () => {
      await ctx.store.createSite({ id: 'other', name: 'Other', origins: ['https://other.example'] });
      const r = await call(ctx.app, 'GET', '/v1/sites/other/me', { token: await token(), origin: 'https://other.example' });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.site_mismatch');
    });

    it('never downgrades a write with a bad token to anonymous', async () => {
      const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: 'garbage', body: { thread: 't', body: 'hi' } });
      assert.equal(r.status, 401);
      assert.equal(await ctx.store.thread('asso', 't'), undefined);
    });

    it('keeps old secrets valid during a rotation overlap, then refuses them', async () => {
      const old = await token({ sub: 'rot' });
      const fresh = await ctx.store.rotateSecret('asso', 3600);
      assert.equal((await me(old)).status, 200);
      assert.equal((await me(await token({ sub: 'rot', secret: fresh.secret! }))).status, 200);
      await ctx.store.db
        .updateTable('site_keys')
        .set({ retires_at: new Date(Date.now() - 1000).toISOString() })
        .where('kid', '!=', fresh.kid)
        .where('site_id', '=', 'asso')
        .execute();
      // (An app that has not kept the keys: how long kept keys last is the next test's.)
      const r = await call(createApp({ store: ctx.store, logger: silentLogger }), 'GET', '/v1/sites/asso/me', { token: old });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.bad_signature');
    });

    it("reads a site's keys once for a while: a key added elsewhere verifies at once, one withdrawn elsewhere stops within the while", async () => {
      let shift = 0;
      const app = createApp({ store: ctx.store, logger: silentLogger, now: () => Date.now() + shift });
      const meOn = (t: string) => call(app, 'GET', '/v1/sites/asso/me', { token: t });
      const current = (await ctx.store.activeKeys('asso')).find((k) => k.alg === 'HS256')!;
      assert.equal((await meOn(await token({ sub: 'kept', secret: current.secret! }))).status, 200);
      // Another instance (or the command line) rotates: the new secret's first token makes the keys read again.
      const fresh = await ctx.store.rotateSecret('asso', 3600);
      assert.equal((await meOn(await token({ sub: 'kept', secret: fresh.secret! }))).status, 200);
      // The old secret is withdrawn in the database, not through this app: kept keys still hold it for a while…
      await ctx.store.db
        .updateTable('site_keys')
        .set({ retires_at: new Date(Date.now() - 1000).toISOString() })
        .where('kid', '!=', fresh.kid)
        .where('site_id', '=', 'asso')
        .execute();
      const old = await token({ sub: 'kept', secret: current.secret! });
      assert.equal((await meOn(old)).status, 200);
      // …and no longer once they are read again.
      shift = KEYS_CACHE_MS + 1;
      const r = await meOn(old);
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.bad_signature');
    });
  });

  describe(`sites that keep their private key (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let ed: { publicKey: CryptoKey; privateKey: CryptoKey };
    let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
    let jwksServer: Server;
    let jwksUrl: string;
    before(async () => {
      ctx = await setup(backend);
      ed = await generateKeyPair('EdDSA', { extractable: true });
      rsa = await generateKeyPair('RS256', { extractable: true });
      await ctx.store.createSite({ id: 'ed-site', name: 'Ed', origins: ['https://ed.example'] });
      await ctx.store.addKey('ed-site', { alg: 'EdDSA', publicJwk: await exportJWK(ed.publicKey) });
      const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
      jwksServer = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [rsaJwk] }));
      });
      await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
      jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/jwks.json`;
      await ctx.store.createSite({ id: 'rsa-site', name: 'Rsa', origins: ['https://rsa.example'] });
      await ctx.store.addKey('rsa-site', { alg: 'RS256', jwksUrl });
    });
    after(async () => {
      jwksServer.close();
      await ctx.cleanup();
    });

    const sign = (alg: string, key: CryptoKey | Uint8Array, iss: string, kid?: string) =>
      new SignJWT({ name: 'Key Holder' })
        .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
        .setIssuer(iss)
        .setAudience('cercle')
        .setSubject('k-1')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key);

    it('verifies EdDSA tokens with the stored public key', async () => {
      const r = await call(ctx.app, 'GET', '/v1/sites/ed-site/me', {
        token: await sign('EdDSA', ed.privateKey, 'ed-site'),
        origin: 'https://ed.example',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.name, 'Key Holder');
    });

    it("verifies RS256 tokens against the site's JWKS URL", async () => {
      const r = await call(ctx.app, 'GET', '/v1/sites/rsa-site/me', {
        token: await sign('RS256', rsa.privateKey, 'rsa-site', 'rsa-1'),
        origin: 'https://rsa.example',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });

    it("refuses an HS256 token signed with the site's public key (algorithm confusion)", async () => {
      const pub = await exportJWK(ed.publicKey);
      const forged = await sign('HS256', new TextEncoder().encode(JSON.stringify(pub)), 'ed-site');
      const forged2 = await sign('HS256', Buffer.from(pub.x!, 'base64url'), 'ed-site');
      for (const t of [forged, forged2]) {
        const r = await call(ctx.app, 'GET', '/v1/sites/ed-site/me', { token: t, origin: 'https://ed.example' });
        assert.equal(r.status, 401);
        assert.equal(r.body.code, 'auth.alg_not_allowed');
      }
    });

    it('refuses an EdDSA token signed by another key', async () => {
      const stranger = await generateKeyPair('EdDSA');
      const r = await call(ctx.app, 'GET', '/v1/sites/ed-site/me', {
        token: await sign('EdDSA', stranger.privateKey, 'ed-site'),
        origin: 'https://ed.example',
      });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'auth.bad_signature');
    });
  });
}
