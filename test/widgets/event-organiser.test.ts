import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { json, startWorker, worker } from './kit/msw.js';
import { strict } from '../../src/client/strict.js';
import { AttendeeList, CheckIn, CheckInList, Series, type CheckInRequest, type NewSeries } from '../../src/contract/events.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Event as CercleEvent, EventPage, type Me } from '../../src/contract/resources.js';
import '../../src/widgets/event-feed/define.js';
import type { CercleEventFeed } from '../../src/widgets/event-feed/event-feed.js';
import { API, BASE, jwt, LOGIN_URL, me, member, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';

const START = '2030-03-14T07:00:00.000Z'; // the second Thursday of March 2030, 08:00 in Paris
const END = '2030-03-14T08:30:00.000Z';
let seq = 0;

const event = (o: Partial<CercleEvent> = {}): CercleEvent =>
  CercleEvent.parse({
    id: `ev-${++seq}`,
    chapter: { id: 'toulouse', name: 'Toulouse' },
    title: 'Petit-déjeuner',
    description: '',
    startsAt: START,
    endsAt: END,
    timeZone: 'Europe/Paris',
    place: 'Café du Capitole',
    url: null,
    online: false,
    onlineUrl: null,
    capacity: null,
    going: 2,
    taken: 2,
    placesLeft: null,
    maybe: 0,
    waitlist: 0,
    maxGuests: 0,
    rsvpDeadline: null,
    rsvpOpen: true,
    organiser: member({ id: 'm-olga', name: 'Olga Organise' }),
    audience: 'members',
    cancelled: false,
    cancelledAt: null,
    cancelReason: null,
    sequence: 0,
    updatedAt: START,
    myRsvp: null,
    canManage: false,
    series: null,
    ...o,
  });

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** A fake API for an organiser's page: events, /me with the given roles, series, check-ins. Payloads through the contract. */
class FakeApi {
  calls: Call[] = [];
  events: CercleEvent[] = [];
  checkins: CheckIn[] = [];
  offline = false;
  /** The next write answers this (once). */
  refuse?: Response;

  constructor(private who: Me) {
    worker.resetHandlers(
      http.post(`${BASE}/live`, () => new HttpResponse(null, { status: 503 })),
      http.get(TOKEN_URL, () => new HttpResponse(jwt())),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p)) }));
      }),
      http.get(`${BASE}/*`, ({ request }) => {
        const path = new URL(request.url).pathname.slice(new URL(BASE).pathname.length);
        this.calls.push({ method: 'GET', path, body: undefined });
        const a = this.read(path);
        return json(a.status, a.body);
      }),
      http.all(`${BASE}/*`, async ({ request }) => {
        const path = new URL(request.url).pathname.slice(new URL(BASE).pathname.length);
        const t = await request.text();
        const call = { method: request.method, path, body: t ? JSON.parse(t) : undefined };
        this.calls.push(call);
        if (this.offline) return HttpResponse.error();
        const refused = this.refuse;
        this.refuse = undefined;
        return refused ?? this.write(call);
      }),
    );
  }

  private read(path: string): { status: number; body: unknown } {
    const p = new URL(path, 'http://x').pathname;
    if (p === '/') return { status: 200, body: site() };
    if (p === '/me') return { status: 200, body: this.who };
    if (p === '/events') return { status: 200, body: EventPage.parse({ items: this.events, next: null }) };
    if (p === '/me/calendar-feed') return { status: 200, body: { active: false, createdAt: null, token: null, path: null } };
    if (/^\/events\/([^/]+)\/attendees$/.test(p)) {
      const inside = new Set(this.checkins.map((c) => c.member?.id));
      const base = AttendeeList.parse({
        items: [
          {
            member: member({ id: 'm-alice', name: 'Alice Durand' }),
            status: 'going',
            guests: 0,
            position: null,
            attended: inside.has('m-alice') || null,
          },
          {
            member: member({ id: 'm-bob', name: 'Bob Léger' }),
            status: 'going',
            guests: 1,
            position: null,
            attended: inside.has('m-bob') || null,
          },
          {
            member: member({ id: 'm-carol', name: 'Carol Petit' }),
            status: 'maybe',
            guests: 0,
            position: null,
            attended: inside.has('m-carol') || null,
          },
        ],
        going: 2,
        maybe: 1,
        waitlist: 0,
      });
      return { status: 200, body: base };
    }
    if (/^\/events\/([^/]+)\/checkins$/.test(p))
      return { status: 200, body: CheckInList.parse({ items: this.checkins, count: this.checkins.length, going: 2 }) };
    return { status: 404, body: problem(404, 'route.not_found') };
  }

  private write(call: Call): Response {
    if (call.method === 'POST' && call.path === '/series') {
      const b = call.body as NewSeries;
      const occurrences = [0, 1, 2].map((i) =>
        event({ title: b.title, startsAt: new Date(Date.parse(START) + i * 28 * 86_400_000).toISOString(), endsAt: END, canManage: true }),
      );
      this.events.push(...occurrences);
      return json(
        201,
        Series.parse({ id: 'sr-1', rule: 'FREQ=MONTHLY;BYDAY=2TH', recurrence: b.recurrence, timeZone: b.timeZone, occurrences }),
      );
    }
    const edit = /^\/events\/([^/]+)$/.exec(call.path);
    if (edit && call.method === 'PATCH') {
      const e = this.events.find((x) => x.id === edit[1])!;
      const next = event({ ...e, ...(call.body as Partial<CercleEvent>), sequence: e.sequence + 1 });
      this.events = this.events.map((x) => (x.id === e.id ? next : x));
      return json(200, next);
    }
    if (call.method === 'POST' && call.path === '/events') {
      const e = event({ canManage: true });
      this.events.push(e);
      return json(201, e);
    }
    const m = /^\/events\/([^/]+)\/checkins\/([^/]+)$/.exec(call.path);
    if (m && call.method === 'DELETE') {
      this.checkins = this.checkins.filter((c) => c.key !== m[2]);
      return json(200, CheckInList.parse({ items: this.checkins, count: this.checkins.length, going: 2 }));
    }
    if (m && call.method === 'PUT') {
      const b = call.body as CheckInRequest;
      const same = this.checkins.find((c) => c.key === m[2] || (b.member && c.member?.id === b.member));
      if (same) return json(200, CheckIn.parse({ ...same, duplicate: same.key !== m[2] }));
      const who = b.member ? member({ id: b.member, name: b.member === 'm-alice' ? 'Alice Durand' : b.member }) : null;
      const c = CheckIn.parse({ key: m[2], member: who, name: b.name ?? who?.name ?? '', walkIn: !!b.walkIn, at: START, duplicate: false });
      this.checkins.push(c);
      return json(200, c);
    }
    return json(404, problem(404, 'route.not_found'));
  }
}

async function mount(): Promise<CercleEventFeed> {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang="en" .parse=${strict}>
      <cercle-event-feed chapter="toulouse" time-zone="Europe/Paris"></cercle-event-feed>
    </cercle-community>
  `);
  return root.querySelector('cercle-event-feed')!;
}

const tools = (feed: Element, i = 0) => $$(feed, 'cercle-event-organiser')[i] as HTMLElement;
const button = (el: Element, name: string | RegExp) =>
  $$<HTMLButtonElement>(el, 'button').find((b) =>
    typeof name === 'string' ? text(b) === name || b.getAttribute('aria-label') === name : name.test(text(b)),
  );
const type = (el: Element, selector: string, value: string) => {
  const input = $<HTMLInputElement>(el, selector)!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
};
const choose = (el: Element, selector: string, value: string) => {
  const select = $<HTMLSelectElement>(el, selector)!;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
};

describe('<cercle-event-organiser> in the event feed', () => {
  let api: FakeApi;
  before(startWorker);
  afterEach(() => {
    fixtureCleanup();
    localStorage.clear();
  });

  it('a member’s page never loads the organiser tools', async () => {
    api = new FakeApi(me({ roles: ['member'] }));
    api.events.push(event());
    const feed = await mount();
    await waitUntil(() => $$(feed, 'article').length === 1, 'event shown');
    await new Promise((r) => setTimeout(r, 50));
    expect(customElements.get('cercle-event-organiser')).to.equal(undefined);
    expect($$(feed, 'cercle-event-organiser')).to.have.length(0);
    expect(button(feed, 'New event')).to.equal(undefined);
  });

  it('an admin creates a monthly series; a refusal shows next to its field and keeps the form filled', async () => {
    api = new FakeApi(me({ roles: ['member', 'admin'] }));
    const feed = await mount();
    await waitUntil(() => tools(feed) && button(tools(feed), 'New event'), '"New event" for an admin');
    const t = tools(feed);
    button(t, 'New event')!.click();
    await waitUntil(() => $(t, 'form'), 'form open');
    type(t, '#f-title', 'Petit-déjeuner mensuel');
    type(t, '#f-description', 'Avec **trois** invités.');
    await waitUntil(() => $(t, '[part=preview] strong'), 'the description previewed as members will read it');
    expect(text($(t, '[part=preview] strong'))).to.equal('trois');
    type(t, '#f-startsAt', '2030-03-14T08:00');
    type(t, '#f-endsAt', '2030-03-14T07:00');
    choose(t, '#f-timeZone', 'Europe/Paris');
    await (t as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    // The repeat choices say what they mean for this date.
    const options = $$<HTMLOptionElement>(t, '#f-repeat option').map(text);
    expect(options).to.deep.equal([
      'Does not repeat',
      'Every week on Thursday',
      'Every second week on Thursday',
      'Every month on the second Thursday',
      'Every month on day 14',
    ]);
    choose(t, '#f-repeat', 'monthlyWeekday');
    await (t as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    type(t, '#f-until', '2030-12-31');
    api.refuse = json(
      400,
      problem(400, 'event.ends_before_start', {
        title: 'The event must end after it starts',
        errors: [{ path: 'body.endsAt', message: 'Must be after startsAt.' }],
      }),
    );
    button(t, 'Create')!.click();
    await waitUntil(() => $(t, '#f-endsAt-err'), 'error next to the end');
    expect(text($(t, '#f-endsAt-err'))).to.equal('The end must be after the start.');
    expect($(t, '#f-endsAt')!.getAttribute('aria-invalid')).to.equal('true');
    expect($(t, '#f-endsAt')!.getAttribute('aria-describedby')).to.contain('f-endsAt-err');
    expect($<HTMLInputElement>(t, '#f-title')!.value, 'the form kept').to.equal('Petit-déjeuner mensuel');
    expect($<HTMLSelectElement>(t, '#f-repeat')!.value).to.equal('monthlyWeekday');
    await expect(t).to.be.accessible();

    type(t, '#f-endsAt', '2030-03-14T09:30');
    button(t, 'Create')!.click();
    await waitUntil(() => text($(t, '[role=alert]')) === '3 meetings created.', 'series made');
    const sent = api.calls.filter((c) => c.method === 'POST' && c.path === '/series').at(-1)!.body as NewSeries;
    expect(sent).to.deep.include({
      title: 'Petit-déjeuner mensuel',
      startsAt: '2030-03-14T08:00',
      endsAt: '2030-03-14T09:30',
      timeZone: 'Europe/Paris',
    });
    expect(sent.recurrence).to.deep.equal({ freq: 'monthly', byDay: ['TH'], setPos: 2, until: '2030-12-31' });
    // The feed shows the new occurrences, each with its organiser tools.
    await waitUntil(() => $$(feed, 'article').length === 3, 'occurrences listed');
    expect($$(feed, 'article cercle-event-organiser')).to.have.length(3);
  });

  it('a chapter organiser gets "New event" for their chapters only, and duplicates an event into a filled form', async () => {
    api = new FakeApi(me({ roles: ['member'], organises: [{ id: 'toulouse', name: 'Toulouse' }] }));
    api.events.push(event({ canManage: true, title: 'Afterwork', place: 'Bar des Arts', capacity: 40 }), event({ title: 'Ailleurs' }));
    const feed = await mount();
    await waitUntil(() => tools(feed) && button(tools(feed), 'New event'), '"New event" for a chapter organiser');
    expect($$(feed, 'article cercle-event-organiser'), 'tools on the event they manage only').to.have.length(1);
    const top = tools(feed);
    button(top, 'New event')!.click();
    await waitUntil(() => $(top, 'form'), 'form');
    expect($$<HTMLOptionElement>(top, '#f-chapter option').map((o) => o.value)).to.deep.equal(['toulouse']);
    button(top, 'Close')!.click();

    const own = $(feed, 'article cercle-event-organiser')!;
    button(own, 'Duplicate')!.click();
    await waitUntil(() => $(own, 'form'), 'duplicate form');
    expect($<HTMLInputElement>(own, '#f-title')!.value).to.equal('Afterwork');
    expect($<HTMLInputElement>(own, '#f-place')!.value).to.equal('Bar des Arts');
    expect($<HTMLInputElement>(own, '#f-capacity')!.value).to.equal('40');
    expect($<HTMLInputElement>(own, '#f-startsAt')!.value).to.equal('2030-03-14T08:00');
    button(own, 'Create')!.click();
    await waitUntil(() => api.calls.some((c) => c.method === 'POST' && c.path === '/events'), 'a new event sent');
    expect(api.calls.find((c) => c.path === '/events' && c.method === 'POST')!.body).to.deep.include({
      title: 'Afterwork',
      place: 'Bar des Arts',
      capacity: 40,
      startsAt: '2030-03-14T08:00',
      timeZone: 'Europe/Paris',
    });
    await expect(own).to.be.accessible();
    button(own, 'Close')!.click();

    // An edit sends what changed, and only that.
    button(own, 'Edit')!.click();
    await waitUntil(() => $(own, '#f-place'), 'edit form');
    type(own, '#f-place', 'Halle de la Machine');
    button(own, 'Save')!.click();
    await waitUntil(() => api.calls.some((c) => c.method === 'PATCH'), 'edit sent');
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).to.deep.equal({ place: 'Halle de la Machine' });
  });

  it('shows the venue’s time in the reader’s zone when they differ', async () => {
    api = new FakeApi(me({ roles: ['member', 'admin'] }));
    const feed = await mount();
    await waitUntil(() => tools(feed) && button(tools(feed), 'New event'), 'tools');
    const t = tools(feed);
    button(t, 'New event')!.click();
    await waitUntil(() => $(t, 'form'), 'form');
    type(t, '#f-startsAt', '2030-03-14T08:00');
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    choose(t, '#f-timeZone', here === 'Asia/Tokyo' ? 'Europe/Paris' : 'Asia/Tokyo');
    await waitUntil(() => text($(t, '#f-startsAt-hint')).startsWith('Your time:'), 'local time shown');
  });

  it('check-ins left on the device by a closed page are sent when the tools come back, the door closed', async () => {
    api = new FakeApi(me({ id: 'm-olga', name: 'Olga Organise', roles: ['member'] }));
    const e = event({ canManage: true });
    api.events.push(e);
    const left = { key: 'left-behind-0001', member: 'm-alice', name: 'Alice Durand', walkIn: false, at: START };
    localStorage.setItem(`cercle-door:${SITE}:${e.id}`, JSON.stringify([left]));
    await mount();
    await waitUntil(() => api.checkins.length === 1, 'sent');
    expect(api.calls.find((c) => c.method === 'PUT')).to.deep.include({ path: `/events/${e.id}/checkins/left-behind-0001` });
    await waitUntil(() => localStorage.getItem(`cercle-door:${SITE}:${e.id}`) === null, 'nothing left');
  });

  it('at the door: search, large targets, check-ins kept offline and sent once, walk-ins', async () => {
    api = new FakeApi(me({ id: 'm-olga', name: 'Olga Organise', roles: ['member'] }));
    const [e] = [event({ canManage: true })];
    api.events.push(e);
    const feed = await mount();
    await waitUntil(() => $(feed, 'article cercle-event-organiser'), 'tools on the event');
    const t = $(feed, 'article cercle-event-organiser')!;
    await waitUntil(() => button(t, 'At the door'), 'door button');
    button(t, 'At the door')!.click();
    await waitUntil(() => $$(t, '.door-list button').length === 2, 'the two going');
    for (const b of $$(t, '.door-list button')) expect(b.getBoundingClientRect().height).to.be.at.least(44);
    type(t, '#d-search', 'leger');
    await waitUntil(() => $$(t, '.door-list button').length === 1, 'search folds accents');
    expect(text($(t, '.door-list .name'))).to.equal('Bob Léger +1');
    type(t, '#d-search', '');
    await waitUntil(() => $$(t, '.door-list button').length === 2, 'all again');
    await expect(t).to.be.accessible();

    // The connection drops: the check-in waits on the device.
    api.offline = true;
    button(t, /^Alice Durand/)!.click();
    await waitUntil(() => text($(t, '.counter')).includes('1 check-in waiting to be sent'), 'queued');
    expect(button(t, /^Alice Durand/)!.getAttribute('aria-pressed')).to.equal('true');
    const stored = JSON.parse(localStorage.getItem(`cercle-door:${SITE}:${e.id}`) ?? '[]');
    expect(stored).to.have.length(1);
    const key = stored[0].key;
    // Back online: sent with the same key, counted once.
    api.offline = false;
    window.dispatchEvent(new Event('online'));
    await waitUntil(() => !text($(t, '.counter')).includes('waiting'), 'sent', { timeout: 5000 });
    const puts = api.calls.filter((c) => c.method === 'PUT' && c.path.includes('/checkins/'));
    expect(new Set(puts.map((c) => c.path))).to.deep.equal(new Set([`/events/${e.id}/checkins/${key}`]));
    expect(puts.at(-1)!.body).to.deep.include({ member: 'm-alice' });
    expect(api.checkins).to.have.length(1);
    expect(localStorage.getItem(`cercle-door:${SITE}:${e.id}`)).to.equal(null);
    await waitUntil(() => text($(t, '.counter')) === '1 of 2 in', 'count');

    // A mistaken tap on Bob, taken back by tapping again: the server forgets it under the same key.
    button(t, /^Bob Léger/)!.click();
    await waitUntil(() => api.checkins.some((c) => c.member?.id === 'm-bob'), 'Bob in');
    const bobKey = api.checkins.find((c) => c.member?.id === 'm-bob')!.key;
    await waitUntil(() => button(t, /^Bob Léger/)!.getAttribute('aria-pressed') === 'true', 'pressed');
    button(t, /^Bob Léger/)!.click();
    await waitUntil(() => !api.checkins.some((c) => c.member?.id === 'm-bob'), 'Bob taken back');
    expect(api.calls.some((c) => c.method === 'DELETE' && c.path === `/events/${e.id}/checkins/${bobKey}`)).to.equal(true);
    await waitUntil(() => button(t, /^Bob Léger/)!.getAttribute('aria-pressed') === 'false', 'not pressed');
    await waitUntil(() => text($(t, '.counter')) === '1 of 2 in', 'count back');

    // A walk-in: a name, linked to a member who had said maybe.
    type(t, '#w-name', 'Carol P.');
    choose(t, '#w-member', 'm-carol');
    button(t, 'Let in')!.click();
    await waitUntil(() => api.checkins.length === 2, 'walk-in sent');
    expect(api.calls.at(-1)!.body).to.deep.include({ member: 'm-carol', walkIn: true, name: 'Carol P.' });
    await expect(t).to.be.accessible();
  });
});
