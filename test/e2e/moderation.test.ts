/**
 * End to end, moderation and administration: the real Cercle server on a temporary database, the demo
 * association's site beside it, a real Chromium, the command line for imports, and a webhook receiver on
 * 127.0.0.1 (production mode off). Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { main } from '../../src/server/cli/index.js';
import { type E2EDemo, openDemo } from './support.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SITE = 'demo';

let db: string;
let demo: RunningDemo;

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('moderation');
  ({ demo } = e2e);
  db = join(e2e.dir, 'cercle.db');
});

after(() => e2e?.close());

/** A browser signed in on the demo site as the member whose name matches, on `path`. */
const signedIn = (name: RegExp, path = '/moderation') => e2e.visit({ as: name, path });

/** The member's token, from the site's own token endpoint (as the widgets get it). */
const tokenOf = async (page: Page) => (await page.evaluate(() => fetch('/cercle-token').then((r) => r.json()))).token as string;

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${demo.cercleUrl}/v1/sites/${SITE}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Comments waiting for review, posted through the API by members as the host would sign them in. */
async function pending(thread: string, audience: string, bodies: string[]) {
  await demo.store.setThread(SITE, thread, { audience, title: thread });
  const ids: string[] = [];
  for (const [i, body] of bodies.entries()) {
    const author = await demo.store.upsertMember(SITE, {
      sub: `e2e-${thread}-${i}`,
      iat: Math.floor(Date.now() / 1000),
      name: `Nouveau ${i}`,
      chapters: [audience.slice(8)],
    });
    const r = await demo.store.insertComment({
      site_id: SITE,
      thread_pk: (await demo.store.thread(SITE, thread))!.pk,
      parent_id: null,
      author_pk: author.pk,
      body,
      status: 'pending',
      idempotency_key: null,
      held_reason: 'first_post',
    });
    ids.push(r.id);
  }
  return ids;
}

const queueItems = (page: Page) => page.locator('cercle-moderation article');
const statusOf = async (id: string) => (await demo.store.comment(SITE, id))?.status;

test('a moderator clears the queue from the keyboard on the back-office page', async () => {
  const ids = await pending('e2e-toulouse', 'chapter:toulouse', ['Bonjour à tous', 'Premier message ici', 'Une question sur la soirée']);
  const { context, page, errors } = await signedIn(/Jean-Marc Castagné/);
  try {
    const items = queueItems(page);
    await items.first().waitFor();
    const before = await items.count();
    assert.ok(before >= 3, `the queue holds the waiting comments (${before})`);
    await page
      .locator('cercle-moderation')
      .getByRole('button', { name: /^Raccourcis clavier/ })
      .waitFor();
    // Into the list with Tab, then only keys.
    await items.first().focus();
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    for (let n = before; n > 0; n--) {
      await page.keyboard.press('a');
      await page.waitForFunction(
        (left) => document.querySelector('cercle-moderation')!.shadowRoot!.querySelectorAll('article').length === left,
        n - 1,
      );
    }
    await page.locator('cercle-moderation [part=empty]').getByText('Rien à examiner. Bravo !').waitFor();
    for (const id of ids) assert.equal(await statusOf(id), 'published');
    const log = await demo.store.db
      .selectFrom('moderation_log')
      .select(['action', 'comment_id'])
      .where('site_id', '=', SITE)
      .where('action', '=', 'approve')
      .execute();
    for (const id of ids)
      assert.ok(
        log.some((l) => l.comment_id === id),
        'each approval is in the audit log',
      );
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a chapter moderator sees their chapter only and is refused on another chapter', async () => {
  const [mine] = await pending('e2e-montpellier', 'chapter:montpellier', ['Message à Montpellier']);
  const [theirs] = await pending('e2e-toulouse-2', 'chapter:toulouse', ['Message à Toulouse']);
  const { context, page } = await signedIn(/Leïla Haddad/);
  try {
    const items = queueItems(page);
    await items.first().waitFor();
    const bodies = await page.locator('cercle-moderation [part=body]').allTextContents();
    assert.ok(bodies.includes('Message à Montpellier'));
    assert.ok(!bodies.includes('Message à Toulouse'));
    await page.locator('cercle-moderation').getByText('Vous modérez : montpellier.').waitFor();
    const token = await tokenOf(page);
    const refused = await api('POST', '/moderation/actions', token, { action: 'hide', comments: [theirs] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'moderation.chapter_forbidden');
    assert.equal((await api('GET', '/moderation/queue?chapter=toulouse', token)).body.code, 'moderation.chapter_forbidden');
    assert.equal(await statusOf(theirs), 'pending');
    // Her own chapter, from the keyboard: hide.
    const mineItem = items.filter({ hasText: 'Message à Montpellier' });
    await mineItem.focus();
    await page.keyboard.press('h');
    await mineItem.waitFor({ state: 'detached' });
    assert.equal(await statusOf(mine), 'hidden');
  } finally {
    await context.close();
  }
});

test('a WordPress export and a Disqus export import twice with the same result', async () => {
  const saved = { db: process.env.CERCLE_DB, url: process.env.DATABASE_URL };
  process.env.CERCLE_DB = db;
  delete process.env.DATABASE_URL;
  try {
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await main(args, (s) => out.push(s));
      return { code, out: out.join('\n') };
    };
    const count = async () =>
      Number(
        (
          await demo.store.db
            .selectFrom('comments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('site_id', '=', SITE)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const start = await count();
    const dry = await run(
      'import',
      'wxr',
      join(FIXTURES, 'wordpress.wxr.xml'),
      '--site',
      SITE,
      '--dry-run',
      '--map-url',
      'https://old.asso.example.fr=https://demo.cercle.example',
    );
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /Dry run \(nothing written\)/);
    assert.match(dry.out, /comments: 5 new \(1 waiting for review\)/);
    assert.equal(await count(), start);
    const wxr1 = await run(
      'import',
      'wxr',
      join(FIXTURES, 'wordpress.wxr.xml'),
      '--site',
      SITE,
      '--map-url',
      'https://old.asso.example.fr=https://demo.cercle.example',
    );
    assert.match(wxr1.out, /comments: 5 new/);
    const afterWxr = await count();
    assert.equal(afterWxr, start + 5);
    const wxr2 = await run(
      'import',
      'wxr',
      join(FIXTURES, 'wordpress.wxr.xml'),
      '--site',
      SITE,
      '--map-url',
      'https://old.asso.example.fr=https://demo.cercle.example',
    );
    assert.match(wxr2.out, /comments: 0 new \(0 waiting for review\), 5 already imported/);
    assert.equal(await count(), afterWxr);
    const dq1 = await run('import', 'disqus', join(FIXTURES, 'disqus.xml'), '--site', SITE);
    assert.match(dq1.out, /comments: 5 new/);
    const afterDisqus = await count();
    const dq2 = await run('import', 'disqus', join(FIXTURES, 'disqus.xml'), '--site', SITE);
    assert.match(dq2.out, /5 already imported/);
    assert.equal(await count(), afterDisqus);
    // A broken file is refused clearly, nothing written.
    const bad = await run('import', 'disqus', join(FIXTURES, 'wordpress.wxr.xml'), '--site', SITE);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /not a Disqus export.*import\.wrong_format; nothing was imported/);
    // The imported thread reads on its page's URL, with the authors' names and no email.
    const page = await api(
      'GET',
      `/comments?thread=${encodeURIComponent('https://demo.cercle.example/2024/06/transmettre-son-entreprise/')}`,
    );
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.items.map((c: { author: { name: string } }) => c.author.name),
      ['Hélène Garnier', 'Marc Lefèvre'],
    );
    assert.ok(!JSON.stringify(page.body).includes('@garnier-conseil'));
  } finally {
    if (saved.db === undefined) delete process.env.CERCLE_DB;
    else process.env.CERCLE_DB = saved.db;
    if (saved.url) process.env.DATABASE_URL = saved.url;
  }
});

test('a webhook receiver verifies the signatures of the events it gets', async () => {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  let arrived: () => void = () => {};
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
      arrived();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/cercle`;
  const admin = await signedIn(/Hélène Marty/, '/');
  const member = await signedIn(/Camille Rouanet/, '/');
  try {
    const adminToken = await tokenOf(admin.page);
    assert.equal(
      (await api('POST', '/admin/webhooks', await tokenOf(member.page), { url, events: ['comment.created'] })).body.code,
      'admin.forbidden',
    );
    const created = await api('POST', '/admin/webhooks', adminToken, {
      url,
      events: ['comment.created', 'comment.reply'],
      description: 'Mailer',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret: string = created.body.secret;
    const posted = await api('POST', '/comments', await tokenOf(member.page), {
      thread: 'https://demo.cercle.example/articles/webhooks',
      body: 'Un message qui part au mailer',
    });
    assert.equal(posted.status, 201);
    while (!got.length) await new Promise<void>((ok) => (arrived = ok));
    const [delivery] = got;
    // What an association's receiver does: recompute the HMAC over "t.body", compare in constant time, check the age.
    const header = String(delivery.headers['cercle-signature']);
    const { t, v1 } = Object.fromEntries(header.split(',').map((p) => p.split('='))) as { t: string; v1: string };
    const expected = createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest();
    assert.ok(timingSafeEqual(expected, Buffer.from(v1, 'hex')), 'the signature verifies with the secret');
    assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 300, 'the timestamp is fresh');
    const wrong = createHmac('sha256', 'whsec_wrong').update(`${t}.${delivery.body}`).digest();
    assert.ok(!timingSafeEqual(wrong, Buffer.from(v1, 'hex')));
    const event = JSON.parse(delivery.body);
    assert.equal(event.type, 'comment.created');
    assert.equal(delivery.headers['cercle-event'], 'comment.created');
    assert.equal(event.data.comment.id, posted.body.id);
    assert.equal(event.data.comment.author.name, 'Camille Rouanet');
    // The delivery log records the answer once the receiver has given it.
    let log = await api('GET', '/admin/webhooks/deliveries', adminToken);
    for (let i = 0; i < 100 && log.body.items[0]?.status !== 'delivered'; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
      log = await api('GET', '/admin/webhooks/deliveries', adminToken);
    }
    assert.equal(log.body.items[0].status, 'delivered');
    assert.equal(log.body.items[0].lastStatus, 204);
  } finally {
    await admin.context.close();
    await member.context.close();
    await new Promise<void>((ok) => receiver.close(() => ok()));
  }
});
