import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { strict } from '../../src/client/strict.js';
import { CommentCounts } from '../../src/contract/discussion.js';
import '../../src/context/define.js';
import '../../src/widgets/comment-count/define.js';
import type { CercleCommunity } from '../../src/context/community.js';
import type { CercleCommentCount } from '../../src/widgets/comment-count/comment-count.js';
import { FakeApi, startWorker } from './api.js';
import { API, LOGIN_URL, problem, SITE, TOKEN_URL } from './fixtures.js';
import { accessibleInEveryMode } from './kit/media.js';

const text = (el: Element) => el.shadowRoot?.textContent?.trim() ?? '';
/** Rendered (a French page's first render waits for the French strings) and no longer loading. */
const settled = (el: Element) => (el as CercleCommentCount).hasUpdated && !el.shadowRoot?.querySelector('.skeleton');

describe('<cercle-comment-count>', () => {
  let api: FakeApi;
  /** Counts the fake API knows; a thread missing here is one the reader may not read. */
  let known: Record<string, number>;
  before(startWorker);
  beforeEach(() => {
    api = new FakeApi();
    known = { 'article-1': 3, 'article-2': 0, 'article-3': 1 };
    api.onRead = (url) => {
      if (url.pathname !== '/threads/count') return undefined;
      const counts = url.searchParams
        .getAll('threads')
        .filter((t) => t in known)
        .map((thread) => ({ thread, count: known[thread]! }));
      return { status: 200, body: CommentCounts.parse({ counts }) };
    };
  });
  afterEach(fixtureCleanup);

  const page = (lang: string, keys: string[]) =>
    fixture<CercleCommunity>(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
        <ul>
          ${keys.map((k) => html`<li><a href="/${k}">${k}</a> <cercle-comment-count thread=${k} href="/${k}#comments"></cercle-comment-count></li>`)}
        </ul>
      </cercle-community>
    `);

  it('shows each count in English, linking to the article', async () => {
    const root = await page('en', ['article-1', 'article-2', 'article-3']);
    const [one, two, three] = [...root.querySelectorAll('cercle-comment-count')];
    await waitUntil(() => [one, two, three].every((el) => settled(el!)), 'counts shown');
    expect(text(one!)).to.equal('3 comments');
    expect(text(two!)).to.equal('No comments');
    expect(text(three!)).to.equal('1 comment');
    expect(one!.shadowRoot!.querySelector('a')!.getAttribute('href')).to.equal('/article-1#comments');
    await accessibleInEveryMode(one);
  });

  it('speaks French', async () => {
    const root = await page('fr', ['article-1', 'article-2', 'article-3']);
    const els = [...root.querySelectorAll('cercle-comment-count')];
    await waitUntil(() => els.every(settled), 'counts shown');
    expect(els.map(text)).to.deep.equal(['3 commentaires', 'Aucun commentaire', '1 commentaire']);
  });

  it('asks for every count of the page in one request', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `article-${i + 1}`);
    const root = await page('en', keys);
    const els = [...root.querySelectorAll('cercle-comment-count')];
    await waitUntil(() => els.every(settled), 'counts shown');
    const counting = api.calls
      .flatMap((c) => (c.method === 'POST' ? (c.body as { reads: string[] }).reads : [c.path]))
      .filter((p) => p.startsWith('/threads/count'));
    expect(counting).to.have.length(1);
    expect(new URL(counting[0]!, 'http://x').searchParams.getAll('threads')).to.deep.equal(keys);
    // With the session's own read, the page made one request to the API.
    expect(api.calls).to.have.length(1);
  });

  it('shows nothing for a thread the reader may not read, and the text without href', async () => {
    const root = await fixture<CercleCommunity>(html`
      <cercle-community api=${API} site=${SITE} lang="en" .parse=${strict}>
        <cercle-comment-count thread="members-only"></cercle-comment-count>
        <cercle-comment-count thread="article-1"></cercle-comment-count>
      </cercle-community>
    `);
    const [hidden, shown] = [...root.querySelectorAll('cercle-comment-count')];
    await waitUntil(() => settled(hidden!) && settled(shown!), 'counts settled');
    expect(text(hidden!)).to.equal('');
    expect(text(shown!)).to.equal('3 comments');
    expect(shown!.shadowRoot!.querySelector('a')).to.equal(null);
  });

  it('says plainly that the count could not be read', async () => {
    api.onRead = () => ({ status: 400, body: problem(400, 'request.invalid') });
    const root = await page('en', ['article-1']);
    const el = root.querySelector('cercle-comment-count')!;
    await waitUntil(() => settled(el), 'count settled');
    expect(text(el)).to.equal('Comments unavailable');
    await accessibleInEveryMode(el);
  });
});
