/**
 * End to end: a webmaster's two classic mistakes, told apart. The demo's pages served from an origin the
 * site does not list, and a Cercle server that stops after the page loaded: each leaves the member a
 * plain message and the console one line naming the code and the fix. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHost, type RunningHost } from '../../demo/host.js';
import { SITE_ID } from '../../demo/directory.js';
import { silentLogger } from '../../src/server/app.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { BUNDLE, discussion, openDemo, type E2EDemo, type Visit } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';
const LOAD_ERROR = 'Les commentaires n’ont pas pu être chargés.';

let e2e: E2EDemo;
const hosts: RunningHost[] = [];
const servers: RunningServer[] = [];

before(async () => {
  e2e = await openDemo('embed');
});

after(async () => {
  await Promise.all([...hosts.map((h) => h.close()), ...servers.map((s) => s.close())]);
  await e2e?.close();
});

/** The page's `console.warn` and `console.error` lines. */
function consoleLines(v: Visit): string[] {
  const lines: string[] = [];
  v.page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') lines.push(m.text());
  });
  return lines;
}

test('a page on an origin the site does not list: the member reads a plain message, the console names cors.origin_not_allowed and the fix', async () => {
  // The same pages, on a second port: an origin the site's settings do not list.
  const elsewhere = await startHost({ port: 0, cercleUrl: e2e.demo.cercleUrl, store: e2e.demo.store });
  hosts.push(elsewhere);
  const site = await e2e.demo.store.site(SITE_ID);
  assert.ok(!site!.origins.includes(elsewhere.url), `${elsewhere.url} must not be listed`);

  const v = await e2e.visit();
  const lines = consoleLines(v);
  try {
    await v.page.goto(elsewhere.url + ARTICLE);
    await discussion(v.page).getByText(LOAD_ERROR).waitFor();
    await discussion(v.page).getByRole('button', { name: 'Réessayer' }).waitFor();

    const cors = lines.filter((l) => l.includes('cors.origin_not_allowed'));
    assert.equal(cors.length, 1, `one line naming the code, saw:\n${lines.join('\n')}`);
    assert.match(cors[0], /^cercle: cors\.origin_not_allowed/);
    assert.ok(cors[0].includes(`from ${elsewhere.url}`), cors[0]);
    assert.ok(cors[0].includes("add this page's origin to the site's origins"), cors[0]);
    assert.ok(!lines.some((l) => l.includes('network.offline')), lines.join('\n'));
    // The refusal is the server's: it answered, and nothing but the message reached the page.
    assert.deepEqual(v.errors, []);
  } finally {
    await v.context.close();
  }
});

test('a Cercle server that stops after the page loaded: the member reads a plain message, the console names network.offline', async () => {
  // A Cercle server of its own, so that stopping it leaves the other tests theirs.
  const cercle = await startServer({ port: 0, store: e2e.demo.store, assets: dirname(BUNDLE), logger: silentLogger });
  servers.push(cercle);
  const host = await startHost({ port: 0, cercleUrl: cercle.url, store: e2e.demo.store });
  hosts.push(host);
  const site = (await e2e.demo.store.site(SITE_ID))!;
  await e2e.demo.store.updateSite(SITE_ID, { origins: [...site.origins, host.url] });

  const v = await e2e.visit();
  const lines = consoleLines(v);
  try {
    await v.page.goto(host.url + ARTICLE);
    await discussion(v.page).locator('[part="comment"]').first().waitFor();
    assert.deepEqual(
      lines.filter((l) => l.startsWith('cercle:')),
      [],
    );

    await cercle.close();
    servers.splice(servers.indexOf(cercle), 1);
    // The browser keeps its copy of the bundle (the loader and its chunks); the API is gone.
    await v.context.route(`${cercle.url}/sdk/**`, (route) =>
      route.fulfill({
        path: join(dirname(BUNDLE), new URL(route.request().url()).pathname.slice('/sdk/'.length)),
        headers: { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' },
      }),
    );
    await v.page.reload();
    await discussion(v.page).getByText(LOAD_ERROR).waitFor();

    const offline = lines.filter((l) => l.includes('network.offline'));
    assert.equal(offline.length, 1, `one line naming the code, saw:\n${lines.join('\n')}`);
    assert.match(offline[0], /^cercle: network\.offline/);
    assert.ok(offline[0].includes(cercle.url), offline[0]);
    assert.ok(offline[0].includes('check the `api` attribute and that the server runs'), offline[0]);
    assert.ok(!lines.some((l) => l.includes('cors.')), lines.join('\n'));
  } finally {
    await v.context.close();
  }
});
