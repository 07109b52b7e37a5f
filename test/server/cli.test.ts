import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { openStore } from '../../src/server/store/store.js';
import { commandLine } from './support.js';

describe('cercle CLI', () => {
  const cli = commandLine('cli');
  const { run } = cli;

  it('adds a site, prints its secret once, and lists it without the secret', async () => {
    const added = await run(
      'site',
      'add',
      '--name',
      'Réseau des Dirigeants',
      '--origin',
      'https://reseau.example.fr/some/page',
      '--origin',
      'http://localhost:8080',
    );
    assert.equal(added.code, 0);
    const secret = added.out.split('\n').at(-1)!;
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    const listed = await run('site', 'list');
    assert.match(listed.out, /^reseau-des-dirigeants\tRéseau des Dirigeants\thttps:\/\/reseau\.example\.fr http:\/\/localhost:8080\t/m);
    assert.ok(!listed.out.includes(secret));
  });

  it('rotates a key with an overlap', async () => {
    const r = await run('site', 'rotate-key', 'reseau-des-dirigeants', '--overlap', '120');
    assert.equal(r.code, 0);
    const store = await openStore(process.env.CERCLE_DB);
    const keys = await store.activeKeys('reseau-des-dirigeants');
    await store.close();
    assert.equal(keys.length, 2);
    assert.equal(keys.filter((k) => k.retires_at).length, 1);
  });

  it('accepts a public key and refuses a private one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    writeFileSync(join(cli.dir, 'pub.jwk'), JSON.stringify(await exportJWK(publicKey)));
    writeFileSync(join(cli.dir, 'priv.jwk'), JSON.stringify(await exportJWK(privateKey)));
    const ok = await run(
      'site',
      'add',
      '--name',
      'Ed',
      '--id',
      'ed-site',
      '--origin',
      'https://ed.example',
      '--alg',
      'EdDSA',
      '--public-key',
      join(cli.dir, 'pub.jwk'),
    );
    assert.equal(ok.code, 0);
    assert.doesNotMatch(ok.out, /secret/i);
    await assert.rejects(run('site', 'add-key', 'ed-site', '--alg', 'EdDSA', '--public-key', join(cli.dir, 'priv.jwk')), /private key/);
  });

  it('refuses rotate-key on a site whose keys are all EdDSA, pointing at add-key, and adds no HS256 key', async () => {
    await assert.rejects(run('site', 'rotate-key', 'ed-site'), /add-key/);
    const store = await openStore(process.env.CERCLE_DB);
    const keys = await store.activeKeys('ed-site');
    await store.close();
    assert.deepEqual(
      keys.map((k) => k.alg),
      ['EdDSA'],
    );
  });

  it('refuses bad input with a clear message', async () => {
    await assert.rejects(run('site', 'add', '--name', 'X'), /--origin/);
    await assert.rejects(run('site', 'add', '--name', 'Bad', '--origin', 'ftp://x.example'), /http/);
    await assert.rejects(run('site', 'add', '--name', 'Réseau des Dirigeants', '--origin', 'https://a.example'), /exists already/);
    await assert.rejects(run('site', 'rotate-key', 'ghost'), /No site/);
    assert.equal((await run('bogus')).code, 2);
  });
});
