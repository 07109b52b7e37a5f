/**
 * End to end: a language beyond English and French on the demo site, with the built bundle. The
 * loader imports the language's chunk beside the first widget's; nothing is added to the page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type E2EDemo, openDemo } from './support.js';

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('languages');
});

after(() => e2e?.close());

for (const [lang, phrase, module] of [
  ['es', 'Añadir a mi calendario', 'es'],
  ['de-AT', 'Zu meinem Kalender hinzufügen', 'de'],
] as const) {
  test(`lang="${lang}" on the provider: the widgets load the ${module} chunk and speak it, their text marked ${lang}`, async () => {
    const context = await e2e.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const loaded: string[] = [];
    const errors: string[] = [];
    // A language's module: `chunks/<lang>-<hash>.js` under the loader, `locales/<lang>.js` beside a self-contained file.
    page.on(
      'request',
      (r) => /^\/sdk\/(locales|chunks\/(fr|de|es)-)/.test(new URL(r.url()).pathname) && loaded.push(new URL(r.url()).pathname),
    );
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      // The page's own markup with only its language changed, set as the provider appears (before the bundle runs).
      await page.addInitScript((lang) => {
        new MutationObserver((_, observer) => {
          const provider = document.querySelector('cercle-community');
          if (provider) (provider.setAttribute('lang', lang), observer.disconnect());
        }).observe(document, { childList: true, subtree: true });
      }, lang);
      await page.goto(e2e.demo.url + '/en/events');
      const feed = page.locator('cercle-event-feed');
      await feed.getByText(phrase).first().waitFor();
      const marked = await feed.evaluate((el) =>
        [...el.shadowRoot!.children].filter((c) => c.tagName !== 'STYLE').map((c) => c.getAttribute('lang')),
      );
      assert.ok(marked.length > 0);
      assert.deepEqual([...new Set(marked)], [lang]);
      const text = await feed.evaluate((el) => el.shadowRoot!.textContent ?? '');
      assert.ok(text.includes(phrase), text);
      assert.doesNotMatch(text, /Add to my calendar|Organised by|Sign in on this site/);
      assert.equal(loaded.length, 1, loaded.join(' '));
      assert.match(loaded[0], new RegExp(`^/sdk/chunks/${module}-[\\w-]{8}\\.js$`));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
