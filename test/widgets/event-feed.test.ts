import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { json, startWorker, worker } from './kit/msw.js';
import { strict } from '../../src/client/strict.js';
import { AttendeeList, CalendarFeed, type RsvpRequest } from '../../src/contract/events.js';
import { LiveControlAccepted, LiveReady } from '../../src/contract/live.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Event, EventPage } from '../../src/contract/resources.js';
import '../../src/widgets/event-feed/define.js';
import type { CercleEventFeed } from '../../src/widgets/event-feed/event-feed.js';
import { API, BASE, jwt, LOGIN_URL, me, member, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { $, text } from './kit/dom.js';
import { accessibleInEveryMode, colourMode, resetColours } from './kit/media.js';

// ---- a fake events API, its payloads passed through the contract ------------------------------

const START = '2030-03-14T07:00:00.000Z'; // a Thursday, 08:00 in Paris
const END = '2030-03-14T08:30:00.000Z';
const PAST = new Date(Date.now() - 3600_000).toISOString();
let seq = 0;

const event = (o: Partial<Event> = {}): Event =>
  Event.parse({
    id: `ev-${++seq}`,
    chapter: { id: 'toulouse', name: 'Toulouse' },
    title: 'Petit-déjeuner des dirigeants',
    description: 'Trois **dirigeants** racontent.\n\n<img src=x onerror=alert(1)>',
    startsAt: START,
    endsAt: END,
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

/** A full event: every place taken. */
const full = (o: Partial<Event> = {}) => event({ capacity: 8, going: 8, taken: 8, placesLeft: 0, ...o });

interface Call {
  method: string;
  path: string;
  auth: string | null;
  type: string | null;
  body: unknown;
}

class FakeEvents {
  calls: Call[] = [];
  events: Event[] = [];
  people = new Map<string, AttendeeList>();
  signedIn = true;
  /** The member's profile read (`/me`) fails while signed in. */
  meFails = false;
  down = false;
  gate?: Promise<unknown>;
  /** Overrides the answer to a write; undefined falls through. */
  onWrite?: (call: Call) => Response | undefined;

  constructor() {
    worker.resetHandlers(
      // The page's live stream: ready, then quiet (live-event-feed.test.ts drives one); not an API read, so not in `calls`.
      http.post(`${BASE}/live`, () => {
        const ready = LiveReady.parse({
          stream: 'quiet-stream',
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: '1',
        });
        const body = new ReadableStream({
          start: (c) => c.enqueue(new TextEncoder().encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`)),
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.post(`${BASE}/live/:stream`, () => HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 })),
      http.get(TOKEN_URL, () => (this.signedIn ? new HttpResponse(jwt()) : new HttpResponse(null, { status: 401 }))),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        this.record(request, body);
        await this.gate;
        if (this.down) return json(503, problem(503, 'server.unavailable'));
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p, request)) }));
      }),
      http.get(`${BASE}/events/:id/calendar.ics`, ({ request, params }) => {
        this.record(request);
        if (this.down) return json(503, problem(503, 'server.unavailable'));
        return new HttpResponse(`BEGIN:VCALENDAR\r\nUID:${params.id}\r\nEND:VCALENDAR\r\n`, {
          headers: { 'content-type': 'text/calendar' },
        });
      }),
      http.get(`${BASE}`, ({ request }) => this.get(request)),
      http.get(`${BASE}/*`, ({ request }) => this.get(request)),
      http.all(`${BASE}/*`, async ({ request }) => {
        const text = await request.text();
        const call = this.record(request, text ? JSON.parse(text) : undefined);
        if (this.down) return json(503, problem(503, 'server.unavailable'));
        return this.onWrite?.(call) ?? this.write(call);
      }),
    );
  }

  /** Events and attendees as the contract has them. */
  add(...events: Event[]) {
    this.events.push(...events);
    return events;
  }

  path(p: string) {
    return this.calls.filter((c) => c.path.startsWith(p));
  }

  private record(request: Request, body?: unknown): Call {
    const url = new URL(request.url);
    const call = {
      method: request.method,
      path: url.pathname.slice(new URL(BASE).pathname.length) + url.search || '/',
      auth: request.headers.get('authorization'),
      type: request.headers.get('content-type'),
      body,
    };
    this.calls.push(call);
    return call;
  }

  private async get(request: Request) {
    const call = this.record(request);
    await this.gate;
    if (this.down) return json(503, problem(503, 'server.unavailable'));
    const a = this.read(call.path, request);
    return json(a.status, a.body);
  }

  private read(path: string, request: Request): { status: number; body: unknown } {
    const url = new URL(path, 'http://x');
    const auth = request.headers.get('authorization');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me' && auth && this.meFails) return { status: 503, body: problem(503, 'server.unavailable') };
    if (url.pathname === '/me') return auth ? { status: 200, body: me() } : { status: 401, body: problem(401, 'auth.missing') };
    if (url.pathname === '/events') return { status: 200, body: EventPage.parse({ items: this.events, next: null }) };
    const m = /^\/events\/([^/]+)\/attendees$/.exec(url.pathname);
    if (m) return { status: 200, body: AttendeeList.parse(this.people.get(m[1]) ?? { items: [], going: 0, maybe: 0, waitlist: 0 }) };
    if (url.pathname === '/me/calendar-feed')
      return { status: 200, body: CalendarFeed.parse({ active: false, createdAt: null, token: null, path: null }) };
    return { status: 404, body: problem(404, 'route.not_found') };
  }

  private write(call: Call): Response {
    const m = /^\/events\/([^/]+)\/(rsvp|rsvp\/seen|cancel|attendance)$/.exec(call.path);
    if (call.path === '/me/calendar-feed') {
      const token = 'a'.repeat(43);
      return json(
        call.method === 'POST' ? 201 : 200,
        CalendarFeed.parse(
          call.method === 'POST'
            ? { active: true, createdAt: START, token, path: `/v1/sites/${SITE}/calendars/${token}/events.ics` }
            : { active: false, createdAt: null, token: null, path: null },
        ),
      );
    }
    const e = m && this.events.find((x) => x.id === m[1]);
    if (!e) return json(404, problem(404, 'event.not_found'));
    let next: Event = e;
    if (m[2] === 'rsvp') {
      const { status, guests = 0 } = call.body as RsvpRequest;
      const was = e.myRsvp?.status === 'going' ? 1 + e.myRsvp.guests : 0;
      const wait = status === 'going' && e.capacity !== null && e.taken - was + 1 + guests > e.capacity;
      const taken = e.taken - was + (status === 'going' && !wait ? 1 + guests : 0);
      next = Event.parse({
        ...e,
        taken,
        going: e.going - (was ? 1 : 0) + (status === 'going' && !wait ? 1 : 0),
        maybe: e.maybe - (e.myRsvp?.status === 'maybe' ? 1 : 0) + (status === 'maybe' ? 1 : 0),
        waitlist: e.waitlist - (e.myRsvp?.status === 'waitlist' ? 1 : 0) + (wait ? 1 : 0),
        placesLeft: e.capacity === null ? null : Math.max(0, e.capacity - taken),
        myRsvp: { status: wait ? 'waitlist' : status, guests, position: wait ? e.waitlist + 1 : null, promotedAt: null, updatedAt: START },
      });
    } else if (m[2] === 'rsvp/seen') next = Event.parse({ ...e, myRsvp: e.myRsvp && { ...e.myRsvp, promotedAt: null } });
    else if (m[2] === 'cancel') {
      next = Event.parse({
        ...e,
        cancelled: true,
        cancelledAt: START,
        cancelReason: (call.body as { reason?: string }).reason ?? null,
        rsvpOpen: false,
      });
    } else {
      const list = this.people.get(e.id)!;
      const marks = (call.body as { marks: { member: string; attended: boolean }[] }).marks;
      const updated = AttendeeList.parse({
        ...list,
        items: list.items.map((a) => ({ ...a, attended: marks.find((k) => k.member === a.member.id)?.attended ?? a.attended })),
      });
      this.people.set(e.id, updated);
      return json(200, updated);
    }
    this.events = this.events.map((x) => (x.id === e.id ? next : x));
    return json(200, next);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

async function mount(attrs: Record<string, string> = {}, lang = 'en'): Promise<CercleEventFeed> {
  const el = document.createElement('cercle-event-feed');
  for (const [k, v] of Object.entries({ 'time-zone': 'Europe/Paris', ...attrs })) el.setAttribute(k, v);
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <h1>Events</h1>
      ${el}
    </cercle-community>
  `);
  return root.querySelector('cercle-event-feed')!;
}

const $$ = <T extends Element = HTMLElement>(el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll<T>(selector)];
const button = (root: Element | ShadowRoot, name: string | RegExp) =>
  [...(root instanceof Element && root.shadowRoot ? root.shadowRoot : root).querySelectorAll<HTMLButtonElement>('button')].find((b) =>
    typeof name === 'string' ? text(b) === name || b.getAttribute('aria-label') === name : name.test(text(b)),
  );
const articles = (el: Element) => $$(el, 'article');
const loaded = (el: Element, n = 1) => waitUntil(() => articles(el).length === n, `${n} events shown`);
const status = (el: Element) => text($(el, '[role=status]'));
const pressed = (el: Element) => $$(el, '[aria-pressed=true]').map(text);

describe('<cercle-event-feed>', () => {
  let api: FakeEvents;
  before(startWorker);
  beforeEach(() => (api = new FakeEvents()));
  afterEach(fixtureCleanup);

  describe('states', () => {
    it('loading: reserves the height of events and says so', async () => {
      let release!: () => void;
      api.gate = new Promise<void>((r) => (release = r));
      try {
        const el = await mount();
        await waitUntil(() => $(el, '.ph'), 'placeholders');
        expect($(el, '[part=list]')!.getAttribute('aria-busy')).to.equal('true');
        expect(status(el)).to.equal('Loading events…');
        expect(el.getBoundingClientRect().height).to.be.greaterThan(400);
        await accessibleInEveryMode(el);
      } finally {
        release();
      }
    });

    it('empty: says there is nothing coming', async () => {
      const el = await mount();
      await waitUntil(() => text($(el, 'slot[name=empty]')) === 'No upcoming events.', 'empty');
      await accessibleInEveryMode(el);
    });

    it('error: explains and offers to try again', async () => {
      api.down = true;
      const el = await mount();
      await waitUntil(() => text($(el, '[part=base]')).includes('The events could not be loaded.'), 'error');
      await accessibleInEveryMode(el);
      api.down = false;
      api.add(event({ title: 'Revenu' }));
      button(el, 'Try again')!.click();
      await loaded(el);
      expect(text($(el, '[part=title]'))).to.equal('Revenu');
    });

    it('filled: one request, list semantics, time in the reader’s zone, duration, place with a map, chapter, places', async () => {
      const [e] = api.add(event(), full({ title: 'Visite', place: null, online: true, audience: 'members', waitlist: 2 }));
      const el = await mount();
      await loaded(el, 2);
      // The page's reads (events, site, me) travelled together.
      expect(api.calls.map((c) => c.method + ' ' + c.path)).to.deep.equal(['POST /batch']);
      expect($(el, 'ol[part=list]')!.children).to.have.length(2);
      const [first, second] = articles(el);
      expect(first.getAttribute('aria-labelledby')).to.equal('t-' + e.id);
      expect(text(first.querySelector('time'))).to.match(/^Thursday, March 14, 2030.*8:00\s*–\s*9:30\s*AM$/);
      expect(first.querySelector('time')!.dateTime).to.equal(START);
      expect(text(first.querySelector('[part=meta]'))).to.match(/1 hr 30 min$/);
      const map = first.querySelector<HTMLAnchorElement>('[part~=place] a')!;
      expect(map.href).to.equal('https://www.openstreetmap.org/search?query=Espace+Diagora%2C+Lab%C3%A8ge');
      expect(map.getAttribute('aria-label')).to.equal('Map of Espace Diagora, Labège');
      expect(text(first)).to.include('Toulouse');
      expect(text(first)).to.include('6 going · 24 places left');
      expect(text(first.querySelector('[part~=organiser]'))).to.equal('Organised by Grace Hopper');
      // Safe formatting: bold is markup, an HTML tag stays text.
      expect(text(first.querySelector('[part=description] strong'))).to.equal('dirigeants');
      expect(first.querySelector('[part=description] img')).to.equal(null);
      expect(text(first.querySelector('[part=description]'))).to.include('<img src=x onerror=alert(1)>');
      expect(text(second)).to.include('Members only');
      expect(text(second)).to.include('8 going · Full · 2 on the waitlist');
      expect(text(second.querySelector('[part~=place]'))).to.equal('Online: the link shows once you are going');
      await accessibleInEveryMode(el);
    });

    it('states the event’s own clock when the reader’s differs', async () => {
      api.add(event());
      const el = await mount({ 'time-zone': 'America/New_York' });
      await loaded(el);
      const meta = text($(el, '[part=meta]'));
      expect(meta).to.match(/3:00\s*–\s*4:30\s*AM/);
      expect(meta).to.match(/\(8:00\s*–\s*9:30\s*AM GMT\+1, local time in Paris\)/);
    });

    it('signed out: public events readable, a link to sign in instead of the buttons', async () => {
      api.signedIn = false;
      api.add(event());
      const el = await mount();
      await loaded(el);
      const link = $<HTMLAnchorElement>(el, '[part=rsvp] a')!;
      expect(link.href).to.equal(LOGIN_URL);
      expect(text(link)).to.equal('Sign in on this site to take part');
      expect($(el, '[aria-pressed]')).to.equal(null);
      expect($(el, '[part=attendees]')).to.equal(null);
      expect($(el, '[part=feed]')).to.equal(null);
      expect(api.calls.every((c) => !c.auth)).to.equal(true);
      await accessibleInEveryMode(el);
    });

    it('signed in but the member read fails: says so once with a retry, never a sign-in link', async () => {
      api.meFails = true;
      api.add(event(), event());
      const el = await mount();
      await loaded(el, 2);
      await waitUntil(() => $(el, '.session-error'), 'member error');
      expect(text($(el, '.session-error p'))).to.match(/^Your member profile could not be loaded; you are still signed in\. \S/);
      expect($$(el, '.session-error')).to.have.length(1);
      expect($$(el, 'a').map(text)).not.to.include('Sign in on this site to take part');
      expect($(el, '[aria-pressed]')).to.equal(null);
      await accessibleInEveryMode(el);
      api.meFails = false;
      button($(el, '.session-error')!, 'Try again')!.click();
      await waitUntil(() => $(el, '[aria-pressed]'), 'answers offered once the member is known');
      expect($(el, '.session-error')).to.equal(null);
    });

    it('full: "join the waitlist", then the place in it', async () => {
      api.add(full({ waitlist: 2 }));
      const el = await mount();
      await loaded(el);
      button(el, 'Join the waitlist')!.click();
      await waitUntil(() => status(el) === 'You are number 3 on the waitlist.', 'on the waitlist');
      expect(api.path('/events/')[0].body).to.deep.equal({ status: 'going' });
      expect(pressed(el)).to.deep.equal(['Join the waitlist']);
      expect(text($(el, '[part=rsvp]'))).to.include('You are number 3 on the waitlist.');
      await accessibleInEveryMode(el);
    });

    it('promoted: a banner until the member acknowledges it', async () => {
      api.add(full({ myRsvp: { status: 'going', guests: 0, position: null, promotedAt: START, updatedAt: START } }));
      const el = await mount();
      await loaded(el);
      expect(text($(el, '.promoted'))).to.match(/^A place freed up: you are going!/);
      await accessibleInEveryMode(el);
      button(el, 'Got it')!.click();
      await waitUntil(() => !$(el, '.promoted'), 'banner gone');
      const [seen] = api.path('/events/');
      expect(seen.method + ' ' + seen.path).to.match(/^POST \/events\/.+\/rsvp\/seen$/);
      expect(seen.body).to.equal(undefined);
      expect(seen.type).to.equal(null);
      expect(el.shadowRoot!.activeElement?.tagName).to.equal('ARTICLE');
    });

    it('cancelled: a banner with the reason, no answers', async () => {
      api.add(event({ cancelled: true, cancelledAt: START, cancelReason: 'Salle indisponible', rsvpOpen: false }));
      const el = await mount();
      await loaded(el);
      expect(text($(el, '[part=banner]'))).to.equal('This event was cancelled. Salle indisponible');
      expect($(el, '[aria-pressed]')).to.equal(null);
      expect($(el, '[part=calendar-links]')).to.equal(null);
      await accessibleInEveryMode(el);
    });

    it('deadline passed, begun, over: says why answers are closed', async () => {
      const deadline = '2030-03-10T17:00:00.000Z';
      api.add(
        event({
          rsvpOpen: false,
          rsvpDeadline: deadline,
          myRsvp: { status: 'going', guests: 0, position: null, promotedAt: null, updatedAt: START },
        }),
        event({ rsvpOpen: false, startsAt: PAST, endsAt: '2099-01-01T00:00:00.000Z' }),
        event({ rsvpOpen: false, startsAt: '2020-01-01T08:00:00.000Z', endsAt: '2020-01-01T09:00:00.000Z' }),
      );
      const el = await mount();
      await loaded(el, 3);
      const [a, b, c] = $$(el, '[part=rsvp]').map((p) => [...p.querySelectorAll('p')].map(text).join(' '));
      expect(a).to.equal('Answers closed on March 10, 2030 at 6:00 PM. You are going.');
      expect(b).to.equal('This event has begun.');
      expect(c).to.equal('This event is over.');
      expect($(el, '[aria-pressed]')).to.equal(null);
      await accessibleInEveryMode(el);
    });

    it('in French', async () => {
      api.add(event({ going: 1, placesLeft: 1 }));
      const el = await mount({}, 'fr');
      await loaded(el);
      expect(text($(el, 'time'))).to.match(/^jeudi 14 mars 2030.*08:00\s*–\s*09:30$/);
      expect(text($(el, 'article'))).to.include('1 participant · 1 place restante');
      expect($$(el, '[part=rsvp] button').map(text)).to.deep.equal(['Je viens', 'Peut-être', 'Je ne viens pas']);
      expect(text($(el, '[part=calendar-links] summary'))).to.equal('Ajouter à mon agenda');
    });
  });

  describe('answers', () => {
    it('going: cancelable intent first, then the answer, pressed state and the change event', async () => {
      api.add(event());
      const el = await mount();
      await loaded(el);
      const submits: string[] = [];
      const veto = (e: CustomEvent) => (submits.push(e.detail.status), e.preventDefault());
      el.addEventListener('cercle-rsvp-submit', veto);
      button(el, 'Going')!.click();
      await el.updateComplete;
      expect(submits).to.deep.equal(['going']);
      expect(api.path('/events/')).to.have.length(0);
      el.removeEventListener('cercle-rsvp-submit', veto);

      const changed = new Promise<CustomEvent>((r) => el.addEventListener('cercle-rsvp-change', r as never, { once: true }));
      button(el, 'Going')!.click();
      const change = await changed;
      expect(change.detail.event.myRsvp!.status).to.equal('going');
      expect(change.bubbles && change.composed).to.equal(true);
      await waitUntil(() => status(el) === 'You are going.', 'saved');
      const [put] = api.path('/events/');
      expect(put.method).to.equal('PUT');
      expect(put.auth).to.match(/^Bearer /);
      expect(pressed(el)).to.deep.equal(['Going']);
      expect(text($(el, 'article'))).to.include('7 going · 23 places left');
      button(el, 'Not going')!.click();
      await waitUntil(() => pressed(el)[0] === 'Not going', 'declined');
      expect(api.path('/events/')[1].body).to.deep.equal({ status: 'declined' });
    });

    it('keyboard only: Tab to an answer, Space to press it', async () => {
      api.add(event());
      const el = await mount();
      await loaded(el);
      // From the map link, the next stop is the first answer.
      $(el, '[part~=place] a')!.focus();
      await sendKeys({ press: 'Tab' });
      expect(text(el.shadowRoot!.activeElement)).to.equal('Going');
      await sendKeys({ press: 'Space' });
      await waitUntil(() => pressed(el)[0] === 'Going', 'going by keyboard');
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => pressed(el)[0] === 'Maybe', 'maybe by keyboard');
      // Focus stays on the answer pressed, and its ring shows, in forced colours too.
      const maybe = el.shadowRoot!.activeElement as HTMLElement;
      expect(text(maybe)).to.equal('Maybe');
      await colourMode('forced');
      try {
        const ring = getComputedStyle(maybe);
        expect([ring.outlineStyle, ring.outlineWidth, ring.outlineOffset]).to.deep.equal(['solid', '2px', '2px']);
        const other = [...el.shadowRoot!.querySelectorAll('[aria-pressed=false]')][0];
        expect(ring.backgroundColor).to.not.equal(getComputedStyle(other).backgroundColor, 'the answer given stands out');
      } finally {
        await resetColours();
      }
    });

    it('guests: a stepper up to the event’s limit; a refusal is shown and the choice kept', async () => {
      api.add(event({ maxGuests: 2, myRsvp: { status: 'going', guests: 0, position: null, promotedAt: null, updatedAt: START } }));
      const el = await mount();
      await loaded(el);
      expect(text($(el, '.guests'))).to.equal('Guests − 00 guests + (at most 2)');
      button(el, 'One guest more')!.click();
      await waitUntil(() => status(el) === 'You are going.', 'one guest');
      expect(text($(el, 'output [aria-hidden=true]'))).to.equal('1');
      // Announced with its noun ("1 guest", not a bare "1"), and named by the group's label.
      expect(text($(el, 'output .sr'))).to.equal('1 guest');
      expect(el.shadowRoot!.getElementById($(el, 'output')!.getAttribute('aria-labelledby')!)!.textContent).to.equal('Guests');
      expect(api.path('/events/')[0].body).to.deep.equal({ status: 'going', guests: 1 });
      api.onWrite = () => json(409, problem(409, 'rsvp.not_enough_places'));
      button(el, 'One guest more')!.click();
      await waitUntil(() => $(el, '[role=alert]'), 'refused');
      expect(text($(el, '[role=alert]'))).to.equal('Not enough places left for your guests; your answer stays as it was.');
      expect(text($(el, 'output'))).to.equal('22 guests');
      expect(button(el, 'One guest more')!.getAttribute('aria-disabled')).to.equal('true');
      await accessibleInEveryMode(el);
    });

    it('a banned member is told why and until when, not "an error occurred"', async () => {
      api.add(event());
      const el = await mount();
      await loaded(el);
      api.onWrite = () =>
        json(403, problem(403, 'member.banned', { sanction: { kind: 'ban', reason: 'Spam répété', endsAt: null, chapter: null } }));
      button(el, 'Going')!.click();
      await waitUntil(() => $(el, '[role=alert]'), 'refused');
      expect(text($(el, '[role=alert]'))).to.equal(
        'A moderator has banned you from taking part here. Reason: Spam répété. Until a moderator lifts it.',
      );
    });

    it('errors: readable, and a failed connection offers to try again', async () => {
      api.add(event());
      const el = await mount();
      await loaded(el);
      api.onWrite = () => json(409, problem(409, 'rsvp.closed'));
      button(el, 'Going')!.click();
      await waitUntil(() => $(el, '[role=alert]'), 'closed');
      expect(text($(el, '[role=alert]'))).to.equal('Answers for this event are closed.');
      expect(button($(el, '[role=alert]')!, 'Try again')).to.equal(undefined);
      await accessibleInEveryMode(el);

      api.onWrite = () => HttpResponse.error();
      button(el, 'Going')!.click();
      await waitUntil(() => text($(el, '[role=alert]')).startsWith('The connection failed.'), 'offline');
      expect(pressed(el)).to.deep.equal([]);
      api.onWrite = undefined;
      button($(el, '[role=alert]')!, 'Try again')!.click();
      await waitUntil(() => pressed(el)[0] === 'Going', 'sent again');
      expect($(el, '[role=alert]')).to.equal(null);
    });
  });

  describe('around the answer', () => {
    it('who is going: members only, read when opened', async () => {
      const [e] = api.add(event());
      api.people.set(
        e.id,
        AttendeeList.parse({
          items: [
            { member: member({ id: 'm-ada', name: 'Ada Lovelace' }), status: 'going', guests: 1, position: null, attended: null },
            { member: member({ id: 'm-alan', name: 'Alan Turing' }), status: 'maybe', guests: 0, position: null, attended: null },
          ],
          going: 1,
          maybe: 1,
          waitlist: 0,
        }),
      );
      const el = await mount();
      await loaded(el);
      expect(api.path('/events/')).to.have.length(0);
      $(el, '[part=attendees] summary')!.click();
      // The list is read only now, through the service worker: the very next render is its own loading state.
      await el.updateComplete;
      expect(text($(el, '[part=attendees] p'))).to.equal('Loading who is coming…');
      await waitUntil(() => $$(el, '.people li').length === 2, 'attendees');
      expect($$(el, '.people li').map(text)).to.deep.equal(['Ada Lovelace +1', 'Alan Turing (Maybe)']);
      expect(api.path('/events/')[0].path).to.equal(`/events/${e.id}/attendees`);
      await accessibleInEveryMode(el);
    });

    it('add to my calendar: the file with the token, Google and Outlook links', async () => {
      const [e] = api.add(event());
      const el = await mount();
      await loaded(el);
      const links = $$<HTMLAnchorElement>(el, '[part=calendar-links] a');
      const google = new URL(links[0].href);
      expect(google.origin + google.pathname).to.equal('https://calendar.google.com/calendar/render');
      expect(google.searchParams.get('dates')).to.equal('20300314T070000Z/20300314T083000Z');
      expect(google.searchParams.get('text')).to.equal(e.title);
      expect(google.searchParams.get('ctz')).to.equal('Europe/Paris');
      const outlook = new URL(links[1].href);
      expect(outlook.searchParams.get('startdt')).to.equal(START);
      expect(outlook.searchParams.get('location')).to.equal('Espace Diagora, Labège');
      expect(links.every((a) => a.rel === 'noopener noreferrer' && a.target === '_blank')).to.equal(true);

      const clicked = new Promise<HTMLAnchorElement>((resolve) => {
        const click = HTMLAnchorElement.prototype.click;
        HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
          HTMLAnchorElement.prototype.click = click;
          resolve(this);
        };
      });
      $(el, '[part=calendar-links] summary')!.click();
      button(el, 'Download (.ics)')!.click();
      const a = await clicked;
      expect(a.download).to.equal('petit-dejeuner-des-dirigeants.ics');
      expect(await (await fetch(a.href)).text()).to.include(`UID:${e.id}`);
      const [ics] = api.path('/events/');
      expect(ics.path).to.equal(`/events/${e.id}/calendar.ics`);
      expect(ics.auth).to.match(/^Bearer /);
      await waitUntil(() => status(el) === 'The calendar file was downloaded.', 'said');
      await accessibleInEveryMode(el);
    });

    it('organisers cancel with a reason, after confirming', async () => {
      api.add(event({ canManage: true }));
      const el = await mount();
      await loaded(el);
      button(el, 'Cancel this event…')!.click();
      await waitUntil(() => el.shadowRoot!.activeElement?.tagName === 'TEXTAREA', 'reason focused');
      expect(api.path('/events/')).to.have.length(0);
      await accessibleInEveryMode(el);
      await sendKeys({ type: 'Salle indisponible' });
      button(el, 'Keep it')!.click();
      await waitUntil(() => el.shadowRoot!.activeElement === button(el, 'Cancel this event…'), 'kept');
      button(el, 'Cancel this event…')!.click();
      await el.updateComplete;
      expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('Salle indisponible');
      button(el, 'Cancel the event')!.click();
      await waitUntil(() => $(el, '[part=banner]'), 'cancelled');
      expect(api.path('/events/')[0].body).to.deep.equal({ reason: 'Salle indisponible' });
      expect(text($(el, '[part=banner]'))).to.equal('This event was cancelled. Salle indisponible');
      expect(status(el)).to.equal('The event was cancelled.');
      expect($(el, 'form')).to.equal(null);
      await accessibleInEveryMode(el);
    });

    it('organisers mark attendance once the event has begun', async () => {
      const [e] = api.add(event({ canManage: true, rsvpOpen: false, startsAt: PAST, endsAt: '2099-01-01T00:00:00.000Z' }));
      api.people.set(
        e.id,
        AttendeeList.parse({
          items: [
            { member: member({ id: 'm-ada', name: 'Ada Lovelace' }), status: 'going', guests: 0, position: null, attended: null },
            { member: member({ id: 'm-alan', name: 'Alan Turing' }), status: 'going', guests: 0, position: null, attended: true },
            { member: member({ id: 'm-kat', name: 'Katherine Johnson' }), status: 'declined', guests: 0, position: null, attended: null },
          ],
          going: 2,
          maybe: 0,
          waitlist: 0,
        }),
      );
      const el = await mount();
      await loaded(el);
      $(el, '[part=attendees] summary')!.click();
      await waitUntil(() => $$(el, '.people input').length === 2, 'checkboxes');
      expect(text($(el, '[part=attendees] summary'))).to.equal('Mark attendance');
      const [ada] = $$<HTMLInputElement>(el, '.people input');
      ada.click();
      button(el, 'Save attendance')!.click();
      await waitUntil(() => status(el) === 'Attendance saved.', 'saved');
      expect(api.path('/events/').at(-1)!.body).to.deep.equal({
        marks: [
          { member: 'm-ada', attended: true },
          { member: 'm-alan', attended: true },
        ],
      });
      await accessibleInEveryMode(el);
    });

    it('a private calendar address for the member', async () => {
      api.add(event());
      const el = await mount();
      await loaded(el);
      $(el, '[part=feed] summary')!.click();
      button(el, 'Make a private address')!.click();
      await waitUntil(() => $<HTMLInputElement>(el, '#feed-url'), 'address');
      expect($<HTMLInputElement>(el, '#feed-url')!.value).to.equal(`${API}/v1/sites/${SITE}/calendars/${'a'.repeat(43)}/events.ics`);
      await accessibleInEveryMode(el);
      button(el, 'Stop this address')!.click();
      await waitUntil(() => status(el) === 'The private address no longer works.', 'stopped');
      expect($(el, '#feed-url')).to.equal(null);
      expect($<HTMLAnchorElement>(el, '[part=footer] > a')!.href).to.equal(`${BASE}/calendar.ics`);
    });
  });

  describe('attributes', () => {
    it('chapter, limit and past shape the read', async () => {
      const el = await mount({ chapter: 'toulouse,nimes', limit: '5', past: '' });
      await waitUntil(() => text($(el, 'slot[name=empty]')) === 'No past events.', 'empty');
      const reads = (api.calls[0].body as { reads: string[] }).reads;
      expect(reads.find((r) => r.startsWith('/events'))).to.equal('/events?chapter=toulouse%2Cnimes&limit=5&past=1');
      expect($<HTMLAnchorElement>(el, '[part=footer] > a')!.href).to.equal(`${BASE}/calendar.ics?chapter=toulouse%2Cnimes`);
    });

    it('an unknown time-zone falls back to the reader’s', async () => {
      api.add(event());
      const el = await mount({ 'time-zone': 'Mars/Olympus_Mons' });
      await loaded(el);
      expect(text($(el, 'time'))).to.match(/March 14, 2030/);
    });

    it('compact: the essentials and the answer, without the details', async () => {
      api.add(event(), event());
      const el = await mount({ view: 'compact' });
      await loaded(el, 2);
      expect($(el, '[part=description]')).to.equal(null);
      expect($(el, '[part=actions]')).to.equal(null);
      expect(text($(el, 'time'))).to.match(/^Thu, Mar 14, 2030/);
      expect($$(el, '[aria-pressed]')).to.have.length(6);
      await accessibleInEveryMode(el);
    });

    it('calendar-month: a table of the month, each event a button to its details; months move', async () => {
      const [e] = api.add(event(), event({ startsAt: '2030-03-31T20:00:00.000Z', endsAt: '2030-03-31T21:00:00.000Z', title: 'Dîner' }));
      const el = await mount({ view: 'calendar-month', month: '2030-03' });
      await loaded(el, 2);
      const reads = (api.calls[0].body as { reads: string[] }).reads;
      expect(reads.find((r) => r.startsWith('/events'))).to.equal(
        '/events?limit=100&from=2030-02-28T10%3A00%3A00.000Z&to=2030-04-01T14%3A00%3A00.000Z',
      );
      expect(text($(el, 'caption'))).to.equal('March 2030');
      expect($$(el, 'th').map(text)).to.deep.equal(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']);
      const cell = $$(el, 'td').find((td) => text(td.querySelector('.day')) === '14')!;
      expect(text(cell.querySelector('button'))).to.equal('8:00 AM Petit-déjeuner des dirigeants');
      // 31 March 22:00 in Paris.
      expect(
        text(
          $$(el, 'td')
            .find((td) => text(td.querySelector('.day')) === '31')!
            .querySelector('button'),
        ),
      ).to.match(/Dîner$/);
      cell.querySelector('button')!.click();
      await waitUntil(() => el.shadowRoot!.activeElement?.id === 'e-' + e.id, 'event focused');
      await accessibleInEveryMode(el);

      api.calls.length = 0;
      button(el, 'Next month')!.click();
      await waitUntil(
        () => text($(el, 'caption')) === 'April 2030' && text($(el, 'slot[name=empty]')) === 'No events this month.',
        'April',
      );
      expect(api.calls[0].path).to.equal('/events?limit=100&from=2030-03-31T10%3A00%3A00.000Z&to=2030-05-01T14%3A00%3A00.000Z');
    });

    it('calendar-month in French starts the week on Monday', async () => {
      const el = await mount({ view: 'calendar-month', month: '2030-03' }, 'fr');
      await waitUntil(() => text($(el, 'caption')) === 'mars 2030', 'caption');
      expect(text($(el, 'th'))).to.equal('lun.');
      expect($$(el, 'tbody tr')[0].querySelectorAll('td')[4].textContent!.trim()).to.equal('1');
    });
  });
});
