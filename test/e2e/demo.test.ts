/**
 * End to end: the real Cercle server on a temporary database, the demo association's site beside it,
 * and a real Chromium. Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningDemo } from '../../demo/start.js';
import { chooseMember, comments, discussion, type E2EDemo, openDemo } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';
const THREAD = 'https://demo.cercle.example/articles/transmission-entreprise';

let demo: RunningDemo;
let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('demo');
  ({ demo } = e2e);
});

after(() => e2e?.close());

test("a signed-out visitor reads the discussion and is offered the site's own sign-in, in one API request", async () => {
  const { context, page, api, errors } = await e2e.visit();
  try {
    await page.goto(demo.url + ARTICLE);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');

    // The seeded conversation is readable without signing in.
    await comments(page).filter({ hasText: 'pré-diagnostic fiscal' }).waitFor();
    assert.equal(await comments(page).count(), 5);

    // Taking part means signing in on the association's site.
    const signIn = discussion(page).getByRole('link', { name: 'Connectez-vous sur ce site pour participer' });
    await signIn.waitFor();
    assert.equal(new URL((await signIn.getAttribute('href'))!, page.url()).href, `${demo.url}/login`);
    assert.equal(await discussion(page).getByRole('textbox').count(), 0);

    // Everything the page reads comes in one request to the Cercle server.
    assert.equal(api.length, 1, `expected one API request, saw: ${api.join(', ')}`);
    assert.match(api[0], /^(GET|POST) \/v1\/sites\/demo\//);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a member signs in on the site, posts through <cercle-discussion>, reloads and sees the comment', async () => {
  const { context, page, api, errors } = await e2e.visit();
  try {
    await page.goto(demo.url + ARTICLE);
    await discussion(page).getByRole('link', { name: 'Connectez-vous sur ce site pour participer' }).click();

    // The site's own sign-in page, which sends the member back to the article.
    await page.waitForURL(`${demo.url}/login`);
    await chooseMember(page, /Camille Rouanet/);
    await page.waitForURL(demo.url + ARTICLE);
    await page.locator('.site-header').getByText('Camille Rouanet').waitFor();

    const text = `Nous préparons la reprise par deux salariées : merci pour les contacts. (${Date.now()})`;
    const box = discussion(page).getByRole('textbox', { name: 'Votre commentaire' });
    await box.fill(text);
    await discussion(page).getByRole('button', { name: 'Publier' }).click();

    const mine = comments(page).filter({ hasText: text });
    await mine.waitFor();
    assert.equal(await mine.locator('[part="name"]').textContent(), 'Camille Rouanet');
    assert.equal(await box.inputValue(), '', 'the box is emptied once the comment is stored');

    // Stored by the server, with the member the site signed for as its author.
    const res = await fetch(`${demo.cercleUrl}/v1/sites/demo/comments?thread=${encodeURIComponent(THREAD)}&limit=100`);
    const stored = (await res.json()) as { items: { body: string; author: { id: string } | null }[] };
    assert.deepEqual(
      stored.items.filter((c) => c.body === text).map((c) => c.author?.id),
      ['adh-1003'],
    );

    // After a reload the comment comes back from the server, still in one API request.
    api.length = 0;
    await page.reload();
    await comments(page).filter({ hasText: text }).waitFor();
    assert.equal(await comments(page).count(), 6);
    await discussion(page).getByRole('textbox', { name: 'Votre commentaire' }).waitFor();
    assert.equal(api.length, 1, `expected one API request, saw: ${api.join(', ')}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the English page shows the same conversation in English, with the English sign-in page', async () => {
  const { context, page, errors } = await e2e.visit({ locale: 'en-GB' });
  try {
    await page.goto(`${demo.url}/en${ARTICLE}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await comments(page).filter({ hasText: 'pré-diagnostic fiscal' }).waitFor();
    const signIn = discussion(page).getByRole('link', { name: 'Sign in on this site to take part' });
    await signIn.waitFor();
    assert.equal(new URL((await signIn.getAttribute('href'))!, page.url()).href, `${demo.url}/en/login`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the token endpoint answers 401 when signed out, and never lets the token be cached', async () => {
  const res = await fetch(`${demo.url}/cercle-token`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('cache-control'), 'no-store');
});
