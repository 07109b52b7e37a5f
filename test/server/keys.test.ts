import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createApp, type Logger } from '../../src/server/app.js';
import { JWKS_MAX_AGE_MS, JWKS_REFETCH_MS } from '../../src/server/auth/jwks.js';
import type { Store } from '../../src/server/store/store.js';
import { explainToken } from '../../src/server/auth/explain.js';
import { backends, call, SECRET, setup, token } from './support.js';

/** A host's key server on 127.0.0.1 whose answer each test chooses; it counts the requests it gets. */
class KeyServer {
  server!: Server;
  url = '';
  hits = 0;
  answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('{"keys":[]}');
  async start() {
    this.server = createServer((_req, res) => {
      this.hits++;
      this.answer(res);
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/.well-known/jwks.json`;
  }
  serve(keys: JWK[]) {
    this.answer = (res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    };
  }
  stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
}

const signed = (key: CryptoKey | Uint8Array, o: { alg: string; iss: string; kid?: string; at: number; sub?: string }) =>
  new SignJWT({ name: 'Key Holder' })
    .setProtectedHeader({ alg: o.alg, ...(o.kid ? { kid: o.kid } : {}) })
    .setIssuer(o.iss)
    .setAudience('cercle')
    .setSubject(o.sub ?? 'k-1')
    .setIssuedAt(Math.floor(o.at / 1000))
    .setExpirationTime(Math.floor(o.at / 1000) + 600)
    .sign(key);

for (const backend of backends()) {
  describe(`site keys (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let clock = Date.now();
    const logs: Record<string, unknown>[] = [];
    const logger: Logger = { info: (f) => logs.push(f), error: (f) => logs.push(f) };
    let app: ReturnType<typeof createApp>;
    const keyServer = new KeyServer();
    let rsaA: { publicKey: CryptoKey; privateKey: CryptoKey };
    let rsaB: { publicKey: CryptoKey; privateKey: CryptoKey };
    let jwkA: JWK;
    let jwkB: JWK;

    before(async () => {
      ({ store, cleanup } = await backend.open());
      app = createApp({ store, logger, now: () => clock });
      await keyServer.start();
      rsaA = await generateKeyPair('RS256', { extractable: true });
      rsaB = await generateKeyPair('RS256', { extractable: true });
      jwkA = { ...(await exportJWK(rsaA.publicKey)), kid: 'host-a', alg: 'RS256', use: 'sig' };
      jwkB = { ...(await exportJWK(rsaB.publicKey)), kid: 'host-b', alg: 'RS256', use: 'sig' };
      await store.createSite({ id: 'wp', name: 'WordPress site', origins: ['https://wp.example'] });
      await store.createSite({ id: 'jwks', name: 'Key server site', origins: ['https://jwks.example'] });
      await store.addKey('jwks', { alg: 'RS256', jwksUrl: keyServer.url });
    });
    after(async () => {
      keyServer.stop();
      await cleanup();
    });

    const me = (site: string, t: string) => call(app, 'GET', `/v1/sites/${site}/me`, { token: t, origin: `https://${site}.example` });

    describe('HS256 secrets', () => {
      it('uses a new secret as the text it is printed as, the way PHP and WordPress JWT code signs', async () => {
        const key = await store.addKey('wp', { alg: 'HS256' });
        assert.equal(key.secret_encoding, 'text');
        assert.match(key.secret!, /^[A-Za-z0-9_-]{43}$/);
        const asText = await signed(new TextEncoder().encode(key.secret!), { alg: 'HS256', iss: 'wp', at: clock });
        const r = await me('wp', asText);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const decoded = await signed(Buffer.from(key.secret!, 'base64url'), { alg: 'HS256', iss: 'wp', at: clock });
        assert.equal((await me('wp', decoded)).body.code, 'auth.bad_signature');
        await store.db.deleteFrom('site_keys').where('kid', '=', key.kid).execute();
      });

      it('keeps verifying secrets stored before text secrets as the bytes their base64url encodes', async () => {
        const secret = Buffer.alloc(32, 3).toString('base64url');
        const key = await store.addKey('wp', { alg: 'HS256', secret });
        assert.equal(key.secret_encoding, 'base64url');
        const row = (await store.activeKeys('wp')).find((k) => k.kid === key.kid)!;
        assert.equal(row.secret_encoding, 'base64url');
        assert.equal((await me('wp', await signed(Buffer.from(secret, 'base64url'), { alg: 'HS256', iss: 'wp', at: clock }))).status, 200);
        await store.db.deleteFrom('site_keys').where('kid', '=', key.kid).execute();
      });

      it('imports a secret a site already signs with, as text, and refuses one too short or padded', async () => {
        const secret = 'wp-shared-secret:Zq8f!Lr2@Nc5#Hx7$Tv9%Kb3^Md6&Pw4';
        const key = await store.addKey('wp', { alg: 'HS256', secret, encoding: 'text' });
        assert.equal((await me('wp', await signed(new TextEncoder().encode(secret), { alg: 'HS256', iss: 'wp', at: clock }))).status, 200);
        await store.db.deleteFrom('site_keys').where('kid', '=', key.kid).execute();
        await assert.rejects(store.addKey('wp', { alg: 'HS256', secret: 'too-short', encoding: 'text' }), /at least 32 characters/);
        await assert.rejects(store.addKey('wp', { alg: 'HS256', secret: ` ${secret}`, encoding: 'text' }), /white space/);
        await assert.rejects(store.addKey('wp', { alg: 'HS256', secret: 'a'.repeat(40), encoding: 'text' }), /random/);
        await assert.rejects(store.addKey('wp', { alg: 'HS256', secret: 'c2hvcnQ' }), /32 bytes/);
      });

      it('rotates to a text secret', async () => {
        const key = await store.rotateSecret('wp', 0);
        assert.equal(key.secret_encoding, 'text');
        assert.equal(
          (await me('wp', await signed(new TextEncoder().encode(key.secret!), { alg: 'HS256', iss: 'wp', at: clock }))).status,
          200,
        );
        await store.db.deleteFrom('site_keys').where('site_id', '=', 'wp').execute();
      });
    });

    it("accepts an EdDSA token carrying its JWK's own kid, as standard signers send it", async () => {
      const ed = await generateKeyPair('EdDSA', { extractable: true });
      await store.createSite({ id: 'ed', name: 'Ed', origins: ['https://ed.example'] });
      const key = await store.addKey('ed', { alg: 'EdDSA', publicJwk: { ...(await exportJWK(ed.publicKey)), kid: 'wp-ed25519-2026' } });
      assert.equal(key.jwk_kid, 'wp-ed25519-2026');
      for (const kid of ['wp-ed25519-2026', key.kid, undefined]) {
        const r = await me('ed', await signed(ed.privateKey, { alg: 'EdDSA', iss: 'ed', kid, at: clock }));
        assert.equal(r.status, 200, `${kid}: ${JSON.stringify(r.body)}`);
      }
      const r = await me('ed', await signed(ed.privateKey, { alg: 'EdDSA', iss: 'ed', kid: 'someone-else', at: clock }));
      assert.equal(r.body.code, 'auth.bad_signature');
    });

    describe('a host key server (JWKS URL)', () => {
      const broken: [string, (res: import('node:http').ServerResponse) => void, RegExp][] = [
        ['garbage', (res) => res.end('<html>Maintenance</html>'), /not JSON/],
        ['JSON that is no key set', (res) => res.end('{"hello":"world"}'), /not a key set/],
        [
          'a 500',
          (res) => {
            res.statusCode = 500;
            res.end('oops');
          },
          /HTTP 500/,
        ],
        [
          'a redirect',
          (res) => {
            res.statusCode = 302;
            res.setHeader('location', 'https://elsewhere.example/jwks.json');
            res.end();
          },
          /redirect \(HTTP 302 to https:\/\/elsewhere\.example\/jwks\.json\)/,
        ],
        ['an answer over 64 KB', (res) => res.end(JSON.stringify({ keys: [], pad: 'x'.repeat(70 * 1024) })), /more than 64 KB/],
        [
          'an endless chunked answer',
          (res) => {
            res.setHeader('content-type', 'application/json');
            res.write('{"keys":[');
            const chunk = `${JSON.stringify({ kty: 'oct', pad: 'y'.repeat(8000) })},`;
            for (let i = 0; i < 12; i++) res.write(chunk);
            res.end('{}]}');
          },
          /more than 64 KB/,
        ],
      ];
      for (const [what, answer, reason] of broken) {
        it(`answers 503 auth.key_server_unavailable, naming the host, when it gives ${what}`, async () => {
          clock += JWKS_MAX_AGE_MS + 1; // nothing cached, and past the refetch interval
          keyServer.answer = answer;
          logs.length = 0;
          const r = await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }));
          assert.equal(r.status, 503, JSON.stringify(r.body));
          assert.equal(r.body.code, 'auth.key_server_unavailable');
          assert.match(r.body.detail, /^The key server at 127\.0\.0\.1:\d+ /);
          assert.match(r.body.detail, reason);
          assert.deepEqual(
            logs.filter((l) => l.msg === 'auth.refused'),
            [{ msg: 'auth.refused', site: 'jwks', code: 'auth.key_server_unavailable', status: 503 }],
          );
        });
      }

      it('does not ask a failing key server again on every request', async () => {
        clock += JWKS_MAX_AGE_MS + 1;
        keyServer.answer = (res) => {
          res.statusCode = 502;
          res.end();
        };
        keyServer.hits = 0;
        for (let i = 0; i < 3; i++) {
          assert.equal(
            (await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }))).status,
            503,
          );
        }
        assert.equal(keyServer.hits, 1);
      });

      it('fetches again for an unknown kid, at most once per interval, and takes a new key at once', async () => {
        clock += JWKS_MAX_AGE_MS + 1;
        keyServer.serve([jwkA]);
        keyServer.hits = 0;
        assert.equal(
          (await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }))).status,
          200,
        );
        assert.equal(keyServer.hits, 1);
        // The host adds key B and signs with it right away.
        clock += JWKS_REFETCH_MS;
        keyServer.serve([jwkA, jwkB]);
        assert.equal(
          (await me('jwks', await signed(rsaB.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-b', at: clock }))).status,
          200,
        );
        assert.equal(keyServer.hits, 2);
        // Tokens naming a kid nobody published do not make Cercle hammer the key server.
        for (let i = 0; i < 3; i++) {
          const r = await me('jwks', await signed(rsaB.privateKey, { alg: 'RS256', iss: 'jwks', kid: `made-up-${i}`, at: clock }));
          assert.equal(r.body.code, 'auth.bad_signature');
        }
        assert.equal(keyServer.hits, 2);
        clock += JWKS_REFETCH_MS;
        await me('jwks', await signed(rsaB.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'made-up-again', at: clock }));
        assert.equal(keyServer.hits, 3);
      });

      it('stops accepting a key the host removed once the cached set is older than the maximum age', async () => {
        clock += JWKS_MAX_AGE_MS + 1;
        keyServer.serve([jwkA, jwkB]);
        assert.equal(
          (await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }))).status,
          200,
        );
        keyServer.serve([jwkB]);
        clock += JWKS_MAX_AGE_MS - 1000;
        assert.equal(
          (await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }))).status,
          200,
          'still cached',
        );
        clock += 1000;
        const r = await me('jwks', await signed(rsaA.privateKey, { alg: 'RS256', iss: 'jwks', kid: 'host-a', at: clock }));
        assert.equal(r.status, 401);
        assert.equal(r.body.code, 'auth.bad_signature');
      });

      it('tries each key of the set when a token names no kid', async () => {
        clock += JWKS_MAX_AGE_MS + 1;
        keyServer.serve([jwkA, jwkB]);
        const r = await me('jwks', await signed(rsaB.privateKey, { alg: 'RS256', iss: 'jwks', at: clock }));
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });
    });

    it('logs each refused token with its code and site, one JSON object', async () => {
      logs.length = 0;
      const r = await me('wp', 'not-a-token');
      assert.equal(r.status, 401);
      assert.deepEqual(
        logs.filter((l) => l.msg === 'auth.refused'),
        [{ msg: 'auth.refused', site: 'wp', code: 'auth.malformed', status: 401 }],
      );
    });
  });

  describe(`explaining a token (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let textKey: { kid: string; secret: string | null };
    before(async () => {
      ctx = await setup(backend);
      await ctx.store.createSite({ id: 'text-site', name: 'Text', origins: ['https://text.example'] });
      textKey = await ctx.store.addKey('text-site', { alg: 'HS256' });
    });
    after(() => ctx.cleanup());
    const nowS = () => Math.floor(Date.now() / 1000);
    const explain = async (jwt: string, site = 'asso') => (await explainToken(ctx.store, jwt, site, Date.now())).join('\n');
    const hs = (key: Uint8Array, claims: Record<string, unknown>, kid?: string) => {
      const t = nowS();
      return new SignJWT({ iss: 'text-site', aud: 'cercle', sub: 'm-9', iat: t, exp: t + 600, ...claims })
        .setProtectedHeader({ alg: 'HS256', ...(kid ? { kid } : {}) })
        .sign(key);
    };

    it('says a good token is accepted, with the key that verified it', async () => {
      const text = await explain(await token({ sub: 'fine' }));
      assert.match(text, /Tried key asso-\w+ \(HS256, secret used as the bytes its base64url text encodes\): the signature verifies\./);
      assert.match(text, /Cercle accepts this token: it signs in member "fine" of "asso"\./);
      assert.doesNotMatch(text, /Hint/);
    });

    it('names a wrong issuer and a wrong audience', async () => {
      const text = await explain(await token({ iss: 'text-site', aud: 'wordpress' }));
      assert.match(text, /The issuer \(iss\) is "text-site" but the site id is "asso": set iss to "asso"\./);
      assert.match(text, /The audience \(aud\) is "wordpress"; it must be "cercle"\./);
      assert.match(text, /Cercle refuses this token with 401/);
    });

    it('gives the clock skew in seconds when the token is issued in the future', async () => {
      const text = await explain(await token({ iat: nowS() + 600, exp: nowS() + 1200 }));
      assert.match(text, /Issued \(iat\) 600 s in the future: the site's clock is about 600 s ahead of this server's \(tolerance 30 s\)/);
      assert.match(text, /auth\.not_yet_valid/);
    });

    it('says how long ago a token expired, and when its lifetime is over an hour', async () => {
      let text = await explain(await token({ iat: nowS() - 900, exp: nowS() - 300 }));
      assert.match(text, /Expired \(exp\) 300 s ago \(tolerance 30 s\)\./);
      text = await explain(await token({ iat: nowS(), exp: nowS() + 7200 }));
      assert.match(text, /Lifetime \(exp - iat\) is 7200 s; at most 3600 s \(one hour\) is allowed\./);
    });

    it('hints that the site base64url-decoded a secret meant to be used as text', async () => {
      const text = await explain(await hs(Buffer.from(textKey.secret!, 'base64url'), {}), 'text-site');
      assert.match(text, /\(HS256, secret used as the text printed\): the signature does not verify\./);
      assert.match(
        text,
        /Hint: the signature verifies with the bytes the secret's base64url text decodes to\. The site decodes the secret before signing/,
      );
      assert.match(text, /auth\.bad_signature/);
    });

    it('hints that the site used an older base64url secret as text', async () => {
      const text = await explain(await token({ secret: SECRET }));
      assert.match(text, /the signature does not verify\./);
      assert.match(text, /Hint: the signature verifies with the secret's text used as it is\./);
    });

    it('gives no hint when the secret is simply another one', async () => {
      const text = await explain(await hs(new TextEncoder().encode('an-entirely-different-secret-of-43-characters'), {}), 'text-site');
      assert.match(text, /the signature does not verify\./);
      assert.match(text, /No key of the site verifies the signature\./);
      assert.doesNotMatch(text, /Hint/);
    });

    it('says which keys were not tried: another kid, another algorithm', async () => {
      let text = await explain(await hs(new TextEncoder().encode(textKey.secret!), {}, 'no-such-kid'), 'text-site');
      assert.match(
        text,
        new RegExp(
          `Not tried: key ${textKey.kid} \\(HS256, secret used as the text printed\\), because the token's kid "no-such-kid" names another key\\.`,
        ),
      );
      assert.match(text, new RegExp(`No key of the site has the kid "no-such-kid": use "${textKey.kid}"`));
      const ed = await generateKeyPair('EdDSA');
      const edToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer('text-site')
        .setAudience('cercle')
        .setSubject('m-9')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(ed.privateKey);
      text = await explain(edToken, 'text-site');
      assert.match(text, /Header: algorithm EdDSA, no key id \(kid\)\./);
      assert.match(
        text,
        /Not tried: key text-site-\w+ \(HS256, [^)]*\), because the token is signed with EdDSA and each key verifies its own algorithm only\./,
      );
    });

    it('lists claims that are not valid, and missing required ones', async () => {
      const text = await explain(
        await hs(new TextEncoder().encode(textKey.secret!), { name: 'Nul\u0000Name', roles: ['root'], sub: undefined }),
        'text-site',
      );
      assert.match(text, /The required claim "sub" is missing\./);
      assert.match(text, /The claim "name" is not valid: Control characters/);
      assert.match(text, /The claim "roles\.0" is not valid/);
    });

    it('explains a string that is not a JWT, and an unknown site', async () => {
      assert.equal(
        await explain('hello'),
        'This is not a JWT: a JWT is three base64url parts separated by dots (header.payload.signature).',
      );
      assert.match(await explain(await token(), 'nowhere'), /There is no site "nowhere" on this server\./);
    });
  });
}
