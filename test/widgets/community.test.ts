/**
 * `<cercle-community>` hands the client and session to widgets whatever the
 * order in which the elements upgrade. Nothing is registered at the start of
 * this file: each test defines what it needs, when it needs it.
 */
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { CercleCommunity } from '../../src/context/community.js';
import { communityContext } from '../../src/context/context.js';
import { ask } from '../../src/context/protocol.js';
import { CercleDiscussion } from '../../src/widgets/discussion/discussion.js';
import { FakeApi, startWorker } from './api.js';
import { API, comment, commentPage, jwt, LOGIN_URL, SITE, TOKEN_URL } from './fixtures.js';

const shown = (el: Element) => waitUntil(() => el.shadowRoot?.querySelector('article'), 'comments shown');

/** A widget's part in the context protocol: subscribes to the provider from inside it, as a widget does when it connects. */
const subscribe = (root: CercleCommunity) => ask(root.appendChild(document.createElement('div')), communityContext, () => {});

describe('<cercle-community>', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => {
    api = new FakeApi();
    api.pages.set('', commentPage([comment({ body: 'Bienvenue' })]));
  });
  afterEach(fixtureCleanup);

  it('serves a widget that upgraded before the provider', async () => {
    CercleDiscussion.define('cercle-discussion');
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} .parse=${strict}>
        <div><cercle-discussion thread="t"></cercle-discussion></div>
      </cercle-community>
    `);
    const widget = root.querySelector('cercle-discussion')!;
    expect(customElements.get('cercle-community')).to.equal(undefined);
    expect(widget.shadowRoot!.querySelector('article')).to.equal(null);

    CercleCommunity.define('cercle-community');
    await shown(widget);
    expect(widget.shadowRoot!.querySelector('[part=body]')!.textContent).to.include('Bienvenue');
  });

  it('serves a widget that upgrades after the provider', async () => {
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}>
        <section><late-discussion thread="t"></late-discussion></section>
      </cercle-community>
    `);
    expect(root).to.be.instanceOf(CercleCommunity);
    const widget = root.querySelector('late-discussion')!;
    customElements.define('late-discussion', class extends CercleDiscussion {});
    await shown(widget);
  });

  it('makes one API request for several widgets, signed-in member included', async () => {
    const root = await fixture<CercleCommunity>(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}>
        <cercle-discussion thread="t"></cercle-discussion>
        <aside><cercle-discussion thread="t"></cercle-discussion></aside>
        <footer><cercle-discussion thread="other"></cercle-discussion></footer>
      </cercle-community>
    `);
    await Promise.all([...root.querySelectorAll('cercle-discussion')].map((w) => shown(w)));
    await waitUntil(() => root.session.status === 'member', 'member known');
    // Reads only: a signed-in member's discussions then record how far they read (a write each).
    const reads = api.calls.filter((c) => c.method === 'GET' || c.path === '/batch');
    expect(reads).to.have.length(1);
    expect((reads[0].body as { reads: string[] }).reads).to.have.members(['/comments?thread=t', '/comments?thread=other', '/', '/me']);
  });

  it('asks nothing of the host or the API until a widget subscribes', async () => {
    const root = await fixture<CercleCommunity>(
      html`<cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}></cercle-community>`,
    );
    await new Promise((ok) => setTimeout(ok, 100));
    expect(api.tokenCalls).to.equal(0);
    expect(api.calls).to.have.length(0);
    expect(root.session.status).to.equal('loading');
    subscribe(root);
    await waitUntil(() => root.session.status === 'member', 'member known');
    expect(api.tokenCalls).to.equal(1);
    expect(api.calls.map((c) => c.path)).to.deep.equal(['/me']);
  });

  it('knows the member the token names', async () => {
    const root = await fixture<CercleCommunity>(
      html`<cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}></cercle-community>`,
    );
    expect(root.session.status).to.equal('loading');
    subscribe(root);
    await waitUntil(() => root.session.status !== 'loading', 'session known');
    expect(root.session).to.deep.include({ status: 'member' });
    expect(root.session.status === 'member' && root.session.member.name).to.equal('Ada Lovelace');
  });

  it('is anonymous when the host says nobody is signed in', async () => {
    api.token = () => new HttpResponse(null, { status: 401 });
    const root = await fixture<CercleCommunity>(
      html`<cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}></cercle-community>`,
    );
    subscribe(root);
    await waitUntil(() => root.session.status === 'anonymous', 'anonymous');
    expect(api.calls.filter((c) => c.path === '/me')).to.have.length(0);
  });

  it('follows a sign-out on the host when the token is renewed', async () => {
    const now = Math.floor(Date.now() / 1000);
    // A two-second token is renewed after one second; by then the member has signed out.
    api.token = (n) => (n === 1 ? new HttpResponse(jwt({ iat: now, exp: now + 2 })) : new HttpResponse(null, { status: 401 }));
    const root = await fixture<CercleCommunity>(
      html`<cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} .parse=${strict}></cercle-community>`,
    );
    subscribe(root);
    await waitUntil(() => root.session.status === 'member', 'member');
    await waitUntil(() => root.session.status === 'anonymous', 'signed out', { timeout: 3000 });
    expect(api.tokenCalls).to.equal(2);
  });

  it('renders its children as they are, in a block', async () => {
    const root = await fixture(html`<cercle-community api=${API} site=${SITE}><p>Texte du site</p></cercle-community>`);
    expect(getComputedStyle(root).display).to.equal('block');
    expect(root.querySelector('p')!.getBoundingClientRect().height).to.be.greaterThan(0);
  });

  it('warns instead of throwing when a tag is defined twice', async () => {
    const warn = console.warn;
    const seen: unknown[] = [];
    console.warn = (...args: unknown[]) => seen.push(args);
    try {
      CercleCommunity.define('cercle-community');
    } finally {
      console.warn = warn;
    }
    expect(seen).to.have.length(1);
  });
});
