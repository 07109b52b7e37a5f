import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createApp, silentLogger } from '../../src/server/app.js';
import { normalizeOrigin, originAllowed } from '../../src/server/http/origins.js';
import { openStore } from '../../src/server/store/store.js';
import { backends, call, commandLine } from './support.js';

describe('site origins and patterns', () => {
  const allowed = ['https://asso.example.org', 'https://*.staging.example.org', 'http://localhost:8080'];
  for (const [origin, ok] of [
    ['https://asso.example.org', true],
    ['http://localhost:8080', true],
    ['https://pr-12.staging.example.org', true],
    ['https://staging.example.org', false],
    ['https://a.b.staging.example.org', false],
    ['https://evilstaging.example.org', false],
    ['http://pr-12.staging.example.org', false],
    ['https://pr-12.staging.example.org:8443', false],
    ['https://pr-12.staging.example.org.evil.com', false],
    ['https://*.staging.example.org', false],
    ['null', false],
    ['http://localhost:8081', false],
  ] as const) {
    it(`${ok ? 'admits' : 'refuses'} ${origin}`, () => assert.equal(originAllowed(allowed, origin), ok));
  }

  it('keeps the origin of a page address, and a pattern as a pattern', () => {
    assert.equal(normalizeOrigin('https://Asso.Example.org/blog/post?x=1'), 'https://asso.example.org');
    assert.equal(normalizeOrigin('https://*.Staging.example.org'), 'https://*.staging.example.org');
    assert.equal(normalizeOrigin('https://*.staging.example.org:8443/'), 'https://*.staging.example.org:8443');
    assert.equal(normalizeOrigin('http://localhost:8080'), 'http://localhost:8080');
  });

  for (const bad of [
    '*',
    'https://*',
    'https://*.org',
    'https://*.*.example.org',
    'https://a*.example.org',
    'https://**.example.org',
    'ftp://asso.example.org',
    'asso.example.org',
    'https://user:pw@asso.example.org',
    'https://*.10.0.0.1',
  ]) {
    it(`refuses to store ${bad}`, () =>
      assert.throws(
        () => normalizeOrigin(bad),
        (e: Error) => e.message.includes(bad),
      ));
  }
});

for (const backend of backends()) {
  describe(`CORS with an origin pattern (${backend.name})`, () => {
    let ctx: { app: ReturnType<typeof createApp>; cleanup(): Promise<void> };
    before(async () => {
      const { store, cleanup } = await backend.open();
      await store.createSite({
        id: 'asso',
        name: 'Asso',
        origins: ['https://asso.example.org', 'https://*.staging.example.org'],
        settings: { rateLimits: false },
      });
      ctx = { app: createApp({ store, logger: silentLogger }), cleanup };
    });
    after(() => ctx.cleanup());

    it('admits one label under the pattern, on a preflight and a read', async () => {
      const origin = 'https://pr-7.staging.example.org';
      const pre = await call(ctx.app, 'OPTIONS', '/v1/sites/asso/comments', {
        origin,
        headers: { 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
      const read = await call(ctx.app, 'GET', '/v1/sites/asso', { origin });
      assert.equal(read.status, 200);
      assert.equal(read.headers.get('access-control-allow-origin'), origin);
    });

    for (const origin of [
      'https://staging.example.org',
      'https://a.b.staging.example.org',
      'https://evilstaging.example.org',
      'http://pr-7.staging.example.org',
    ]) {
      it(`refuses ${origin} with cors.origin_not_allowed, never reflecting it`, async () => {
        const r = await call(ctx.app, 'GET', '/v1/sites/asso', { origin });
        assert.equal(r.status, 403);
        assert.equal(r.body.code, 'cors.origin_not_allowed');
        assert.match(r.body.detail, /not one of the site's origins/);
        assert.equal(r.headers.get('access-control-allow-origin'), null);
      });
    }
  });
}

describe('cercle site add --secret and cercle token check', () => {
  const cli = commandLine('embed');
  const { run } = cli;
  const SECRET = 'the-site-already-signs-with-this-text-secret-0123';
  const sign = (secret: string, claims: { iss?: string; exp?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ name: 'Camille' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(claims.iss ?? 'club')
      .setAudience('cercle')
      .setSubject('m-1')
      .setIssuedAt(now)
      .setExpirationTime(claims.exp ?? now + 600)
      .sign(new TextEncoder().encode(secret));
  };

  it('imports an existing secret, used as text, and never prints it', async () => {
    const r = await run(
      'site',
      'add',
      'club',
      '--origin',
      'https://club.example.org',
      '--origin',
      'https://*.staging.example.org',
      '--secret',
      SECRET,
    );
    assert.equal(r.code, 0, r.out);
    assert.ok(!r.out.includes(SECRET));
    assert.match(r.out, /used as text/);
    const listed = await run('site', 'list');
    assert.match(listed.out, /^club\tclub\thttps:\/\/club\.example\.org https:\/\/\*\.staging\.example\.org\t/m);
    const store = await openStore(process.env.CERCLE_DB);
    const [key] = await store.activeKeys('club');
    await store.close();
    assert.equal(key.secret, SECRET);
    assert.equal(key.secret_encoding, 'text');
  });

  it('accepts a token signed with it: token check exits 0', async () => {
    const r = await run('token', 'check', await sign(SECRET), '--site', 'club');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /the signature verifies/);
    assert.match(r.out.split('\n').at(-1)!, /^Cercle accepts this token/);
  });

  it('explains a refused token and exits 1: wrong key, wrong issuer, not a JWT', async () => {
    const wrongKey = await run('token', 'check', await sign('another-secret-of-more-than-32-characters!'), '--site', 'club');
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.out, /signature does not verify/);
    assert.match(wrongKey.out, /auth\.bad_signature|auth\./);
    const wrongIss = await run('token', 'check', await sign(SECRET, { iss: 'other' }), '--site', 'club');
    assert.equal(wrongIss.code, 1);
    assert.match(wrongIss.out, /set iss to "club"/);
    const html = await run('token', 'check', '<!doctype html><html>', '--site', 'club');
    assert.equal(html.code, 1);
    assert.match(html.out, /not a JWT/);
  });

  it('refuses a short or spaced secret, and leaves no site behind', async () => {
    await assert.rejects(
      run('site', 'add', 'short', '--origin', 'https://s.example.org', '--secret', 'too-short'),
      /--secret refused: .*at least 32 characters/,
    );
    await assert.rejects(
      run('site', 'add', 'spaced', '--origin', 'https://s.example.org', '--secret', ' ' + SECRET),
      /--secret refused: .*white space/,
    );
    await assert.rejects(
      run('site', 'add', 'ed', '--origin', 'https://s.example.org', '--secret', SECRET, '--alg', 'EdDSA'),
      /HS256 secret/,
    );
    const listed = await run('site', 'list');
    assert.doesNotMatch(listed.out, /^(short|spaced|ed)\t/m);
  });

  for (const origin of ['*', 'https://*', 'https://*.org', 'https://*.*.example.org']) {
    it(`refuses the origin ${origin} at site add`, async () => {
      await assert.rejects(run('site', 'add', 'wild', '--origin', origin), (e: Error) => e.message.includes(origin));
    });
  }

  it('token check needs the token and the site', async () => {
    await assert.rejects(run('token', 'check', '--site', 'club'), /needs the token and --site/);
    await assert.rejects(run('token', 'check', 'abc'), /needs the token and --site/);
  });
});
