/**
 * End to end, live: two browsers on the demo article. A member posts in one; the other, without
 * reloading, sees it wait behind the "1 new comment" button and shows it. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningDemo } from '../../demo/start.js';
import { comments, discussion, openDemo, type E2EDemo, type Visit } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';

let demo: RunningDemo;

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('live');
  ({ demo } = e2e);
});

after(() => e2e?.close());

test('a comment posted in one browser waits behind "1 new comment" in another, without a reload', async (t) => {
  let a: Visit | undefined;
  // B: a visitor reading the article, signed out.
  const b = await e2e.visit();
  try {
    const reader = b.page;
    let navigations = 0;
    reader.on('framenavigated', (f) => void (f === reader.mainFrame() && navigations++));
    const streams: string[] = [];
    reader.on('request', (r) => void (/\/live$/.test(new URL(r.url()).pathname) && streams.push(r.method())));
    const stream = reader.waitForResponse((r) => /\/live$/.test(new URL(r.url()).pathname) && r.status() === 200);
    await reader.goto(demo.url + ARTICLE);
    await comments(reader).first().waitFor();
    const before = await comments(reader).count();

    // A: a member signs in on the site and posts.
    a = await e2e.visit({ as: /Camille Rouanet/, path: ARTICLE });
    const writer = a.page;
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
    assert.deepEqual([...b.errors, ...a.errors], []);
  } finally {
    await a?.context.close();
    await b.context.close();
  }
});
