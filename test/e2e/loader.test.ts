/**
 * End to end: the demo's pages load `cercle.js`, the loader, which brings a widget's chunk only when
 * its tag comes near the viewport; a page at rest makes at most one API request and one live stream;
 * no demo page moves while its widgets fill in (CLS), signed in or out, wide or narrow.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PAGES } from '../../demo/pages.js';
import { chooseMember, type E2EDemo, openDemo } from './support.js';

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('loader');
});

after(() => e2e?.close());

const ARTICLE = '/en/articles/transmission-entreprise';

/** What a page asks of the Cercle server: files under /sdk/, API requests (preflights apart) and live streams. */
function record(page: Page) {
  const cercle = new URL(e2e.demo.cercleUrl).origin;
  const seen = { files: [] as string[], api: [] as string[], streams: 0 };
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== cercle || r.method() === 'OPTIONS') return;
    if (u.pathname.startsWith('/sdk/')) seen.files.push(u.pathname.slice('/sdk/'.length));
    else if (/\/live$/.test(u.pathname)) seen.streams++;
    else if (!/\/live\//.test(u.pathname)) seen.api.push(`${r.method()} ${u.pathname}`);
  });
  return seen;
}

/** A new browser context of the given size, signed in as `as` when given. */
async function open(width: number, height: number, as?: string) {
  const context = await e2e.browser.newContext({ viewport: { width, height }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  if (as) {
    await page.goto(`${e2e.demo.url}/login?next=%2F`);
    await chooseMember(page, as);
    await page.waitForURL(e2e.demo.url + '/');
  }
  return { context, page };
}

/** Waits until no request to the Cercle server has started for `quiet` ms (a behaviour, not a timing: nothing more comes). */
async function quiet(page: Page, seen: { files: string[]; api: string[]; streams: number }, quietMs = 700) {
  let last = -1;
  for (let still = 0; still < quietMs;) {
    await page.waitForTimeout(100);
    const n = seen.files.length + seen.api.length + seen.streams;
    still = n === last ? still + 100 : 0;
    last = n;
  }
}

test('a discussion far below the fold: neither its chunk nor the API nor the stream until the reader scrolls near it', async () => {
  // Short enough a window that the discussion starts well beyond the loader's 600 px margin.
  const { context, page } = await open(1280, 400);
  try {
    const seen = record(page);
    await page.goto(e2e.demo.url + ARTICLE);
    await quiet(page, seen);
    const below = await page.locator('cercle-discussion').evaluate((el) => el.getBoundingClientRect().top - innerHeight);
    assert.ok(below > 600, `the discussion starts ${below} px below the viewport`);
    assert.deepEqual(seen.files, ['cercle.js'], 'only the loader');
    assert.deepEqual(seen.api, []);
    assert.equal(seen.streams, 0);
    assert.equal(await page.evaluate(() => !!customElements.get('cercle-discussion')), false);

    await page.locator('cercle-discussion').scrollIntoViewIfNeeded();
    await page.locator('cercle-discussion [part="comment"]').first().waitFor();
    await quiet(page, seen);
    assert.ok(
      seen.files.some((f) => /^chunks\/discussion-[\w-]{8}\.js$/.test(f)),
      seen.files.join(' '),
    );
    assert.equal(seen.files.filter((f) => /^chunks\/shared-/.test(f)).length, 1, 'the shared chunk once');
    assert.ok(!seen.files.some((f) => /^(discussion|cercle-[\w-]+)\.js$/.test(f)), 'no self-contained file');
    assert.ok(seen.api.length <= 1, `one read request: ${seen.api.join(' | ')}`);
    assert.ok(seen.streams <= 1);
  } finally {
    await context.close();
  }
});

test('loading="eager" loads a widget at once, wherever it is', async () => {
  const { context, page } = await open(1280, 400);
  try {
    const seen = record(page);
    // The page's own markup, the discussion marked eager as the parser meets it.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const d = document.querySelector('cercle-discussion');
        if (d) (d.setAttribute('loading', 'eager'), observer.disconnect());
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(e2e.demo.url + ARTICLE);
    await page.waitForFunction(() => !!customElements.get('cercle-discussion'));
    assert.ok(seen.files.some((f) => f.startsWith('chunks/discussion-')));
  } finally {
    await context.close();
  }
});

test('a tag added to the page later is loaded when it comes near', async () => {
  const { context, page } = await open(1280, 800);
  try {
    await page.goto(e2e.demo.url + '/en/events');
    await page.waitForFunction(() => !!customElements.get('cercle-event-feed'));
    assert.equal(await page.evaluate(() => !!customElements.get('cercle-comment-count')), false);
    await page.evaluate(() => {
      const count = document.createElement('cercle-comment-count');
      count.setAttribute('thread', 'https://demo.cercle.example/en/articles/transmission-entreprise');
      document.querySelector('main')!.prepend(count);
    });
    await page.waitForFunction(() => !!customElements.get('cercle-comment-count'));
  } finally {
    await context.close();
  }
});

test('every demo page at rest, signed in or out, makes at most one API request and one live stream', async () => {
  for (const as of [undefined, 'Camille']) {
    const { context, page } = await open(1280, 800, as);
    try {
      for (const { path } of PAGES) {
        // What the previous page still had in flight is not this page's.
        await page.goto('about:blank');
        const seen = record(page);
        await page.goto(e2e.demo.url + path);
        await quiet(page, seen);
        // Writes the reader makes by reading (a discussion's read mark) are not page loads.
        const reads = seen.api.filter((c) => c.startsWith('GET ') || c.endsWith('/batch'));
        assert.ok(reads.length <= 1, `${as ?? 'signed out'} on ${path}: ${seen.api.join(' | ')}`);
        assert.ok(seen.streams <= 1, `${as ?? 'signed out'} on ${path}: ${seen.streams} streams`);
        assert.ok(
          seen.files.filter((f) => f.startsWith('chunks/shared-')).length <= 1,
          `${as ?? 'signed out'} on ${path}: ${seen.files.join(' ')}`,
        );
        page.removeAllListeners('request');
      }
    } finally {
      await context.close();
    }
  }
});

test('no demo page shifts while its widgets fill in (CLS ≤ 0.01), read to its end, signed in or out, 1280 and 375 px wide', async () => {
  const over: string[] = [];
  for (const width of [1280, 375])
    for (const as of [undefined, 'Camille']) {
      const { context, page } = await open(width, 800, as);
      await page.addInitScript(() => {
        const w = window as unknown as { cls: number };
        w.cls = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
            if (!e.hadRecentInput) w.cls += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
      });
      try {
        for (const { path } of PAGES) {
          const seen = record(page);
          await page.goto(e2e.demo.url + path);
          await quiet(page, seen);
          // Down to the end a screen at a time, as a reader scrolls: the widgets below load on the way.
          for (let y = 0; ; y += 640) {
            const end = await page.evaluate((y) => (scrollTo(0, y), scrollY + innerHeight >= document.documentElement.scrollHeight - 1), y);
            await page.waitForTimeout(150);
            if (end) break;
          }
          await quiet(page, seen);
          // The widgets are filled in (no longer loading) before the shifts are summed.
          const loading = () =>
            page.evaluate(() =>
              [...document.querySelectorAll(':defined')]
                .filter((el) => el.localName.startsWith('cercle-') && el.matches(':state(loading)'))
                .map((el) => el.outerHTML.slice(0, 80)),
            );
          for (let i = 0; i < 50 && (await loading()).length; i++) await page.waitForTimeout(100);
          assert.deepEqual(await loading(), [], `every widget filled in on ${path}`);
          const cls = await page.evaluate(() => (window as unknown as { cls: number }).cls);
          if (cls > 0.01) over.push(`${path} ${as ?? 'signed out'} at ${width} px: CLS ${cls.toFixed(3)}`);
          page.removeAllListeners('request');
        }
      } finally {
        await context.close();
      }
    }
  assert.deepEqual(over, [], 'every page at CLS ≤ 0.01');
});
