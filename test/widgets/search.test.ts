import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { strict } from '../../src/client/strict.js';
import { SearchHit, SearchPage } from '../../src/contract/search.js';
import '../../src/context/define.js';
import '../../src/widgets/search/define.js';
import type { CercleCommunity } from '../../src/context/community.js';
import type { CercleSearch } from '../../src/widgets/search/search.js';
import { FakeApi, startWorker } from './api.js';
import { API, LOGIN_URL, member, problem, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';

const hit = (i: number, o: Partial<SearchHit> = {}): SearchHit =>
  SearchHit.parse({
    comment: `c${i}`,
    thread: { key: `https://amicale.test/articles/${i}`, title: `Article ${i}` },
    url: `https://amicale.test/articles/${i}#comment-c${i}`,
    author: member({ id: `m${i}`, name: `Membre ${i}` }),
    excerpt: { text: `Parlons de la transmission numéro ${i} <b>ici</b>`, matches: [[14, 26]] },
    createdAt: '2026-11-20T10:00:00.000Z',
    editedAt: null,
    ...o,
  });

describe('<cercle-search>', () => {
  let api: FakeApi;
  /** Pages of hits by cursor ('' for the first), for any search. */
  let pages: Map<string, SearchPage>;
  let asked: URL[];
  before(startWorker);
  beforeEach(() => {
    api = new FakeApi();
    asked = [];
    pages = new Map([['', SearchPage.parse({ items: [hit(1), hit(2)], next: null })]]);
    api.onRead = (url) => {
      if (url.pathname !== '/search') return undefined;
      asked.push(url);
      const page = pages.get(url.searchParams.get('cursor') ?? '');
      return page ? { status: 200, body: page } : { status: 400, body: problem(400, 'request.bad_cursor') };
    };
  });
  afterEach(fixtureCleanup);

  const mount = async (lang = 'en', attrs = '') => {
    const root = await fixture<CercleCommunity>(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
        <cercle-search thread-href=${attrs || undefined}></cercle-search>
      </cercle-community>
    `);
    const el = root.querySelector('cercle-search') as CercleSearch;
    await el.updateComplete;
    return el;
  };
  const type = (el: CercleSearch, value: string) => {
    const input = $<HTMLInputElement>(el, 'input')!;
    input.focus();
    input.value = value;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  };
  const status = (el: CercleSearch) => text($(el, '[role=status]'));

  it('is a labelled search landmark, accessible before any search', async () => {
    const el = await mount();
    const form = $(el, 'form')!;
    expect(form.getAttribute('role')).to.equal('search');
    expect(form.getAttribute('aria-label')).to.equal('Search the discussions');
    expect(text($(el, 'label'))).to.equal('Search what members said');
    expect(status(el)).to.equal('');
    await expect(el).to.be.accessible();
  });

  it('searches after a pause in typing, and shows each result with its page, marked passage, author and link', async () => {
    const el = await mount();
    type(el, 'trans');
    type(el, 'transmission');
    await waitUntil(() => $$(el, '[part=result]').length === 2, 'results shown');
    expect(asked).to.have.length(1, 'one request for the pause, not one a keystroke');
    expect(asked[0]!.searchParams.get('q')).to.equal('transmission');
    expect(status(el)).to.equal('2 comments found');
    const first = $$(el, '[part=result]')[0]!;
    const link = first.querySelector('a')!;
    expect(link.getAttribute('href')).to.equal('https://amicale.test/articles/1#comment-c1');
    expect(text(link)).to.equal('Article 1');
    const mark = first.querySelector('mark')!;
    expect(text(mark)).to.equal('transmission');
    // Text from the server stays text: its markup is not parsed.
    expect(first.querySelector('b')).to.equal(null);
    expect(text(first.querySelector('[part=excerpt]'))).to.contain('<b>ici</b>');
    expect(text(first.querySelector('[part=meta]'))).to.contain('by Membre 1');
    expect(first.querySelector('time')!.getAttribute('datetime')).to.equal('2026-11-20T10:00:00.000Z');
    await expect(el).to.be.accessible();
  });

  it('searches at once on Enter, and pages on with the cursor, focusing the first new result', async () => {
    pages.set('', SearchPage.parse({ items: [hit(1)], next: 'abc' }));
    pages.set('abc', SearchPage.parse({ items: [hit(2)], next: null }));
    const el = await mount();
    const input = $<HTMLInputElement>(el, 'input')!;
    input.value = 'cession';
    $<HTMLFormElement>(el, 'form')!.requestSubmit();
    await waitUntil(() => $$(el, '[part=result]').length === 1, 'first page');
    expect(status(el)).to.equal('More than 1 comment found');
    $<HTMLButtonElement>(el, '[part=more]')!.click();
    await waitUntil(() => $$(el, '[part=result]').length === 2, 'second page');
    expect(asked[1]!.searchParams.get('cursor')).to.equal('abc');
    expect(asked[1]!.searchParams.get('q')).to.equal('cession');
    expect(el.shadowRoot!.activeElement).to.equal($$(el, '[part=result] article')[1]);
    expect($(el, '[part=more]')).to.equal(null);
  });

  it('says when nothing matches, and when nothing was typed to search for', async () => {
    pages.set('', SearchPage.parse({ items: [], next: null }));
    const el = await mount('fr');
    type(el, 'zzz');
    await waitUntil(() => status(el).startsWith('Aucun'), 'no results said');
    // French typography: narrow no-break spaces inside the quotes (the text helper would fold them).
    expect($(el, '[role=status]')!.textContent!.trim()).to.equal('Aucun commentaire ne correspond à «\u202fzzz\u202f».');
    expect($(el, '[part=results]')!.hidden).to.equal(true);
    await expect(el).to.be.accessible();
    const before = asked.length;
    type(el, '"*-');
    await waitUntil(() => status(el) === 'Tapez un mot à rechercher.', 'no words said');
    await new Promise((r) => setTimeout(r, 350));
    expect(asked.length).to.equal(before, 'no request without a word');
  });

  it('clears with Escape', async () => {
    const el = await mount();
    type(el, 'transmission');
    await waitUntil(() => $$(el, '[part=result]').length === 2, 'results shown');
    $<HTMLInputElement>(el, 'input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await waitUntil(() => $$(el, '[part=result]').length === 0, 'cleared');
    expect($<HTMLInputElement>(el, 'input')!.value).to.equal('');
    expect(status(el)).to.equal('');
  });

  it('shows an error readably, with a retry that works', async () => {
    const el = await mount();
    api.down = true;
    type(el, 'transmission');
    await waitUntil(() => !!$(el, '[part=retry]'), 'error shown');
    expect(status(el)).to.not.equal('');
    await expect(el).to.be.accessible();
    api.down = false;
    $<HTMLButtonElement>(el, '[part=retry]')!.click();
    await waitUntil(() => $$(el, '[part=result]').length === 2, 'results after retry');
  });

  it('links a thread whose key is an id through thread-href', async () => {
    pages.set('', SearchPage.parse({ items: [hit(3, { url: null, thread: { key: 'club/42', title: null } })], next: null }));
    const el = await mount('en', '/forum/{thread}#comment-{comment}');
    type(el, 'transmission');
    await waitUntil(() => $$(el, '[part=result]').length === 1, 'result shown');
    const link = $(el, '[part=result] a')!;
    expect(link.getAttribute('href')).to.equal('/forum/club%2F42#comment-c3');
    expect(text(link)).to.equal('Discussion');
  });
});
