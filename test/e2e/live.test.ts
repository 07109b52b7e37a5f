/**
 * End to end, live: two browsers on the demo article. A member posts in one; the other, without
 * reloading, sees it wait behind the "1 new comment" button and shows it. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { openDemo, type E2EDemo } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';

let demo: RunningDemo;
let browser: Browser;

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('live');
  ({ demo, browser } = e2e);
});

after(() => e2e?.close());

const discussion = (page: Page) => page.locator('cercle-discussion');
const comments = (page: Page) => discussion(page).locator('[part="comment"]');

test('a comment posted in one browser waits behind "1 new comment" in another, without a reload', async (t) => {
  const a = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const b = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  try {
    // B: a visitor reading the article, signed out.
    const reader = await b.newPage();
    reader.setDefaultTimeout(10_000);
    const errors: string[] = [];
    reader.on('pageerror', (e) => errors.push(String(e)));
    let navigations = 0;
    reader.on('framenavigated', (f) => void (f === reader.mainFrame() && navigations++));
    const streams: string[] = [];
    reader.on('request', (r) => void (/\/live$/.test(new URL(r.url()).pathname) && streams.push(r.method())));
    const stream = reader.waitForResponse((r) => /\/live$/.test(new URL(r.url()).pathname) && r.status() === 200);
    await reader.goto(demo.url + ARTICLE);
    await comments(reader).first().waitFor();
    const before = await comments(reader).count();

    // A: a member signs in on the site and posts.
    const writer = await a.newPage();
    writer.setDefaultTimeout(10_000);
    await writer.goto(`${demo.url}/login`);
    await writer.getByRole('radio', { name: /Camille Rouanet/ }).check();
    await writer.getByRole('button', { name: 'Se connecter' }).click();
    await writer.goto(demo.url + ARTICLE);
    const text = `Je peux vous présenter notre notaire. (${Date.now()})`;
    await discussion(writer).getByRole('textbox', { name: 'Votre commentaire' }).fill(text);
    await stream;
    const posted = writer.waitForResponse((r) => r.request().method() === 'POST' && /\/comments$/.test(new URL(r.url()).pathname));
    await discussion(writer).getByRole('button', { name: 'Publier' }).click();
    assert.equal((await posted).status(), 201);
    const at = Date.now();

    // B: the button comes within a second; the list has not moved.
    const button = discussion(reader).getByRole('button', { name: '1 nouveau commentaire' });
    await button.waitFor({ timeout: 1000 });
    t.diagnostic(`seen by the other browser ${Date.now() - at} ms after the post was stored`);
    assert.equal(await comments(reader).count(), before);
    assert.equal(await comments(reader).filter({ hasText: text }).count(), 0);

    // Shown on request, focused, and still no reload; one stream all along.
    await button.click();
    const mine = comments(reader).filter({ hasText: text });
    await mine.waitFor();
    assert.equal(await comments(reader).count(), before + 1);
    assert.equal(await mine.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el), true);
    assert.equal(await button.count(), 0);
    assert.equal(navigations, 1, 'the reader never reloaded');
    assert.deepEqual(streams, ['POST'], 'one stream for the page');
    assert.deepEqual(errors, []);
  } finally {
    await a.close();
    await b.close();
  }
});
