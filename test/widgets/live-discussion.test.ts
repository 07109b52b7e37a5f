import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { LiveControlAccepted, LiveEvent, LiveReady, type LiveKind } from '../../src/contract/live.js';
import type { Comment } from '../../src/contract/resources.js';
import '../../src/index.js';
import type { CercleDiscussion } from '../../src/index.js';
import { FakeApi, startWorker, use } from './api.js';
import { API, BASE, comment, commentPage, member, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';

// This page holds its own stream: no sharing with the other test pages open in the same browser.
(globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;

const THREAD = 'https://amicale.test/articles/live';
const OTHER = 'https://amicale.test/articles/other';
const enc = new TextEncoder();

/** The Cercle server's stream, served by msw as `text/event-stream`; frames built with the contract's schemas. */
class FakeStream {
  opens: { topics: string[]; auth: string | null }[] = [];
  controls: { add?: string[]; remove?: string[] }[] = [];
  cancelled = 0;
  private ctrl?: ReadableStreamDefaultController<Uint8Array>;
  private seq = 100;

  constructor() {
    use(
      http.post(`${BASE}/live`, async ({ request }) => {
        const body = (await request.json()) as { topics: string[] };
        this.opens.push({ topics: body.topics, auth: request.headers.get('authorization') });
        const n = this.opens.length;
        const ready = LiveReady.parse({
          stream: `stream-${n}-abcdefgh`,
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: String(this.seq),
        });
        const stream = new ReadableStream<Uint8Array>({
          start: (c) => {
            this.ctrl = c;
            c.enqueue(enc.encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`));
          },
          cancel: () => void this.cancelled++,
        });
        return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
      }),
      http.post(`${BASE}/live/:stream`, async ({ request }) => {
        this.controls.push((await request.json()) as { add?: string[] });
        return HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 });
      }),
    );
  }

  /** Topics the page follows now: those it opened with, changed by its control requests. */
  get topics(): string[] {
    const t = new Set(this.opens.at(-1)?.topics ?? []);
    for (const c of this.controls) {
      for (const a of c.add ?? []) t.add(a);
      for (const r of c.remove ?? []) t.delete(r);
    }
    return [...t].sort();
  }

  send(kind: LiveKind, ref: string, data?: unknown, topic = `thread:${THREAD}`) {
    const id = String(++this.seq);
    const ev = LiveEvent.parse({ id, topic, kind, ref, at: new Date().toISOString(), ...(data === undefined ? {} : { data }) });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }
}

const newButton = (el: Element) => $<HTMLButtonElement>(el, '[part=new-comments]');
const regions = (el: Element) => $$(el, '[role=status]').map(text);
const grace = member({ id: 'm-grace', name: 'Grace Hopper' });

describe('<cercle-discussion> live', () => {
  let api: FakeApi;
  let live: FakeStream;
  before(startWorker);
  beforeEach(() => {
    localStorage.clear();
    api = new FakeApi();
    live = new FakeStream();
  });
  afterEach(fixtureCleanup);

  async function mount(items: Comment[], opts: { signedIn?: boolean; threads?: string[] } = {}) {
    api.pages.set('', commentPage(items));
    const threads = opts.threads ?? [THREAD];
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${opts.signedIn === false ? '' : TOKEN_URL} lang="en" .parse=${strict}>
        ${threads.map((t) => html`<cercle-discussion thread=${t}></cercle-discussion>`)}
      </cercle-community>
    `);
    const els = [...root.querySelectorAll('cercle-discussion')] as CercleDiscussion[];
    for (const el of els)
      await waitUntil(() => $$(el, 'article').length === items.length && $(el, 'form, .sign-in'), 'comments and form shown');
    await waitUntil(() => live.topics.length === threads.length, 'stream following the threads');
    return els;
  }

  it('holds new comments behind an "N new comments" button, without moving anything', async () => {
    const [el] = await mount([comment({ body: 'Premier' }), comment({ body: 'Deuxième' })]);
    const first = $$(el, 'article')[0];
    // Settled first (fonts, the form's controls), so that only what the stream does is measured.
    const frame = () => new Promise(requestAnimationFrame);
    await document.fonts.ready;
    for (let h = -1, stable = 0; stable < 5; await frame()) {
      await el.updateComplete;
      const now = el.getBoundingClientRect().height;
      stable = now === h ? stable + 1 : 0;
      h = now;
    }
    const before = { top: first.getBoundingClientRect().top, height: el.getBoundingClientRect().height };
    const a = comment({ author: grace, body: 'Troisième', createdAt: new Date().toISOString() });
    live.send('comment.created', a.id, a);
    await waitUntil(() => newButton(el), 'button shown');
    expect(text(newButton(el))).to.equal('1 new comment');
    expect($$(el, 'article')).to.have.length(2);
    expect(first.getBoundingClientRect().top).to.equal(before.top);
    expect(el.getBoundingClientRect().height).to.equal(before.height);
    // In its own place, never over a comment's buttons (a sticky pill hid a Report button at 375 px).
    const pill = newButton(el)!.getBoundingClientRect();
    for (const b of $$(el, 'article button')) {
      const r = b.getBoundingClientRect();
      expect(r.bottom <= pill.top || r.top >= pill.bottom || r.right <= pill.left || r.left >= pill.right).to.equal(true, text(b));
    }
    expect(getComputedStyle(newButton(el)!.parentElement!).position).to.equal('static');
    await expect(el).to.be.accessible();

    const b = comment({ author: grace, body: 'Quatrième', createdAt: new Date().toISOString() });
    live.send('comment.created', b.id, b);
    await waitUntil(() => text(newButton(el)) === '2 new comments', 'count grows');
    expect(el.getBoundingClientRect().height).to.equal(before.height);
    // The same comment again (a replay) is not counted twice.
    live.send('comment.created', b.id, b);
    live.send('comment.updated', 'c-none', { ...b, id: 'c-none' });
    await el.updateComplete;
    expect(text(newButton(el))).to.equal('2 new comments');
  });

  it('shows them where they belong on request and moves focus to the first of them', async () => {
    const [el] = await mount([comment({ body: 'Premier' })]);
    const a = comment({ author: grace, body: 'Nouveau A', createdAt: new Date().toISOString() });
    const b = comment({ author: grace, body: 'Nouveau B', createdAt: new Date().toISOString() });
    live.send('comment.created', a.id, a);
    live.send('comment.created', b.id, b);
    await waitUntil(() => text(newButton(el)) === '2 new comments', 'button');
    newButton(el)!.click();
    await waitUntil(() => $$(el, 'article').length === 3, 'inserted');
    expect($$(el, '[part=body]').map(text)).to.deep.equal(['Premier', 'Nouveau A', 'Nouveau B']);
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'c-' + a.id, 'focus on the first new comment');
    expect(newButton(el)).to.equal(null);
    expect(text($(el, 'h2'))).to.equal('3 comments');
    expect(regions(el)).to.include('2 new comments shown');
    await expect(el).to.be.accessible();
  });

  it('announces the count politely, at most every few seconds', async function (this: { timeout(ms: number): void }) {
    this.timeout(15_000);
    const [el] = await mount([comment()]);
    const polite = () =>
      $$(el, '[role=status]')
        .map(text)
        .find((t) => /new comment/.test(t)) ?? '';
    const a = comment({ author: grace, body: 'Un' });
    live.send('comment.created', a.id, a);
    await waitUntil(() => polite() === '1 new comment', 'first announcement at once');
    const b = comment({ author: grace, body: 'Deux' });
    const c = comment({ author: grace, body: 'Trois' });
    live.send('comment.created', b.id, b);
    live.send('comment.created', c.id, c);
    await waitUntil(() => text(newButton(el)) === '3 new comments', 'the button counts at once');
    // The screen reader is not told again right away…
    expect(polite()).to.equal('1 new comment');
    // …but once the quiet time has passed, with the count then.
    await waitUntil(() => polite() === '3 new comments', 'second announcement', { timeout: 7000 });
  });

  it('applies edits, deletions, hiding and reaction counts in place', async () => {
    const mine = { kind: 'useful', count: 1, mine: true };
    const items = [
      comment({ author: grace, body: 'À modifier' }),
      comment({ author: grace, body: 'À supprimer' }),
      comment({ author: grace, body: 'À masquer' }),
      comment({ author: grace, body: 'Utile', reactions: [mine] }),
    ];
    api.site = { ...api.site, reactions: ['thanks', 'useful'] };
    const [el] = await mount(items);
    const articles = $$(el, 'article');
    live.send('comment.updated', items[0].id, { ...items[0], body: 'Modifié *vraiment*', editedAt: new Date().toISOString() });
    live.send('comment.deleted', items[1].id);
    live.send('comment.hidden', items[2].id);
    live.send('reactions.changed', items[3].id, {
      comment: items[3].id,
      reactions: [
        { kind: 'useful', count: 3 },
        { kind: 'thanks', count: 1 },
      ],
    });
    await waitUntil(() => text($$(el, '[part=body]')[0]) === 'Modifié vraiment', 'edited in place');
    await waitUntil(() => text($$(el, '[part=body]')[1]) === 'This comment was deleted.', 'deleted in place');
    await waitUntil(() => text($$(el, '[part=body]')[2]) === 'A moderator hid this comment.', 'hidden in place');
    await waitUntil(() => text($$(el, '.reaction[aria-pressed=true]')[0]) === 'Useful, 3', 'counts in place, mine kept');
    expect(text($$(el, 'article')[0])).to.include('edited');
    expect(text($$(el, 'article')[3])).to.include('Thanks, 1');
    // The same elements: nothing was rebuilt or moved, and nothing waits behind the button.
    expect($$(el, 'article')).to.deep.equal(articles);
    expect(newButton(el)).to.equal(null);
    expect(text($(el, 'h2'))).to.equal('2 comments');
    await expect(el).to.be.accessible();
  });

  it("lets go of a held comment deleted before it was shown; the reader's own comments come at once", async () => {
    const [el] = await mount([comment()]);
    const a = comment({ author: grace, body: 'Éphémère' });
    live.send('comment.created', a.id, a);
    await waitUntil(() => newButton(el), 'held');
    live.send('comment.deleted', a.id);
    await waitUntil(() => !newButton(el), 'no longer held');
    // Posted from another tab by the reader herself (Ada): no need to ask for it.
    const own = comment({ author: member(), body: 'Depuis un autre onglet' });
    live.send('comment.created', own.id, own);
    await waitUntil(() => $$(el, 'article').length === 2, 'own comment shown');
    expect(newButton(el)).to.equal(null);
  });

  it('uses one stream for every widget of the page, and closes it when the last one leaves', async () => {
    const els = await mount([comment()], { threads: [THREAD, OTHER] });
    expect(live.opens).to.have.length(1);
    expect(live.topics).to.deep.equal([`thread:${THREAD}`, `thread:${OTHER}`]);
    expect(live.opens[0].auth).to.match(/^Bearer /);
    const other = comment({ author: grace, body: 'Ailleurs' });
    live.send('comment.created', other.id, other, `thread:${OTHER}`);
    await waitUntil(() => newButton(els[1]), 'the other widget holds it');
    expect(newButton(els[0])).to.equal(null);
    // One widget leaves: its topic goes, over the same stream.
    els[0].remove();
    await waitUntil(() => live.topics.length === 1, 'topic removed');
    expect(live.topics).to.deep.equal([`thread:${OTHER}`]);
    expect(live.opens).to.have.length(1);
    // The last one leaves: the provider closes the stream.
    els[1].remove();
    await waitUntil(() => live.cancelled === 1, 'stream closed', { timeout: 4000 });
  });

  it('signed out: the stream opens without a token (public topics only)', async () => {
    const [el] = await mount([comment()], { signedIn: false });
    expect(live.opens[0].auth).to.equal(null);
    const a = comment({ author: grace, body: 'Public' });
    live.send('comment.created', a.id, a);
    await waitUntil(() => text(newButton(el)) === '1 new comment', 'held for readers signed out too');
  });
});
