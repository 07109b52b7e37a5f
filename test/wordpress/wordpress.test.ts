/**
 * End to end on a real WordPress: Debian's `wordpress` package on MariaDB, served by `php -S`, the
 * Cercle plugin activated and configured through its settings page by the administrator, the site's
 * key registered with the command that page shows, then a subscriber comments on a post and an
 * editor hides the comment, in Chromium. The real Cercle server runs on a temporary SQLite file.
 * Prints how long each phase took. Skipped (with how to install) when PHP, WordPress or MariaDB
 * is missing. Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { NotificationCreatedData, NotificationDigestData, type Notification } from '../../src/contract/notifications.js';
import { WebhookPayload } from '../../src/contract/moderation.js';
import { main as cli } from '../../src/server/cli/index.js';
import { signature } from '../../src/server/webhooks/webhooks.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { BUNDLE, launchChromium } from '../e2e/support.js';

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const PLUGIN = fileURLToPath(new URL('../../integrations/wordpress/cercle', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const WORDPRESS = '/usr/share/wordpress';
const PLUGINS = '/var/lib/wordpress/wp-content/plugins';
const MU_PLUGINS = '/var/lib/wordpress/wp-content/mu-plugins';
const CONFIG = '/etc/wordpress/config-127.0.0.1.php';
/** What the config file this test writes says about itself (a file without it is never touched). */
const MARK = 'cercle-wordpress-test';
const INSTALL =
  'apt-get install --no-install-recommends php-cli php-mysql php-curl php-gd php-xml php-mbstring wordpress wordpress-theme-twentytwentythree (as .ci/run does)';

const answers = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => (s.destroy(), ok(false)));
    s.once('connect', () => (s.end(), ok(true)));
    s.once('error', () => ok(false));
  });

/** Why this machine cannot run the test, or nothing. */
async function missing(): Promise<string | undefined> {
  try {
    const { stdout } = await run('php', [
      '-r',
      'echo extension_loaded("mysqli") && function_exists("sodium_crypto_sign_keypair") ? "ok" : "no";',
    ]);
    if (stdout !== 'ok') return `PHP lacks mysqli or sodium; install: ${INSTALL}`;
  } catch {
    return `php is not installed; install: ${INSTALL}`;
  }
  if (!existsSync(join(WORDPRESS, 'wp-load.php'))) return `WordPress is not installed (${WORDPRESS}); install: ${INSTALL}`;
  if (!existsSync(join(WORDPRESS, 'wp-content/themes/twentytwentythree')))
    return `the Twenty Twenty-Three theme is missing; install: ${INSTALL}`;
  if (!(await answers(3306)))
    return 'MariaDB does not answer on 127.0.0.1:3306 (root, empty password, or WP_TEST_MYSQL_USER / WP_TEST_MYSQL_PASSWORD)';
  if (existsSync(CONFIG) && !readFileSync(CONFIG, 'utf8').includes(MARK))
    return `${CONFIG} exists and belongs to someone else: the test will not overwrite it`;
  return undefined;
}

const skip = await missing();
if (skip) console.log(`WordPress end-to-end test skipped: ${skip}`);

const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.once('error', fail);
  });

/** Runs the Cercle command line in this process against the test's SQLite file; returns what it printed. */
async function cercle(argv: string[], database: string): Promise<string> {
  const saved = { url: process.env.DATABASE_URL, db: process.env.CERCLE_DB };
  process.env.DATABASE_URL = '';
  process.env.CERCLE_DB = database;
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

test('WordPress: from nothing to a subscriber commenting and an editor moderating', { skip, timeout: 180_000 }, async () => {
  assert.ok(existsSync(BUNDLE), 'dist/cercle.js is missing: run `npm run build` first');
  const started = performance.now();
  let mark = started;
  const phases: [string, number][] = [];
  const phase = (name: string) => {
    const now = performance.now();
    phases.push([name, now - mark]);
    mark = now;
  };

  const id = `cercle_wp_${process.pid}`;
  const slug = `cercle-test-${process.pid}`;
  const password = randomBytes(12).toString('hex');
  const member = randomBytes(9).toString('hex');
  const admin = randomBytes(9).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'cercle-wordpress-'));
  const database = join(dir, 'cercle.db');
  const mailLog = join(dir, 'mail.jsonl');
  type Mail = { to: string | string[]; subject: string; message: string; headers: string[] };
  const mails = async (): Promise<Mail[]> =>
    existsSync(mailLog)
      ? (await readFile(mailLog, 'utf8'))
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Mail)
      : [];
  const cleanup: (() => Promise<unknown>)[] = [];
  let php: ChildProcess | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];
  let finished = false;
  try {
    // ---- WordPress, installed headlessly -----------------------------------------------------
    await run('php', [join(HERE, 'db.php'), 'create', id, password]);
    cleanup.push(() => run('php', [join(HERE, 'db.php'), 'drop', id]));
    const template = await readFile(join(HERE, 'config.php.tpl'), 'utf8');
    await writeFile(
      CONFIG,
      template
        .replaceAll('%DB%', id)
        .replace('%PASSWORD%', password)
        .replaceAll('%SALT%', randomBytes(24).toString('hex'))
        .replace('%LOG%', join(dir, 'debug.log'))
        .replace('%MAIL%', mailLog),
    );
    cleanup.push(() => unlink(CONFIG));
    await symlink(PLUGIN, join(PLUGINS, slug));
    cleanup.push(() => unlink(join(PLUGINS, slug)));
    // Mail is captured to a file by a must-use plugin for this run.
    if (!existsSync(MU_PLUGINS)) {
      await mkdir(MU_PLUGINS);
      cleanup.push(() => rmdir(MU_PLUGINS));
    }
    await symlink(join(HERE, 'mail-capture.php'), join(MU_PLUGINS, `${slug}-mail.php`));
    cleanup.push(() => unlink(join(MU_PLUGINS, `${slug}-mail.php`)));
    const port = await freePort();
    const wp = `http://127.0.0.1:${port}`;
    await run('php', [join(HERE, 'install.php'), `127.0.0.1:${port}`], {
      env: { ...process.env, WP_ADMIN_PASSWORD: admin, WP_MEMBER_PASSWORD: member },
    });
    phase('WordPress installed (database, config, wp_install)');

    // ---- both servers ------------------------------------------------------------------------
    php = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', WORDPRESS, join(HERE, 'router.php')], {
      env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    await new Promise<void>((ok, fail) => {
      php!.stderr!.on('data', (d: Buffer) => {
        for (const line of String(d).split('\n')) {
          if (/Development Server .* started/.test(line)) ok();
          if (/PHP (Fatal|Warning|Parse)/.test(line)) errors.push(line);
        }
      });
      php!.once('exit', (code) => fail(new Error(`php -S exited (${code})`)));
    });
    server = await startServer({
      port: 0,
      hostname: '127.0.0.1',
      database,
      assets: DIST,
      logger: { info() {}, error: (f) => errors.push(`cercle: ${JSON.stringify(f)}`) },
    });
    const api = `http://127.0.0.1:${server.port}`;
    // The association's Cercle administrator registers the site (no key yet: the plugin brings its own).
    await cercle(
      ['site', 'add', '--name', 'Amicale des Cartographes', '--id', 'amicale', '--origin', wp, '--login-url', `${wp}/wp-login.php`],
      database,
    );
    browser = await launchChromium();
    phase('servers up, site registered');

    const contexts: BrowserContext[] = [];
    const open = async () => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`page: ${e}`));
      return page;
    };
    const logIn = async (page: Page, user: string, pass: string) => {
      await page.locator('#user_login').fill(user);
      await page.locator('#user_pass').fill(pass);
      await page.locator('#wp-submit').click();
    };

    // ---- the administrator: activate, configure, register the key ------------------------------
    const adminPage = await open();
    await adminPage.goto(`${wp}/wp-login.php`);
    await logIn(adminPage, 'admin', admin);
    await adminPage.waitForURL(/\/wp-admin\/?$/);
    await adminPage.goto(`${wp}/wp-admin/plugins.php`);
    await adminPage
      .locator(`tr[data-plugin="${slug}/cercle.php"]`)
      .getByRole('link', { name: /^Activate/ })
      .click();
    await adminPage.getByText('Plugin activated.').waitFor();
    await adminPage.locator(`tr[data-plugin="${slug}/cercle.php"]`).getByRole('link', { name: 'Settings' }).click();
    await adminPage.locator('#cercle-server-url').fill(api);
    await adminPage.locator('#cercle-site-id').fill('amicale');
    await adminPage.getByRole('button', { name: 'Save Changes' }).click();
    await adminPage.getByText('Settings saved.').waitFor();
    const status = adminPage.locator('#cercle-status');
    assert.match(
      await status.innerText(),
      /refuses this site's tokens \(auth\./,
      "before its key is added, Cercle refuses the site's tokens",
    );
    assert.equal(await adminPage.locator('#cercle-add-site').count(), 0, 'the site exists: only the add-key command is shown');
    const command = (await adminPage.locator('#cercle-add-key').innerText()).trim();
    const jwksUrl = `${wp}/wp-json/cercle/v1/jwks`;
    assert.equal(command, `cercle site add-key amicale --alg EdDSA --jwks-url ${jwksUrl}`);

    // The private key stays in WordPress; the JWKS holds the public half only.
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: Record<string, string>[] };
    assert.equal(jwks.keys.length, 1);
    assert.deepEqual(Object.keys(jwks.keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    assert.deepEqual([jwks.keys[0].kty, jwks.keys[0].crv, jwks.keys[0].alg, jwks.keys[0].use], ['OKP', 'Ed25519', 'EdDSA', 'sig']);

    const [name, ...argv] = command.split(/\s+/);
    assert.equal(name, 'cercle');
    assert.match(await cercle(argv, database), /Key .* \(EdDSA\) added to "amicale"/);
    await adminPage.reload();
    assert.match(await status.innerText(), /accepts this site's tokens/);
    phase('plugin activated, configured, key registered (admin)');

    const post = (
      await run('php', [
        join(HERE, 'post.php'),
        `127.0.0.1:${port}`,
        'Nos prochaines sorties',
        '<p>Où irons-nous relever les chemins ce printemps ?</p>\n\n[cercle_discussion]',
      ])
    ).stdout.trim();
    assert.equal(post, `${wp}/nos-prochaines-sorties/`);
    phase('post with [cercle_discussion] published');

    // ---- a subscriber, signed out at first, signs in from the discussion and comments -----------
    const reader = await open();
    await reader.goto(post);
    const discussion = reader.locator('cercle-discussion');
    assert.equal(await reader.locator('cercle-community').count(), 1, 'one <cercle-community> on the page');
    assert.equal(await reader.locator('script[type="module"][src$="/sdk/cercle.js"]').count(), 1, 'the script once');
    const signIn = discussion.getByRole('link', { name: /Sign in/ });
    await signIn.waitFor();
    const href = new URL((await signIn.getAttribute('href')) ?? '', post);
    assert.equal(`${href.origin}${href.pathname}`, `${wp}/wp-login.php`);
    assert.equal(href.searchParams.get('redirect_to'), post);
    // Signed out, the token endpoint says so with 204 and is never cached.
    const signedOut = await fetch((await reader.locator('cercle-community').getAttribute('token-url')) ?? '');
    assert.deepEqual([signedOut.status, signedOut.headers.get('cache-control')], [204, 'no-store']);

    // The discussion sits in the content column, like the paragraph above it.
    const paragraph = await reader.locator('.wp-block-post-content > p').first().boundingBox();
    const block = await reader.locator('.wp-block-post-content > .cercle-block').boundingBox();
    const widget = await discussion.boundingBox();
    assert.ok(paragraph && block && widget);
    assert.ok(paragraph.width < 1000, `the content column is narrower than the page (${paragraph.width}px)`);
    assert.deepEqual([block.x, block.width], [paragraph.x, paragraph.width], 'the discussion block is aligned with the text');
    assert.deepEqual([widget.x, widget.width], [paragraph.x, paragraph.width], 'the discussion fills the column, no more');

    await signIn.click();
    await logIn(reader, 'subscriber', member);
    await reader.waitForURL(post);
    const TEXT = 'Je propose le plateau du Vercors, avec relevés GPS partagés.';
    await discussion.locator('#text').fill(TEXT);
    await discussion.getByRole('button', { name: 'Post', exact: true }).click();
    await discussion.locator('[part="comment"]').filter({ hasText: TEXT }).waitFor();
    await reader.reload();
    const mine = discussion.locator('[part="comment"]').filter({ hasText: TEXT });
    await mine.waitFor();
    assert.equal((await mine.locator('[part="name"]').textContent())?.trim(), 'Claire Subscriber');
    const rows = await server.store.db
      .selectFrom('comments as c')
      .innerJoin('members as m', 'm.pk', 'c.author_pk')
      .innerJoin('threads as t', 't.pk', 'c.thread_pk')
      .select(['c.id', 'c.status', 't.key', 't.title', 'm.host_id', 'm.roles', 'm.chapters'])
      .where('c.site_id', '=', 'amicale')
      .execute();
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.deepEqual(
      [row.status, row.key, row.host_id, JSON.parse(row.roles), JSON.parse(row.chapters)],
      ['published', post, '2', ['member'], ['lyon', 'grenoble']],
      'the thread is the permalink; roles and chapters come from WordPress',
    );
    assert.match(row.title ?? '', /^Nos prochaines sorties/);
    phase('subscriber signed in from the discussion, commented, saw it after a reload');

    // ---- an editor (moderator in Cercle) hides it --------------------------------------------------
    const editor = await open();
    await editor.goto(`${wp}/wp-login.php?redirect_to=${encodeURIComponent(post)}`);
    await logIn(editor, 'editor', member);
    await editor.waitForURL(post);
    const target = editor.locator('cercle-discussion [part="comment"]').filter({ hasText: TEXT });
    await target.getByRole('button', { name: 'Hide', exact: true }).click();
    await target.getByRole('button', { name: 'Restore', exact: true }).waitFor();
    const hidden = await server.store.db.selectFrom('comments').select('status').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(hidden.status, 'hidden');
    const moderator = await server.store.db
      .selectFrom('members')
      .select('roles')
      .where('site_id', '=', 'amicale')
      .where('host_id', '=', '3')
      .executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(moderator.roles), ['member', 'moderator']);
    phase('editor hid the comment');

    // The discussion in place of WordPress comments, on a post that names no shortcode.
    await adminPage.goto(`${wp}/wp-admin/options-general.php?page=cercle`);
    await adminPage.getByLabel(/instead of WordPress comments/).check();
    await adminPage.getByRole('button', { name: 'Save Changes' }).click();
    await adminPage.getByText('Settings saved.').waitFor();
    const plain = (await run('php', [join(HERE, 'post.php'), `127.0.0.1:${port}`, 'Compte rendu', '<p>Merci à tous.</p>'])).stdout.trim();
    await reader.goto(plain);
    await reader.locator('cercle-discussion').getByRole('button', { name: 'Post', exact: true }).waitFor();
    assert.equal(await reader.locator('cercle-discussion').getAttribute('thread'), plain);
    assert.equal(await reader.locator('#commentform, .wp-block-post-comments-form form').count(), 0, 'no WordPress comment form');
    phase('discussion in place of comments');

    // ---- notifications mailed by WordPress --------------------------------------------------------
    // The administrator registers the plugin's route as a webhook with the command the settings page shows, and pastes its secret.
    await adminPage.goto(`${wp}/wp-admin/options-general.php?page=cercle`);
    const hookCommand = (await adminPage.locator('#cercle-add-webhook').innerText()).trim();
    const hookUrl = `${wp}/wp-json/cercle/v1/notifications`;
    assert.equal(hookCommand, `cercle webhook add amicale --url ${hookUrl} --event notification.created --event notification.digest`);
    const printed = await cercle(hookCommand.split(/\s+/).slice(1), database);
    const secret = /whsec_[A-Za-z0-9_-]+/.exec(printed)?.[0];
    assert.ok(secret, printed);
    await adminPage.locator('#cercle-webhook-secret').fill(secret);
    await adminPage.getByRole('button', { name: 'Save Changes' }).click();
    await adminPage.getByText('Settings saved.').waitFor();

    // What the Cercle server sends, built with the contract and signed as its webhook sender signs.
    let seq = 0;
    const notice = (o: Partial<Notification> = {}) => ({
      id: `n-wp-${++seq}`,
      kind: 'comment.reply' as const,
      createdAt: new Date().toISOString(),
      readAt: null,
      actor: { id: '3', name: 'Edouard Editor', picture: null, chapters: [] },
      thread: { key: post, title: 'Nos prochaines sorties', url: post },
      comment: { id: row.id, excerpt: 'Bonne idée, je m’inscris.' },
      event: null,
      introduction: null,
      badge: null,
      url: `${post}#comment-${row.id}`,
      ...o,
    });
    const deliver = async (type: 'notification.created' | 'notification.digest', data: unknown, sign = secret, id = `wh-${++seq}`) => {
      const body = JSON.stringify(WebhookPayload.parse({ id, type, site: 'amicale', createdAt: new Date().toISOString(), data }));
      const res = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cercle-signature': signature(sign, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const reply = (member: string, language: 'fr' | 'en') =>
      NotificationCreatedData.parse({
        member: { id: member, name: 'Claire Subscriber', language },
        notification: { ...notice(), text: 'Edouard Editor vous a répondu dans « Nos prochaines sorties »' },
        subject: 'Edouard Editor vous a répondu',
        text: `Edouard Editor vous a répondu dans « Nos prochaines sorties » :\n« Bonne idée, je m’inscris. »\n${post}#comment-${row.id}`,
        preferencesUrl: null,
      });
    const before = (await mails()).length;

    assert.deepEqual(
      [(await deliver('notification.created', reply('2', 'fr'), 'whsec_' + 'x'.repeat(43))).status, (await mails()).length],
      [401, before],
      'a wrong signature is refused and nothing is mailed',
    );
    const first = await deliver('notification.created', reply('2', 'fr'), secret, 'wh-reply');
    assert.deepEqual([first.status, first.body.sent], [200, true]);
    const [mail] = (await mails()).slice(before);
    assert.equal(mail.to, 'subscriber@example.org');
    assert.equal(mail.subject, 'Edouard Editor vous a répondu');
    assert.match(mail.message, /^Edouard Editor vous a répondu dans « Nos prochaines sorties » :/);
    assert.ok(mail.message.includes(`${post}#comment-${row.id}`), 'the link to the comment');
    assert.match(
      mail.message,
      /Vous recevez cet e-mail en tant que membre de Amicale des Cartographes\.\nPour ne plus les recevoir/,
      'the footer in French',
    );
    assert.ok(mail.headers.includes('Content-Language: fr'));
    assert.ok(mail.headers.some((h) => /^List-Unsubscribe: <.*\/wp-admin\/profile\.php#cercle-notifications>$/.test(h)));
    const again = await deliver('notification.created', reply('2', 'fr'), secret, 'wh-reply');
    assert.deepEqual(
      [again.status, again.body.reason, (await mails()).length],
      [200, 'duplicate', before + 1],
      'a retried delivery is mailed once',
    );

    // A weekly digest for the editor, in English.
    const digest = NotificationDigestData.parse({
      member: { id: '3', name: 'Edouard Editor', language: 'en' },
      period: 'weekly',
      key: '2026-W50',
      count: 1,
      groups: [{ thread: { key: post, title: 'Nos prochaines sorties', url: post }, items: [{ ...notice(), text: 'Claire replied' }] }],
      subject: 'Your week on Amicale des Cartographes: 1 notification',
      text: `Nos prochaines sorties\n- Claire replied\n  ${post}`,
      preferencesUrl: null,
    });
    assert.deepEqual((await deliver('notification.digest', digest)).body, { sent: true });
    const weekly = (await mails()).at(-1)!;
    assert.deepEqual([weekly.to, weekly.subject], ['editor@example.org', 'Your week on Amicale des Cartographes: 1 notification']);
    assert.match(weekly.message, /You receive this e-mail because you are a member of Amicale des Cartographes/);
    assert.equal((await deliver('notification.created', reply('999', 'en'))).body.reason, 'unknown_user');

    // The subscriber turns Cercle's mails off on their WordPress profile: nothing more is mailed to them.
    await reader.goto(`${wp}/wp-admin/profile.php`);
    const optIn = reader.getByLabel('Cercle notifications by e-mail');
    assert.equal(await optIn.isChecked(), true, 'on by default');
    await optIn.uncheck();
    await reader.getByRole('button', { name: 'Update Profile' }).click();
    await reader.getByText('Profile updated.').waitFor();
    const count = (await mails()).length;
    const off = await deliver('notification.created', reply('2', 'fr'));
    assert.deepEqual([off.status, off.body.reason, (await mails()).length], [200, 'opted_out', count]);
    phase('notifications mailed by WordPress: signed, once, in the member language, not after opting out');

    for (const c of contexts) await c.close();
    assert.deepEqual(errors, []);
    // WordPress logged no notice, warning or error from the plugin.
    const log = existsSync(join(dir, 'debug.log')) ? await readFile(join(dir, 'debug.log'), 'utf8') : '';
    assert.deepEqual(
      log.split('\n').filter((l) => l.includes('integrations/wordpress/cercle') || l.includes(`plugins/${slug}`)),
      [],
    );
    const total = (performance.now() - started) / 1000;
    finished = true;
    console.log('WordPress, from nothing to a moderated comment:');
    for (const [what, ms] of phases) console.log(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${what}`);
    console.log(`  ${total.toFixed(1).padStart(5)} s  in all (${(total / 60).toFixed(2)} min)`);
  } finally {
    if (!finished && phases.length)
      console.log(`WordPress phases before the failure: ${phases.map(([w, ms]) => `${w} ${(ms / 1000).toFixed(1)} s`).join('; ')}`);
    await browser?.close().catch(() => {});
    // The server and its workers, as one process group.
    if (php?.pid)
      try {
        process.kill(-php.pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
    await server?.close().catch(() => {});
    for (const undo of cleanup.reverse()) await undo().catch((e) => console.log(`# cleanup: ${e}`));
    await rm(dir, { recursive: true, force: true });
  }
});
