import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { LiveControlAccepted, LiveEvent, LiveReady, type LiveKind } from '../../src/contract/live.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Event, EventPage } from '../../src/contract/resources.js';
import '../../src/widgets/event-feed/define.js';
import type { CercleEventFeed } from '../../src/widgets/event-feed/event-feed.js';
import { FakeApi, json, startWorker, use } from './api.js';
import { API, BASE, LOGIN_URL, me, member, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { $$, text } from './kit/dom.js';

// This page holds its own stream: no sharing with the other test pages open in the same browser.
(globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;

const enc = new TextEncoder();
let seq = 0;

const event = (o: Partial<Event> = {}): Event =>
  Event.parse({
    id: `ev-live-${++seq}`,
    chapter: { id: 'toulouse', name: 'Toulouse' },
    title: 'Petit-déjeuner des dirigeants',
    description: 'Trois dirigeants racontent.',
    startsAt: '2030-03-14T07:00:00.000Z',
    endsAt: '2030-03-14T08:30:00.000Z',
    timeZone: 'Europe/Paris',
    place: 'Espace Diagora, Labège',
    url: null,
    online: false,
    onlineUrl: null,
    capacity: 30,
    going: 6,
    taken: 6,
    placesLeft: 24,
    maybe: 0,
    waitlist: 0,
    maxGuests: 0,
    rsvpDeadline: null,
    rsvpOpen: true,
    organiser: member({ id: 'm-grace', name: 'Grace Hopper' }),
    audience: 'public',
    cancelled: false,
    cancelledAt: null,
    cancelReason: null,
    sequence: 0,
    updatedAt: '2030-01-01T00:00:00.000Z',
    myRsvp: null,
    canManage: false,
    ...o,
  });

/** The events API (reads through `/batch`) and the live stream, served by msw; payloads and frames built with the contract's schemas. */
class FakeServer {
  events: Event[] = [];
  reads: string[] = [];
  opens: { topics: string[]; auth: string | null }[] = [];
  controls: { add?: string[]; remove?: string[] }[] = [];
  private ctrl?: ReadableStreamDefaultController<Uint8Array>;
  private id = 500;

  constructor() {
    new FakeApi(); // the host's token endpoint
    use(
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        const auth = request.headers.get('authorization');
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p, auth)) }));
      }),
      http.get(`${BASE}/*`, ({ request }) => {
        const url = new URL(request.url);
        const a = this.read(url.pathname.slice(new URL(BASE).pathname.length) + url.search, request.headers.get('authorization'));
        return json(a.status, a.body);
      }),
      http.post(`${BASE}/live`, async ({ request }) => {
        const body = (await request.json()) as { topics: string[] };
        this.opens.push({ topics: body.topics, auth: request.headers.get('authorization') });
        const ready = LiveReady.parse({
          stream: `stream-${this.opens.length}-abcdefgh`,
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: String(this.id),
        });
        const stream = new ReadableStream<Uint8Array>({
          start: (c) => {
            this.ctrl = c;
            c.enqueue(enc.encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`));
          },
        });
        return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
      }),
      http.post(`${BASE}/live/:stream`, async ({ request }) => {
        this.controls.push((await request.json()) as { add?: string[] });
        return HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 });
      }),
    );
  }

  private read(path: string, auth: string | null): { status: number; body: unknown } {
    this.reads.push(path);
    const url = new URL(path, 'http://x');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me') return auth ? { status: 200, body: me() } : { status: 401, body: problem(401, 'auth.missing') };
    if (url.pathname === '/events') return { status: 200, body: EventPage.parse({ items: this.events, next: null }) };
    const e = this.events.find((x) => url.pathname === `/events/${x.id}`);
    return e ? { status: 200, body: Event.parse(e) } : { status: 404, body: problem(404, 'event.not_found') };
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

  send(kind: LiveKind, ref: string, data?: unknown) {
    const id = String(++this.id);
    const ev = LiveEvent.parse({
      id,
      topic: `event:${ref}`,
      kind,
      ref,
      at: new Date().toISOString(),
      ...(data === undefined ? {} : { data }),
    });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }

  /** Changes an event as the server has it now. */
  change(id: string, o: Partial<Event>) {
    this.events = this.events.map((e) => (e.id === id ? Event.parse({ ...e, ...o }) : e));
  }
}

const cards = (el: Element) => $$(el, '[part~=event]');
const card = (el: Element, id: string) => el.shadowRoot!.querySelector<HTMLElement>('#e-' + id)?.closest('[part~=event]') ?? null;
const status = (el: Element) => $$(el, '[role=status]').map(text).join(' ');

describe('<cercle-event-feed> live', () => {
  let server: FakeServer;
  before(startWorker);
  beforeEach(() => {
    localStorage.clear();
    server = new FakeServer();
  });
  afterEach(fixtureCleanup);

  async function mount(events: Event[]): Promise<CercleEventFeed> {
    server.events = events;
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang="en" .parse=${strict}>
        <cercle-event-feed time-zone="Europe/Paris"></cercle-event-feed>
      </cercle-community>
    `);
    const el = root.querySelector('cercle-event-feed')!;
    await waitUntil(() => cards(el).length === events.length, 'events shown');
    await waitUntil(() => server.topics.length === events.length, 'stream following the events');
    return el;
  }

  it("follows the shown events on the page's one stream, with the token", async () => {
    const [a, b] = [event(), event({ title: 'Visite' })];
    await mount([a, b]);
    expect(server.topics).to.deep.equal([`event:${a.id}`, `event:${b.id}`].sort());
    expect(server.opens).to.have.length(1);
    expect(server.opens[0].auth).to.match(/^Bearer /);
  });

  it('patches going counts and places left from rsvp.changed, without a read', async () => {
    const [a, b] = [event({ capacity: 8, going: 6, taken: 6, placesLeft: 2 }), event({ title: 'Visite' })];
    const el = await mount([a, b]);
    expect(text(card(el, a.id)))
      .to.contain('6 going')
      .and.to.contain('2 places left');
    const reads = server.reads.length;
    server.send('rsvp.changed', a.id, { event: a.id, capacity: 8, going: 7, taken: 7, maybe: 1, waitlist: 0, placesLeft: 1 });
    await waitUntil(() => text(card(el, a.id)).includes('1 place left'), 'places left patched');
    expect(text(card(el, a.id)))
      .to.contain('7 going')
      .and.to.contain('1 maybe');
    // Filling the last place: the answer button becomes the waitlist's.
    server.send('rsvp.changed', a.id, { event: a.id, capacity: 8, going: 8, taken: 8, maybe: 1, waitlist: 0, placesLeft: 0 });
    await waitUntil(() => text(card(el, a.id)).includes('Full'), 'full');
    expect(text(card(el, a.id))).to.contain('Join the waitlist');
    expect(text(card(el, b.id)))
      .to.contain('6 going')
      .and.to.contain('24 places left');
    expect(server.reads.length).to.equal(reads);
    await expect(el).to.be.accessible();
  });

  it('reads an event again on event.updated: edits and cancellations show in place', async () => {
    const [a, b] = [event(), event({ title: 'Visite' })];
    const el = await mount([a, b]);
    server.change(a.id, { title: 'Petit-déjeuner (nouvelle salle)', place: 'Salle Europe', sequence: 1 });
    server.send('event.updated', a.id);
    await waitUntil(() => text(card(el, a.id)).includes('nouvelle salle'), 'edit shown');
    expect(text(card(el, a.id))).to.contain('Salle Europe');
    expect(server.reads.filter((r) => r === `/events/${a.id}`)).to.have.length(1);

    server.change(b.id, { cancelled: true, cancelledAt: '2030-01-02T00:00:00.000Z', cancelReason: 'Intempéries', rsvpOpen: false });
    server.send('event.updated', b.id);
    await waitUntil(() => card(el, b.id)?.querySelector('[part~=banner]'), 'cancellation shown');
    expect(text(card(el, b.id))).to.contain('Intempéries');
    await expect(el).to.be.accessible();

    // An event the reader may no longer see leaves the list.
    server.events = server.events.filter((e) => e.id !== a.id);
    server.send('event.updated', a.id);
    await waitUntil(() => cards(el).length === 1, 'gone');
    await waitUntil(() => !server.topics.includes(`event:${a.id}`), 'no longer followed');
  });

  it('shows the promotion banner when the reader is moved off the waitlist, and says so politely', async () => {
    const a = event({
      capacity: 8,
      going: 8,
      taken: 8,
      placesLeft: 0,
      waitlist: 1,
      myRsvp: { status: 'waitlist', guests: 0, position: 1, promotedAt: null, updatedAt: '2030-01-01T00:00:00.000Z' },
    });
    const el = await mount([a]);
    expect(card(el, a.id)!.querySelector('[part~=banner]')).to.equal(null);
    server.change(a.id, {
      waitlist: 0,
      myRsvp: { status: 'going', guests: 0, position: null, promotedAt: '2030-01-02T00:00:00.000Z', updatedAt: '2030-01-02T00:00:00.000Z' },
    });
    server.send('waitlist.promoted', a.id);
    await waitUntil(() => card(el, a.id)?.querySelector('[part~=banner]'), 'banner shown');
    expect(text(card(el, a.id)!.querySelector('[part~=banner]'))).to.contain('A place freed up: you are going!');
    expect(status(el)).to.contain('A place freed up');
    await expect(el).to.be.accessible();
  });

  it('a reader on the waitlist sees their position move up when someone ahead leaves, and only their own', async () => {
    const mine = { status: 'waitlist' as const, guests: 0, promotedAt: null, updatedAt: '2030-01-01T00:00:00.000Z' };
    const a = event({ capacity: 8, going: 8, taken: 8, placesLeft: 0, waitlist: 3, myRsvp: { ...mine, position: 3 } });
    const el = await mount([a]);
    expect(text(card(el, a.id))).to.contain('You are number 3 on the waitlist.');
    // Someone behind joins: the line grows, my place cannot move, nothing is read.
    const reads = server.reads.length;
    server.change(a.id, { waitlist: 4 });
    server.send('rsvp.changed', a.id, { event: a.id, capacity: 8, going: 8, taken: 8, maybe: 0, waitlist: 4, placesLeft: 0 });
    await waitUntil(() => text(card(el, a.id)).includes('4 on the waitlist'), 'count patched');
    expect(server.reads.length).to.equal(reads);
    // Someone ahead leaves the waitlist.
    server.change(a.id, { waitlist: 3, myRsvp: { ...mine, position: 2 } });
    server.send('rsvp.changed', a.id, { event: a.id, capacity: 8, going: 8, taken: 8, maybe: 0, waitlist: 3, placesLeft: 0 });
    await waitUntil(() => text(card(el, a.id)).includes('You are number 2 on the waitlist.'), 'own position refreshed');
    expect(text(card(el, a.id))).not.to.contain('You are number 3 on the waitlist.');
    expect(server.reads.filter((r) => r === `/events/${a.id}`)).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('ignores changes to events it does not show', async () => {
    const a = event();
    const el = await mount([a]);
    const reads = server.reads.length;
    server.send('event.updated', 'ev-elsewhere');
    server.send('rsvp.changed', 'ev-elsewhere', {
      event: 'ev-elsewhere',
      capacity: null,
      going: 1,
      taken: 1,
      maybe: 0,
      waitlist: 0,
      placesLeft: null,
    });
    // Frames arrive in order: once this one shows, the two before it were handled.
    server.send('rsvp.changed', a.id, { event: a.id, capacity: 30, going: 9, taken: 9, maybe: 0, waitlist: 0, placesLeft: 21 });
    await waitUntil(() => text(card(el, a.id)).includes('21 places left'), 'own change applied');
    expect(server.reads.length).to.equal(reads);
    expect(cards(el)).to.have.length(1);
  });
});
