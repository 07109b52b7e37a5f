import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { Insights } from '../../src/contract/admin.js';
import { BatchResponse } from '../../src/contract/requests.js';
import '../../src/widgets/insights/define.js';
import type { CercleInsights } from '../../src/widgets/insights/insights.js';
import { toCsv } from '../../src/widgets/insights/csv.js';
import { niceMax } from '../../src/widgets/insights/views.js';
import { API, BASE, jwt, LOGIN_URL, me, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { json, startWorker, worker } from './kit/msw.js';

const WEEKS = ['2026-11-02', '2026-11-09', '2026-11-16'];

const insights = (o: Partial<Insights> = {}): Insights =>
  Insights.parse({
    from: '2026-11-02',
    to: '2026-11-18',
    chapter: null,
    chapters: [
      { id: 'lyon', name: 'Lyon Métropole' },
      { id: 'paris', name: 'Paris' },
    ],
    weeks: WEEKS,
    participation: [
      { week: WEEKS[0], members: 2, posted: 2, useful: 0, attended: 1, introduced: 0, newcomers: 1 },
      { week: WEEKS[1], members: 3, posted: 0, useful: 1, attended: 1, introduced: 2, newcomers: 2 },
      { week: WEEKS[2], members: 1, posted: 1, useful: 0, attended: 0, introduced: 0, newcomers: 0 },
    ],
    unanswered: {
      count: 2,
      items: [
        {
          key: 'https://amicale.test/forum/q',
          title: 'Qui connaît un expert-comptable ?',
          url: 'https://amicale.test/forum/q',
          openedAt: '2026-11-03T10:00:00.000Z',
          answeredAt: null,
        },
        { key: 'late', title: null, url: null, openedAt: '2026-11-04T10:00:00.000Z', answeredAt: '2026-11-12T10:00:00.000Z' },
      ],
    },
    events: [
      { id: 'e1', title: 'Afterwork Lyon', startsAt: '2026-11-05T18:00:00.000Z', capacity: 10, taken: 3, going: 2, attended: 1 },
      { id: 'e2', title: 'Visite Paris', startsAt: '2026-11-12T18:00:00.000Z', capacity: null, taken: 1, going: 1, attended: null },
    ],
    introductions: [
      { week: WEEKS[0], requested: 0, accepted: 0 },
      { week: WEEKS[1], requested: 2, accepted: 1 },
      { week: WEEKS[2], requested: 0, accepted: 0 },
    ],
    ...o,
  });

const empty = (): Insights =>
  insights({
    participation: WEEKS.map((week) => ({ week, members: 0, posted: 0, useful: 0, attended: 0, introduced: 0, newcomers: 0 })),
    unanswered: { count: 0, items: [] },
    events: [],
    introductions: WEEKS.map((week) => ({ week, requested: 0, accepted: 0 })),
  });

class FakeApi {
  reads: string[] = [];
  answer: () => { status: number; body: unknown } = () => ({ status: 200, body: insights() });
  gate?: Promise<unknown>;

  constructor() {
    worker.resetHandlers(
      http.get(TOKEN_URL, () => new HttpResponse(jwt({ roles: ['member', 'community'] }))),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        await this.gate;
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p)) }));
      }),
      http.get(`${BASE}/*`, async ({ request }) => {
        const u = new URL(request.url);
        await this.gate;
        const a = this.read(u.pathname.slice(new URL(BASE).pathname.length) + u.search);
        return json(a.status, a.body);
      }),
    );
  }

  private read(path: string): { status: number; body: unknown } {
    const url = new URL(path, 'http://x');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me') return { status: 200, body: me({ roles: ['member'] }) };
    if (url.pathname === '/insights') {
      this.reads.push(url.search);
      return this.answer();
    }
    return { status: 404, body: problem(404, 'not_found') };
  }
}

async function mount(lang = 'en', attrs: { chapter?: string } = {}) {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <h1>Team</h1>
      <cercle-insights chapter=${attrs.chapter ?? ''}></cercle-insights>
    </cercle-community>
  `);
  return root.querySelector<CercleInsights>('cercle-insights')!;
}

describe('<cercle-insights>', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => (api = new FakeApi()));
  afterEach(() => fixtureCleanup());

  it('says it is loading, accessibly, until the counts come', async () => {
    let open!: () => void;
    api.gate = new Promise<void>((r) => (open = r));
    const el = await mount();
    await waitUntil(() => text($(el, '[role=status]')).includes('Loading'));
    expect($(el, '[part=base]')!.getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
    open();
    await waitUntil(() => $(el, 'section'));
  });

  it('draws each chart with a title, a summary, a data table and a CSV button', async () => {
    const el = await mount();
    await waitUntil(() => $$(el, 'section').length === 4);
    const charts = $$(el, 'svg.chart');
    expect(charts.length).to.equal(3);
    for (const c of charts) {
      expect(c.getAttribute('role')).to.equal('img');
      const [title, desc] = c.getAttribute('aria-labelledby')!.split(' ');
      expect(text(c.querySelector(`#${title}`))).to.not.equal('');
      expect(text(c.querySelector(`#${desc}`))).to.not.equal('');
    }
    expect(text(charts[0].querySelector('desc'))).to.equal('2 took part at least once a week on average; 3 newcomers in all.');
    // Two bars a week: members who took part, newcomers (hatched, not only another colour).
    const bars = charts[0].querySelectorAll('rect.bar');
    expect(bars.length).to.equal(6);
    expect(bars[1].getAttribute('fill')).to.match(/^url\(#participation-hatch\)$/);
    // The numbers themselves are in the tables.
    const table = $(el, 'section table')!;
    expect(text(table.querySelector('tbody tr')))
      .to.contain('2')
      .and.contain('Nov');
    expect($$(el, 'button[part=csv]').length).to.equal(4);
    // Threads to nudge, with their links.
    const link = $(el, '[part=threads] a') as HTMLAnchorElement;
    expect(link.href).to.equal('https://amicale.test/forum/q');
    expect(text($(el, '[part=threads]'))).to.contain('late');
    expect(text($(el, '[part=base]'))).to.contain('2 threads to nudge');
    // Event fill: 3 of 10 places, 1 of 2 came; no limit and attendance not taken are said.
    const rows = $$(el, 'section:nth-of-type(3) tbody tr');
    expect(text(rows[0])).to.contain('30 %').and.contain('50 %');
    expect(text(rows[1])).to.contain('no limit').and.contain('not taken');
    await expect(el).to.be.accessible();
    // Every table opened: still accessible.
    for (const d of $$(el, 'details')) (d as HTMLDetailsElement).open = true;
    await expect(el).to.be.accessible();
  });

  it('reads another period or chapter from its form', async () => {
    const el = await mount();
    await waitUntil(() => $(el, 'section'));
    const form = $(el, 'form') as HTMLFormElement;
    (form.querySelector('[name=from]') as HTMLInputElement).value = '2026-10-05';
    (form.querySelector('[name=chapter]') as HTMLSelectElement).value = 'lyon';
    api.answer = () => ({ status: 200, body: insights({ chapter: { id: 'lyon', name: 'Lyon Métropole' } }) });
    form.requestSubmit();
    await waitUntil(() => api.reads.length === 2);
    expect(api.reads[1]).to.contain('from=2026-10-05').and.contain('chapter=lyon');
    await waitUntil(() => text($(el, '[role=status]')).includes('Lyon Métropole'));
    expect(($(el, '[name=chapter]') as HTMLSelectElement).value).to.equal('lyon');
  });

  it('says when nothing happened', async () => {
    api.answer = () => ({ status: 200, body: empty() });
    const el = await mount('fr');
    await waitUntil(() => $$(el, 'section').length === 4);
    expect($$(el, 'svg.chart').length).to.equal(0);
    expect(text($(el, '[part=base]'))).to.contain('Aucun événement sur cette période.');
    expect(text($(el, '[part=base]'))).to.contain('Chaque discussion ouverte');
    await expect(el).to.be.accessible();
  });

  it('tells a member outside the team why they see nothing, with a retry', async () => {
    api.answer = () => ({ status: 403, body: problem(403, 'insights.forbidden') });
    const el = await mount();
    await waitUntil(() => $(el, '[role=alert]'));
    expect(text($(el, '[role=alert]'))).to.contain('community team');
    expect($$(el, 'section').length).to.equal(0);
    await expect(el).to.be.accessible();
    api.answer = () => ({ status: 200, body: insights() });
    ($(el, '[role=alert] button') as HTMLButtonElement).click();
    await waitUntil(() => $$(el, 'section').length === 4);
  });

  it('writes CSV that spreadsheets read safely', () => {
    const csv = toCsv([
      ['week', 'title'],
      ['2026-11-02', '=HYPERLINK("x")'],
      ['2026-11-09', 'a, "b"'],
    ]);
    expect(csv).to.equal('\uFEFFweek,title\r\n2026-11-02,"\'=HYPERLINK(""x"")"\r\n2026-11-09,"a, ""b"""\r\n');
    expect(niceMax(0)).to.equal(1);
    expect(niceMax(7)).to.equal(10);
    expect(niceMax(130)).to.equal(200);
  });
});
