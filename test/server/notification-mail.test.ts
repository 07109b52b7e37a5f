import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { NotificationPreferences } from '../../src/contract/index.js';
import { createDigestJobs, runDigestJobs } from '../../src/server/notifications/digest.js';
import { silentLogger } from '../../src/server/app.js';
import { startServer } from '../../src/server/main.js';
import { MailService, mailOf } from '../../src/server/notifications/mail.js';
import { openStore } from '../../src/server/store/store.js';
import { notifierOf } from '../../src/server/notifications/service.js';
import { signUnsubscribe, unsubscribeSecret } from '../../src/server/notifications/unsubscribe.js';
import { backends, call, setup, token } from './support.js';

/** A real SMTP server on a free port: keeps every message it accepts (parsed), or refuses them while `refuse` is set. */
async function mailbox() {
  const received: ParsedMail[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (state.refuse) return cb(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          received.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  const port = await new Promise<number>((ok) =>
    server.listen(0, '127.0.0.1', () => ok((server.server.address() as { port: number }).port)),
  );
  return { received, state, port, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** A "mail server" that accepts the connection and never says a word. */
async function silentServer() {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as { port: number }).port)));
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** A header as sent (mailparser folds the List-* headers into one object). */
const header = (m: ParsedMail, name: string) =>
  m.headerLines
    .find((h) => h.key === name)
    ?.line.slice(name.length + 1)
    .trim();

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((ok) => setTimeout(ok, 20));
  }
};

for (const backend of backends()) {
  describe(`notification mail (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let box: Awaited<ReturnType<typeof mailbox>>;
    let ana: string; // French, mail at once
    let ben: string; // answers
    let cleo: string; // daily digest, English
    const smtpSettings = (port: number) => ({
      host: '127.0.0.1',
      port,
      secure: false,
      user: null,
      password: null,
      from: 'Asso <notifications@asso.example.fr>',
    });
    const setSmtp = async (port: number) => {
      const site = (await ctx.store.site('asso'))!;
      await ctx.store.db
        .updateTable('sites')
        .set({ settings: JSON.stringify({ ...site.settings, notifications: { smtp: smtpSettings(port) } }) })
        .where('id', '=', 'asso')
        .execute();
    };

    before(async () => {
      box = await mailbox();
      ctx = await setup(backend);
      await setSmtp(box.port);
      // Short backoff and timeouts: a refusal is retried within a test.
      mailOf(ctx.store, { backoff: [0.05, 0.05, 0.05], timeoutMs: 3000, leaseMs: 10_000 });
      ana = await token({ sub: 'ana', name: 'Ana Lemoine', email: 'ana@example.org', locale: 'fr-FR' });
      ben = await token({ sub: 'ben', name: 'Ben Roux' });
      cleo = await token({ sub: 'cleo', name: 'Cléo Fabre', email: 'cleo@example.org' });
    });
    after(async () => {
      await mailOf(ctx.store).stop();
      await ctx.cleanup();
      await box.close();
    });

    /** Background work done, and every message due now attempted. */
    const settle = async () => {
      await notifierOf(ctx.store)!.idle();
      await mailOf(ctx.store).idle();
      await mailOf(ctx.store).runDue();
    };
    const post = async (t: string, body: Record<string, unknown>) => {
      const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: string };
    };
    const prefs = (t: string, body: unknown) => call(ctx.app, 'PATCH', '/v1/sites/asso/me/notification-preferences', { token: t, body });
    const to = (addr: string) => box.received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(addr)));

    it('mails a reply at once, in the member’s language, with one-click unsubscribe', async () => {
      const p = await prefs(ana, { email: true, frequency: 'immediate', kinds: { 'badge.earned': { delivery: false } } });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const out = NotificationPreferences.parse(p.body);
      assert.deepEqual(out.email, { available: true, optedIn: true, address: 'ana@example.org' });
      assert.equal(out.language, 'fr', 'from the token’s locale');
      assert.equal(out.channel, 'mail');

      const first = await post(ana, { thread: 'https://asso.example.fr/agenda', body: 'Qui organise ?', title: 'Agenda <2027>' });
      await post(ben, { thread: 'https://asso.example.fr/agenda', body: 'Moi, <b>promis</b> & juré', parentId: first.id });
      await settle();
      const mails = to('ana@example.org');
      assert.equal(mails.length, 1);
      const m = mails[0];
      assert.equal(m.subject, '[Asso] Ben Roux a répondu à votre commentaire dans «\u00a0Agenda <2027>\u00a0»');
      assert.match(m.text ?? '', /Moi, <b>promis<\/b> & juré/);
      assert.match(String(m.html), /Moi, &lt;b&gt;promis&lt;\/b&gt; &amp; juré/, 'user text is escaped in HTML');
      assert.ok(!String(m.html).includes('<b>promis'));
      assert.equal(header(m, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      const url = header(m, 'list-unsubscribe')!.replace(/^<|>$/g, '');
      assert.match(url, /\/v1\/sites\/asso\/mail\/unsubscribe\//);
      assert.deepEqual(
        m.from?.value.map((a) => [a.name, a.address]),
        [['Asso', 'notifications@asso.example.fr']],
      );
      assert.equal(m.messageId?.endsWith('@asso.example.fr>'), true);

      // The confirmation page, then the one-click POST (RFC 8058) as a mail client sends it.
      const path = new URL(url).pathname;
      const page = await ctx.app.request(path);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<form method="post"/);
      assert.match(html, /lang="fr"/);
      const click = await ctx.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      assert.equal(click.status, 200);
      const after = NotificationPreferences.parse(
        (await call(ctx.app, 'GET', '/v1/sites/asso/me/notification-preferences', { token: ana })).body,
      );
      assert.equal(after.email.optedIn, false);
      assert.equal(after.email.address, null);
      const left = await ctx.store.db.selectFrom('mail_outbox').select('to_address').where('to_address', '=', 'ana@example.org').execute();
      assert.equal(left.length, 0, 'the address is forgotten, outbox included');
      // No more mail.
      await post(ben, { thread: 'https://asso.example.fr/agenda', body: 'Encore', parentId: first.id });
      await settle();
      assert.equal(to('ana@example.org').length, 1);
    });

    it('refuses a tampered or expired unsubscribe link with a clear page', async () => {
      const anaPk = (await ctx.store.db.selectFrom('members').select('pk').where('host_id', '=', 'ana').executeTakeFirstOrThrow()).pk;
      const secret = await unsubscribeSecret(ctx.store.db, 'asso', new Date().toISOString());
      const good = signUnsubscribe(secret, 'asso', anaPk, Date.now());
      const tampered = `${good.slice(0, 5)}${good[5] === 'A' ? 'B' : 'A'}${good.slice(6)}`;
      const t = await ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${tampered}`);
      assert.equal(t.status, 400);
      assert.equal(t.headers.get('cercle-problem-code'), 'unsubscribe.invalid');
      // Nothing of a changed link is trusted, its member's language neither: the site's language.
      assert.match(await t.text(), /This link is not valid/);
      const forged = signUnsubscribe('another-secret-of-32-bytes-at-least!!', 'asso', anaPk, Date.now());
      assert.equal((await ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${forged}`, { method: 'POST' })).status, 400);
      const old = signUnsubscribe(secret, 'asso', anaPk, Date.now() - 61 * 86_400_000);
      const e = await ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${old}`);
      assert.equal(e.status, 410);
      assert.equal(e.headers.get('cercle-problem-code'), 'unsubscribe.expired');
      assert.equal((await ctx.app.request('/v1/sites/asso/mail/unsubscribe/nonsense')).status, 400);
    });

    it('answers a one-click or API unsubscribe that fails with problem+json, a person with the page', async () => {
      const anaPk = (await ctx.store.db.selectFrom('members').select('pk').where('host_id', '=', 'ana').executeTakeFirstOrThrow()).pk;
      const secret = await unsubscribeSecret(ctx.store.db, 'asso', new Date().toISOString());
      const forged = signUnsubscribe('another-secret-of-32-bytes-at-least!!', 'asso', anaPk, Date.now());
      const old = signUnsubscribe(secret, 'asso', anaPk, Date.now() - 61 * 86_400_000);
      const oneClick = (token: string, headers: Record<string, string> = {}) =>
        ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: 'List-Unsubscribe=One-Click',
        });
      // RFC 8058: a mail client posts without asking for HTML.
      const bad = await oneClick(forged);
      assert.equal(bad.status, 400);
      assert.match(bad.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const badBody = await bad.json();
      assert.equal(badBody.code, 'unsubscribe.invalid');
      assert.equal(badBody.errors[0].path, 'params.token');
      const expired = await oneClick(old, { accept: '*/*' });
      assert.equal(expired.status, 410);
      assert.equal((await expired.json()).code, 'unsubscribe.expired');
      // The page's own button, posted by a browser, keeps the page.
      const button = await oneClick(old, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
      assert.equal(button.status, 410);
      assert.match(button.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(button.headers.get('cercle-problem-code'), 'unsubscribe.expired');
      // A person opening the link gets the page; a client asking for problem+json gets it on GET too.
      const opened = await ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${forged}`);
      assert.match(opened.headers.get('content-type') ?? '', /^text\/html/);
      const asked = await ctx.app.request(`/v1/sites/asso/mail/unsubscribe/${forged}`, { headers: { accept: 'application/problem+json' } });
      assert.equal(asked.status, 400);
      assert.equal((await asked.json()).code, 'unsubscribe.invalid');
    });

    it('sends one daily digest grouped by thread, however many notifications', async () => {
      assert.equal((await prefs(cleo, { email: true, kinds: { 'badge.earned': { delivery: false } } })).status, 200);
      const a = await post(cleo, { thread: 'https://asso.example.fr/a', body: 'Sujet A', title: 'Thread A' });
      const b = await post(cleo, { thread: 'https://asso.example.fr/b', body: 'Sujet B', title: 'Thread B' });
      for (let i = 0; i < 5; i++) await post(ben, { thread: 'https://asso.example.fr/a', body: `Réponse A${i}`, parentId: a.id });
      await post(ben, { thread: 'https://asso.example.fr/b', body: 'Réponse B', parentId: b.id });
      await settle();
      assert.equal(to('cleo@example.org').length, 0, 'nothing at once for a daily member');

      const now = Date.now();
      assert.ok((await createDigestJobs(ctx.store, 'asso', 'daily', now)) >= 1);
      assert.equal(await createDigestJobs(ctx.store, 'asso', 'daily', now), 0, 'a second sweep adds no job');
      await runDigestJobs(ctx.store, { now: () => now });
      await settle();
      const mails = to('cleo@example.org');
      assert.equal(mails.length, 1);
      const text = mails[0].text ?? '';
      assert.match(mails[0].subject ?? '', /^\[Asso\] Today: 6 notifications$/);
      assert.equal(text.match(/Ben Roux replied to your comment/g)?.length, 6);
      assert.ok(text.indexOf('Thread A') < text.indexOf('Réponse A4') && text.indexOf('Thread B') > text.indexOf('Réponse A4'), text);
      assert.equal(header(mails[0], 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

      // Run again (a restart, another instance): nothing more is sent.
      await createDigestJobs(ctx.store, 'asso', 'daily', now);
      await runDigestJobs(ctx.store, { now: () => now });
      await settle();
      assert.equal(to('cleo@example.org').length, 1);
    });

    it('keeps a refused message and delivers it once the server accepts, exactly once', async () => {
      assert.equal((await prefs(cleo, { frequency: 'immediate' })).status, 200);
      const before = to('cleo@example.org').length;
      box.state.refuse = true;
      const c = await post(cleo, { thread: 'retry', body: 'Question' });
      const started = Date.now();
      await post(ben, { thread: 'retry', body: 'Réponse', parentId: c.id });
      assert.ok(Date.now() - started < 2000, 'the request does not wait for mail');
      await settle();
      const row = await ctx.store.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('to_address', '=', 'cleo@example.org')
        .where('status', '!=', 'sent')
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error ?? '', /451|busy/i);
      assert.equal(to('cleo@example.org').length, before);

      box.state.refuse = false;
      await new Promise((ok) => setTimeout(ok, 120));
      // Two workers (two instances) race for the same due message: one sends it.
      const other = new MailService(ctx.store, { backoff: [0.05], timeoutMs: 400 });
      await Promise.all([mailOf(ctx.store).runDue(), other.runDue()]);
      await other.stop();
      await settle();
      assert.equal(to('cleo@example.org').length, before + 1);
      const sent = await ctx.store.db.selectFrom('mail_outbox').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      assert.equal(sent.status, 'sent');
      assert.equal(sent.attempts, 2);
      await mailOf(ctx.store).runDue();
      assert.equal(to('cleo@example.org').length, before + 1);
    });

    it('gives up on a server that hangs, without blocking, and retries it later', async () => {
      const silent = await silentServer();
      try {
        await setSmtp(silent.port);
        const before = to('cleo@example.org').length;
        const c = await post(cleo, { thread: 'hang', body: 'Question' });
        await post(ben, { thread: 'hang', body: 'Réponse', parentId: c.id });
        await notifierOf(ctx.store)!.idle();
        await mailOf(ctx.store).idle();
        const impatient = new MailService(ctx.store, { backoff: [0.05, 0.05], timeoutMs: 300 });
        const t0 = Date.now();
        await impatient.runDue();
        await impatient.stop();
        assert.ok(Date.now() - t0 < 3000, 'the attempt is cut by the timeout');
        const row = await ctx.store.db
          .selectFrom('mail_outbox')
          .selectAll()
          .where('to_address', '=', 'cleo@example.org')
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow();
        assert.match(row.last_error ?? '', /timeout|timed out|greeting/i);
        await setSmtp(box.port);
        await new Promise((ok) => setTimeout(ok, 120));
        await mailOf(ctx.store).runDue();
        await waitFor(() => to('cleo@example.org').length === before + 1);
      } finally {
        await silent.close();
      }
    });
  });
}

describe('unsubscribe links of a server started without CERCLE_PUBLIC_URL', () => {
  const saved = process.env.CERCLE_PUBLIC_URL;
  const dir = mkdtempSync(join(tmpdir(), 'cercle-public-url-'));
  after(() => {
    if (saved !== undefined) process.env.CERCLE_PUBLIC_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('point at the address the server listens on, a given URL, or CERCLE_PUBLIC_URL', async () => {
    delete process.env.CERCLE_PUBLIC_URL;
    const store = await openStore(join(dir, 'a.db'));
    await store.createSite({ id: 'asso', name: 'Asso', origins: ['https://asso.example'] });
    const server = await startServer({ port: 0, store, logger: silentLogger });
    try {
      const site = (await store.site('asso'))!;
      const link = (await notifierOf(store)!.links(site, 'member-pk')).unsubscribe;
      assert.ok(link.startsWith(`${server.url}/v1/sites/asso/mail/unsubscribe/`), link);
      // The link works where it points: its page answers.
      const page = await fetch(link);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    } finally {
      await server.close();
      await store.close();
    }

    const given = await openStore(join(dir, 'b.db'));
    const proxied = await startServer({ port: 0, store: given, logger: silentLogger, publicUrl: 'https://api.asso.example/' });
    assert.equal(notifierOf(given)!.publicUrl, 'https://api.asso.example');
    await proxied.close();
    await given.close();

    process.env.CERCLE_PUBLIC_URL = 'https://cercle.asso.example';
    const env = await openStore(join(dir, 'c.db'));
    const fromEnv = await startServer({ port: 0, store: env, logger: silentLogger });
    assert.equal(notifierOf(env)!.publicUrl, 'https://cercle.asso.example');
    await fromEnv.close();
    await env.close();
  });
});
