import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { Engagement, type BadgeOut } from '../../src/contract/engagement.js';
import { LiveControlAccepted, LiveEvent, LiveReady, type LiveKind } from '../../src/contract/live.js';
import '../../src/index.js';
import type { CercleEngagementBadge } from '../../src/index.js';
import { FakeApi, startWorker, use, type Answer } from './api.js';
import { API, BASE, LOGIN_URL, me, member, SITE, TOKEN_URL } from './fixtures.js';

// This page holds its own stream: no sharing with the other test pages open in the same browser.
(globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;

const enc = new TextEncoder();
const badge = (id: string, en: string): BadgeOut => ({
  id,
  name: { fr: en, en },
  description: { fr: en, en },
  icon: 'spark',
  chapter: null,
  awardedAt: '2026-03-01T10:00:00.000Z',
});
const level = { id: 'contributeur', name: { fr: 'Contributeur', en: 'Contributor' }, rank: 1, of: 4, since: '2026-03-02T10:00:00.000Z' };

/** The engagement read and the live stream, served by msw; payloads and frames built with the contract's schemas. */
class FakeServer {
  badges: BadgeOut[] = [badge('premiere-contribution', 'First contribution')];
  reads = 0;
  topics: string[] = [];
  private ctrl?: ReadableStreamDefaultController<Uint8Array>;
  private id = 700;

  constructor() {
    const api = new FakeApi();
    const own = api as unknown as { read(path: string, auth: string | null): Answer };
    const base = own.read.bind(api);
    own.read = (path, auth) => {
      if (path !== '/engagement/members/me') return base(path, auth);
      this.reads++;
      return {
        status: 200,
        body: Engagement.parse({ member: member({ id: me().id }), hidden: false, level, badges: this.badges, next: null }),
      };
    };
    use(
      http.post(`${BASE}/live`, async ({ request }) => {
        this.topics = ((await request.json()) as { topics: string[] }).topics;
        const ready = LiveReady.parse({
          stream: 'stream-badge-abcdefgh',
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: String(this.id),
        });
        const body = new ReadableStream<Uint8Array>({
          start: (c) => {
            this.ctrl = c;
            c.enqueue(enc.encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`));
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.post(`${BASE}/live/:stream`, async ({ request }) => {
        const c = (await request.json()) as { add?: string[]; remove?: string[] };
        this.topics = [...this.topics.filter((t) => !c.remove?.includes(t)), ...(c.add ?? [])];
        return HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 });
      }),
    );
  }

  send(kind: LiveKind, ref: string, topic: string) {
    const id = String(++this.id);
    const ev = LiveEvent.parse({ id, topic, kind, ref, at: new Date().toISOString() });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }
}

const chipName = (el: Element) =>
  el.shadowRoot!.querySelector('[part~=base]')?.getAttribute('aria-label') ?? el.shadowRoot!.textContent ?? '';

describe('<cercle-engagement-badge> live', () => {
  before(startWorker);
  afterEach(fixtureCleanup);

  it('member="me" follows the reader\'s own topic and reads the badges again when one is awarded', async () => {
    const server = new FakeServer();
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang="en" .parse=${strict}>
        <p>Ada Lovelace <cercle-engagement-badge member="me"></cercle-engagement-badge></p>
      </cercle-community>
    `);
    const el = root.querySelector('cercle-engagement-badge') as CercleEngagementBadge;
    await waitUntil(() => server.reads === 1 && /First contribution/.test(chipName(el)), 'chip shown');
    await waitUntil(() => server.topics.join() === `member:${me().id}`, 'following the reader');
    expect(chipName(el)).not.to.contain('Helpful answer');

    server.badges = [...server.badges, badge('reponse-utile-10', 'Helpful answer ×10')];
    server.send('badge.awarded', 'reponse-utile-10', `member:${me().id}`);
    await waitUntil(() => /Helpful answer ×10/.test(chipName(el)), 'new badge shown');
    expect(server.reads).to.equal(2);
    await expect(el).to.be.accessible();
  });

  it('another member\'s badge (member="<id>") follows nothing', async () => {
    const server = new FakeServer();
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang="en" .parse=${strict}>
        <p>Grace Hopper <cercle-engagement-badge member="m-grace"></cercle-engagement-badge></p>
        <cercle-discussion thread="https://amicale.test/articles/badge"></cercle-discussion>
      </cercle-community>
    `);
    await waitUntil(() => server.topics.length > 0, "the page's stream open (for the discussion)");
    expect(server.topics).to.deep.equal(['thread:https://amicale.test/articles/badge']);
    expect(root.querySelector('cercle-engagement-badge')).to.exist;
  });
});
