import { expect, waitUntil } from '@open-wc/testing';
import { HttpResponse } from 'msw';
import { CercleClient } from '../../src/client/client.js';
import { listComments, postComment } from '../../src/client/discussion.js';
import { CercleError } from '../../src/client/errors.js';
import { strict } from '../../src/client/strict.js';
import { TokenKeeper } from '../../src/client/token.js';
import { FakeApi, json, startWorker } from './api.js';
import { API, comment, commentPage, jwt, problem, SITE, TOKEN_URL } from './fixtures.js';

const client = (tokens?: TokenKeeper) => new CercleClient({ api: API, site: SITE, tokens, parse: strict });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: CercleError) => e,
  );

describe('CercleClient', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => (api = new FakeApi()));

  it('sends the reads of one tick as a single batch, in order', async () => {
    api.pages.set('', commentPage([comment({ body: 'Premier' })]));
    const c = client(new TokenKeeper(TOKEN_URL));
    const [page, me, site] = await Promise.all([listComments(c, { thread: 'https://amicale.test/a' }), c.me(), c.site()]);
    expect(api.calls).to.have.length(1);
    expect(api.calls[0].method).to.equal('POST');
    expect(api.calls[0].path).to.equal('/batch');
    expect((api.calls[0].body as { reads: string[] }).reads).to.deep.equal(['/comments?thread=https%3A%2F%2Famicale.test%2Fa', '/me', '/']);
    expect(api.calls[0].auth).to.match(/^Bearer /);
    expect(page.items[0].body).to.equal('Premier');
    expect(me.name).to.equal('Ada Lovelace');
    expect(site.id).to.equal(SITE);
  });

  it('reads an identical path once', async () => {
    const c = client();
    const [a, b] = await Promise.all([listComments(c, { thread: 't' }), listComments(c, { thread: 't' }), c.site()]);
    expect(api.calls).to.have.length(1);
    expect((api.calls[0].body as { reads: string[] }).reads).to.deep.equal(['/comments?thread=t', '/']);
    expect(a).to.deep.equal(b);
  });

  it('sends a lone read as a plain GET, without cookies or token when signed out', async () => {
    const seen: RequestInit[] = [];
    const real = window.fetch;
    window.fetch = (input, init) => (seen.push(init ?? {}), real(input, init));
    try {
      api.token = () => new HttpResponse(null, { status: 401 });
      await client(new TokenKeeper(TOKEN_URL)).site();
    } finally {
      window.fetch = real;
    }
    expect(api.calls.map((c) => [c.method, c.path, c.auth])).to.deep.equal([['GET', '/', null]]);
    expect(seen.map((i) => i.credentials)).to.deep.equal(['include', 'omit']);
  });

  it('turns a problem into a typed CercleError, per read of a batch', async () => {
    api.pages.clear();
    const c = client();
    const [err, site] = await Promise.all([failure(listComments(c, { thread: 't' })), c.site()]);
    expect(err).to.be.instanceOf(CercleError);
    expect(err.status).to.equal(400);
    expect(err.code).to.equal('request.invalid');
    expect(site.id).to.equal(SITE);
  });

  it('keeps field errors and Retry-After of a refused post', async () => {
    api.onPost = (_, __, n) =>
      n === 1
        ? json(400, problem(400, 'request.invalid', { errors: [{ path: 'body', message: 'Too short' }] }))
        : json(429, problem(429, 'rate.limited'), { 'retry-after': '30' });
    const c = client(new TokenKeeper(TOKEN_URL));
    const invalid = await failure(postComment(c, { thread: 't', body: 'x' }, 'key-00000001'));
    expect(invalid.fieldErrors).to.deep.equal({ body: 'Too short' });
    expect(invalid.transient).to.equal(false);
    const limited = await failure(postComment(c, { thread: 't', body: 'x' }, 'key-00000001'));
    expect([limited.code, limited.retryAfter]).to.deep.equal(['rate.limited', 30]);
  });

  it('reports a network failure as transient', async () => {
    api.onPost = () => HttpResponse.error();
    const err = await failure(postComment(client(new TokenKeeper(TOKEN_URL)), { thread: 't', body: 'x' }, 'key-00000001'));
    expect([err.status, err.code, err.transient]).to.deep.equal([0, 'network.offline', true]);
  });

  it('with strict parsing, rejects an answer that drifts from the contract', async () => {
    api.site = { ...api.site, maxCommentLength: 'long' as never };
    const err = await failure(client().site());
    expect(err.code).to.equal('response.invalid');
  });

  it('renews a refused token and tries once more', async () => {
    const first = jwt({ exp: Math.floor(Date.now() / 1000) + 3000 });
    api.token = (n) => new HttpResponse(n === 1 ? first : jwt());
    api.accept = (t) => t !== first;
    const me = await client(new TokenKeeper(TOKEN_URL)).me();
    expect(me.id).to.equal('m-ada');
    expect(api.tokenCalls).to.equal(2);
    expect(api.calls).to.have.length(2);
    expect(api.calls[0].auth).to.equal('Bearer ' + first);
    expect(api.calls[1].auth).not.to.equal('Bearer ' + first);
  });

  it('tries only once more when the renewed token is refused too, then reads signed out', async () => {
    api.accept = () => false;
    const err = await failure(client(new TokenKeeper(TOKEN_URL)).me());
    // Refused twice: the token is dropped (the webmaster is told in the console) and the read goes once more without it.
    expect(err.code).to.equal('auth.missing');
    expect(api.calls).to.have.length(3);
    expect(api.tokenCalls).to.equal(2);
  });
});

describe('TokenKeeper', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => (api = new FakeApi()));

  it('reads a raw token or JSON { token }, and keeps it in memory only', async () => {
    const raw = jwt();
    api.token = () => new HttpResponse(raw);
    const keeper = new TokenKeeper(TOKEN_URL);
    expect(await keeper.get()).to.equal(raw);
    expect(await keeper.get()).to.equal(raw);
    expect(api.tokenCalls).to.equal(1);
    const stored = [localStorage, sessionStorage].flatMap((s) => Object.keys(s).map((k) => s.getItem(k)));
    expect(stored.join(' ') + document.cookie).not.to.include(raw.split('.')[1]);
    keeper.dispose();

    const other = jwt({ sub: 'm-grace' });
    api.token = () => json(200, { token: other });
    expect(await new TokenKeeper(TOKEN_URL).get()).to.equal(other);
  });

  for (const status of [401, 403, 204]) {
    it(`means signed out when the token-url answers ${status}`, async () => {
      api.token = () => new HttpResponse(null, { status });
      const keeper = new TokenKeeper(TOKEN_URL);
      const subjects: (string | null)[] = [];
      keeper.subscribe((s) => subjects.push(s));
      expect(await keeper.get()).to.equal(null);
      expect(subjects).to.deep.equal([null]);
    });
  }

  it('renews the token before it expires', async () => {
    const now = Math.floor(Date.now() / 1000);
    api.token = () => new HttpResponse(jwt({ iat: now, exp: now + 2 }));
    const keeper = new TokenKeeper(TOKEN_URL);
    await keeper.get();
    expect(api.tokenCalls).to.equal(1);
    // A two-second token is renewed half-way, before its expiry.
    await waitUntil(() => api.tokenCalls === 2, 'renewed', { timeout: 1900 });
    keeper.dispose();
  });

  it('tells subscribers when the member signs out on the host', async () => {
    api.token = (n) => (n === 1 ? new HttpResponse(jwt()) : new HttpResponse(null, { status: 401 }));
    const keeper = new TokenKeeper(TOKEN_URL);
    const subjects: (string | null)[] = [];
    keeper.subscribe((s) => subjects.push(s));
    await keeper.get();
    expect(await keeper.refresh()).to.equal(null);
    expect(subjects).to.deep.equal(['m-ada', null]);
  });
});
