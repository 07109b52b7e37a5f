/**
 * The configuration carried by the script tag, as a webmaster without `<cercle-community>` writes it:
 * `<script type="module" src="…/discussion.js" data-api data-site data-token-url>`, and widgets placed
 * anywhere. The page-wide provider is made once per page, so each case runs in a page of its own (a
 * frame); msw's worker answers the frame's requests.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { CercleCommunity } from '../../src/context/community.js';
import { FakeApi, startWorker } from './api.js';
import { API, comment, commentPage, SITE, TOKEN_URL } from './fixtures.js';
import { text } from './kit/dom.js';

type Frame = Window & typeof globalThis;

/** An empty page in a frame, its `console.error` lines recorded. */
async function frame(errors: string[]): Promise<Frame> {
  const iframe = document.createElement('iframe');
  const loaded = new Promise((ok) => iframe.addEventListener('load', ok, { once: true }));
  iframe.srcdoc =
    '<!doctype html><html><head></head><body><main><article><h1>Assemblée générale</h1><section></section></article></main></body></html>';
  document.body.append(iframe);
  await loaded;
  const win = iframe.contentWindow as Frame;
  win.console.error = (...a: unknown[]) => void errors.push(a.join(' '));
  return win;
}

/** Adds a script tag to the frame's head and waits for it to run. */
function script(win: Frame, attrs: Record<string, string>, type = 'module'): Promise<unknown> {
  const s = win.document.createElement('script');
  s.type = type;
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  if (!attrs.src) return Promise.resolve(win.document.head.append(s));
  const done = new Promise((ok, fail) => {
    s.onload = ok;
    s.onerror = () => fail(new Error(`${attrs.src} did not load (the bundle needs \`npm run build\` first)`));
  });
  win.document.head.append(s);
  return done;
}

const absolute = (path: string) => new URL(path, location.href).href;
const implicit = (win: Frame) => (win as unknown as { [k: symbol]: CercleCommunity | undefined })[Symbol.for('cercle.implicit')];

describe('configuration on the script tag', () => {
  let api: FakeApi;
  let errors: string[];
  before(startWorker);
  beforeEach(() => {
    errors = [];
    api = new FakeApi();
    api.pages.set('', commentPage([comment({ body: 'Bienvenue au chapitre' })]));
  });
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

  it("reads the bundle's own tag (found by its src), not another tag carrying data-site", async () => {
    const win = await frame(errors);
    const widget = win.document.createElement('cercle-discussion');
    widget.setAttribute('thread', 't');
    win.document.querySelector('section')!.append(widget);
    // An analytics tag that also carries `data-site`, earlier in the page.
    await script(win, { 'data-site': 'ABCDEFGH', 'data-api': 'https://stats.example' }, 'text/plain');
    await script(win, { src: absolute('/dist/discussion.js'), 'data-api': API, 'data-site': SITE, 'data-token-url': TOKEN_URL });
    await waitUntil(() => widget.shadowRoot?.querySelector('article'), 'comments shown');
    expect(text(widget.shadowRoot!.querySelector('article'))).to.include('Bienvenue au chapitre');
    const provider = implicit(win)!;
    expect([provider.api, provider.site, provider.tokenUrl]).to.deep.equal([API, SITE, TOKEN_URL]);
    expect(provider.hidden).to.equal(true);
    // The token endpoint of the tag was asked, and its token went with the reads.
    await waitUntil(() => api.calls.some((c) => c.auth), 'a signed read');
    expect(api.tokenCalls).to.be.greaterThan(0);
    expect(errors).to.deep.equal([]);
    // A widget added later, anywhere, is served too.
    const later = win.document.createElement('cercle-discussion');
    later.setAttribute('thread', 't');
    win.document.body.prepend(later);
    await waitUntil(() => later.shadowRoot?.querySelector('article'), 'a later widget shows comments');
    expect(errors).to.deep.equal([]);
  });

  it('falls back on the first script with data-site when no tag has the module as its src', async () => {
    const win = await frame(errors);
    const widget = win.document.createElement('cercle-discussion');
    widget.setAttribute('thread', 't');
    win.document.querySelector('section')!.append(widget);
    // Here the module is the source entry: its context module's URL is no tag's src.
    await script(win, { src: absolute('/src/widgets/discussion/define.ts'), 'data-api': API, 'data-site': SITE });
    await waitUntil(() => widget.shadowRoot?.querySelector('article'), 'comments shown');
    expect(text(widget.shadowRoot!.querySelector('article'))).to.include('Bienvenue au chapitre');
    expect(implicit(win)!.site).to.equal(SITE);
    // No token-url: signed out, and no token asked for.
    expect(api.tokenCalls).to.equal(0);
    expect(api.calls.every((c) => c.auth === null)).to.equal(true);
    expect(errors).to.deep.equal([]);
  });
});
