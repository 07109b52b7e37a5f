import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { json, startWorker, worker } from './kit/msw.js';
import { strict } from '../../src/client/strict.js';
import { LiveControlAccepted, LiveEvent, LiveReady } from '../../src/contract/live.js';
import {
  AdminSettings,
  AuditPage,
  BulkModerate,
  BulkResult,
  NewSanction,
  QueueItem,
  QueuePage,
  Sanction,
  SettingsPatch,
} from '../../src/contract/moderation.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Thread } from '../../src/contract/resources.js';
import '../../src/widgets/moderation/define.js';
import type { CercleModeration } from '../../src/widgets/moderation/moderation.js';
import { API, BASE, comment, jwt, LOGIN_URL, me, member, problem, site, SITE, thread, TOKEN_URL } from './fixtures.js';
import { $, text } from './kit/dom.js';
import { accessibleInEveryMode, colourMode, inEveryMode, resetColours } from './kit/media.js';

const enc = new TextEncoder();

let seq = 0;
const slug = (name = 'Grace Hopper') => `m-${name.split(' ')[0].toLowerCase()}`;
const item = (
  o: {
    body?: string;
    author?: string;
    status?: 'pending' | 'published';
    held?: 'word' | 'first_post';
    flags?: number;
    chapter?: string;
  } = {},
): QueueItem => {
  const status = o.status ?? 'pending';
  return QueueItem.parse({
    comment: comment({
      id: `c-${++seq}`,
      body: o.body ?? `Commentaire ${seq}`,
      status,
      author: member({ id: slug(o.author), name: o.author ?? 'Grace Hopper' }),
      ...(status === 'pending' ? { heldReason: o.held ?? 'first_post' } : {}),
      flagCount: o.flags ?? 0,
    }),
    thread: Thread.parse(
      thread({
        key: `https://amicale.test/articles/${seq}`,
        title: 'Assemblée générale',
        audience: o.chapter ? `chapter:${o.chapter}` : 'public',
      }),
    ),
    reasons: [...(status === 'pending' ? ['pending'] : []), ...(o.flags ? ['flagged'] : [])],
    flags: o.flags ? [{ reason: 'abuse', count: o.flags }] : [],
    flagNotes: o.flags ? ['Propos blessants'] : [],
    author: { member: member({ id: slug(o.author), name: o.author ?? 'Grace Hopper' }), sanctions: [], publishedCount: 2 },
  });
};

const settings = (): AdminSettings =>
  AdminSettings.parse({
    name: 'Amicale',
    origins: ['https://amicale.test'],
    loginUrl: LOGIN_URL,
    publicRead: true,
    publicProfiles: false,
    reactions: ['thanks', 'useful'],
    maxCommentLength: 5000,
    editWindowSeconds: 900,
    premoderation: 'off',
    heldWords: ['arnaque'],
    blockedWords: [],
    rateLimits: { commentBurst: 10, commentsPerMinute: 4, writeBurst: 60, writesPerMinute: 60 },
    spamCheck: null,
    keys: [{ kid: 'amicale-k1', alg: 'HS256', createdAt: '2025-01-01T00:00:00.000Z', retiresAt: null }],
  });

interface Call {
  method: string;
  path: string;
  body: unknown;
}

class FakeApi {
  calls: Call[] = [];
  items: QueueItem[] = [];
  admin = false;
  forbidden = false;
  scope = { siteWide: true, chapters: [] as string[] };
  gate?: Promise<unknown>;
  private ctrl?: ReadableStreamDefaultController<Uint8Array>;
  private liveSeq = 10;
  opens = 0;

  constructor() {
    worker.resetHandlers(
      http.get(TOKEN_URL, () => new HttpResponse(jwt({ roles: ['member', 'moderator'] }))),
      http.post(`${BASE}/live`, () => {
        this.opens++;
        const ready = LiveReady.parse({
          stream: 'stream-abcdefgh',
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: String(this.liveSeq),
        });
        const stream = new ReadableStream<Uint8Array>({
          start: (c) => {
            this.ctrl = c;
            c.enqueue(enc.encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.post(`${BASE}/live/:stream`, () => HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 })),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        this.calls.push({ method: 'POST', path: '/batch', body });
        await this.gate;
        return json(200, BatchResponse.parse({ results: body.reads.map((p) => this.read(p)) }));
      }),
      http.get(`${BASE}/*`, async ({ request }) => {
        const path = new URL(request.url).pathname.slice(new URL(BASE).pathname.length) + new URL(request.url).search;
        this.calls.push({ method: 'GET', path, body: undefined });
        await this.gate;
        const a = this.read(path);
        return json(a.status, a.body);
      }),
      http.all(`${BASE}/*`, async ({ request }) => {
        const url = new URL(request.url);
        const path = url.pathname.slice(new URL(BASE).pathname.length);
        const text = await request.text();
        const body = text ? JSON.parse(text) : undefined;
        this.calls.push({ method: request.method, path, body });
        return this.write(request.method, path, body);
      }),
    );
  }

  send(ref: string) {
    const id = String(++this.liveSeq);
    const ev = LiveEvent.parse({ id, topic: 'site:moderation', kind: 'moderation.changed', ref, at: new Date().toISOString() });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }

  writes() {
    return this.calls.filter((c) => c.method !== 'GET' && c.path !== '/batch');
  }

  private read(path: string): { status: number; body: unknown } {
    const url = new URL(path, 'http://x');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me') return { status: 200, body: me({ roles: this.admin ? ['member', 'admin'] : ['member', 'moderator'] }) };
    if (url.pathname === '/moderation/queue') {
      if (this.forbidden) return { status: 403, body: problem(403, 'moderation.forbidden') };
      const filter = url.searchParams.get('filter');
      const items = this.items.filter(
        (i) =>
          !filter ||
          (filter === 'flagged' ? i.flags.length : filter === 'word' ? i.comment.heldReason === 'word' : i.comment.status === 'pending'),
      );
      const pending = this.items.filter((i) => i.comment.status === 'pending').length;
      return {
        status: 200,
        body: QueuePage.parse({
          items,
          next: null,
          admin: this.admin,
          scope: this.scope,
          counts: {
            pending,
            flagged: this.items.filter((i) => i.flags.length).length,
            word: this.items.filter((i) => i.comment.heldReason === 'word').length,
            spam: 0,
          },
        }),
      };
    }
    if (url.pathname === '/admin/settings') return { status: 200, body: settings() };
    if (url.pathname === '/admin/audit') {
      return {
        status: 200,
        body: AuditPage.parse({
          items: [
            {
              id: 'a1',
              at: '2025-03-01T10:00:00.000Z',
              actor: member({ id: 'm-modo', name: 'Mona Modère' }),
              actorKind: 'member',
              action: 'hide',
              comment: 'c-1',
              thread: 'https://amicale.test/articles/1',
              member: null,
              chapter: null,
              note: 'Hors sujet',
              details: null,
            },
            {
              id: 'a2',
              at: '2025-03-01T09:00:00.000Z',
              actor: null,
              actorKind: 'cli',
              action: 'import',
              comment: null,
              thread: null,
              member: null,
              chapter: null,
              note: null,
              details: { format: 'wxr' },
            },
          ],
          next: null,
        }),
      };
    }
    return { status: 404, body: problem(404, 'route.not_found') };
  }

  private write(method: string, path: string, body: unknown): Response {
    if (path === '/moderation/actions') {
      const b = BulkModerate.parse(body);
      this.items = this.items.filter((i) => !b.comments.includes(i.comment.id));
      return json(
        200,
        BulkResult.parse({
          results: b.comments.map((id) => ({
            id,
            changed: true,
            status: b.action === 'approve' ? 'published' : b.action === 'hide' ? 'hidden' : 'deleted',
          })),
        }),
      );
    }
    if (path === '/moderation/sanctions') {
      const b = NewSanction.parse(body);
      return json(
        201,
        Sanction.parse({
          id: 's1',
          member: member({ id: b.member }),
          kind: b.kind,
          chapter: b.chapter ?? null,
          reason: b.reason,
          createdAt: new Date().toISOString(),
          endsAt: null,
          moderator: null,
          liftedAt: null,
        }),
      );
    }
    if (path === '/threads') return json(200, Thread.parse(thread({ locked: (body as { locked: boolean }).locked })));
    if (path === '/admin/settings') return json(200, AdminSettings.parse({ ...settings(), ...SettingsPatch.parse(body) }));
    return json(404, problem(404, 'route.not_found'));
  }
}

async function mount(lang = 'en', attrs: Record<string, string> = {}): Promise<CercleModeration> {
  const el = document.createElement('cercle-moderation');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <h1>Back office</h1>
      ${el}
    </cercle-community>
  `);
  return root.querySelector('cercle-moderation')!;
}

const $$ = <T extends Element = HTMLElement>(el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll<T>(selector)];
const button = (el: Element, name: string | RegExp) =>
  $$<HTMLButtonElement>(el, 'button').find((b) => (typeof name === 'string' ? text(b) === name : name.test(text(b))));
const articles = (el: Element) => $$(el, 'article');
const focused = (el: Element) => el.shadowRoot!.activeElement as HTMLElement | null;
const statusText = (el: Element) => text($(el, 'p.sr[role=status]'));

describe('<cercle-moderation>', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => (api = new FakeApi()));
  afterEach(fixtureCleanup);

  it('loading: says so, accessibly', async () => {
    let release!: () => void;
    api.gate = new Promise<void>((r) => (release = r));
    try {
      const el = await mount();
      await waitUntil(() => $(el, '.skeleton'), 'loading');
      expect(text($(el, '[role=status]'))).to.equal('Loading…');
      await accessibleInEveryMode(el);
    } finally {
      release();
    }
  });

  it('empty: nothing to review', async () => {
    const el = await mount();
    await waitUntil(() => $(el, '[part=empty]'), 'empty');
    expect(text($(el, '[part=empty]'))).to.equal('Nothing to review. Well done!');
    await accessibleInEveryMode(el);
  });

  it('refuses a member without the moderator role, clearly', async () => {
    api.forbidden = true;
    const el = await mount();
    await waitUntil(() => $(el, '[role=alert]'), 'refusal');
    expect(text($(el, '[role=alert]'))).to.equal('Your account does not moderate this site.');
    await accessibleInEveryMode(el);
  });

  it("filled: the page's reads in one request; reasons, flags, notes and the author's record; text as text", async () => {
    api.items = [
      item({ held: 'word', body: '<img src=x onerror=alert(1)> arnaque' }),
      item({ status: 'published', flags: 2, author: 'Ada Lovelace' }),
    ];
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'two items');
    expect(api.calls.map((c) => c.method + ' ' + c.path)).to.deep.equal(['POST /batch']);
    expect((api.calls[0].body as { reads: string[] }).reads).to.include('/moderation/queue');
    const [a, b] = articles(el);
    expect(text(a.querySelector('.reasons'))).to.contain('Word list');
    expect(text(a.querySelector('.reasons'))).to.contain('2 published comments');
    expect(a.querySelector('img')).to.equal(null);
    expect(text(a.querySelector('[part=body]'))).to.equal('<img src=x onerror=alert(1)> arnaque');
    expect(text(b.querySelector('.reasons'))).to.contain('2 flags (abuse)');
    expect(text(b.querySelector('.notes'))).to.contain('Propos blessants');
    expect(text(button(el, /^Waiting/)!)).to.equal('Waiting 1');
    await accessibleInEveryMode(el);
  });

  it('clears the queue by keyboard: j/k move, a approves, h hides; focus stays in the list', async () => {
    api.items = [item({ body: 'Premier' }), item({ body: 'Deuxième' }), item({ body: 'Troisième' })];
    const el = await mount();
    await waitUntil(() => articles(el).length === 3, 'three items');
    articles(el)[0].focus();
    await sendKeys({ press: 'j' });
    await waitUntil(() => focused(el)?.dataset.index === '1', 'second item focused');
    await sendKeys({ press: 'k' });
    await waitUntil(() => focused(el)?.dataset.index === '0', 'first item focused');
    await sendKeys({ press: 'j' });
    await waitUntil(() => focused(el)?.dataset.index === '1', 'second item focused again');
    await sendKeys({ press: 'a' });
    await waitUntil(() => articles(el).length === 2, 'one approved');
    expect(api.writes()[0]).to.deep.include({ method: 'POST', path: '/moderation/actions' });
    expect(api.writes()[0].body).to.deep.equal({ action: 'approve', comments: ['c-' + (seq - 1)] });
    expect(statusText(el)).to.equal('Approved.');
    await waitUntil(() => focused(el)?.tagName === 'ARTICLE', 'an item keeps the focus');
    expect(text(focused(el)!.querySelector('[part=body]'))).to.equal('Troisième');
    await sendKeys({ press: 'h' });
    await waitUntil(() => articles(el).length === 1, 'one hidden');
    expect(api.writes()[1].body).to.deep.equal({ action: 'hide', comments: ['c-' + seq] });
    await waitUntil(() => focused(el)?.tagName === 'ARTICLE', 'the last item has the focus');
    await sendKeys({ press: 'a' });
    await waitUntil(() => $(el, '[part=empty]'), 'queue cleared');
    await accessibleInEveryMode(el);
  });

  it('acts in bulk on the selection (x selects), in one request', async () => {
    api.items = [item(), item(), item()];
    const el = await mount();
    await waitUntil(() => articles(el).length === 3, 'items');
    articles(el)[0].focus();
    await sendKeys({ press: 'x' });
    await sendKeys({ press: 'j' });
    await sendKeys({ press: 'j' });
    await sendKeys({ press: 'x' });
    await waitUntil(() => text($(el, '[part=bulk]')).includes('2 selected'), 'two selected');
    button(el, 'Hide')!.click();
    await waitUntil(() => articles(el).length === 1, 'two hidden');
    expect(api.writes()).to.have.length(1);
    expect((api.writes()[0].body as { comments: string[] }).comments).to.have.length(2);
    expect(statusText(el)).to.equal('2 comments: Hidden.');
  });

  it('mutes an author for a period with a reason (m opens the form)', async () => {
    api.items = [item({ author: 'Bob Leroy' })];
    const el = await mount();
    await waitUntil(() => articles(el).length === 1, 'item');
    articles(el)[0].focus();
    await sendKeys({ press: 'm' });
    await waitUntil(() => $(el, 'form.dialog'), 'form');
    expect(text($(el, 'form.dialog h2'))).to.equal('Mute Bob Leroy');
    await accessibleInEveryMode(el);
    ($(el, 'select[name=days]') as HTMLSelectElement).value = '7';
    ($(el, 'textarea[name=reason]') as HTMLTextAreaElement).value = 'Propos agressifs';
    button(el, 'Confirm')!.click();
    await waitUntil(() => !$(el, 'form.dialog'), 'form closed');
    expect(api.writes()[0]).to.deep.equal({
      method: 'POST',
      path: '/moderation/sanctions',
      body: { member: 'm-bob', kind: 'mute', reason: 'Propos agressifs', days: 7 },
    });
    expect(statusText(el)).to.equal('Member muted.');
  });

  it('shows live changes behind a button, without moving the list', async () => {
    api.items = [item()];
    const el = await mount();
    await waitUntil(() => articles(el).length === 1, 'item');
    // The previous test's page stream lets go of the tabs' lock within a second; then this one opens.
    await waitUntil(() => api.opens >= 1, 'stream opened', { timeout: 4000 });
    const top = articles(el)[0].getBoundingClientRect().top;
    api.items.push(item({ body: 'Arrivé en direct' }));
    api.send('c-live');
    await waitUntil(() => $(el, '[part=updates]'), 'updates button');
    expect(text($(el, '[part=updates]'))).to.equal('1 change to the queue — show');
    expect(articles(el)[0].getBoundingClientRect().top).to.equal(top);
    await accessibleInEveryMode(el);
    ($(el, '[part=updates]') as HTMLButtonElement).click();
    await waitUntil(() => articles(el).length === 2, 'reloaded');
  });

  it('gives administrators the settings, the signing keys (ids and algorithms, no rotation, no secret) and the audit log, in French', async () => {
    api.admin = true;
    const el = await mount('fr');
    await waitUntil(() => $(el, '[role=tablist]'), 'tabs');
    expect($$(el, '[role=tab]').map(text)).to.deep.equal(['File d’attente', 'Réglages du site', 'Journal']);
    ($(el, '#tab-settings') as HTMLButtonElement).click();
    await waitUntil(() => $(el, 'form.settings'), 'settings');
    await accessibleInEveryMode(el);
    const keys = $(el, '[part=keys-admin]')!;
    expect(text(keys.querySelector('li')!)).to.contain('amicale-k1 (HS256)');
    expect(keys.querySelector('button, select, code')).to.equal(null);
    expect(text(keys)).to.contain('cercle site rotate-key');
    ($(el, 'select[name=premoderation]') as HTMLSelectElement).value = 'first-time';
    ($(el, 'textarea[name=blockedWords]') as HTMLTextAreaElement).value = 'casino\n  viagra ';
    button(el, 'Enregistrer les réglages')!.click();
    await waitUntil(() => api.writes().length === 1, 'saved');
    const patch = SettingsPatch.parse(api.writes()[0].body);
    expect(patch.premoderation).to.equal('first-time');
    expect(patch.blockedWords).to.deep.equal(['casino', 'viagra']);
    expect(patch.editWindowSeconds).to.equal(900);
    expect(patch.origins).to.deep.equal(['https://amicale.test']);
    await waitUntil(() => statusText(el) === 'Réglages enregistrés.', 'announced');
    // Arrow keys move between tabs.
    ($(el, '#tab-settings') as HTMLButtonElement).focus();
    await sendKeys({ press: 'ArrowRight' });
    await waitUntil(() => $(el, 'table[part=audit]'), 'audit');
    expect(text($(el, 'tbody tr'))).to.contain('a masqué — « Hors sujet »');
    expect(text($$(el, 'tbody tr')[1])).to.contain('ligne de commande');
    await accessibleInEveryMode(el);
  });

  it('Escape closes the sanction form, and focus goes back to the button that opened it', async () => {
    api.items = [item({ author: 'Bob Leroy' }), item({ author: 'Ada Lovelace' })];
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'items');
    const mute = articles(el)[1].querySelector<HTMLButtonElement>('[data-action=mute]')!;
    mute.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => $(el, 'form.dialog'), 'form');
    expect(focused(el)!.closest('form.dialog')).to.equal($(el, 'form.dialog'));
    await inEveryMode(async () => {
      await accessibleInEveryMode(el);
    });
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !$(el, 'form.dialog'), 'form closed');
    expect(focused(el)).to.equal(articles(el)[1].querySelector('[data-action=mute]'));
    expect(api.writes()).to.deep.equal([]);
  });

  it('keeps each checkbox at least 24 × 24 px at 375 px wide (WCAG 2.5.8)', async () => {
    await setViewport({ width: 375, height: 700 });
    try {
      api.items = [item({ author: 'Marie-Christine de La Tour-Villeneuve', flags: 2 })];
      const el = await mount();
      await waitUntil(() => articles(el).length === 1, 'item');
      for (const box of $$(el, 'input[type=checkbox]')) {
        const r = box.getBoundingClientRect();
        expect(r.width).to.be.at.least(24);
        expect(r.height).to.be.at.least(24);
      }
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('shows the chosen filter and tab in forced colours, by system colours and by shape', async () => {
    api.admin = true;
    api.items = [item()];
    const el = await mount();
    await waitUntil(() => $(el, '[role=tablist]') && articles(el).length === 1, 'tabs and queue');
    await inEveryMode(async () => {
      await accessibleInEveryMode(el);
    });
    await colourMode('forced');
    try {
      expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
      const [on, off] = [$(el, '[part=filters] [aria-pressed=true]')!, $(el, '[part=filters] [aria-pressed=false]')!].map((b) =>
        getComputedStyle(b),
      );
      expect(on.backgroundColor).to.not.equal(off.backgroundColor);
      expect(on.borderTopWidth).to.equal('2px');
      expect(off.borderTopWidth).to.equal('1px');
      const [tab, other] = [$(el, '[role=tab][aria-selected=true]')!, $(el, '[role=tab][aria-selected=false]')!].map((b) =>
        getComputedStyle(b),
      );
      expect(tab.backgroundColor).to.not.equal(other.backgroundColor);
      expect(tab.borderBottomWidth).to.equal('4px');
    } finally {
      await resetColours();
    }
  });

  it('asks the signed-out reader to sign in on the site', async () => {
    worker.use(http.get(TOKEN_URL, () => new HttpResponse(null, { status: 401 })));
    const el = await mount();
    await waitUntil(() => $(el, 'a'), 'sign-in link');
    expect($(el, 'a')!.getAttribute('href')).to.equal(LOGIN_URL);
    await accessibleInEveryMode(el);
  });
});
