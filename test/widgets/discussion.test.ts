import { expect, fixture, fixtureCleanup, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import '../../src/index.js';
import type { CercleDiscussion } from '../../src/index.js';
import { FakeApi, json, startWorker } from './api.js';
import { API, comment, commentPage, LOGIN_URL, member, problem, SITE, thread, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { accessibleInEveryMode } from './kit/media.js';

const THREAD = 'https://amicale.test/articles/1';

async function mount(lang = 'en'): Promise<CercleDiscussion> {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <cercle-discussion thread=${THREAD}></cercle-discussion>
    </cercle-community>
  `);
  return root.querySelector('cercle-discussion')!;
}

const box = (el: Element) =>
  waitUntil(() => $<HTMLTextAreaElement>(el, 'textarea'), 'form shown').then(() => $<HTMLTextAreaElement>(el, 'textarea')!);
const type = async (el: Element, value: string) => {
  const t = await box(el);
  t.value = value;
  t.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await (el as CercleDiscussion).updateComplete;
};
const post = async (el: Element) => {
  $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
};
const status = (el: Element) => text($(el, '[part=base] > [role=status]'));
const draftKey = `cercle:${SITE}:${THREAD}`;

describe('<cercle-discussion>', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => {
    localStorage.clear();
    api = new FakeApi();
  });
  afterEach(fixtureCleanup);

  it('brings the comment of the page address (#comment-<id>, a search result) into view and focuses it', async () => {
    const items = Array.from({ length: 12 }, (_, i) => comment({ id: `k${i}`, body: `Commentaire ${i}` }));
    api.pages.set('', commentPage(items));
    const before = location.href;
    history.replaceState(null, '', '#comment-k9');
    try {
      const el = await mount();
      await waitUntil(() => el.shadowRoot!.activeElement?.id === 'c-k9', 'the linked comment focused');
    } finally {
      history.replaceState(null, '', before);
    }
  });

  it('a long thread: the first comments render at once, the rest follow in order, numbered in the whole feed', async () => {
    const items = Array.from({ length: 400 }, (_, i) => comment({ id: `m${i}`, body: `Commentaire ${i}` }));
    api.pages.set('', commentPage(items));
    const el = await mount();
    await waitUntil(() => $$(el, 'article[part=comment]').length > 0, 'first comments shown');
    const first = $$(el, 'article[part=comment]');
    expect(first.length).to.be.below(400);
    expect($(el, '[role=feed]')!.getAttribute('aria-busy')).to.equal('true');
    expect(first[0].getAttribute('aria-setsize')).to.equal('400');
    await waitUntil(() => $$(el, 'article[part=comment]').length === 400, 'every comment rendered', { timeout: 10_000 });
    const all = $$(el, 'article[part=comment]');
    expect(all.map((a) => a.getAttribute('aria-posinset'))).to.deep.equal(items.map((_, i) => String(i + 1)));
    expect(all.map((a) => a.id)).to.deep.equal(items.map((c) => 'c-' + c.id));
    await waitUntil(() => $(el, '[role=feed]')!.getAttribute('aria-busy') === 'false', 'the feed no longer busy');
  });

  it('a long thread: the comment of the page address is rendered and focused at once, however far down', async () => {
    const items = Array.from({ length: 400 }, (_, i) => comment({ id: `f${i}`, body: `Commentaire ${i}` }));
    api.pages.set('', commentPage(items));
    const before = location.href;
    history.replaceState(null, '', '#comment-f398');
    try {
      const el = await mount();
      await waitUntil(() => el.shadowRoot!.activeElement?.id === 'c-f398', 'the linked comment focused');
      expect(el.shadowRoot!.activeElement!.getAttribute('aria-posinset')).to.equal('399');
    } finally {
      history.replaceState(null, '', before);
    }
  });

  describe('states', () => {
    it('loading: reserves its height and says so', async () => {
      let release!: () => void;
      api.gate = new Promise<void>((r) => (release = r));
      try {
        const el = await mount();
        await waitUntil(() => $(el, '.ph'), 'placeholders');
        expect($(el, '[part=list]')!.getAttribute('aria-busy')).to.equal('true');
        expect(status(el)).to.equal('Loading comments…');
        expect(el.getBoundingClientRect().height).to.be.greaterThan(300);
        await accessibleInEveryMode(el);
      } finally {
        release();
      }
    });

    it('empty: says there is nothing yet, or shows the host’s slot', async () => {
      const el = await mount();
      await waitUntil(() => text($(el, 'slot[name=empty]')) === 'No comments yet.', 'empty');
      expect(text($(el, 'h2'))).to.equal('0 comments');
      await accessibleInEveryMode(el);
    });

    it('error: explains and offers to try again', async () => {
      api.down = true;
      const el = await mount();
      await waitUntil(() => text($(el, '[part=base]')).includes('The comments could not be loaded.'), 'error');
      await accessibleInEveryMode(el);
      api.down = false;
      api.pages.set('', commentPage([comment({ body: 'Revenu' })]));
      [...$$(el, 'button')].find((b) => text(b) === 'Try again')!.click();
      await waitUntil(() => text($(el, '[part=body]')) === 'Revenu', 'reloaded');
    });

    it('signed out: shows the comments and a link to sign in on the host site', async () => {
      api.token = () => new HttpResponse(null, { status: 401 });
      api.pages.set('', commentPage([comment()]));
      const el = await mount();
      await waitUntil(() => $(el, '[part=actions] a'), 'sign-in link');
      const link = $<HTMLAnchorElement>(el, '[part=actions] a')!;
      expect(link.href).to.equal(LOGIN_URL);
      expect(text(link)).to.equal('Sign in on this site to take part');
      expect($(el, 'textarea')).to.equal(null);
      expect($$(el, 'article')).to.have.length(1);
      await accessibleInEveryMode(el);
    });

    it('members-only thread, signed out: asks to sign in to read it, with the link and no retry', async () => {
      api.token = () => new HttpResponse(null, { status: 204 });
      api.readFirst = (url, auth) =>
        url.pathname === '/comments' && !auth ? { status: 401, body: problem(401, 'auth.missing') } : undefined;
      const el = await mount();
      await waitUntil(() => $(el, '[part=actions] a'), 'sign-in link');
      const link = $<HTMLAnchorElement>(el, '[part=actions] a')!;
      expect(text(link)).to.equal('Sign in on this site to read this discussion');
      expect(link.href).to.equal(LOGIN_URL);
      expect($$(el, '[part=actions] a')).to.have.length(1);
      expect(text($(el, '[part=base]'))).not.to.include('could not be loaded');
      expect([...$$(el, 'button')].map(text)).not.to.include('Try again');
      await accessibleInEveryMode(el);
    });

    it('members-only thread, signed out, in French', async () => {
      api.token = () => new HttpResponse(null, { status: 204 });
      api.readFirst = (url, auth) =>
        url.pathname === '/comments' && !auth ? { status: 401, body: problem(401, 'auth.missing') } : undefined;
      const el = await mount('fr');
      await waitUntil(() => $(el, '[part=actions] a'), 'sign-in link');
      expect(text($(el, '[part=actions] a'))).to.equal('Connectez-vous sur ce site pour lire cette discussion');
    });

    it('signed in but the member read fails: says so with a retry, never the sign-in link', async () => {
      let fail = true;
      api.pages.set('', commentPage([comment()]));
      api.readFirst = (url) => (url.pathname === '/me' && fail ? { status: 503, body: problem(503, 'server.unavailable') } : undefined);
      const el = await mount();
      await waitUntil(() => text($(el, '[part=base]')).includes('Your member profile could not be loaded'), 'member error');
      expect($(el, '.sign-in')).to.equal(null);
      expect(text($(el, '[part=base]'))).not.to.include('Sign in');
      expect($$(el, 'article')).to.have.length(1);
      await accessibleInEveryMode(el);
      fail = false;
      [...$$(el, 'button')].find((b) => text(b) === 'Try again')!.click();
      await box(el);
      expect($(el, '.sign-in')).to.equal(null);
    });

    it('signed out, in French', async () => {
      api.token = () => new HttpResponse(null, { status: 204 });
      const el = await mount('fr');
      await waitUntil(() => $(el, '[part=actions] a'), 'sign-in link');
      expect(text($(el, '[part=actions] a'))).to.equal('Connectez-vous sur ce site pour participer');
      expect(text($(el, 'h2'))).to.equal('0 commentaire');
    });

    it('filled: articles with author, exact time and paragraphs, as text only', async () => {
      const createdAt = new Date(Date.now() - 2 * 3600_000).toISOString();
      api.pages.set(
        '',
        commentPage([
          comment({ body: 'Premier paragraphe.\n\n<img src=x onerror=alert(1)>', createdAt }),
          comment({ author: member({ id: 'm-p', name: 'Paul', picture: 'https://amicale.test/p.jpg' }) }),
          comment({ author: null, status: 'deleted', body: '' }),
        ]),
      );
      const el = await mount();
      await waitUntil(() => $$(el, 'article').length === 3, 'three comments');
      expect(text($(el, 'h2'))).to.equal('3 comments');
      const [first, second, third] = $$(el, 'article');
      expect(text(first.querySelector('[part=name]'))).to.equal('Grace Hopper');
      expect(text(first.querySelector('[part=avatar]'))).to.equal('GH');
      const time = first.querySelector('time')!;
      expect(time.dateTime).to.equal(createdAt);
      expect(text(time)).to.equal('2 hours ago');
      expect(time.title).to.match(/\d{4}/);
      const paragraphs = first.querySelectorAll('[part=body] p');
      expect(paragraphs).to.have.length(2);
      expect(paragraphs[1].textContent).to.equal('<img src=x onerror=alert(1)>');
      expect(first.querySelector('img')).to.equal(null);
      expect(second.querySelector<HTMLImageElement>('img[part=avatar]')!.src).to.equal('https://amicale.test/p.jpg');
      expect(text(third)).to.include('This comment was deleted.');
      await accessibleInEveryMode(el);
    });

    it('a deleted comment is a neutral tombstone: no name, no "Former member", in either language', async () => {
      api.pages.set(
        '',
        commentPage([comment({ author: null, status: 'deleted', body: '' }), comment({ author: null, status: 'hidden', body: '' })]),
      );
      for (const lang of ['en', 'fr']) {
        const el = await mount(lang);
        await waitUntil(() => $$(el, 'article').length === 2, 'two tombstones');
        const [deleted, hidden] = $$(el, 'article');
        expect(text(deleted)).to.include(lang === 'en' ? 'This comment was deleted.' : 'Ce commentaire a été supprimé.');
        for (const a of [deleted, hidden]) {
          expect(a.querySelectorAll('[part=name]').length).to.equal(0);
          expect(text(a)).not.to.match(/Former member|Ancien membre/);
          const label = el.shadowRoot!.getElementById(a.getAttribute('aria-labelledby')!);
          expect(label && a.contains(label)).to.equal(true);
        }
        await accessibleInEveryMode(el);
        el.closest('cercle-community')!.remove();
      }
    });

    it('filled, in French', async () => {
      api.pages.set('', commentPage([comment({ createdAt: new Date(Date.now() - 86400_000).toISOString() }), comment()]));
      const el = await mount('fr');
      await waitUntil(() => $$(el, 'article').length === 2, 'comments');
      expect(text($(el, 'h2'))).to.equal('2 commentaires');
      expect(text($(el, 'time'))).to.equal('hier');
      expect(text($(el, 'label[for=text]'))).to.equal('Votre commentaire');
      expect(text($(el, 'button[type=submit]'))).to.equal('Publier');
      expect(text($(el, '#count'))).to.equal('280 caractères restants');
    });

    it('formatting: numbered lists keep their numbers, and the preview is styled like a comment', async () => {
      api.pages.set('', commentPage([comment({ body: '1. un\n2. deux\n\n> cité' })]));
      const el = await mount();
      await waitUntil(() => $(el, '[part=body] ol'), 'list shown');
      const ol = $(el, '[part=body] ol')!;
      expect(getComputedStyle(ol).listStyleType).to.equal('decimal');
      expect(getComputedStyle(ol).display).to.equal('block');
      const quoted = getComputedStyle($(el, '[part=body] blockquote')!).borderInlineStartWidth;
      expect(quoted).to.equal('3px');
      await type(el, '1. un\n2. deux\n\n> cité');
      [...$$(el, 'button')].find((b) => text(b) === 'Preview')!.click();
      await waitUntil(() => $(el, '#preview ol'), 'preview shown');
      expect(getComputedStyle($(el, '#preview ol')!).listStyleType).to.equal('decimal');
      expect(getComputedStyle($(el, '#preview blockquote')!).borderInlineStartWidth).to.equal('3px');
    });

    it('shows more with the cursor and moves focus to the first new comment', async () => {
      api.pages.set('', commentPage([comment({ body: 'Un' })], { next: 'page2', thread: thread({ commentCount: 2 }) }));
      api.pages.set('page2', commentPage([comment({ body: 'Deux' })], { thread: thread({ commentCount: 2 }) }));
      const el = await mount();
      await waitUntil(() => $(el, '[part=more]'), 'more button');
      $(el, '[part=more]')!.click();
      await waitUntil(() => $$(el, 'article').length === 2, 'second page');
      expect($$(el, '[part=body]').map(text)).to.deep.equal(['Un', 'Deux']);
      expect($(el, '[part=more]')).to.equal(null);
      expect(el.shadowRoot!.activeElement).to.equal($$(el, 'article')[1]);
      expect(api.calls.filter((c) => c.method === 'GET').at(-1)!.path).to.equal(
        `/comments?thread=${encodeURIComponent(THREAD)}&cursor=page2`,
      );
    });

    it('locked thread: says so instead of the form', async () => {
      api.pages.set('', commentPage([], { thread: thread({ locked: true }) }));
      const el = await mount();
      await waitUntil(() => text($(el, '[part=base]')).includes('This discussion is closed.'), 'locked');
      expect($(el, 'textarea')).to.equal(null);
    });
  });

  describe('language and theme', () => {
    it('takes the closest lang around it when the provider has none', async () => {
      const root = await fixture(html`
        <div lang="fr-CA">
          <cercle-community api=${API} site=${SITE} .parse=${strict}>
            <cercle-discussion thread=${THREAD}></cercle-discussion>
          </cercle-community>
        </div>
      `);
      const el = root.querySelector('cercle-discussion')!;
      await waitUntil(() => text($(el, 'h2')) === '0 commentaire', 'French');
      el.setAttribute('lang', 'en');
      await el.updateComplete;
      expect(text($(el, 'h2'))).to.equal('0 comments');
    });

    it('themes the widgets, not the host page around them', async () => {
      const root = await fixture(html`
        <cercle-community api=${API} site=${SITE} theme="dark" .parse=${strict}>
          <p>Contenu du site</p>
          <cercle-discussion thread=${THREAD}></cercle-discussion>
        </cercle-community>
      `);
      const el = root.querySelector('cercle-discussion')!;
      await waitUntil(() => $(el, 'h2'), 'rendered');
      const widget = getComputedStyle(el);
      expect(widget.colorScheme).to.equal('dark');
      expect(widget.backgroundColor).to.equal('rgb(24, 25, 29)');
      const page = getComputedStyle(root.querySelector('p')!);
      expect(page.colorScheme).to.equal('normal');
      expect(page.color).to.equal(getComputedStyle(root.parentElement!).color);
    });
  });

  describe('posting', () => {
    it('posts, shows the comment, empties the box and tells the page', async () => {
      const el = await mount();
      await type(el, 'Merci pour ce compte rendu.');
      expect(text($(el, '#count'))).to.equal('253 characters left');
      const posted = oneEvent(el, 'cercle-comment-posted');
      await post(el);
      const { detail } = await posted;
      expect(detail.comment.body).to.equal('Merci pour ce compte rendu.');
      expect(detail.thread).to.equal(THREAD);
      await waitUntil(() => $$(el, 'article').length === 1, 'comment shown');
      expect(text($(el, '[part=body]'))).to.equal('Merci pour ce compte rendu.');
      expect(text($(el, 'h2'))).to.equal('1 comment');
      expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('');
      expect(status(el)).to.equal('Your comment was posted.');
      expect(localStorage.getItem(draftKey)).to.equal(null);
      const [call] = api.postCalls;
      expect(call.body).to.deep.include({ thread: THREAD, body: 'Merci pour ce compte rendu.' });
      expect(call.key).to.match(/^[A-Za-z0-9_-]{8,64}$/);
      expect(call.auth).to.match(/^Bearer /);
      await accessibleInEveryMode(el);
    });

    it('is usable with the keyboard alone', async () => {
      const el = await mount();
      (await box(el)).focus();
      await sendKeys({ type: 'Au clavier' });
      await sendKeys({ press: 'Tab' });
      expect(el.shadowRoot!.activeElement).to.equal($(el, 'button[type=submit]'));
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => text($(el, '[part=body]')) === 'Au clavier', 'posted');
    });

    it('keeps working after being moved in the page', async () => {
      const el = await mount();
      await box(el);
      const reads = api.calls.length;
      const elsewhere = document.createElement('div');
      el.parentElement!.append(elsewhere);
      elsewhere.append(el);
      await type(el, 'Déplacé');
      await post(el);
      await waitUntil(() => text($(el, '[part=body]')) === 'Déplacé', 'posted after the move');
      expect(api.calls.length).to.equal(reads + 1, 'no reload, one post');
    });

    it('lets the page cancel the submit intent, keeping the draft', async () => {
      const el = await mount();
      el.addEventListener('cercle-comment-submit', (e) => e.preventDefault());
      await type(el, 'Pas maintenant');
      const submit = oneEvent(el, 'cercle-comment-submit');
      await post(el);
      const event = await submit;
      expect(event.cancelable).to.equal(true);
      expect(event.detail).to.deep.equal({ thread: THREAD, body: 'Pas maintenant' });
      await el.updateComplete;
      expect(api.postCalls).to.have.length(0);
      expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('Pas maintenant');
    });

    it('keeps the draft across a reload (a new element)', async () => {
      const first = await mount();
      await type(first, 'Brouillon en cours');
      fixtureCleanup();
      const again = await mount();
      await waitUntil(() => $<HTMLTextAreaElement>(again, 'textarea')?.value === 'Brouillon en cours', 'draft restored');
      expect(JSON.stringify(Object.values(localStorage))).not.to.include('eyJ');
    });

    it('keeps a failed post with "Not sent — Retry", then sends it once, with the same key', async () => {
      // The first post reaches the server but its answer is lost on the way back.
      api.onPost = (input, key, n) => {
        if (n > 1) return undefined;
        api.stored.set(key!, comment({ body: input.body, author: member(api.me) }));
        return HttpResponse.error();
      };
      const el = await mount();
      await type(el, 'Envoyé deux fois ?');
      await post(el);
      await waitUntil(() => $(el, '.failed'), 'not sent');
      expect(text($(el, '.failed'))).to.equal('Not sent — Retry');
      expect(status(el)).to.include('Your comment was not sent');
      expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('Envoyé deux fois ?');
      expect(JSON.parse(localStorage.getItem(draftKey)!)).to.deep.include({ failed: true, body: 'Envoyé deux fois ?' });
      await accessibleInEveryMode(el);

      $<HTMLButtonElement>(el, '.failed button')!.click();
      await waitUntil(() => $$(el, 'article').length === 1, 'comment shown');
      const posts = api.postCalls;
      expect(posts).to.have.length(2);
      expect(posts[1].key).to.equal(posts[0].key);
      expect(api.stored.size).to.equal(1);
      expect($(el, '.failed')).to.equal(null);
      expect(localStorage.getItem(draftKey)).to.equal(null);
    });

    it('survives a reload with the post unsent, and sends it once the reloaded page reaches the server', async () => {
      api.onPost = (_, __, n) => (n === 1 ? json(503, problem(503, 'server.unavailable')) : undefined);
      const first = await mount();
      await type(first, 'Hors ligne');
      await post(first);
      await waitUntil(() => $(first, '.failed'), 'not sent');
      fixtureCleanup();
      expect(JSON.parse(localStorage.getItem(draftKey)!)).to.deep.include({ failed: true, body: 'Hors ligne' });

      const el = await mount();
      await waitUntil(() => $$(el, 'article').length === 1, 'sent after the reload');
      const posts = api.postCalls;
      expect(posts).to.have.length(2);
      expect(posts[1].key).to.equal(posts[0].key);
    });

    it('posts a text rewritten after a lost answer as a new comment, with a new key', async () => {
      // The first post is stored, but its answer is lost on the way back.
      api.onPost = (input, key, n) => {
        if (n > 1) return undefined;
        api.stored.set(key!, comment({ body: input.body, author: member(api.me) }));
        return HttpResponse.error();
      };
      const el = await mount();
      await type(el, 'Premier texte');
      await post(el);
      await waitUntil(() => $(el, '.failed'), 'not sent');
      await type(el, 'Texte réécrit');
      await post(el);
      await waitUntil(() => $$(el, 'article').length === 1, 'comment shown');
      expect(text($(el, '[part=body]'))).to.equal('Texte réécrit');
      const [first, second] = api.postCalls;
      expect(second.body).to.deep.include({ body: 'Texte réécrit' });
      expect(second.key).not.to.equal(first.key);
      expect([...api.stored.values()].map((c) => c.body).sort()).to.deep.equal(['Premier texte', 'Texte réécrit']);
      expect(localStorage.getItem(draftKey)).to.equal(null);
    });

    it('sends again with a fresh key when the server holds the key for another text', async () => {
      api.onPost = (_, __, n) => (n === 1 ? json(422, problem(422, 'idempotency.mismatch')) : undefined);
      const el = await mount();
      await type(el, 'Clé déjà prise');
      await post(el);
      await waitUntil(() => $$(el, 'article').length === 1, 'comment shown');
      expect(text($(el, '[part=body]'))).to.equal('Clé déjà prise');
      const [first, second] = api.postCalls;
      expect(second.key).not.to.equal(first.key);
      expect(second.body).to.deep.include({ body: 'Clé déjà prise' });
      expect(api.stored.size).to.equal(1);
      expect($(el, '.error')).to.equal(null);
    });

    it('sends a post that failed during an outage again, once, when a later read goes through', async () => {
      api.onPost = (_, __, n) => (n === 1 ? json(503, problem(503, 'server.unavailable')) : undefined);
      const el = await mount();
      await type(el, 'Pendant la panne');
      await post(el);
      await waitUntil(() => $(el, '.failed'), 'not sent');
      expect(api.postCalls).to.have.length(1);
      // Any read that goes through (here, sorting the thread again) says the server is back.
      $$<HTMLButtonElement>(el, '.sort button')
        .find((b) => text(b) === 'Newest first')!
        .click();
      await waitUntil(() => $$(el, 'article').length === 1 && !$(el, '.failed'), 'sent again');
      const posts = api.postCalls;
      expect(posts).to.have.length(2);
      expect(posts[1].key).to.equal(posts[0].key);
      expect(api.stored.size).to.equal(1);
      expect(text($(el, '[part=body]'))).to.equal('Pendant la panne');
      expect(localStorage.getItem(draftKey)).to.equal(null);
    });

    it('shows the server’s validation errors and keeps the text', async () => {
      api.onPost = () =>
        json(400, problem(400, 'request.invalid', { errors: [{ path: 'body', message: 'Links to this site are not allowed.' }] }));
      const el = await mount();
      await type(el, 'Voir http://spam.example');
      await post(el);
      await waitUntil(() => $(el, '.error'), 'error shown');
      expect(text($(el, '#msg'))).to.equal('Please check your comment. Links to this site are not allowed.');
      const t = $<HTMLTextAreaElement>(el, 'textarea')!;
      expect(t.value).to.equal('Voir http://spam.example');
      expect(t.getAttribute('aria-invalid')).to.equal('true');
      expect(status(el)).to.equal('Please check your comment.');
      expect($(el, '.failed')).to.equal(null);
      expect(JSON.parse(localStorage.getItem(draftKey)!)).to.deep.include({ body: 'Voir http://spam.example' });
      await accessibleInEveryMode(el);
    });

    it('counts characters against the site’s limit and refuses a text too long', async () => {
      api.site = { ...api.site, maxCommentLength: 10 };
      const el = await mount();
      await type(el, 'Douze lettres');
      expect(text($(el, '#count'))).to.equal('3 characters too many');
      await post(el);
      await waitUntil(() => text($(el, '#msg')).includes('Your comment is too long.'), 'too long');
      expect(api.postCalls).to.have.length(0);
    });

    it('a muted member is told why and until when, and keeps the text', async () => {
      const endsAt = '2031-05-04T10:00:00.000Z';
      api.onPost = () =>
        json(403, problem(403, 'member.muted', { sanction: { kind: 'mute', reason: 'Propos agressifs', endsAt, chapter: null } }));
      const el = await mount();
      await type(el, 'Encore moi');
      await post(el);
      await waitUntil(() => $(el, '.error'), 'error');
      const until = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short' }).format(new Date(endsAt));
      expect(text($(el, '#msg'))).to.equal(
        `A moderator has muted you: you cannot write in the discussion for now. Reason: Propos agressifs. Until ${until}.`,
      );
      expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('Encore moi');
      await accessibleInEveryMode(el);
    });

    it('a muted member is told why, in French', async () => {
      api.onPost = () =>
        json(403, problem(403, 'member.muted', { sanction: { kind: 'mute', reason: 'Propos agressifs', endsAt: null, chapter: null } }));
      const el = await mount('fr');
      await type(el, 'Encore moi');
      await post(el);
      await waitUntil(() => $(el, '.error'), 'error');
      expect(text($(el, '#msg'))).to.equal(
        'Un modérateur vous a mis en sourdine : vous ne pouvez pas écrire dans la discussion pour le moment. Motif : Propos agressifs. Jusqu’à ce qu’un modérateur la lève.',
      );
    });

    it('says when the server is rate-limiting', async () => {
      api.onPost = () => json(429, problem(429, 'rate.limited'), { 'retry-after': '20' });
      const el = await mount();
      await type(el, 'Vite');
      await post(el);
      await waitUntil(() => $(el, '.error'), 'error');
      expect(text($(el, '#msg'))).to.equal('You are posting too fast. Please wait 20 seconds before trying again.');
    });
  });
});
