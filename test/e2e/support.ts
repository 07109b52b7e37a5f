import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../demo/start.js';

/** The built bundle the demo pages load; end-to-end tests need `npm run build` first. */
export const BUNDLE = fileURLToPath(new URL('../../dist/cercle.js', import.meta.url));

/**
 * Debian's Chromium (or `CHROME_PATH`), headless. As root it needs `--no-sandbox`; the background
 * services are off so that it makes no connection of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const launchChromium = () =>
  chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });

/**
 * Which requests a visit records in `api`, of those its page sends to the Cercle server (the `/sdk/`
 * bundle and CORS preflights never):
 * - `reads`: GETs and batches, as `METHOD path` (writes and the live stream left out);
 * - `requests`: every request, as `METHOD path`;
 * - `detailed`: every request, as `METHOD path?query`, a batch followed by the reads it carries.
 */
export type Recording = 'reads' | 'requests' | 'detailed';

export interface VisitOptions {
  /** The browser's locale; `fr-FR` unless told. The time zone is always Europe/Paris. */
  locale?: string;
  /** What to record of the page's requests to the Cercle server; `reads` unless told. */
  record?: Recording;
  /** Lets the page download files (the calendar file, a member's data). */
  acceptDownloads?: boolean;
  /** Signs in first, on the site's own login page, as the member whose name matches. */
  as?: string | RegExp;
  /** The page to open: after signing in, the site sends the member there; none: stay on a blank page. */
  path?: string;
  /**
   * Leaves the loader's lazy loading on: widgets load only when they near the viewport. Off unless told:
   * every Cercle tag is marked `loading="eager"` as the page is parsed, so that a test can wait for a
   * widget far below the fold without scrolling to it (`loader.test.ts` tests the lazy loading itself).
   */
  lazy?: boolean;
}

/** A browser of its own on the site, with what its page sent and the errors it threw. */
export interface Visit {
  context: BrowserContext;
  page: Page;
  /** The page's requests to the Cercle server, as chosen by `record`. */
  api: string[];
  /** Every origin the page sent a `/v1/` API request to. */
  origins: Set<string>;
  /** Uncaught errors in the page. */
  errors: string[];
}

/** Where a visit goes: the site's pages and the Cercle server they talk to. */
export interface Site {
  url: string;
  cercleUrl: string;
}

const recorded = (record: Recording, method: string, u: URL, body: () => string | null): string | undefined => {
  const batch = u.pathname.endsWith('/batch');
  if (record === 'reads') {
    const read = method === 'GET' || batch;
    return read && !/\/live(\/|$)/.test(u.pathname) ? `${method} ${u.pathname}` : undefined;
  }
  if (record === 'requests') return `${method} ${u.pathname}`;
  const reads = batch ? ` ${JSON.parse(body() ?? '{}').reads?.join(' ')}` : '';
  return `${method} ${u.pathname}${u.search}${reads}`;
};

/** Marks every Cercle widget tag `loading="eager"` as the parser meets it (run in the page, before its scripts). */
export const eager = () =>
  new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes)
        if (n instanceof Element && n.localName.startsWith('cercle-') && !n.hasAttribute('loading')) n.setAttribute('loading', 'eager');
  }).observe(document, { childList: true, subtree: true });

/** Opens a visit of `site` in a new browser context, signed in and on `path` when asked. */
export async function visit(browser: Browser, site: Site, options: VisitOptions = {}): Promise<Visit> {
  const { locale = 'fr-FR', record = 'reads', acceptDownloads = false, as, path, lazy = false } = options;
  const context = await browser.newContext({ locale, timezoneId: 'Europe/Paris', acceptDownloads });
  if (!lazy) await context.addInitScript(eager);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const v: Visit = { context, page, api: [], origins: new Set(), errors: [] };
  const cercle = new URL(site.cercleUrl).origin;
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/v1/')) v.origins.add(u.origin);
    if (u.origin !== cercle || u.pathname.startsWith('/sdk/') || r.method() === 'OPTIONS') return;
    const line = recorded(record, r.method(), u, () => r.postData());
    if (line) v.api.push(line);
  });
  page.on('pageerror', (e) => v.errors.push(String(e)));
  if (as) await signIn(page, site.url, as, path ?? '/');
  else if (path) await page.goto(site.url + path);
  return v;
}

/**
 * Signs in on the site's own login page as the member whose name matches (a string matches anywhere
 * in the choice's label), and waits to be sent back to `next`.
 */
export async function signIn(page: Page, siteUrl: string, name: string | RegExp, next = '/') {
  await page.goto(`${siteUrl}/login?next=${encodeURIComponent(next)}`);
  await chooseMember(page, name);
  await page.waitForURL(siteUrl + next);
}

/** On the site's login page: picks the member whose name matches and signs in. */
export async function chooseMember(page: Page, name: string | RegExp) {
  await page.getByRole('radio', { name: typeof name === 'string' ? new RegExp(name) : name }).check();
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** The page's discussion and the comments it shows. */
export const discussion = (page: Page) => page.locator('cercle-discussion');
export const comments = (page: Page) => discussion(page).locator('[part="comment"]');

export interface E2EDemo {
  demo: RunningDemo;
  browser: Browser;
  /** The temporary folder holding the demo's database. */
  dir: string;
  /** A visit of the demo site (see `visit`); its browser context closes with the demo if the test has not closed it. */
  visit(options?: VisitOptions): Promise<Visit>;
  close(): Promise<void>;
}

/**
 * The demo site and the real Cercle server on free ports over a fresh SQLite file, and a browser:
 * what each end-to-end file starts before its tests.
 */
export async function openDemo(name: string): Promise<E2EDemo> {
  assert.ok(existsSync(BUNDLE), 'dist/cercle.js is missing: run `npm run build` first');
  const dir = await mkdtemp(join(tmpdir(), `cercle-e2e-${name}-`));
  const demo = await startDemo({ port: 0, cerclePort: 0, database: join(dir, 'cercle.db') });
  const browser = await launchChromium();
  return {
    demo,
    browser,
    dir,
    visit: (options) => visit(browser, demo, options),
    async close() {
      await browser.close();
      await demo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
