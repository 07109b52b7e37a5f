import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { LiveEvent, LiveReady } from '../../src/contract/live.js';
import {
  NOTIFICATION_KINDS,
  Notification,
  NotificationCount,
  NotificationFeed,
  NotificationLive,
  NotificationPage,
  NotificationPreferences,
} from '../../src/contract/notifications.js';
import '../../src/index.js';
import type { CercleNotifications } from '../../src/index.js';
import { FakeApi, startWorker, use, type Call } from './api.js';
import { $, $$, text } from './kit/dom.js';
import { API, BASE, comment, commentPage, LOGIN_URL, me, member, problem, SITE, TOKEN_URL } from './fixtures.js';

// This page holds its own live stream: no sharing with the other test pages open in the same browser.
(globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;

const PAGE = 'https://amicale.test/articles/1';
let seq = 0;
const notification = (o: Partial<Notification> = {}): Notification =>
  Notification.parse({
    id: `n-${++seq}`,
    kind: 'comment.reply',
    createdAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    readAt: null,
    actor: member({ id: 'm-grace', name: 'Grace Hopper' }),
    thread: { key: PAGE, title: 'Assemblée générale', url: null },
    comment: { id: `c-${seq}`, excerpt: 'Je serai là à 18 h.' },
    event: null,
    introduction: null,
    badge: null,
    url: null,
    ...o,
  });

const prefs = (o: Partial<NotificationPreferences> = {}): NotificationPreferences =>
  NotificationPreferences.parse({
    kinds: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { page: true, delivery: k !== 'thread.comment' }])),
    frequency: 'daily',
    language: null,
    channel: 'host',
    email: { available: false, optedIn: false, address: null },
    ...o,
  });

const enc = new TextEncoder();

/** The notification routes and the live stream on top of the fake API; every answer parsed by the contract. */
class FakeNotifications {
  api = new FakeApi();
  items: Notification[];
  prefs = prefs();
  feed = NotificationFeed.parse({ active: false, createdAt: null, token: null, path: null });
  failList = false;
  topics: string[] = [];
  private ctrl?: ReadableStreamDefaultController<Uint8Array>;
  private id = 900;

  constructor(items: Notification[]) {
    this.items = items;
    const unread = () => this.items.filter((n) => !n.readAt).length;
    this.api.readFirst = (url, auth) => {
      if (!auth) return undefined;
      if (url.pathname === '/me/notifications') {
        if (this.failList) return { status: 503, body: problem(503, 'server.unavailable') };
        return { status: 200, body: NotificationPage.parse({ items: this.items, next: null, unread: unread() }) };
      }
      if (url.pathname === '/me/notification-preferences') return { status: 200, body: NotificationPreferences.parse(this.prefs) };
      if (url.pathname === '/me/notification-feed') return { status: 200, body: this.feed };
      return undefined;
    };
    this.api.onWrite = (call: Call) => {
      if (call.method === 'POST' && call.path === '/me/notifications/read') {
        const body = call.body as { ids?: string[]; all?: true };
        const at = new Date().toISOString();
        this.items = this.items.map((n) => (body.all || body.ids?.includes(n.id) ? { ...n, readAt: n.readAt ?? at } : n));
        return { status: 200, body: NotificationCount.parse({ unread: unread() }) };
      }
      if (call.method === 'PATCH' && call.path === '/me/notification-preferences') {
        const patch = call.body as Partial<NotificationPreferences> & { email?: boolean };
        const kinds = { ...this.prefs.kinds };
        for (const [k, v] of Object.entries(patch.kinds ?? {}))
          kinds[k as keyof typeof kinds] = { ...kinds[k as keyof typeof kinds], ...v };
        this.prefs = prefs({
          ...this.prefs,
          kinds,
          language: patch.language === undefined ? this.prefs.language : patch.language,
          frequency: patch.frequency ?? this.prefs.frequency,
          email:
            patch.email === undefined
              ? this.prefs.email
              : { available: true, optedIn: patch.email, address: patch.email ? 'ada@amicale.test' : null },
        });
        return { status: 200, body: this.prefs };
      }
      if (call.method === 'POST' && call.path === '/me/notification-feed') {
        this.feed = NotificationFeed.parse({
          active: true,
          createdAt: new Date().toISOString(),
          token: 'A'.repeat(43),
          path: `/v1/sites/${SITE}/notifications/${'A'.repeat(43)}/feed.atom`,
        });
        return { status: 201, body: this.feed };
      }
      if (call.method === 'DELETE' && call.path === '/me/notification-feed') {
        this.feed = NotificationFeed.parse({ active: false, createdAt: null, token: null, path: null });
        return { status: 200, body: this.feed };
      }
      return undefined;
    };
    use(
      http.post(`${BASE}/live`, async ({ request }) => {
        this.topics = ((await request.json()) as { topics: string[] }).topics;
        const ready = LiveReady.parse({
          stream: 'stream-notifications',
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
    );
  }

  /** A notification made for the reader elsewhere (another member replied), as the server sends it live. */
  push(n: Notification) {
    this.items = [n, ...this.items];
    const data = NotificationLive.parse({ unread: this.items.filter((x) => !x.readAt).length, item: n });
    const id = String(++this.id);
    const ev = LiveEvent.parse({ id, topic: `member:${me().id}`, kind: 'notification', ref: n.id, at: n.createdAt, data });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }

  /** Another tab marked everything read: the server tells every connection of the member. */
  readElsewhere() {
    const at = new Date().toISOString();
    this.items = this.items.map((n) => ({ ...n, readAt: n.readAt ?? at }));
    const id = String(++this.id);
    const data = NotificationLive.parse({ unread: 0, item: null });
    const ev = LiveEvent.parse({ id, topic: `member:${me().id}`, kind: 'notification', ref: 'all', at, data });
    this.ctrl!.enqueue(enc.encode(`id: ${id}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`));
  }

  /** The notification routes called, in order. */
  get calls(): string[] {
    return this.api.calls.filter((c) => /notification/.test(c.path)).map((c) => `${c.method} ${c.path}`);
  }
}

const mount = async (lang = 'en') => {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <header><cercle-notifications></cercle-notifications></header>
    </cercle-community>
  `);
  return root.querySelector('cercle-notifications') as CercleNotifications;
};

const bell = (el: Element) => $<HTMLButtonElement>(el, '[part~=bell]');
const panel = (el: Element) => $(el, '[part~=panel]')!;
const items = (el: Element) => $$(el, '[part~=item]');
const open = async (el: CercleNotifications) => {
  await waitUntil(() => bell(el), 'bell shown');
  bell(el)!.click();
  await waitUntil(() => !panel(el).hidden && items(el).length + $$(el, '[part~=empty]').length > 0, 'panel open with its list');
};

describe('<cercle-notifications>', () => {
  before(startWorker);
  afterEach(fixtureCleanup);

  it("says the unread count in the bell's name, shows it once to the eye, and lists what happened with links to the comments", async () => {
    const fake = new FakeNotifications([
      notification(),
      notification({ kind: 'comment.mention', actor: member({ id: 'm-alan', name: 'Alan Turing' }) }),
      notification({ kind: 'badge.earned', actor: null, thread: null, comment: null, badge: { id: 'b', name: 'Pilier' } }),
      notification({ readAt: '2026-01-02T10:00:00.000Z' }),
    ]);
    const el = await mount();
    await waitUntil(() => bell(el)?.getAttribute('aria-label') === 'Notifications, 3 unread', 'count in the name');
    const count = $(el, '[part~=count]')!;
    expect(text(count)).to.equal('3');
    expect(count.getAttribute('aria-hidden')).to.equal('true');
    expect(bell(el)!.getAttribute('aria-expanded')).to.equal('false');
    expect(panel(el).hidden).to.equal(true);
    await expect(el).to.be.accessible();

    await open(el);
    expect(bell(el)!.getAttribute('aria-expanded')).to.equal('true');
    const [first, second, third, fourth] = items(el);
    const link = first.querySelector('a')!;
    expect(text(link)).to.equal('Grace Hopper replied to you in “Assemblée générale”');
    expect(link.getAttribute('href')).to.equal(`${PAGE}#comment-${fake.items[0].comment!.id}`);
    expect(text(first)).to.contain('Je serai là à 18 h.');
    expect(first.querySelector('time')!.getAttribute('datetime')).to.equal(fake.items[0].createdAt);
    expect(text(second.querySelector('a'))).to.equal('Alan Turing mentioned you in “Assemblée générale”');
    expect(text(third)).to.contain('You earned the “Pilier” badge');
    expect(third.querySelector('a')).to.equal(null, 'a badge has no page here');
    expect(first.className).to.equal('unread');
    expect(fourth.className).to.equal('read');
    expect(fourth.querySelector('button')).to.equal(null, 'nothing to mark on a read one');
    await expect(el).to.be.accessible();
  });

  it('closes with Escape and gives focus back to the bell', async () => {
    new FakeNotifications([notification()]);
    const el = await mount();
    await waitUntil(() => /1 unread/.test(bell(el)?.getAttribute('aria-label') ?? ''));
    bell(el)!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !panel(el).hidden && items(el).length === 1, 'opened from the keyboard');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => panel(el).hidden, 'closed');
    expect(el.shadowRoot!.activeElement).to.equal(bell(el));
    expect(bell(el)!.getAttribute('aria-expanded')).to.equal('false');
  });

  it('marks one read, then all, and the count follows the server', async () => {
    const fake = new FakeNotifications([notification(), notification(), notification()]);
    const el = await mount();
    await open(el);
    const button = items(el)[0].querySelector('button')!;
    expect(button.getAttribute('aria-label')).to.equal('Mark as read: Grace Hopper replied to you in “Assemblée générale”');
    button.click();
    await waitUntil(() => bell(el)!.getAttribute('aria-label') === 'Notifications, 2 unread', 'one fewer');
    expect(items(el)[0].className).to.equal('read');
    expect(fake.api.calls.find((c) => c.path === '/me/notifications/read')!.body).to.deep.equal({ ids: [fake.items[0].id] });

    const all = [...panel(el).querySelectorAll('button')].find((b) => text(b) === 'Mark all as read')!;
    all.click();
    await waitUntil(() => bell(el)!.getAttribute('aria-label') === 'Notifications, none unread', 'none left');
    expect(fake.api.calls.filter((c) => c.path === '/me/notifications/read').map((c) => c.body)).to.deep.equal([
      { ids: [fake.items[0].id] },
      { all: true },
    ]);
    expect(items(el).every((i) => i.className === 'read')).to.equal(true);
    expect($(el, '[part~=count]')).to.equal(null);
    expect(text($(el, '[role=status].sr'))).to.equal('All notifications are marked as read.');
    await expect(el).to.be.accessible();
  });

  it("shows a new notification as it arrives on the live stream, on the reader's own topic", async () => {
    const fake = new FakeNotifications([notification()]);
    const el = await mount();
    await open(el);
    await waitUntil(() => fake.topics.join() === `member:${me().id}`, 'following the reader');
    const reads = fake.calls.filter((c) => c.startsWith('GET /me/notifications')).length;
    fake.push(notification({ actor: member({ id: 'm-alan', name: 'Alan Turing' }) }));
    await waitUntil(() => bell(el)!.getAttribute('aria-label') === 'Notifications, 2 unread', 'count raised live');
    expect(text(items(el)[0].querySelector('a'))).to.equal('Alan Turing replied to you in “Assemblée générale”');
    expect(fake.calls.filter((c) => c.startsWith('GET /me/notifications')).length).to.equal(reads, 'no read: the change carries it');
    expect(text($(el, '[role=status].sr'))).to.equal('1 new notification');

    fake.readElsewhere();
    await waitUntil(() => bell(el)!.getAttribute('aria-label') === 'Notifications, none unread', 'read in another tab');
    await waitUntil(() => items(el).every((i) => i.className === 'read'), 'the list read again');
  });

  it('says so when there is nothing yet', async () => {
    new FakeNotifications([]);
    const el = await mount();
    await waitUntil(() => bell(el)?.getAttribute('aria-label') === 'Notifications, none unread');
    await open(el);
    expect(text($(el, '[part~=empty]'))).to.match(/^No notifications yet/);
    await expect(el).to.be.accessible();
  });

  it("reads the notifications in the provider's own request, and shows the bell without a count until then", async () => {
    const fake = new FakeNotifications([notification()]);
    let release!: () => void;
    fake.api.gate = new Promise<void>((r) => (release = r));
    const el = await mount();
    await waitUntil(() => fake.api.calls.length > 0, 'first request sent');
    // One request for the page: the reader's profile and their notifications together.
    expect(fake.api.calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal(['POST /batch']);
    expect((fake.api.calls[0].body as { reads: string[] }).reads).to.have.members(['/me', '/me/notifications']);
    expect(bell(el)).to.equal(null, 'no bell before the session is known');
    release();
    await waitUntil(() => bell(el)?.getAttribute('aria-label') === 'Notifications, 1 unread', 'bell with its count');
    bell(el)!.click();
    await waitUntil(() => items(el).length === 1, 'listed');
    // Opening the panel reads the settings (preferences and feed together), not the list again.
    expect((fake.api.calls[1].body as { reads: string[] }).reads).to.have.members([
      '/me/notification-preferences',
      '/me/notification-feed',
    ]);
    expect(fake.api.calls.length).to.equal(2);
    await expect(el).to.be.accessible();
  });

  it('says what failed and tries again', async () => {
    const fake = new FakeNotifications([notification()]);
    fake.failList = true;
    const el = await mount();
    await waitUntil(() => bell(el), 'bell shown');
    bell(el)!.click();
    const alert = () => $(el, '[part~=panel] [role=alert]');
    await waitUntil(() => alert(), 'error shown');
    expect(text(alert())).to.contain('Your notifications could not be loaded.');
    await expect(el).to.be.accessible();
    fake.failList = false;
    alert()!.querySelector('button')!.click();
    await waitUntil(() => items(el).length === 1, 'loaded on retry');
    expect(bell(el)!.getAttribute('aria-label')).to.equal('Notifications, 1 unread');
  });

  it('shows nothing to a visitor who is not signed in', async () => {
    const fake = new FakeNotifications([notification()]);
    fake.api.token = () => new HttpResponse(null, { status: 204 });
    const el = await mount();
    const provider = el.closest('cercle-community') as HTMLElement & { session: { status: string } };
    await waitUntil(() => provider.session.status === 'anonymous', 'nobody signed in');
    await el.updateComplete;
    expect(el.shadowRoot!.childElementCount).to.equal(0);
    expect(bell(el)).to.equal(null);
    expect(fake.calls).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('speaks French: the bell, the sentences and the settings', async () => {
    new FakeNotifications([notification(), notification()]);
    const el = await mount('fr');
    await waitUntil(() => bell(el)?.getAttribute('aria-label') === 'Notifications, 2 non lues');
    await open(el);
    expect(items(el)[0].querySelector('a')!.textContent).to.equal('Grace Hopper vous a répondu dans «\u202fAssemblée générale\u202f»');
    expect(text($(el, 'summary'))).to.equal('Réglages des notifications');
    await expect(el).to.be.accessible();
  });

  it('changes the settings: kinds, frequency and the e-mail opt-in where the site mails', async () => {
    const fake = new FakeNotifications([notification()]);
    fake.prefs = prefs({ channel: 'mail', email: { available: true, optedIn: false, address: null } });
    const el = await mount();
    await open(el);
    $<HTMLDetailsElement>(el, '[part~=settings]')!.open = true;
    await waitUntil(() => $(el, 'form'), 'settings read');
    const form = $<HTMLFormElement>(el, 'form')!;
    expect(form.querySelectorAll('tbody tr').length).to.equal(NOTIFICATION_KINDS.length);
    const box = (name: string) => form.querySelector<HTMLInputElement>(`input[aria-label="${name}"]`)!;
    expect(box('Replies to my comments: In the page').checked).to.equal(true);
    expect(box('New comments in discussions I follow: Also sent to me').checked).to.equal(false);
    box('New comments in discussions I follow: Also sent to me').click();
    box('Badges I earn: In the page').click();
    form.querySelector<HTMLInputElement>('input[name=frequency][value=weekly]')!.click();
    const language = form.querySelector<HTMLSelectElement>('select[name=language]')!;
    expect(language.value).to.equal('', "the site's language until the member picks one");
    language.value = 'de';
    const email = form.querySelector<HTMLInputElement>('input[name=email]')!;
    expect(email.checked).to.equal(false);
    email.click();
    await expect(el).to.be.accessible();
    form.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await waitUntil(() => text($(el, '[role=status].sr')) === 'Your notification settings are saved.', 'saved');
    const patch = fake.api.calls.find((c) => c.method === 'PATCH')!.body as {
      kinds: Record<string, { page: boolean; delivery: boolean }>;
      frequency: string;
      email: boolean;
    };
    expect(patch.kinds['thread.comment']).to.deep.equal({ page: true, delivery: true });
    expect(patch.kinds['badge.earned']).to.deep.equal({ page: false, delivery: true });
    expect(patch.frequency).to.equal('weekly');
    expect((patch as { language?: string }).language).to.equal('de');
    expect(patch.email).to.equal(true);
    await waitUntil(() => text($(el, '#email-hint')).startsWith('To ada@amicale.test.'), 'the address shown once opted in');
  });

  it('offers no e-mail where the site does not mail, and no delivery where it delivers nothing', async () => {
    const fake = new FakeNotifications([]);
    fake.prefs = prefs({ channel: 'none' });
    const el = await mount();
    await open(el);
    $<HTMLDetailsElement>(el, '[part~=settings]')!.open = true;
    await waitUntil(() => $(el, 'form'), 'settings read');
    expect($(el, 'input[name=email]')).to.equal(null);
    expect($(el, 'input[name=delivery]')).to.equal(null);
    expect($(el, 'input[name=frequency]')).to.equal(null);
    expect($(el, 'select[name=language]')).to.equal(null);
  });

  it('makes the private feed, shows its address once, and revokes it', async () => {
    const fake = new FakeNotifications([]);
    const el = await mount();
    await open(el);
    await waitUntil(() => $(el, '[part~=feed]'), 'feed state read');
    const button = (label: string) => [...$(el, '[part~=feed]')!.querySelectorAll('button')].find((b) => text(b) === label)!;
    expect(text($(el, '[part~=feed]'))).to.contain('You have no private feed.');
    button('Make a private feed address').click();
    await waitUntil(() => $(el, '#feed-url'), 'address shown');
    expect($<HTMLInputElement>(el, '#feed-url')!.value).to.equal(`${API}${fake.feed.path}`);
    await expect(el).to.be.accessible();
    button('Revoke the feed').click();
    await waitUntil(() => text($(el, '[role=status].sr')).startsWith('The feed is revoked'), 'revoked');
    expect($(el, '#feed-url')).to.equal(null);
    expect(fake.calls.filter((c) => !c.startsWith('GET'))).to.deep.equal(['POST /me/notification-feed', 'DELETE /me/notification-feed']);
  });

  it('leads to the comment: the discussion focuses the one the address names (#comment-<id>)', async () => {
    const fake = new FakeNotifications([]);
    const target = comment({ body: 'La réponse attendue.' });
    fake.api.pages.set('', commentPage([comment(), target, comment()]));
    history.replaceState(null, '', `#comment-${target.id}`);
    try {
      const root = await fixture(html`
        <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} lang="en" .parse=${strict}>
          <cercle-discussion thread=${PAGE}></cercle-discussion>
        </cercle-community>
      `);
      const d = root.querySelector('cercle-discussion')!;
      await waitUntil(() => d.shadowRoot!.activeElement?.id === `c-${target.id}`, 'the comment focused');
      history.replaceState(null, '', `#comment-${fake.api.pages.get('')!.items[0].id}`);
      dispatchEvent(new HashChangeEvent('hashchange'));
      await waitUntil(() => d.shadowRoot!.activeElement?.id === `c-${fake.api.pages.get('')!.items[0].id}`, 'followed to another');
    } finally {
      history.replaceState(null, '', location.pathname + location.search);
    }
  });
});
