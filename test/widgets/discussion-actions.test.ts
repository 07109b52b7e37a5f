import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { strict } from '../../src/client/strict.js';
import { CommentReactions, Flag, MemberList, ReadMarkerOut } from '../../src/contract/discussion.js';
import { Comment } from '../../src/contract/resources.js';
import '../../src/index.js';
import type { CercleDiscussion } from '../../src/index.js';
import { FakeApi, startWorker } from './api.js';
import { API, comment, commentPage, LOGIN_URL, member, site, SITE, thread, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { accessibleInEveryMode } from './kit/media.js';

const THREAD = 'https://amicale.test/articles/1';
const ME = member();
const GRACE = member({ id: 'm-grace', name: 'Grace Hopper' });

async function mount(lang = 'en'): Promise<CercleDiscussion> {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
      <cercle-discussion thread=${THREAD}></cercle-discussion>
    </cercle-community>
  `);
  return root.querySelector('cercle-discussion')!;
}

const button = (scope: Element | ShadowRoot | undefined | null, label: string) =>
  [...(scope?.querySelectorAll<HTMLButtonElement>('button') ?? [])].find((b) => text(b).startsWith(label));
const articles = (el: Element) => $$(el, 'article');
const status = (el: Element) => text($(el, '[part=base] > [role=status]'));
const typeInto = (t: HTMLTextAreaElement, value: string) => {
  t.value = value;
  t.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
};

describe('<cercle-discussion> actions', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => {
    localStorage.clear();
    api = new FakeApi();
    api.site = site({ reactions: ['thanks', 'useful', 'interested'] });
  });
  afterEach(fixtureCleanup);

  it('nests replies three levels deep, then lists deeper ones flat with a keyboard-reachable “in reply to” link', async () => {
    const c0 = comment({ body: 'Racine' });
    const c1 = comment({ body: 'Niveau 1', parentId: c0.id, author: ME });
    const c2 = comment({ body: 'Niveau 2', parentId: c1.id });
    const c3 = comment({ body: 'Niveau 3', parentId: c2.id, author: ME });
    const c4 = comment({ body: 'Niveau 4', parentId: c3.id });
    const c5 = comment({ body: 'Niveau 5', parentId: c4.id, author: ME });
    api.pages.set('', commentPage([c0, c1, c2, c3, c4, c5]));
    const el = await mount();
    await waitUntil(() => articles(el).length === 6, 'six comments');
    expect($$(el, '.replies .replies .replies')).to.have.length(1);
    expect($$(el, '.replies .replies .replies .replies')).to.have.length(0, 'never deeper than three');
    const deep = $(el, `#c-${c5.id}`)!;
    const link = deep.querySelector<HTMLAnchorElement>('[part=meta] a')!;
    expect(text(link)).to.equal('in reply to Grace Hopper');
    expect(link.getAttribute('href')).to.equal(`#c-${c4.id}`);
    link.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.activeElement?.id === `c-${c4.id}`, 'focus moved to the parent');
    await accessibleInEveryMode(el);
  });

  it('reacts once per kind, shows counts and my reactions, and not on my own comments', async () => {
    const theirs = comment({ body: 'Utile ?', reactions: [{ kind: 'thanks', count: 2, mine: false }] });
    const mine = comment({ body: 'Le mien', author: ME, reactions: [{ kind: 'useful', count: 1, mine: false }] });
    api.pages.set('', commentPage([theirs, mine]));
    api.onWrite = (call) =>
      call.method === 'POST' && call.path === `/comments/${theirs.id}/reactions`
        ? {
            status: 200,
            body: CommentReactions.parse({
              comment: theirs.id,
              reactions: [
                { kind: 'thanks', count: 2, mine: false },
                { kind: 'useful', count: 1, mine: true },
              ],
            }),
          }
        : undefined;
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'comments');
    const [a, b] = articles(el);
    expect(b.querySelectorAll('button.reaction')).to.have.length(0);
    expect(text(b.querySelector('.reaction'))).to.equal('Useful, 1');
    button(a, 'Useful')!.click();
    await waitUntil(() => button(a, 'Useful')?.getAttribute('aria-pressed') === 'true', 'pressed');
    expect(text(button(a, 'Useful')!)).to.equal('Useful, 1');
    expect(api.calls.find((c) => c.path.endsWith('/reactions'))!.body).to.deep.equal({ kind: 'useful' });
    await accessibleInEveryMode(el);
  });

  it('replies under a comment, keeping the reply as a draft until it is sent', async () => {
    const parent = comment({ body: 'Question' });
    api.pages.set('', commentPage([parent]));
    const el = await mount();
    await waitUntil(() => button(articles(el)[0], 'Reply'), 'reply button');
    button(articles(el)[0], 'Reply')!.click();
    const box = await waitUntil(() => $<HTMLTextAreaElement>(el, `#t-${parent.id}`), 'reply box').then(() =>
      $<HTMLTextAreaElement>(el, `#t-${parent.id}`)!,
    );
    expect(el.shadowRoot!.activeElement).to.equal(box);
    typeInto(box, 'Ma réponse');
    expect(JSON.parse(localStorage.getItem(`cercle:${SITE}:${THREAD}#${parent.id}`)!).body).to.equal('Ma réponse');
    await accessibleInEveryMode(el);
    box.form!.requestSubmit();
    await waitUntil(() => articles(el).length === 2, 'reply shown');
    expect(api.postCalls[0].body).to.include({ parentId: parent.id, body: 'Ma réponse' });
    expect($$(el, '.replies article')).to.have.length(1);
    expect(localStorage.getItem(`cercle:${SITE}:${THREAD}#${parent.id}`)).to.equal(null);
    expect(status(el)).to.equal('Your comment was posted.');
  });

  it('shows a chosen mention as @Name, keeps it across a reload and posts its markup; an altered one is plain text', async () => {
    api.onRead = (url) => (url.pathname === '/mentions' ? { status: 200, body: MemberList.parse({ items: [GRACE] }) } : undefined);
    let el = await mount();
    let t = await waitUntil(() => $(el, '#text'), 'form').then(() => $<HTMLTextAreaElement>(el, '#text')!);
    t.focus();
    await sendKeys({ type: 'Bonjour @gra' });
    await waitUntil(() => $$(el, '[role=option]').length === 1, 'suggestion');
    await sendKeys({ press: 'Tab' });
    await waitUntil(() => t.value === 'Bonjour @Grace Hopper ', 'mention inserted');
    await sendKeys({ type: 'et @Grace Hoppe' });
    fixtureCleanup();
    el = await mount();
    t = await waitUntil(() => $(el, '#text'), 'form again').then(() => $<HTMLTextAreaElement>(el, '#text')!);
    expect(t.value).to.equal('Bonjour @Grace Hopper et @Grace Hoppe', 'the reloaded draft reads naturally');
    typeInto(t, t.value.replace(/Hoppe$/, 'Hopper') + ' mais pas @Grace Hopperine');
    t.form!.requestSubmit();
    await waitUntil(() => api.postCalls.length === 1, 'posted');
    expect((api.postCalls[0].body as { body: string }).body).to.equal(
      'Bonjour @[Grace Hopper](m-grace) et @[Grace Hopper](m-grace) mais pas @Grace Hopperine',
    );
    await waitUntil(() => t.value === '', 'box emptied');
  });

  it('offers mentions in a reply box from the keyboard, and the reply carries the markup', async () => {
    const parent = comment({ body: 'Qui connaît le sujet ?' });
    api.pages.set('', commentPage([parent]));
    api.onRead = (url) =>
      url.pathname === '/mentions' && url.searchParams.get('q') === 'Gr'
        ? { status: 200, body: MemberList.parse({ items: [member({ id: 'm-greg', name: 'Grégoire Roux' }), GRACE] }) }
        : undefined;
    const el = await mount();
    await waitUntil(() => button(articles(el)[0], 'Reply'), 'reply button');
    button(articles(el)[0], 'Reply')!.click();
    const box = await waitUntil(() => $<HTMLTextAreaElement>(el, `#t-${parent.id}`), 'reply box').then(() =>
      $<HTMLTextAreaElement>(el, `#t-${parent.id}`)!,
    );
    const list = `mentions-${parent.id}`;
    expect(box.getAttribute('aria-autocomplete')).to.equal('list');
    expect(box.getAttribute('aria-controls')).to.equal(list);
    expect($(el, `#${list}`)!.hidden).to.equal(true);
    await sendKeys({ type: 'Voyez @Gr' });
    await waitUntil(() => !$(el, `#${list}`)!.hidden && $$(el, `#${list} [role=option]`).length === 2, 'suggestions under the reply box');
    expect(box.getAttribute('aria-activedescendant')).to.equal(`${list}-0`);
    await accessibleInEveryMode(el);
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => box.getAttribute('aria-activedescendant') === `${list}-1`, 'second option');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => box.value === 'Voyez @Grace Hopper ', 'mention inserted');
    expect($(el, '#mentions')!.hidden).to.equal(true, "the main box's list stays closed");
    expect(JSON.parse(localStorage.getItem(`cercle:${SITE}:${THREAD}#${parent.id}`)!).body).to.equal('Voyez @[Grace Hopper](m-grace) ');
    await sendKeys({ type: 'merci' });
    box.form!.requestSubmit();
    await waitUntil(() => api.postCalls.length === 1, 'reply posted');
    expect(api.postCalls[0].body).to.include({ parentId: parent.id, body: 'Voyez @[Grace Hopper](m-grace) merci' });
  });

  it('edits a comment with mentions as @Name and saves them as markup', async () => {
    const c = comment({ body: 'Merci @[Grace Hopper](m-grace) !', author: ME, createdAt: new Date().toISOString(), mentions: [GRACE] });
    api.pages.set('', commentPage([c]));
    api.onWrite = (call) =>
      call.method === 'PATCH'
        ? { status: 200, body: Comment.parse({ ...c, body: (call.body as { body: string }).body, editedAt: new Date().toISOString() }) }
        : undefined;
    const el = await mount();
    await waitUntil(() => button(articles(el)[0], 'Edit'), 'edit button');
    button(articles(el)[0], 'Edit')!.click();
    const box = await waitUntil(() => $(el, `#t-${c.id}`), 'edit box').then(() => $<HTMLTextAreaElement>(el, `#t-${c.id}`)!);
    expect(box.value).to.equal('Merci @Grace Hopper !');
    typeInto(box, 'Merci beaucoup @Grace Hopper !');
    box.form!.requestSubmit();
    await waitUntil(() => text(articles(el)[0].querySelector('[part=body]')) === 'Merci beaucoup @Grace Hopper !', 'edited');
    expect(api.calls.find((x) => x.method === 'PATCH')!.body).to.deep.equal({ body: 'Merci beaucoup @[Grace Hopper](m-grace) !' });
    expect(articles(el)[0].querySelector('[part=mention]')).to.exist;
  });

  it('edits my comment within the window, and deletes it to a tombstone', async () => {
    const c = comment({ body: 'Brouillon', author: ME, createdAt: new Date().toISOString() });
    const old = comment({ body: 'Ancien', author: ME, createdAt: new Date(Date.now() - 3600_000).toISOString() });
    api.pages.set('', commentPage([c, old]));
    api.onWrite = (call) => {
      if (call.method === 'PATCH')
        return {
          status: 200,
          body: Comment.parse({ ...c, body: (call.body as { body: string }).body, editedAt: new Date().toISOString() }),
        };
      if (call.method === 'DELETE')
        return { status: 200, body: Comment.parse({ ...c, body: '', author: null, status: 'deleted', reactions: [] }) };
    };
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'comments');
    expect(button(articles(el)[1], 'Edit')).to.equal(undefined, 'past the 15-minute window');
    button(articles(el)[0], 'Edit')!.click();
    const box = await waitUntil(() => $(el, `#t-${c.id}`), 'edit box').then(() => $<HTMLTextAreaElement>(el, `#t-${c.id}`)!);
    expect(box.value).to.equal('Brouillon');
    typeInto(box, 'Version **finale**');
    box.form!.requestSubmit();
    await waitUntil(() => text(articles(el)[0].querySelector('[part=body]')) === 'Version finale', 'edited');
    expect(articles(el)[0].querySelector('strong')).to.exist;
    expect(text(articles(el)[0].querySelector('[part=meta]'))).to.include('edited');
    button(articles(el)[0], 'Delete')!.click();
    await waitUntil(() => $(el, `#box-${c.id}`), 'confirmation');
    await accessibleInEveryMode(el);
    button($(el, `#box-${c.id}`)!, 'Delete')!.click();
    await waitUntil(() => text(articles(el)[0]).includes('This comment was deleted.'), 'tombstone');
    expect(status(el)).to.equal('Your comment was deleted.');
  });

  it('reports a comment with a reason', async () => {
    const c = comment({ body: 'Achetez !' });
    api.pages.set('', commentPage([c]));
    api.onWrite = (call) =>
      call.path.endsWith('/flags')
        ? { status: 201, body: Flag.parse({ comment: c.id, reason: 'spam', createdAt: new Date().toISOString() }) }
        : undefined;
    const el = await mount('fr');
    await waitUntil(() => button(articles(el)[0], 'Signaler'), 'flag button');
    button(articles(el)[0], 'Signaler')!.click();
    await waitUntil(() => $(el, 'fieldset'), 'reasons');
    await accessibleInEveryMode(el);
    $<HTMLInputElement>(el, 'input[value=spam]')!.click();
    $<HTMLInputElement>(el, `#note-${c.id}`)!.value = 'Publicité';
    button($(el, `#box-${c.id}`)!, 'Signaler')!.click();
    await waitUntil(() => text(articles(el)[0]).includes('Signalé'), 'reported');
    expect(api.calls.find((x) => x.path.endsWith('/flags'))!.body).to.deep.equal({ reason: 'spam', note: 'Publicité' });
  });

  it('gives moderators hide, approve and lock', async () => {
    const c = comment({ body: 'Limite', flagCount: 2 });
    const pending = comment({ body: 'En attente', status: 'pending' });
    api.pages.set('', commentPage([c, pending], { moderator: true, pendingCount: 1 }));
    api.onWrite = (call) => {
      const id = call.path.split('/')[2];
      const action = (call.body as { action?: string })?.action;
      if (action === 'hide') return { status: 200, body: Comment.parse({ ...c, status: 'hidden' }) };
      if (action === 'approve') return { status: 200, body: Comment.parse({ ...pending, status: 'published' }) };
      if (call.path === '/threads') return { status: 200, body: thread({ locked: true }) };
      void id;
    };
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'comments');
    expect(text($(el, '.toolbar'))).to.include('1 comment awaits approval');
    expect(text(articles(el)[0])).to.include('2 reports');
    await accessibleInEveryMode(el);
    button(articles(el)[0], 'Hide')!.click();
    await waitUntil(() => button(articles(el)[0], 'Restore'), 'hidden');
    expect(text(articles(el)[0])).to.include('A moderator hid this comment.');
    button(articles(el)[1], 'Approve')!.click();
    await waitUntil(() => !button(articles(el)[1], 'Approve'), 'approved');
    button($(el, '.toolbar')!, 'Close the discussion')!.click();
    await waitUntil(() => button($(el, '.toolbar')!, 'Reopen the discussion'), 'locked');
    expect(text($(el, '[part=base]'))).to.include('This discussion is closed.');
  });

  it('marks what is new since the last visit, and remembers this visit', async () => {
    const lastVisitAt = new Date(Date.now() - 3600_000).toISOString();
    const seen = comment({ body: 'Vu', createdAt: new Date(Date.now() - 7200_000).toISOString() });
    const fresh = comment({ body: 'Nouveau', createdAt: new Date(Date.now() - 60_000).toISOString() });
    api.pages.set('', commentPage([seen, fresh], { lastVisitAt }));
    api.onWrite = (call) =>
      call.path === '/threads/read' ? { status: 200, body: ReadMarkerOut.parse({ thread: THREAD, readAt: fresh.createdAt }) } : undefined;
    const el = await mount();
    await waitUntil(() => articles(el).length === 2, 'comments');
    expect(articles(el).map((a) => a.classList.contains('new'))).to.deep.equal([false, true]);
    expect(text($(el, '.toolbar'))).to.include('1 new since your last visit');
    await waitUntil(() => api.calls.some((c) => c.path === '/threads/read'), 'marker sent');
    expect(api.calls.find((c) => c.path === '/threads/read')!.body).to.deep.equal({ thread: THREAD, at: fresh.createdAt });
    await accessibleInEveryMode(el);
  });

  it('previews the formatting, and suggests members to mention from the keyboard', async () => {
    api.onRead = (url) =>
      url.pathname === '/mentions'
        ? { status: 200, body: MemberList.parse({ items: [GRACE, member({ id: 'm-greg', name: 'Grégoire Roux' })] }) }
        : undefined;
    const el = await mount();
    const t = await waitUntil(() => $(el, '#text'), 'form').then(() => $<HTMLTextAreaElement>(el, '#text')!);
    expect(t.getAttribute('aria-autocomplete')).to.equal('list');
    expect($(el, '#mentions')!.hidden).to.equal(true);
    t.focus();
    await sendKeys({ type: 'Merci @gr' });
    await waitUntil(() => $$(el, '[role=option]').length === 2, 'suggestions');
    expect(t.getAttribute('aria-activedescendant')).to.equal('mentions-0');
    await accessibleInEveryMode(el);
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => t.getAttribute('aria-activedescendant') === 'mentions-1', 'second option');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => t.value === 'Merci @Grégoire Roux ', 'the name inserted, as the member reads it');
    expect($(el, '[role=listbox]')!.hidden).to.equal(true);
    expect(t.hasAttribute('aria-activedescendant')).to.equal(false);
    expect(JSON.parse(localStorage.getItem(`cercle:${SITE}:${THREAD}`)!).body).to.equal(
      'Merci @[Grégoire Roux](m-greg) ',
      'the draft keeps the mention',
    );
    typeInto(t, 'Un **point** important');
    button($(el, 'form')!, 'Preview')!.click();
    await waitUntil(() => $(el, '.preview strong'), 'preview');
    expect(text($(el, '.preview'))).to.equal('Un point important');
    await accessibleInEveryMode(el);
  });
});
