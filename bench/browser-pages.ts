// Browser benchmark of the demo's pages as a visitor gets them: the built `cercle.js` loader, the real
// server, Chromium with its CPU slowed 4× (CDP `Emulation.setCPUThrottlingRate`). For each page, at
// 1280 and 375 px wide, signed out and signed in:
// - what the page fetched from the Cercle server (files and bytes under /sdk/, API requests, streams)
//   before any widget came near the viewport, and once the page was scrolled to its end;
// - CLS: the layout shifts of the whole visit, scrolling included (PerformanceObserver `layout-shift`,
//   shifts right after an input left out as the metric does);
// - blocking time: the sum over long tasks (`longtask`) of their part beyond 50 ms, the page with Cercle
//   minus the same page with the /sdk/ files refused (the host page alone); and the longest task.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../demo/start.js';
import { PAGES } from '../demo/pages.js';

const CHROMIUM_ARGS = [
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
const WIDTHS = [1280, 375] as const;
const HEIGHT = 800;
/** The member the signed-in visits sign in as (the demo's login page). */
const MEMBER = /Camille/;

/** What the page sees, installed before any of its scripts. */
const OBSERVE = () => {
  const w = window as unknown as { cls: number; shifts: number; blocking: number; longest: number };
  w.cls = w.shifts = w.blocking = w.longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
      if (!e.hadRecentInput) ((w.cls += e.value), w.shifts++);
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      w.blocking += Math.max(0, e.duration - 50);
      w.longest = Math.max(w.longest, e.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
};

export interface Traffic {
  /** Files under /sdk/ and their bytes (as transferred, compressed when the server compresses). */
  files: string[];
  bytes: number;
  /** API requests (reads, batches, writes; preflights apart), as `METHOD path`, and live streams. */
  api: number;
  calls: string[];
  preflights: number;
  streams: number;
}

export interface PageVisit {
  path: string;
  width: number;
  signedIn: boolean;
  /** Before any widget nears the viewport (the page at rest, not scrolled) and after scrolling to the end. */
  atRest: Traffic;
  scrolled: Traffic;
  cls: number;
  /** Blocking time (ms) of the page with Cercle, without it, and the difference; the longest task with Cercle. */
  blocking: number;
  hostBlocking: number;
  added: number;
  longest: number;
}

const empty = (): Traffic => ({ files: [], bytes: 0, api: 0, calls: [], preflights: 0, streams: 0 });

/** Waits until no request to the Cercle server has started or finished for `quiet` ms. */
async function settle(page: Page, busy: () => number, quiet = 600) {
  let last = -1;
  let still = 0;
  while (still < quiet) {
    await page.waitForTimeout(100);
    const now = busy();
    still = now === last ? still + 100 : 0;
    last = now;
  }
}

/** One visit of `path`; with `bare`, the /sdk/ files are refused (the host page alone). */
export async function visitPage(browser: Browser, demo: RunningDemo, path: string, width: number, signedIn: boolean, bare = false) {
  const context = await browser.newContext({ viewport: { width, height: HEIGHT }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const cercle = new URL(demo.cercleUrl).origin;
  let traffic = empty();
  let events = 0;
  const sizes = new Map<string, Promise<number>>();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== cercle) return;
    events++;
    if (u.pathname.startsWith('/sdk/')) {
      traffic.files.push(u.pathname.slice('/sdk/'.length));
      sizes.set(
        u.pathname,
        r.response().then(async (res) => Number((await res?.headerValue('content-length')) ?? (await res?.body())?.length ?? 0)),
      );
    } else if (r.method() === 'OPTIONS') return;
    else if (/\/live$/.test(u.pathname)) traffic.streams++;
    // The stream's own control requests (topics followed) belong to the stream.
    else if (/\/live\//.test(u.pathname)) return;
    else {
      traffic.api++;
      traffic.calls.push(`${r.method()} ${u.pathname.replace(/^\/v1\/sites\/[^/]+/, '')}`);
    }
  });
  page.on('requestfinished', () => events++);
  if (bare) await context.route(`${cercle}/sdk/**`, (route) => route.abort());
  if (signedIn) {
    await page.goto(`${demo.url}/login?next=${encodeURIComponent('/')}`);
    await page.getByRole('radio', { name: MEMBER }).check();
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(demo.url + '/');
    await settle(page, () => events);
  }
  traffic = empty();
  sizes.clear();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  // Preflights are not page requests: the network domain reports them.
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    if ((e.type === 'Preflight' || e.request.method === 'OPTIONS') && new URL(e.request.url).origin === cercle) traffic.preflights++;
  });
  await page.addInitScript(OBSERVE);
  await page.goto(demo.url + path, { waitUntil: 'load' });
  await settle(page, () => events);
  const bytes = async (t: Traffic) => {
    for (const f of t.files) t.bytes += await (sizes.get('/sdk/' + f) ?? 0);
    return t;
  };
  const atRest = await bytes(traffic);
  traffic = empty();
  // Down to the end, a screen at a time, as a reader scrolls.
  for (let y = 0; ; y += HEIGHT * 0.8) {
    const end = await page.evaluate((y) => (scrollTo(0, y), scrollY + innerHeight >= document.documentElement.scrollHeight - 1), y);
    await page.waitForTimeout(150);
    if (end) break;
  }
  await settle(page, () => events);
  const scrolled = await bytes(traffic);
  const r = await page.evaluate(() => {
    const w = window as unknown as { cls: number; blocking: number; longest: number };
    return { cls: w.cls, blocking: w.blocking, longest: w.longest };
  });
  await context.close();
  return { atRest, scrolled, ...r };
}

export async function benchBrowserPages(options: { paths?: string[] } = {}): Promise<PageVisit[]> {
  const dir = await mkdtemp(join(tmpdir(), 'cercle-bench-pages-'));
  const demo = await startDemo({ port: 0, cerclePort: 0, database: join(dir, 'demo.db') });
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const out: PageVisit[] = [];
  try {
    const paths = options.paths ?? PAGES.map((p) => p.path);
    for (const path of paths)
      for (const width of WIDTHS)
        for (const signedIn of [false, true]) {
          const v = await visitPage(browser, demo, path, width, signedIn);
          const host = await visitPage(browser, demo, path, width, signedIn, true);
          out.push({
            path,
            width,
            signedIn,
            atRest: v.atRest,
            scrolled: v.scrolled,
            cls: v.cls,
            blocking: v.blocking,
            hostBlocking: host.blocking,
            added: Math.max(0, v.blocking - host.blocking),
            longest: v.longest,
          });
        }
  } finally {
    await browser.close();
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

const kb = (n: number) => (n / 1024).toFixed(1) + ' KB';
const traffic = (t: Traffic) =>
  `${t.files.length} files ${kb(t.bytes)}${t.files.length ? ` (${t.files.map((f) => f.replace(/-[\w-]{8}\.js$/, '')).join(', ')})` : ''}, ` +
  `${t.api} API [${t.calls.join(', ')}] + ${t.streams} stream, ${t.preflights} preflights`;

export function printBrowserPages(rows: PageVisit[]) {
  console.log('\n## Demo pages in Chromium, CPU 4× slower (cercle.js loader, real server)');
  console.log('page | width | reader | at rest (before a widget nears) | after scrolling to the end | CLS | added blocking (longest task)');
  for (const r of rows)
    console.log(
      `${r.path} | ${r.width} | ${r.signedIn ? 'member' : 'signed out'} | ${traffic(r.atRest)} | ${traffic(r.scrolled)} | ` +
        `${r.cls.toFixed(3)} | ${r.added.toFixed(0)} ms (${r.longest.toFixed(0)} ms)`,
    );
}
