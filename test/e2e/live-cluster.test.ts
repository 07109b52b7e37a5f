/**
 * End to end, live across instances: two Cercle server processes on one PostgreSQL schema, and two
 * copies of the demo association's site, each rendering its pages for one of them. Two members in two
 * browsers, each on their own instance, see each other's comment (behind the "N new" button) and
 * answer (the going count) without reloading. Needs `npm run build` and DATABASE_URL.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { SITE_ID } from '../../demo/directory.js';
import { startHost, type RunningHost } from '../../demo/host.js';
import { seedDemo } from '../../demo/seed.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { BUNDLE, launchChromium, visit, type Visit } from './support.js';

const url = process.env.DATABASE_URL;
const ENTRY = fileURLToPath(new URL('./cluster-instance.ts', import.meta.url));
const ARTICLE = '/articles/transmission-entreprise';
/** The members-only visit the seed leaves with one place (capacity 8, 7 going). */
const VISIT = "Visite d'entreprise : une conserverie artisanale";

interface Instance {
  proc: ChildProcess;
  base: string;
}

function startInstance(schema: string): Promise<Instance> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { ...process.env, DATABASE_URL: url, CERCLE_SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    proc.once('error', fail);
    proc.once('exit', (code) => fail(new Error(`instance exited early (${code})`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => ok({ proc, base: `http://127.0.0.1:${JSON.parse(line).port}` }));
  });
}

describe(
  'two browsers on two Cercle instances over one PostgreSQL',
  { skip: url ? false : 'set DATABASE_URL=postgres://… to run the two-instance end-to-end test' },
  () => {
    const schema = `cercle_e2e_live_${process.pid}_${Date.now().toString(36)}`;
    let store: Store;
    const instances: Instance[] = [];
    const hosts: RunningHost[] = [];
    let browser: Browser;

    before(async () => {
      assert.ok(existsSync(BUNDLE), 'dist/cercle.js is missing: run `npm run build` first');
      store = await openStore(url!, { schema });
      instances.push(...(await Promise.all([startInstance(schema), startInstance(schema)])));
      // The association's site twice (as behind a load balancer, each copy sending its pages to one instance).
      for (const i of instances) hosts.push(await startHost({ port: 0, cercleUrl: i.base, store }));
      await seedDemo(store, hosts[0].url);
      const site = (await store.site(SITE_ID))!;
      const second = new URL(hosts[1].url).port;
      await store.updateSite(SITE_ID, { origins: [...site.origins, `http://localhost:${second}`, `http://127.0.0.1:${second}`] });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      for (const h of hosts) await h.close();
      for (const i of instances) if (i.proc.exitCode === null) i.proc.kill('SIGKILL');
      await store?.close();
      if (!url) return;
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });

    /** A member signed in on copy `n` of the site, whose pages talk to instance `n`. */
    const member = (n: number, name: RegExp): Promise<Visit> =>
      visit(browser, { url: hosts[n].url, cercleUrl: instances[n].base }, { as: name });

    /** Opens `path` and waits until the page's live stream is open. */
    async function open(v: Visit, n: number, path: string) {
      const stream = v.page.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/live$/.test(new URL(r.url()).pathname) && r.status() === 200,
      );
      await v.page.goto(hosts[n].url + path);
      await stream;
    }

    test('each sees the other\'s comment behind "1 nouveau commentaire" and the other\'s answer in the counts, within a second', async (t) => {
      const a = await member(0, /Camille Rouanet/);
      const b = await member(1, /Olivier Puech/);
      try {
        // ---- comments ----
        const discussion = (v: Visit) => v.page.locator('cercle-discussion');
        const comments = (v: Visit) => discussion(v).locator('[part="comment"]');
        await Promise.all([open(a, 0, ARTICLE), open(b, 1, ARTICLE)]);
        await Promise.all([comments(a).first().waitFor(), comments(b).first().waitFor()]);

        const post = async (from: Visit, to: Visit, text: string) => {
          const before = await comments(to).count();
          await discussion(from).getByRole('textbox', { name: 'Votre commentaire' }).fill(text);
          const posted = from.page.waitForResponse((r) => r.request().method() === 'POST' && /\/comments$/.test(new URL(r.url()).pathname));
          await discussion(from).getByRole('button', { name: 'Publier' }).click();
          assert.equal((await posted).status(), 201);
          const at = Date.now();
          const button = discussion(to).getByRole('button', { name: '1 nouveau commentaire' });
          await button.waitFor({ timeout: 1000 });
          t.diagnostic(`comment seen on the other instance ${Date.now() - at} ms after it was stored`);
          assert.equal(await comments(to).count(), before, 'held behind the button');
          await button.click();
          await comments(to).filter({ hasText: text }).waitFor();
        };
        await post(a, b, `Posté sur la première instance (${Date.now()})`);
        await post(b, a, `Et réponse depuis la seconde (${Date.now()})`);

        // ---- answers ----
        const event = (v: Visit): Locator =>
          v.page.locator('cercle-event-feed [part="event"]').filter({ has: v.page.getByRole('heading', { name: VISIT }) });
        const answer = (v: Visit, name: string) => event(v).getByRole('group', { name: 'Votre réponse' }).getByRole('button', { name });
        await Promise.all([open(a, 0, '/evenements'), open(b, 1, '/evenements')]);
        await Promise.all([event(a).waitFor(), event(b).waitFor()]);
        assert.match(await event(b).innerText(), /7 participants · 1 place restante/);

        const going = a.page.waitForResponse((r) => r.request().method() === 'PUT' && /\/rsvp$/.test(new URL(r.url()).pathname));
        await answer(a, 'Je viens').click();
        assert.equal((await going).status(), 200);
        let at = Date.now();
        await event(b)
          .getByText(/8 participants · Complet/)
          .waitFor({ timeout: 1000 });
        t.diagnostic(`answer seen on the other instance ${Date.now() - at} ms after it was stored`);
        // Full now, for B too: going means joining the waitlist.
        await answer(b, 'M’inscrire en liste d’attente').waitFor();

        const maybe = b.page.waitForResponse((r) => r.request().method() === 'PUT' && /\/rsvp$/.test(new URL(r.url()).pathname));
        await answer(b, 'Peut-être').click();
        assert.equal((await maybe).status(), 200);
        at = Date.now();
        await event(a)
          .getByText(/8 participants · 1 peut-être · Complet/)
          .waitFor({ timeout: 1000 });
        t.diagnostic(`answer seen on the first instance ${Date.now() - at} ms after it was stored`);

        // Each browser talked to its own instance only, never reloading for what it saw.
        assert.deepEqual([...a.origins], [new URL(instances[0].base).origin]);
        assert.deepEqual([...b.origins], [new URL(instances[1].base).origin]);
        assert.deepEqual([...a.errors, ...b.errors], []);
      } finally {
        await a.context.close();
        await b.context.close();
      }
    });
  },
);
