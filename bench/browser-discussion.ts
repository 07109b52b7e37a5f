// Browser benchmark: first render of a 1,000-comment thread by <cercle-discussion> (the built
// `dist/discussion.js`, reading the real server) against a hand-written plain-DOM rendering of the
// same API answer (`document.createElement` loops making the same tree of articles), in the same run,
// in Chromium. Time: from navigation (`performance.now()` in the page) to the moment the last comment
// is in the DOM, and to the next frame after it; median of several cold visits (a new browser context
// each), the two pages taking turns. The widget renders the comments of the first screens at once and
// the rest in idle moments: the first render is the moment the viewport is full of comments (or every
// comment is in, when fewer fill it), and the next frame; the moment the last comment is in is kept
// beside it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { silentLogger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { DiscussionStore } from '../src/server/store/discussion.js';
import { openStore } from '../src/server/store/store.js';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const MEMBERS = 60;
/** 50 top-level comments (the first page) with 19 replies each: the whole thread comes in the first read. */
const ROOTS = 50;
const COMMENTS = 1000;
const RUNS = 9;
const THREAD = 'https://asso.example.fr/articles/transmission';
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
/** The whole benchmark gives up after this long. */
const BUDGET_MS = 180_000;

export interface BrowserDiscussionResult {
  comments: number;
  runs: number;
  /** Medians, in milliseconds from navigation; `render`: from the API's answer to the last comment in the DOM. */
  widget: Timing;
  plain: Timing;
  ratio: number;
  frameRatio: number;
  renderRatio: number;
  /** The first render: the viewport full of comments, and the frame after. */
  screenRatio: number;
  screenFrameRatio: number;
}

interface Timing {
  /** The viewport full of comments (or all in), and the next frame. */
  screen: number;
  screenFrame: number;
  dom: number;
  frame: number;
  render: number;
  all: number[];
}
interface Visit {
  screen: number;
  screenFrame: number;
  dom: number;
  frame: number;
  data: number;
  n: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Records when the comments first fill the viewport (the last article in `root` reaching its bottom, or
 * all `n` in) and the next frame, when `count()` reaches `n` (a mutation observer on `root`) and the
 * next frame, and when the last answer of the Cercle API had arrived (so that the rendering itself can
 * be told apart).
 */
const PROBE = `
window.__probe = (root, count, n) => new Promise((resolve) => {
  const at = {};
  const full = () => {
    const a = root.querySelectorAll('article');
    return a.length >= n || (a.length > 0 && a[a.length - 1].getBoundingClientRect().bottom >= innerHeight);
  };
  const done = () => {
    const dom = performance.now();
    const data = Math.max(...performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/')).map((e) => e.responseEnd));
    requestAnimationFrame(() => setTimeout(() => resolve({ ...at, dom, frame: performance.now(), data, n: count() }), 0));
  };
  const check = () => {
    if (at.screen === undefined && full()) {
      at.screen = performance.now();
      requestAnimationFrame(() => setTimeout(() => (at.screenFrame = performance.now()), 0));
    }
    if (count() < n) return false;
    done();
    return true;
  };
  if (check()) return;
  const mo = new MutationObserver(() => check() && mo.disconnect());
  mo.observe(root, { childList: true, subtree: true });
});`;

function widgetPage(api: string, n: number) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Bench</title>
<script type="module" src="${api}/sdk/discussion.js"></script>
<script>${PROBE}
window.__done = (async () => {
  await customElements.whenDefined('cercle-discussion');
  const el = document.querySelector('cercle-discussion');
  await el.updateComplete;
  const q = () => el.shadowRoot.querySelectorAll('article[part="comment"]').length;
  return __probe(el.shadowRoot, q, ${n});
})();
</script></head><body>
<cercle-community api="${api}" site="bench"><cercle-discussion thread="${THREAD}"></cercle-discussion></cercle-community>
</body></html>`;
}

/**
 * The same thread written by hand with the DOM: one read, then articles (avatar, name, time, text with
 * bold and links, reaction counts) nested three levels deep, deeper replies listed flat with an
 * "in reply to" link — the markup the widget makes, without Lit, contract parsing or a shadow root.
 */
function plainPage(api: string, n: number) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Bench</title>
<script type="module">${PROBE}
const list = document.getElementById('list');
window.__done = __probe(list, () => list.querySelectorAll('article').length, ${n});
const labels = { thanks: 'Merci', useful: 'Utile', interested: 'Ça m’intéresse' };
const rtf = new Intl.RelativeTimeFormat('fr', { numeric: 'auto' });
const full = new Intl.DateTimeFormat('fr', { dateStyle: 'full', timeStyle: 'short' });
const el = (tag, props, ...kids) => {
  const e = document.createElement(tag);
  if (props) for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
  for (const k of kids) if (k != null) e.append(k);
  return e;
};
const relative = (t) => {
  const s = (Date.parse(t) - Date.now()) / 1000;
  const [v, u] = Math.abs(s) < 60 ? [s, 'second'] : Math.abs(s) < 3600 ? [s / 60, 'minute'] : Math.abs(s) < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return rtf.format(Math.round(v), u);
};
const inline = (text) => text.split(/(\\*\\*[^*]+\\*\\*|https?:\\/\\/\\S+|@\\[[^\\]]+\\]\\([^)]+\\))/).filter(Boolean).map((p) => {
  if (p.startsWith('**')) return el('strong', null, p.slice(2, -2));
  if (/^https?:/.test(p)) return el('a', { href: p, rel: 'nofollow ugc noopener', target: '_blank' }, p);
  const m = /^@\\[([^\\]]+)\\]/.exec(p);
  return m ? el('span', { class: 'mention' }, '@' + m[1]) : p;
});
const initials = (name = '') => name.split(/\\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
function article(c, parent) {
  const meta = el('p', { part: 'meta' }, el('time', { datetime: c.createdAt, title: full.format(new Date(c.createdAt)), tabindex: '0' }, relative(c.createdAt)));
  if (parent) meta.append(' · ', el('a', { href: '#c-' + parent.id }, 'en réponse à ' + (parent.author?.name ?? 'Ancien membre')));
  const body = el('div', { part: 'body' }, ...c.body.split(/\\n\\s*\\n/).filter((p) => p.trim()).map((p) => el('p', null, ...inline(p.trim()))));
  const reactions = c.reactions.filter((r) => r.count).map((r) => el('span', { class: 'reaction' }, labels[r.kind] ?? r.kind, ' ', el('span', { class: 'n' }, String(r.count))));
  return el('article', { part: 'comment', id: 'c-' + c.id, tabindex: '-1', 'aria-labelledby': 'n-' + c.id },
    el('header', null, el('span', { part: 'avatar', 'aria-hidden': 'true' }, initials(c.author?.name)), el('h3', { part: 'name', id: 'n-' + c.id }, c.author?.name ?? 'Ancien membre'), meta),
    body,
    el('div', { part: 'comment-actions' }, reactions.length ? el('span', { role: 'group', 'aria-label': 'Réactions' }, ...reactions) : null));
}
const [page] = await Promise.all([
  fetch('${api}/v1/sites/bench/comments?thread=${encodeURIComponent(THREAD)}').then((r) => r.json()),
  fetch('${api}/v1/sites/bench').then((r) => r.json()),
]);
const byId = new Map(page.items.map((c) => [c.id, c]));
const kids = new Map();
const roots = [];
for (const c of page.items) c.parentId && byId.has(c.parentId) ? kids.set(c.parentId, [...(kids.get(c.parentId) ?? []), c]) : roots.push(c);
const below = (c) => (kids.get(c.id) ?? []).flatMap((k) => [k, ...below(k)]);
const node = (c, depth, into) => {
  const li = el('li', null, article(c));
  into.append(li);
  if (depth >= 3) {
    for (const d of below(c).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))) into.append(el('li', null, article(d, byId.get(d.parentId))));
    return;
  }
  const children = kids.get(c.id) ?? [];
  if (children.length) {
    const ol = el('ol', { class: 'replies' });
    for (const k of children) node(k, depth + 1, ol);
    li.append(ol);
  }
};
const frag = document.createDocumentFragment();
for (const r of roots) node(r, 0, frag);
document.getElementById('count').textContent = page.thread.commentCount + ' commentaires';
list.append(frag);
</script></head><body>
<section><h2 id="count">Commentaires</h2><ol id="list" part="list"></ol></section>
</body></html>`;
}

export async function benchBrowserDiscussion(): Promise<BrowserDiscussionResult> {
  if (!existsSync(join(DIST, 'discussion.js'))) throw new Error('dist/discussion.js is missing: run `npm run build` first');
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'cercle-bench-browser-'));
  const store = await openStore(join(dir, 'bench.db'));
  let pages: Server | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    // The page host first: its origin is one the site lists.
    let html = { widget: '', plain: '' };
    pages = createServer((req, res) => {
      const body = req.url?.startsWith('/plain') ? html.plain : html.widget;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    });
    await new Promise<void>((r) => pages!.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    await store.createSite({ id: 'bench', name: 'Bench', origins: [origin], settings: { rateLimits: false } });
    const n = await seed(store);
    server = await startServer({ port: 0, store, assets: DIST, logger: silentLogger });
    html = { widget: widgetPage(server.url, n), plain: plainPage(server.url, n) };

    browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const visit = async (path: '/widget' | '/plain') => {
      const context = await browser!.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        await page.goto(origin + path);
        const r = await page.evaluate(() => (window as unknown as { __done: Promise<Visit> }).__done);
        if (r.n < n) throw new Error(`${path}: ${r.n} comments rendered, ${n} expected`);
        return r;
      } finally {
        await context.close();
      }
    };
    // One visit each to warm the server and the browser, not counted.
    await visit('/widget');
    await visit('/plain');
    const w: Visit[] = [];
    const p: Visit[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (Date.now() - started > BUDGET_MS) break;
      w.push(await visit('/widget'));
      p.push(await visit('/plain'));
    }
    const timing = (xs: Visit[]): Timing => ({
      screen: round(median(xs.map((x) => x.screen))),
      screenFrame: round(median(xs.map((x) => x.screenFrame))),
      dom: round(median(xs.map((x) => x.dom))),
      frame: round(median(xs.map((x) => x.frame))),
      render: round(median(xs.map((x) => x.dom - x.data))),
      all: xs.map((x) => round(x.dom)),
    });
    const widget = timing(w);
    const plain = timing(p);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      comments: n,
      runs: w.length,
      widget,
      plain,
      ratio: ratio(widget.dom, plain.dom),
      frameRatio: ratio(widget.frame, plain.frame),
      renderRatio: ratio(widget.render, plain.render),
      screenRatio: ratio(widget.screen, plain.screen),
      screenFrameRatio: ratio(widget.screenFrame, plain.screenFrame),
    };
  } finally {
    await browser?.close();
    await server?.close();
    await new Promise((r) => (pages ? pages.close(r) : r(undefined)));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1,000 comments: 50 top-level ones, each with 19 replies at random depths, bodies with bold, links and mentions; reactions. */
async function seed(store: Awaited<ReturnType<typeof openStore>>): Promise<number> {
  const members: { pk: string; id: string; name: string }[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const name = `Membre ${i} Dupont`;
    const m = await store.upsertMember('bench', {
      sub: `m${i}`,
      iat: Math.floor(Date.now() / 1000),
      name,
      roles: ['member'],
      chapters: [],
    });
    members.push({ pk: m.pk, id: `m${i}`, name });
  }
  const thread = await store.setThread('bench', THREAD, { title: 'Transmission', audience: 'public' });
  let s = 42;
  const rand = (k: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % k);
  const ds = new DiscussionStore(store);
  const all: { id: string; author: string }[] = [];
  const start = Date.now() - COMMENTS * 60_000;
  for (let r = 0; r < ROOTS; r++) {
    const tree: string[] = [];
    for (let j = 0; j < COMMENTS / ROOTS; j++) {
      const i = r * (COMMENTS / ROOTS) + j;
      const author = members[rand(MEMBERS)];
      const other = members[rand(MEMBERS)];
      const body =
        `Retour n°${i} sur la **transmission** d'entreprise : voir https://asso.example.fr/guide${j % 4 === 3 ? ` @[${other.name}](${other.id})` : ''}.` +
        (j % 5 === 0 ? `\n\nEt un second paragraphe, pour les longs messages (${i}).` : '');
      const { id } = await store.insertComment({
        site_id: 'bench',
        thread_pk: thread!.pk,
        parent_id: j ? tree[rand(tree.length)] : null,
        author_pk: author.pk,
        body,
        status: 'published',
        idempotency_key: null,
      });
      await store.db
        .updateTable('comments')
        .set({ created_at: new Date(start + i * 60_000).toISOString() })
        .where('id', '=', id)
        .execute();
      tree.push(id);
      all.push({ id, author: author.pk });
    }
  }
  const kinds = ['useful', 'thanks', 'interested'];
  for (let i = 0; i < 600; i++) {
    const c = all[rand(all.length)];
    const who = members[rand(MEMBERS)];
    if (who.pk !== c.author) await ds.react('bench', { id: c.id, author_pk: c.author }, who.pk, kinds[i % 3]);
  }
  return all.length;
}

export function printBrowserDiscussion(r: BrowserDiscussionResult) {
  console.log(`\n## Browser: first render of a ${r.comments}-comment thread (Chromium, median of ${r.runs} cold visits)`);
  const line = (t: Timing) =>
    `screen full of comments ${t.screen} ms, next frame ${t.screenFrame} ms; last comment in the DOM ${t.dom} ms (runs: ${t.all.join(', ')}), next frame ${t.frame} ms; from the API's answer: ${t.render} ms`;
  console.log(`- <cercle-discussion> (dist/discussion.js, real server): ${line(r.widget)}`);
  console.log(`- plain DOM (createElement loop, same API answer): ${line(r.plain)}`);
  console.log(
    `- ratio widget / plain DOM, first render: ${r.screenRatio}× to the screen full of comments, ${r.screenFrameRatio}× to its frame (aim ≤ 1.3×)`,
  );
  console.log(
    `- ratio widget / plain DOM, every comment: ${r.ratio}× to the DOM, ${r.frameRatio}× to the frame, ${r.renderRatio}× for the rendering alone`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printBrowserDiscussion(await benchBrowserDiscussion());
}
