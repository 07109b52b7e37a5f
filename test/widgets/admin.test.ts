import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { AdminChapter, AdminChapterList, ChapterUpdate, WebhookTestResult } from '../../src/contract/admin.js';
import { DeliveryPage, NewWebhook, Sanction, SanctionList, Webhook, WebhookCreated, WebhookList } from '../../src/contract/moderation.js';
import { BatchResponse } from '../../src/contract/requests.js';
import '../../src/widgets/admin/define.js';
import type { CercleAdmin } from '../../src/widgets/admin/admin.js';
import { API, BASE, jwt, LOGIN_URL, me, member, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { json, startWorker, worker } from './kit/msw.js';

const chapter = (o: Partial<AdminChapter> = {}): AdminChapter =>
  AdminChapter.parse({ id: 'lyon', name: 'Lyon', nameEn: null, named: false, organisers: [], moderators: [], updatedAt: null, ...o });
const sanction = (): Sanction =>
  Sanction.parse({
    id: 's1',
    member: member({ id: 'm-noisy', name: 'Noé Bruyant' }),
    kind: 'mute',
    chapter: null,
    reason: 'Hors sujet répété',
    createdAt: '2026-11-01T10:00:00.000Z',
    endsAt: '2026-12-20T10:00:00.000Z',
    moderator: null,
    liftedAt: null,
  });
const hook = (o: Partial<Webhook> = {}): Webhook =>
  Webhook.parse({
    id: 'w1',
    url: 'https://hooks.amicale.test/cercle',
    events: ['rsvp.changed'],
    description: null,
    active: true,
    createdAt: '2026-11-01T10:00:00.000Z',
    ...o,
  });

class FakeApi {
  chapters = [chapter(), chapter({ id: 'paris', name: 'Paris', named: true })];
  sanctions = [sanction()];
  hooks = [hook()];
  writes: { method: string; path: string; body: unknown }[] = [];

  constructor() {
    worker.resetHandlers(
      http.get(TOKEN_URL, () => new HttpResponse(jwt({ roles: ['member', 'admin'] }))),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p)) }));
      }),
      http.get(`${BASE}/*`, ({ request }) => {
        const u = new URL(request.url);
        const a = this.read(u.pathname.slice(new URL(BASE).pathname.length) + u.search);
        return json(a.status, a.body);
      }),
      http.all(`${BASE}/*`, async ({ request }) => {
        const path = new URL(request.url).pathname.slice(new URL(BASE).pathname.length);
        const t = await request.text();
        const body = t ? JSON.parse(t) : undefined;
        this.writes.push({ method: request.method, path, body });
        return this.write(request.method, path, body);
      }),
    );
  }

  private read(path: string): { status: number; body: unknown } {
    const url = new URL(path, 'http://x');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me') return { status: 200, body: me({ roles: ['member', 'admin'] }) };
    if (url.pathname === '/admin/chapters') return { status: 200, body: AdminChapterList.parse({ items: this.chapters, term: 'chapter' }) };
    if (url.pathname === '/moderation/sanctions') return { status: 200, body: SanctionList.parse({ items: this.sanctions }) };
    if (url.pathname === '/admin/webhooks') return { status: 200, body: WebhookList.parse({ items: this.hooks }) };
    if (url.pathname === '/admin/webhooks/deliveries')
      return {
        status: 200,
        body: DeliveryPage.parse({
          items: [
            {
              id: 'd1',
              webhook: 'w1',
              event: 'e1',
              eventType: 'ping',
              status: 'delivered',
              attempts: 1,
              nextAttemptAt: null,
              lastStatus: 204,
              lastError: null,
              createdAt: '2026-11-02T10:00:00.000Z',
              deliveredAt: '2026-11-02T10:00:00.000Z',
            },
          ],
          next: null,
        }),
      };
    return { status: 404, body: problem(404, 'route.not_found') };
  }

  private write(method: string, path: string, body: unknown) {
    const m = /^\/admin\/chapters\/(.+)$/.exec(path);
    if (m && method === 'PUT') {
      const change = ChapterUpdate.parse(body);
      if (change.name === 'Paris') return json(409, problem(409, 'chapter.name_taken'));
      const saved = chapter({
        id: m[1],
        name: change.name,
        nameEn: change.nameEn ?? null,
        named: true,
        organisers: change.organisers ?? [],
        moderators: change.moderators ?? [],
      });
      return json(200, saved);
    }
    if (path === '/moderation/sanctions/s1' && method === 'DELETE') {
      this.sanctions = [];
      return json(200, { ...sanction(), liftedAt: '2026-11-03T10:00:00.000Z' });
    }
    if (path === '/admin/webhooks/w1/test')
      return json(200, WebhookTestResult.parse({ delivered: true, status: 204, error: null, ms: 12, delivery: 'd2' }));
    if (path === '/admin/webhooks/w1' && method === 'PATCH') return json(200, hook({ active: (body as { active: boolean }).active }));
    if (path === '/admin/webhooks' && method === 'POST') {
      const w = NewWebhook.parse(body);
      if (!/^https?:\/\//.test(w.url)) return json(400, problem(400, 'webhook.url_invalid'));
      return json(201, WebhookCreated.parse({ ...hook({ id: 'w2', url: w.url, events: w.events }), secret: 'whsec_test' }));
    }
    return json(404, problem(404, 'route.not_found'));
  }
}

async function mount(view = 'chapters', lang = 'en') {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <h1>Admin</h1>
      <cercle-admin view=${view}></cercle-admin>
    </cercle-community>
  `);
  return root.querySelector<CercleAdmin>('cercle-admin')!;
}

describe('<cercle-admin>', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => (api = new FakeApi()));
  afterEach(() => fixtureCleanup());

  it('names a chapter; a name already taken is refused and the form keeps what was typed', async () => {
    const el = await mount();
    await waitUntil(() => $$(el, 'form[part=chapter]').length === 2);
    await expect(el).to.be.accessible();
    const form = $(el, 'form[part=chapter]') as HTMLFormElement;
    const name = form.querySelector('[name=name]') as HTMLInputElement;
    name.value = 'Paris';
    form.requestSubmit();
    await waitUntil(() => form.querySelector('[role=alert]')?.textContent?.trim());
    expect(text(form.querySelector('[role=alert]'))).to.contain('already bears this name');
    expect(name.value).to.equal('Paris');
    await expect(el).to.be.accessible();
    name.value = 'Lyon Métropole';
    (form.querySelector('[name=organisers]') as HTMLInputElement).value = 'm-1, m-2';
    form.requestSubmit();
    await waitUntil(() => text($(el, 'form[part=chapter] h2')).startsWith('Lyon Métropole'));
    const put = api.writes.at(-1)!;
    expect(put.path).to.equal('/admin/chapters/lyon');
    expect((put.body as ChapterUpdate).organisers).to.deep.equal(['m-1', 'm-2']);
  });

  it('lists sanctions with reason, author and end, and lifts one', async () => {
    const el = await mount('sanctions', 'fr');
    await waitUntil(() => $(el, '[part=sanctions]'));
    const row = text($(el, '[part=sanctions] tbody tr'));
    expect(row).to.contain('Noé Bruyant').and.contain('Hors sujet répété').and.contain('le site');
    await expect(el).to.be.accessible();
    ($(el, '[part=sanctions] button') as HTMLButtonElement).click();
    await waitUntil(() => text($(el, '[role=status]')).includes('levée'));
    expect(text($(el, '[part=base]'))).to.contain('Aucune sanction en cours.');
    await expect(el).to.be.accessible();
  });

  it('sends a test, pauses and reads the log of a webhook; an invalid address is said', async () => {
    const el = await mount('webhooks');
    await waitUntil(() => $(el, '[part=webhook]'));
    const buttons = $$(el, '[part=webhook] button');
    buttons[0].click();
    await waitUntil(() => text($(el, '[part=webhook]')).includes('answered 204 in 12 ms'));
    buttons[1].click();
    await waitUntil(() => text($(el, '[part=webhook] h2')).includes('Paused'));
    buttons[2].click();
    await waitUntil(() => $(el, '[part=webhook] table'));
    expect(text($(el, '[part=webhook] table tbody')))
      .to.contain('ping')
      .and.contain('204');
    await expect(el).to.be.accessible();
    const form = $$(el, 'form').at(-1) as HTMLFormElement;
    (form.querySelector('[name=url]') as HTMLInputElement).type = 'text';
    (form.querySelector('[name=url]') as HTMLInputElement).value = 'ftp://nope';
    (form.querySelector('[name=events]') as HTMLInputElement).checked = true;
    form.requestSubmit();
    await waitUntil(() => form.querySelector('[role=alert]')?.textContent?.trim());
    expect(text(form.querySelector('[role=alert]'))).to.contain('not a valid');
    expect((form.querySelector('[name=url]') as HTMLInputElement).value).to.equal('ftp://nope');
    await expect(el).to.be.accessible();
  });
});
