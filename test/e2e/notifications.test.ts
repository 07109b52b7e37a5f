/**
 * End to end, notifications: on the demo site with the real server, member A replies to member B; B's
 * bell counts it in another tab without a reload and its panel links to the reply. B's daily digest
 * then arrives once through the site's webhook (a receiver started here) and once by mail (a local
 * SMTP server started here), in French; B stops the mail with the link it carries and gets none after.
 * Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { NotificationDigestData } from '../../src/contract/notifications.js';
import { WebhookPayload } from '../../src/contract/moderation.js';
import { main as cli } from '../../src/server/cli/index.js';
import { createDigestJobs, runDigestJobs } from '../../src/server/notifications/digest.js';
import { verifySignature } from '../../src/server/webhooks/webhooks.js';
import { comments, discussion, openDemo, type E2EDemo, type Visit } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';
const A = { id: 'adh-1003', name: 'Camille Rouanet' };
const B = { id: 'adh-1005', name: 'Sophie Delmas' };
/** A member who wants the digest by mail too (the demo's token carries the address). */
const C = { id: 'adh-1007', name: 'Nathalie Roques', email: 'adh-1007@membres.example.org' };

let e2e: E2EDemo;
/** What the site's webhook receiver got, signature checked. */
const hooks: WebhookPayload[] = [];
/** What the mail server got. */
const mails: ParsedMail[] = [];
let receiver: Server;
let smtp: SMTPServer;
let secret = '';

/** Runs the `cercle` command line on the demo's database, as its administrator would. */
async function cercle(...argv: string[]): Promise<string> {
  const saved = { url: process.env.DATABASE_URL, db: process.env.CERCLE_DB };
  process.env.DATABASE_URL = '';
  process.env.CERCLE_DB = join(e2e.dir, 'cercle.db');
  const lines: string[] = [];
  try {
    const code = await cli(argv, (s) => lines.push(s));
    assert.equal(code, 0, `cercle ${argv.join(' ')}: ${lines.join('\n')}`);
  } finally {
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.url;
    if (saved.db === undefined) delete process.env.CERCLE_DB;
    else process.env.CERCLE_DB = saved.db;
  }
  return lines.join('\n');
}

const listen = (s: { listen(port: number, host: string, cb: () => void): unknown }) =>
  new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));

/** Waits for `check` to hold, polling (what a server does in the background has no event to wait on here). */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs the daily digest as the server's scheduler does when the day's hour comes (here, now, or `at`),
 * then waits until what it queued has left both outboxes: webhook deliveries and mail.
 */
async function digest(at = Date.now()) {
  const store = e2e.demo.store;
  await createDigestJobs(store, 'demo', 'daily', at);
  await runDigestJobs(store, { now: () => at });
  // A digest run for a later day queues what is due then: nothing to wait for now.
  if (at > Date.now()) return;
  await eventually(async () => {
    const hooksLeft = await store.db.selectFrom('webhook_deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
    const mailLeft = await store.db.selectFrom('mail_outbox').select('id').where('status', 'in', ['pending', 'sending']).execute();
    return !hooksLeft.length && !mailLeft.length;
  }, 'the outboxes emptied');
}

before(async () => {
  e2e = await openDemo('notifications');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const ok = verifySignature(secret, body, String(req.headers['cercle-signature'] ?? ''));
      if (ok) hooks.push(WebhookPayload.parse(JSON.parse(body)));
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await listen(receiver);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (m) => (mails.push(m), done()),
        (e: Error) => done(e),
      );
    },
  });
  await listen(smtp.server);
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cercle`;
  secret = /whsec_[A-Za-z0-9_-]+/.exec(await cercle('webhook', 'add', 'demo', '--url', hookUrl, '--event', 'notification.digest'))![0];
  const port = (smtp.server.address() as AddressInfo).port;
  await cercle(
    'settings',
    'set',
    'demo',
    `notifications=${JSON.stringify({ smtp: { host: '127.0.0.1', port, from: 'Amicale des dirigeants <notifications@example.org>' } })}`,
  );
});

after(async () => {
  await e2e?.close();
  receiver?.closeAllConnections();
  receiver?.close();
  await new Promise<void>((ok) => (smtp ? smtp.close(ok) : ok()));
});

const bell = (page: Page) => page.locator('cercle-notifications').getByRole('button', { name: /^Notifications,/ });
const box = (page: Page) => discussion(page).getByRole('textbox', { name: 'Votre commentaire' });

test(
  'A replies to B: B sees it live in every tab, the panel links to the reply, and the daily digest reaches the site once, in French',
  { timeout: 120_000 },
  async () => {
    let a: Visit | undefined;
    const b = await e2e.visit({ as: B.name, path: ARTICLE });
    try {
      const tab1 = b.page;
      const stamp = Date.now();
      // B posts, and asks for a daily digest.
      const mine = `Qui a déjà transmis son entreprise à un salarié ? (${stamp})`;
      await box(tab1).fill(mine);
      const stored = tab1.waitForResponse((r) => r.request().method() === 'POST' && /\/comments$/.test(new URL(r.url()).pathname));
      await discussion(tab1).getByRole('button', { name: 'Publier' }).click();
      const mineId = ((await (await stored).json()) as { id: string }).id;
      await comments(tab1).filter({ hasText: mine }).waitFor();
      await bell(tab1).click();
      const widget = tab1.locator('cercle-notifications');
      await widget.getByText('Réglages des notifications').click();
      await widget.getByRole('radio', { name: 'Dans un récapitulatif quotidien' }).check();
      await widget.getByRole('button', { name: 'Enregistrer les réglages' }).click();
      await widget.getByRole('status').filter({ hasText: 'Vos réglages de notification sont enregistrés.' }).waitFor({ state: 'attached' });
      await tab1.keyboard.press('Escape');
      await eventually(() => bell(tab1).evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el), 'focus back on the bell');

      // A second tab of B, open before the reply.
      const tab2 = await b.context.newPage();
      let navigations = 0;
      tab2.on('framenavigated', (f) => void (f === tab2.mainFrame() && navigations++));
      await tab2.goto(e2e.demo.url + ARTICLE);
      await bell(tab2).waitFor();
      assert.equal(await bell(tab2).getAttribute('aria-label'), 'Notifications, aucune non lue');

      // A replies to B.
      a = await e2e.visit({ as: A.name, path: ARTICLE });
      const reply = `Moi, l'an dernier : je vous raconte jeudi. (${stamp})`;
      const target = comments(a.page).filter({ hasText: mine });
      await target.getByRole('button', { name: 'Répondre', exact: true }).click();
      await discussion(a.page).locator(`#t-${mineId}`).fill(reply);
      const posted = a.page.waitForResponse((r) => r.request().method() === 'POST' && /\/comments$/.test(new URL(r.url()).pathname));
      await discussion(a.page).locator(`#box-${mineId} button[type="submit"]`).click();
      const replyId = ((await (await posted).json()) as { id: string }).id;

      // B: both tabs count it, without a reload.
      await bell(tab2).and(tab2.getByLabel('Notifications, 1 non lue')).waitFor({ timeout: 5000 });
      await bell(tab1).and(tab1.getByLabel('Notifications, 1 non lue')).waitFor({ timeout: 5000 });
      assert.equal(navigations, 1, 'the second tab never reloaded');
      await bell(tab2).click();
      const link = tab2.locator('cercle-notifications [part~="item"] a').first();
      assert.match((await link.textContent())!.trim(), /^Camille Rouanet vous a répondu dans «\u202fTransmettre son entreprise/);
      const href = new URL((await link.getAttribute('href'))!);
      assert.equal(href.hash, `#comment-${replyId}`);
      assert.equal(href.pathname, ARTICLE);

      // The daily digest, run twice: one delivery by webhook, in French.
      await digest();
      await digest();
      const digests = hooks.filter((h) => h.type === 'notification.digest');
      assert.equal(digests.length, 1, 'one digest by webhook');
      const data = NotificationDigestData.parse(digests[0].data);
      assert.deepEqual([data.member.id, data.member.language, data.period, data.count], [B.id, 'fr', 'daily', 1]);
      assert.equal(data.groups[0].items[0].comment?.id, replyId);
      assert.equal(mails.length, 0, 'B asked for no mail');
      assert.deepEqual([...b.errors, ...(a?.errors ?? [])], []);
    } finally {
      await a?.context.close();
      await b.context.close();
    }
  },
);

test(
  'C opts in to mail: the digest arrives once by SMTP, in French; C stops it with its link and gets no more',
  {
    timeout: 120_000,
  },
  async () => {
    let a: Visit | undefined;
    const b = await e2e.visit({ as: C.name, path: ARTICLE });
    try {
      const tab1 = b.page;
      const stamp = Date.now();
      const mine = `Un expert-comptable à recommander ? (${stamp})`;
      await box(tab1).fill(mine);
      const stored = tab1.waitForResponse((r) => r.request().method() === 'POST' && /\/comments$/.test(new URL(r.url()).pathname));
      await discussion(tab1).getByRole('button', { name: 'Publier' }).click();
      const mineId = ((await (await stored).json()) as { id: string }).id;
      await bell(tab1).click();
      const widget = tab1.locator('cercle-notifications');
      await widget.getByText('Réglages des notifications').click();
      await widget.getByRole('checkbox', { name: 'Par e-mail de l’association' }).check();
      await widget.getByRole('button', { name: 'Enregistrer les réglages' }).click();
      await widget.getByRole('status').filter({ hasText: 'Vos réglages de notification sont enregistrés.' }).waitFor({ state: 'attached' });

      a = await e2e.visit({ as: A.name, path: ARTICLE });
      const target = comments(a.page).filter({ hasText: mine });
      const answer = async (text: string) => {
        await target.getByRole('button', { name: 'Répondre', exact: true }).click();
        await discussion(a!.page).locator(`#t-${mineId}`).fill(text);
        await discussion(a!.page).locator(`#box-${mineId} button[type="submit"]`).click();
        await comments(a!.page).filter({ hasText: text }).waitFor();
      };
      await answer(`Le nôtre, je vous envoie ses coordonnées. (${stamp})`);
      const sent = mails.length;
      await digest();
      await digest();
      assert.equal(mails.length, sent + 1, 'one digest by mail');
      const mail = mails.at(-1)!;
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : '', C.email);
      assert.match(mail.text ?? '', /Camille Rouanet/);
      assert.match(mail.text ?? '', /Camille Rouanet a répondu à votre commentaire/, 'written in French');
      // mailparser reads List-Unsubscribe into its parts ({ list: { unsubscribe: { url } } }).
      const list = mail.headers.get('list') as { unsubscribe?: { url?: string } } | undefined;
      const link = list?.unsubscribe?.url;
      assert.match(link ?? '', /\/v1\/sites\/demo\/mail\/unsubscribe\/[\w.-]+$/, 'the mail carries its unsubscribe link');
      // The server signs links with its public address (CERCLE_PUBLIC_URL); the demo's runs on a port of the test's choosing.
      const unsubscribe = e2e.demo.cercleUrl + new URL(link!).pathname;

      // B follows the link and confirms: mail is off, the address forgotten.
      const stop = await b.context.newPage();
      await stop.goto(unsubscribe);
      await stop.getByRole('button').first().click();
      await stop.waitForLoadState();

      // A replies again, and a later digest runs: the mail server gets nothing more.
      await answer(`Et je vous apporte le dossier. (${stamp})`);
      // The mail queued here (C is the only member who asked for mail; unsubscribing forgot C's).
      const queued = async () => (await e2e.demo.store.db.selectFrom('mail_outbox').select('id').execute()).length;
      const mailBefore = await queued();
      const digestsBefore = (
        await e2e.demo.store.db.selectFrom('notification_jobs').select('period_key').where('status', '=', 'done').execute()
      ).length;
      await digest(Date.now() + 86_400_000);
      const digestsAfter = (
        await e2e.demo.store.db.selectFrom('notification_jobs').select('period_key').where('status', '=', 'done').execute()
      ).length;
      assert.ok(digestsAfter > digestsBefore, "the next day's digest ran");
      assert.equal(await queued(), mailBefore, 'no mail queued after unsubscribing');
      assert.equal(mails.length, sent + 1);
      assert.deepEqual([...b.errors, ...(a?.errors ?? [])], []);
    } finally {
      await a?.context.close();
      await b.context.close();
    }
  },
);
