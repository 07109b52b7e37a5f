import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { nothing } from 'lit';
import { strict } from '../../src/client/strict.js';
import { Engagement, MyEngagement, type BadgeOut } from '../../src/contract/engagement.js';
import '../../src/index.js';
import type { CercleEngagementBadge } from '../../src/index.js';
import { FakeApi, startWorker } from './api.js';
import { API, LOGIN_URL, member, problem, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { accessibleInEveryMode } from './kit/media.js';

type Answer = { status: number; body: unknown };

const level = (rank: number) =>
  [
    { id: 'nouveau', name: { fr: 'Nouveau membre', en: 'New member' }, rank: 0, of: 4, since: null },
    { id: 'contributeur', name: { fr: 'Contributeur', en: 'Contributor' }, rank: 1, of: 4, since: '2026-03-02T10:00:00.000Z' },
    { id: 'pilier', name: { fr: 'Pilier', en: 'Pillar' }, rank: 2, of: 4, since: null },
  ][rank];

const badge = (o: Partial<BadgeOut> = {}): BadgeOut => ({
  id: 'premiere-contribution',
  name: { fr: 'Première contribution', en: 'First contribution' },
  description: { fr: 'A publié sa première contribution.', en: 'Posted their first contribution.' },
  icon: 'spark',
  chapter: null,
  awardedAt: '2026-03-01T10:00:00.000Z',
  ...o,
});

const useful = badge({
  id: 'reponse-utile-10',
  icon: 'lightbulb',
  name: { fr: 'Réponse utile ×10', en: 'Helpful answer ×10' },
  description: { fr: 'Jugé utile dix fois.', en: 'Marked useful ten times.' },
});

const next = {
  level: level(2),
  percent: 45,
  requirements: [
    { kinds: ['useful.received' as const], current: 4, target: 10, withinDays: null, badge: null, level: null, met: false },
    { kinds: ['event.attended' as const], current: 5, target: 5, withinDays: null, badge: null, level: null, met: true },
  ],
};

const engagement = (o: Partial<Engagement> = {}) =>
  Engagement.parse({ member: member(), hidden: false, level: level(1), badges: [badge(), useful], next: null, ...o });

const mine = () =>
  MyEngagement.parse({
    ...engagement({ next }),
    badges: [
      {
        ...badge(),
        reasons: [{ kind: 'comment.posted', ref: 'c-1', at: '2026-03-01T10:00:00.000Z', label: 'Assemblée générale', chapter: null }],
      },
    ],
    levelReasons: [{ kind: 'event.attended', ref: 'e-1', at: '2026-03-02T10:00:00.000Z', label: 'Petit-déjeuner', chapter: 'lyon' }],
    upcoming: [{ ...useful, percent: 40, requirements: [next.requirements[0]] }],
  });

/** The fake API, answering the engagement reads too. */
function fakeApi(answers: (path: string, auth: string | null) => Answer | undefined): FakeApi {
  const api = new FakeApi();
  const own = api as unknown as { read(path: string, auth: string | null): Answer };
  const base = own.read.bind(api);
  own.read = (path, auth) => answers(path, auth) ?? base(path, auth);
  return api;
}

async function mount(
  attrs: { member: string; view?: string; level?: number },
  lang = 'en',
  signedIn = true,
): Promise<CercleEngagementBadge> {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${signedIn ? TOKEN_URL : ''} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <p>Ada Lovelace <cercle-engagement-badge member=${attrs.member} view=${attrs.view ?? 'compact'}
        heading-level=${attrs.level ?? nothing}></cercle-engagement-badge></p>
    </cercle-community>
  `);
  return root.querySelector('cercle-engagement-badge')!;
}

describe('<cercle-engagement-badge>', () => {
  before(startWorker);
  afterEach(fixtureCleanup);

  it('compact: a chip whose one accessible name gives the level and every badge', async () => {
    fakeApi((path) => (path.startsWith('/engagement/members/m-ada') ? { status: 200, body: engagement() } : undefined));
    const el = await mount({ member: 'm-ada' });
    await waitUntil(() => $(el, '[role=img]'), 'chip shown');
    const chip = $(el, '[role=img]')!;
    expect(chip.getAttribute('aria-label')).to.equal('Level Contributor. Badges: First contribution, Helpful answer ×10.');
    expect(text($(el, '[part=level]'))).to.equal('Contributor');
    expect($$(el, '[part=icon]')).to.have.length(3);
    await accessibleInEveryMode(el);
  });

  it("compact, loading: reserves the chip's space; French once loaded", async () => {
    fakeApi((path) => (path.startsWith('/engagement/members/') ? { status: 200, body: engagement() } : undefined));
    const el = await mount({ member: 'm-ada' }, 'fr');
    // The first render waits for the French strings (no English flash), then shows the chip's room at once.
    await el.updateComplete;
    expect($(el, '[part=base]'), 'a placeholder chip at the first render').to.exist;
    await waitUntil(() => $(el, '[role=img]'), 'chip shown');
    expect($(el, '[role=img]')!.getAttribute('aria-label')).to.equal(
      'Niveau Contributeur. Badges\u00a0: Première contribution, Réponse utile ×10.',
    );
    await accessibleInEveryMode(el);
  });

  it('hidden by the member, or failing: shows nothing next to the name', async () => {
    fakeApi((path) =>
      path.startsWith('/engagement/members/m-ada')
        ? { status: 200, body: engagement({ hidden: true, level: null, badges: [] }) }
        : path.startsWith('/engagement/members/m-x')
          ? { status: 404, body: problem(404, 'member.unknown') }
          : undefined,
    );
    const hidden = await mount({ member: 'm-ada' });
    await waitUntil(() => !$(hidden, '[part=base]'), 'nothing shown');
    await accessibleInEveryMode(hidden);
    fixtureCleanup();
    const unknown = await mount({ member: 'm-x' });
    await waitUntil(() => !$(unknown, '[part=base]'), 'nothing shown');
  });

  it('full: progress in numbers and a progress bar, badges with their dates', async () => {
    fakeApi((path) => (path === '/engagement/members/m-ada?view=full' ? { status: 200, body: engagement({ next }) } : undefined));
    const el = await mount({ member: 'm-ada', view: 'full' });
    await waitUntil(() => $(el, '[part=progress]'), 'card shown');
    expect(text($(el, 'h2'))).to.equal('Contributor');
    expect(text($(el, 'h2 + .muted'))).to.match(/^level 2 of 4\b/, 'the site has four levels, whatever comes next');
    expect(text($(el, '#next'))).to.equal('Towards the “Pillar” level');
    expect($<HTMLProgressElement>(el, 'progress')!.value).to.equal(45);
    expect($$(el, '.req').map(text)).to.deep.equal(['“useful” reactions received 4 of 10', 'events attended 5 of 5']);
    expect($$(el, '[part=badge] h3').map(text)).to.deep.equal(['First contribution', 'Helpful answer ×10']);
    expect(text($(el, '[part=badge] .muted'))).to.contain('Earned on March 1, 2026');
    expect($(el, 'details'), 'no "why" for someone else').to.not.exist;
    await accessibleInEveryMode(el);
  });

  it('heading-level: the level heading fits under the host page, the inner headings follow it', async () => {
    fakeApi((path) => (path === '/engagement/members/m-ada?view=full' ? { status: 200, body: engagement({ next }) } : undefined));
    const el = await mount({ member: 'm-ada', view: 'full', level: 4 });
    await waitUntil(() => $(el, '[part=progress]'), 'card shown');
    expect($(el, 'h2')!.getAttribute('aria-level')).to.equal('4');
    expect($$(el, 'h3').map((h) => h.getAttribute('aria-level'))).to.satisfy((l: string[]) => l.length > 0 && l.every((x) => x === '5'));
    el.removeAttribute('heading-level');
    await el.updateComplete;
    expect($(el, 'h2')!.hasAttribute('aria-level')).to.equal(false, 'unset: the levels as written');
    await accessibleInEveryMode(el);
  });

  it('full, me: why I hold each badge and my level, what is next, and the switch to hide them', async () => {
    fakeApi((path, auth) =>
      path === '/engagement/me' ? (auth ? { status: 200, body: mine() } : { status: 401, body: problem(401, 'auth.missing') }) : undefined,
    );
    const el = await mount({ member: 'me', view: 'full' });
    await waitUntil(() => $(el, '[part=badge]'), 'card shown');
    const whys = $$(el, 'details summary').map(text);
    expect(whys).to.include.members(['Why I am at this level', 'Why I have this', 'Export as Open Badge']);
    const reasons = $$(el, '[part=badge] .reasons li').map(text);
    expect(reasons[0]).to.match(/^Posted a contribution — Assemblée générale, March 1, 2026$/);
    expect(text($(el, '.badge.todo h4'))).to.equal('Helpful answer ×10');
    expect($<HTMLInputElement>(el, '[part=hide] input')!.checked).to.equal(false);
    expect($(el, 'form')!.getAttribute('aria-label')).to.equal('Export “First contribution” as an Open Badge');
    for (const d of $$(el, 'details')) (d as HTMLDetailsElement).open = true;
    await accessibleInEveryMode(el);
  });

  it("full, me, signed out: the site's sign-in link", async () => {
    fakeApi(() => undefined);
    const el = await mount({ member: 'me', view: 'full' }, 'en', false);
    await waitUntil(() => $(el, 'a'), 'link shown');
    expect($(el, 'a')!.getAttribute('href')).to.equal(LOGIN_URL);
    await accessibleInEveryMode(el);
  });

  it('full, error: says so and offers to try again', async () => {
    let fail = true;
    fakeApi((path) =>
      path.startsWith('/engagement/members/')
        ? fail
          ? { status: 503, body: problem(503, 'server.error') }
          : { status: 200, body: engagement() }
        : undefined,
    );
    const el = await mount({ member: 'm-ada', view: 'full' });
    await waitUntil(() => $(el, '[role=alert]'), 'error shown');
    expect(text($(el, '[role=alert] p'))).to.contain('Engagement could not be loaded.');
    await accessibleInEveryMode(el);
    fail = false;
    $<HTMLButtonElement>(el, '[role=alert] button')!.click();
    await waitUntil(() => $(el, '[part=badge]'), 'card shown after retry');
  });
});
