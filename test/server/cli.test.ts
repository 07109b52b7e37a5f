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

describe('cercle digests run', () => {
  const { run } = commandLine('cli-digests');

  /** Two sites listening for digests, each with members holding notifications older than an hour. */
  async function seed() {
    const store = await openStore(process.env.CERCLE_DB);
    const at = new Date(Date.now() - 3_600_000).toISOString();
    for (const site of ['asso', 'club']) {
      await store.createSite({ id: site, name: site === 'asso' ? 'Asso' : 'Club', origins: [`https://${site}.example`] });
      await store.db
        .insertInto('webhooks')
        .values({
          id: `wh-${site}`,
          site_id: site,
          url: 'http://127.0.0.1:9/hook',
          secret: 'whsec_test',
          events: '["notification.digest"]',
          description: null,
          active: 1,
          created_at: at,
        })
        .execute();
      for (const host of ['ana', 'ben']) {
        const m = await store.upsertMember(site, { sub: host, name: host === 'ana' ? 'Ana' : 'Ben', iat: Math.floor(Date.now() / 1000) });
        for (let i = 0; i < 3; i++) {
          await store.db
            .insertInto('notifications')
            .values({
              site_id: site,
              id: `ir:${site}:${host}:${i}`,
              member_pk: m.pk,
              kind: 'introduction.requested',
              actor_pk: null,
              thread_pk: null,
              comment_id: null,
              event_id: null,
              introduction_id: `intro-${i}`,
              data: null,
              created_at: at,
              read_at: null,
              delivered_at: null,
            })
            .execute();
        }
      }
    }
    await store.close();
  }

  const deliveries = async (site: string) => {
    const store = await openStore(process.env.CERCLE_DB);
    const rows = await store.db.selectFrom('webhook_deliveries').select(['event_id', 'payload']).where('site_id', '=', site).execute();
    await store.close();
    return rows;
  };

  it('makes and runs one site’s daily digests now, prints each, and never sends one twice', async () => {
    await seed();
    const r = await run('digests', 'run', '--site', 'asso', '--period', 'daily');
    assert.equal(r.code, 0, r.out);
    const day = new Date().toISOString().slice(0, 10);
    assert.match(r.out, new RegExp(`^asso: daily:${day} digest sent to ana$`, 'm'));
    assert.match(r.out, new RegExp(`^asso: daily:${day} digest sent to ben$`, 'm'));
    assert.match(r.out, /^2 jobs made \(daily\), 2 run, 2 digests sent\.$/m);
    const sent = await deliveries('asso');
    assert.equal(sent.length, 2);
    assert.deepEqual(
      sent.map((d) => JSON.parse(d.payload).data.count),
      [3, 3],
    );
    assert.equal((await deliveries('club')).length, 0, 'another site is left to its own run');

    const again = await run('digests', 'run', '--site', 'asso', '--period', 'daily');
    assert.match(again.out, /^0 jobs made \(daily\), 0 run, 0 digests sent\.$/m);
    assert.equal((await deliveries('asso')).length, 2);

    const all = await run('digests', 'run', '--period', 'daily');
    assert.match(all.out, /^club: daily:.* digest sent to ana$/m);
    assert.ok(!/^asso:/m.test(all.out));
    assert.equal((await deliveries('club')).length, 2);
  });

  it('refuses an unknown site or period', async () => {
    await assert.rejects(run('digests', 'run', '--site', 'nowhere'), /No site "nowhere"/);
    await assert.rejects(run('digests', 'run', '--period', 'hourly'), /daily, weekly or both/);
    assert.equal((await run('digests')).code, 2);
  });
});
