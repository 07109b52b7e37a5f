/**
 * Embedding faults a webmaster must be able to diagnose: each leaves the member a plain message (or
 * signed-out reading) and the console one line naming the code and the fix.
 */
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import '../../src/context/define.js';
import '../../src/widgets/discussion/define.js';
import type { CercleCommunity } from '../../src/context/community.js';
import { FakeApi, json, startWorker, use } from './api.js';
import { API, BASE, comment, commentPage, LOGIN_URL, problem, SITE, TOKEN_URL } from './fixtures.js';

const text = (el: Element) => el.shadowRoot?.textContent ?? '';

describe('embedding diagnostics', () => {
  let api: FakeApi;
  let warnings: string[];
  let errors: string[];
  const { warn, error } = console;
  before(startWorker);
  beforeEach(() => {
    (globalThis as unknown as { [k: symbol]: Set<string> })[Symbol.for('cercle.warned')]?.clear();
    delete (globalThis as { [k: symbol]: unknown })[Symbol.for('cercle.orphan-logged')];
    warnings = [];
    errors = [];
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    api = new FakeApi();
    api.pages.set('', commentPage([comment({ body: 'Bienvenue' })]));
  });
  afterEach(() => {
    console.warn = warn;
    console.error = error;
    fixtureCleanup();
  });

  const page = (tokenUrl = TOKEN_URL, loginUrl = LOGIN_URL) =>
    fixture<CercleCommunity>(html`
      <cercle-community api=${API} site=${SITE} token-url=${tokenUrl} login-url=${loginUrl} .parse=${strict}>
        <cercle-discussion thread="t"></cercle-discussion>
      </cercle-community>
    `);

  it('reads on signed out when the API refuses the token twice, and warns once', async () => {
    const refuse = ({ request }: { request: Request }) =>
      request.headers.get('authorization') ? json(401, problem(401, 'auth.bad_signature')) : undefined;
    use(http.post(`${BASE}/batch`, refuse), http.get(`${BASE}/*`, refuse), http.get(BASE, refuse));
    const root = await page();
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => widget.shadowRoot?.querySelector('article'), 'comments shown signed out');
    await waitUntil(() => root.session.status === 'anonymous', 'signed out');
    expect(text(widget)).to.include('Bienvenue');
    const lines = warnings.filter((w) => w.includes('auth.bad_signature'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^cercle: auth\.bad_signature/);
    expect(lines[0]).to.include('used as text');
    expect(lines[0]).to.include('cercle token check');
  });

  for (const [what, answer, expected] of [
    [
      'an HTML page',
      () => new HttpResponse('<!doctype html><html><body>Log in</body></html>', { headers: { 'content-type': 'text/html' } }),
      'an HTML page',
    ],
    ['a 200 that is not a JWT', () => new HttpResponse('ok'), '"ok"'],
  ] as const) {
    it(`names a token endpoint answering ${what}, and reads on signed out`, async () => {
      api.token = answer;
      const root = await page();
      const widget = root.querySelector('cercle-discussion')!;
      await waitUntil(() => widget.shadowRoot?.querySelector('article'), 'comments shown');
      expect(root.session.status).to.equal('anonymous');
      const lines = warnings.filter((w) => w.includes('token.not_jwt'));
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include(expected);
      expect(lines[0]).to.include(TOKEN_URL);
    });
  }

  it('stays quiet when the token endpoint answers 204 (nobody signed in)', async () => {
    api.token = () => new HttpResponse(null, { status: 204 });
    const root = await page();
    await waitUntil(() => root.querySelector('cercle-discussion')!.shadowRoot?.querySelector('article'), 'comments shown');
    expect(root.session.status).to.equal('anonymous');
    expect(warnings).to.deep.equal([]);
  });

  it('tells an origin the server refuses (CORS) from a server that is down', async () => {
    // A CORS refusal: the page cannot read the answer, but a no-cors request gets one.
    const cors = ({ request }: { request: Request }) =>
      request.mode === 'no-cors' ? new HttpResponse(null, { status: 403 }) : HttpResponse.error();
    use(http.post(`${BASE}/batch`, cors), http.get(`${BASE}/*`, cors), http.get(BASE, cors));
    const root = await page();
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => text(widget).includes('could not be loaded'), 'a plain message');
    const lines = warnings.filter((w) => w.includes('cors.origin_not_allowed'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include(location.origin);
    expect(lines[0]).to.include('origins');
    expect(warnings.some((w) => w.includes('network.offline'))).to.equal(false);
  });

  it('names a server that is down', async () => {
    const down = () => HttpResponse.error();
    use(http.post(`${BASE}/batch`, down), http.get(`${BASE}/*`, down), http.get(BASE, down));
    const root = await page();
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => text(widget).includes('could not be loaded'), 'a plain message');
    const lines = warnings.filter((w) => w.includes('network.offline'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('`api` attribute');
    expect(warnings.some((w) => w.includes('cors.'))).to.equal(false);
  });

  it('puts the current page in the login-url placeholder', async () => {
    api.token = () => new HttpResponse(null, { status: 204 });
    const root = await page(TOKEN_URL, 'https://amicale.test/login?next={url}');
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => widget.shadowRoot?.querySelector('a[href^="https://amicale.test/login"]'), 'sign-in link');
    const href = widget.shadowRoot!.querySelector<HTMLAnchorElement>('a[href^="https://amicale.test/login"]')!.href;
    expect(href).to.equal('https://amicale.test/login?next=' + encodeURIComponent(location.href));
  });

  it('explains a widget placed outside any provider, with one console.error', async () => {
    const el = await fixture(
      html`<div><cercle-discussion thread="t"></cercle-discussion><cercle-discussion thread="u"></cercle-discussion></div>`,
    );
    const [a, b] = el.querySelectorAll('cercle-discussion');
    await waitUntil(() => text(a).includes('Cercle server'), 'a notice');
    expect(text(b)).to.include('Cercle server');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include('<cercle-community');
    expect(errors[0]).to.include('data-site');
    await expect(a).to.be.accessible();
  });

  it('keeps widgets in a constrained column', async () => {
    const root = await fixture(html`
      <div class="column" style="inline-size: 1216px">
        <style>.column > * { max-width: 650px; margin-inline: auto; }</style>
        <p>Article</p>
        <cercle-community api=${API} site=${SITE} .parse=${strict}><cercle-discussion thread="t"></cercle-discussion></cercle-community>
      </div>
    `);
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => widget.shadowRoot?.querySelector('article'), 'comments shown');
    expect(widget.getBoundingClientRect().width).to.equal(root.querySelector('p')!.getBoundingClientRect().width);
    expect(widget.getBoundingClientRect().width).to.equal(650);
  });
});
