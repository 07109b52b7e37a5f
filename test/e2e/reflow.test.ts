/**
 * End to end: a long discussion loaded on a wide window, then narrowed to 320 px (a phone, or a 400 %
 * zoom): the page reflows with no horizontal scrolling and every comment, on screen or not, keeps its
 * accessible name in Chromium's accessibility tree (WCAG 1.4.10, 4.1.2). The real Cercle server, the
 * demo site, a real Chromium. Needs the bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningDemo } from '../../demo/start.js';
import { comments, discussion, openDemo, type E2EDemo } from './support.js';

const SITE = 'demo';
const THREAD = 'https://demo.cercle.example/articles/transmission-entreprise';
const ARTICLE = '/articles/transmission-entreprise';

let e2e: E2EDemo;
let demo: RunningDemo;

before(async () => {
  e2e = await openDemo('reflow');
  ({ demo } = e2e);
  const thread = (await demo.store.thread(SITE, THREAD))!;
  for (let i = 0; i < 15; i++) {
    const author = await demo.store.upsertMember(SITE, {
      sub: `e2e-reflow-${i}`,
      iat: Math.floor(Date.now() / 1000),
      name: `Lecteur ${i}`,
    });
    await demo.store.insertComment({
      site_id: SITE,
      thread_pk: thread.pk,
      parent_id: null,
      author_pk: author.pk,
      body: `Commentaire ${i} : ${'un avis assez long pour remplir plusieurs lignes sur un écran large, '.repeat(5)}`,
      status: 'published',
      idempotency_key: null,
      held_reason: null,
    });
  }
});

after(() => e2e?.close());

test('loaded at 1280 px then narrowed to 320 px: no sideways scrolling, and every comment keeps its name', async () => {
  const { context, page, errors } = await e2e.visit({ path: ARTICLE });
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await discussion(page).locator('[part="list"][aria-busy="false"]').waitFor();
    const n = await comments(page).count();
    assert.ok(n >= 15, `the thread shows its comments (${n})`);
    // Read down the thread and back up, so that each comment has been laid out at this width.
    for (let i = 0; i < n; i++) await comments(page).nth(i).scrollIntoViewIfNeeded();
    await page.evaluate(() => scrollTo(0, 0));
    await page.setViewportSize({ width: 320, height: 640 });
    await page.evaluate(() => new Promise(requestAnimationFrame));

    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      widest: Math.max(
        ...[...document.querySelector('cercle-discussion')!.shadowRoot!.querySelectorAll('article')].map(
          (a) => a.getBoundingClientRect().right,
        ),
      ),
    }));
    assert.ok(widths.page <= 320, `the page is ${widths.page} px wide`);
    assert.ok(widths.widest <= 320, `a comment reaches ${widths.widest} px`);

    // At the top of the page, most comments are far below the fold: each is still named in the tree.
    await page.evaluate(() => scrollTo(0, 0));
    const tree = await discussion(page).locator('[part="list"]').ariaSnapshot();
    const articles = tree.split('\n').filter((l) => /^\s*- article\b/.test(l));
    assert.equal(articles.length, n, 'every comment is an article of the tree');
    const unnamed = articles.filter((l) => !/- article "[^"]+"/.test(l));
    assert.deepEqual(unnamed, [], 'no comment is nameless');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
