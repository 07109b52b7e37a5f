import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { strict } from '../../src/client/strict.js';
import { MemberList, Reactors } from '../../src/contract/discussion.js';
import '../../src/index.js';
import type { CercleDiscussion } from '../../src/index.js';
import { FakeApi, startWorker } from './api.js';
import { API, comment, commentPage, LOGIN_URL, member, site, SITE, TOKEN_URL } from './fixtures.js';
import { $, $$, text } from './kit/dom.js';
import { colourMode, inEveryMode, resetColours } from './kit/media.js';

const THREAD = 'https://amicale.test/articles/1';
const ME = member();

async function mount(theme = ''): Promise<CercleDiscussion> {
  const root = await fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang="en" theme=${theme || 'auto'} .parse=${strict}>
      <cercle-discussion thread=${THREAD}></cercle-discussion>
    </cercle-community>
  `);
  return root.querySelector('cercle-discussion')!;
}

const active = (el: Element) => el.shadowRoot!.activeElement as HTMLElement | null;
const button = (scope: Element | null | undefined, label: string) =>
  [...(scope?.querySelectorAll<HTMLButtonElement>('button') ?? [])].find((b) => text(b).startsWith(label));
const long = (i: number) => `Commentaire ${i} : ${'une phrase assez longue pour remplir la ligne, '.repeat(6)}`;

describe('<cercle-discussion> accessibility', () => {
  let api: FakeApi;
  before(startWorker);
  beforeEach(() => {
    localStorage.clear();
    api = new FakeApi();
    api.site = site({ reactions: ['thanks', 'useful'] });
  });
  afterEach(async () => {
    fixtureCleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('reflows to 320 px after loading wide: no comment keeps its old width (1.4.10)', async () => {
    await setViewport({ width: 1280, height: 800 });
    api.pages.set('', commentPage(Array.from({ length: 15 }, (_, i) => comment({ body: long(i) }))));
    const el = await mount();
    await waitUntil(() => $$(el, 'article').length === 15, 'comments');
    await setViewport({ width: 320, height: 640 });
    await new Promise(requestAnimationFrame);
    const articles = $$(el, 'article');
    // Those far below the fold too: none is skipped and sized from memory.
    for (const a of articles) {
      expect(getComputedStyle(a).contentVisibility).to.equal('visible');
      expect(a.getBoundingClientRect().right).to.be.at.most(320);
    }
    expect(document.documentElement.scrollWidth).to.be.at.most(320);
    // Every comment keeps its name, off screen too.
    for (const a of articles) expect(text(el.shadowRoot!.getElementById(a.getAttribute('aria-labelledby')!))).to.not.equal('');
  });

  it('is a feed: articles numbered in reading order, the set size unknown while more can load, busy while re-sorting', async () => {
    const root = comment({ body: 'Question' });
    const reply = comment({ body: 'Réponse', parentId: root.id });
    api.pages.set('', commentPage([root, reply, comment({ body: 'Autre' })], { next: 'p2' }));
    const el = await mount();
    await waitUntil(() => $$(el, 'article').length === 3, 'comments');
    const feed = $(el, '[part=list]')!;
    expect(feed.getAttribute('role')).to.equal('feed');
    expect(feed.getAttribute('aria-label')).to.equal('Comments');
    expect($$(el, 'article').map((a) => [a.getAttribute('aria-posinset'), a.getAttribute('aria-setsize')])).to.deep.equal([
      ['1', '-1'],
      ['2', '-1'],
      ['3', '-1'],
    ]);
    await expect(el).to.be.accessible();
    // Page Down / Page Up move from comment to comment.
    $$(el, 'article')[0].focus();
    await sendKeys({ press: 'PageDown' });
    expect(active(el)!.id).to.equal(`c-${reply.id}`);
    await sendKeys({ press: 'PageUp' });
    expect(active(el)!.id).to.equal(`c-${root.id}`);

    let release!: () => void;
    api.gate = new Promise<void>((r) => (release = r));
    button($(el, '.sort'), 'Newest first')!.click();
    await waitUntil(() => feed.getAttribute('aria-busy') === 'true', 'busy while sorting');
    expect($$(el, 'article')).to.have.length(3, 'the comments stay while the new order loads');
    release();
    await waitUntil(() => feed.getAttribute('aria-busy') === 'false', 'sorted');

    // Busy while the next page loads too; once the last page is in, the set size is known.
    api.pages.set('p2', commentPage([comment({ body: 'Suite' })]));
    api.gate = new Promise<void>((r) => (release = r));
    $<HTMLButtonElement>(el, '[part=more]')!.click();
    await waitUntil(() => feed.getAttribute('aria-busy') === 'true', 'busy while loading more');
    release();
    await waitUntil(() => $$(el, 'article').length === 4 && feed.getAttribute('aria-busy') === 'false', 'more shown');
    expect($$(el, 'article').map((a) => a.getAttribute('aria-setsize'))).to.deep.equal(['4', '4', '4', '4']);
    expect($$(el, 'article')[3].getAttribute('aria-posinset')).to.equal('4');
  });

  it('sorts from the keyboard: arrows do not reload, Enter does, and focus stays on the button pressed', async () => {
    const sorts: (string | null)[] = [];
    api.readFirst = (url) => (url.pathname === '/comments' ? void sorts.push(url.searchParams.get('sort')) : undefined);
    api.pages.set('', commentPage([comment({ body: 'Un' })]));
    const el = await mount();
    await waitUntil(() => $$(el, 'article').length === 1, 'comment');
    const read = sorts.length;
    const [oldest, , useful] = $$<HTMLButtonElement>(el, '.sort button');
    expect(oldest.getAttribute('aria-pressed')).to.equal('true');
    oldest.focus();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowRight' });
    await el.updateComplete;
    expect(sorts.length).to.equal(read, 'an arrow key reads nothing');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(active(el)).to.equal(useful);
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => sorts.at(-1) === 'useful' && useful.getAttribute('aria-pressed') === 'true', 'sorted by usefulness');
    await waitUntil(() => $(el, '[part=list]')!.getAttribute('aria-busy') === 'false', 'loaded');
    expect(active(el)).to.equal(useful, 'focus stays on the sort button');
    expect(oldest.getAttribute('aria-pressed')).to.equal('false');
  });

  it('names reactions "label, count", shows focus on a pressed one, and puts the full date in text instead of a tab stop', async () => {
    const c = comment({ body: 'Merci', reactions: [{ kind: 'thanks', count: 2, mine: true }] });
    api.pages.set('', commentPage([c]));
    const el = await mount();
    const pressed = await waitUntil(() => $(el, '.reaction[aria-pressed=true]'), 'pressed').then(() =>
      $<HTMLButtonElement>(el, '.reaction[aria-pressed=true]')!,
    );
    expect(text(pressed)).to.equal('Thanks, 2');
    const other = $<HTMLButtonElement>(el, '.reaction[aria-pressed=false]')!;
    // Reached by keyboard, so that :focus-visible applies as it does for a reader.
    other.focus();
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(active(el)).to.equal(pressed);
    const ring = getComputedStyle(pressed);
    expect(ring.outlineStyle).to.equal('solid');
    expect(ring.outlineWidth).to.equal('2px');
    expect(ring.outlineOffset).to.equal('2px', 'the ring stands outside the button, as on any other');

    // In forced colours the pressed one still stands out: the system's selection colours, not a tint.
    await colourMode('forced');
    try {
      expect(getComputedStyle(pressed).backgroundColor).to.not.equal(getComputedStyle(other).backgroundColor);
      const sortOn = $(el, '.sort [aria-pressed=true]')!;
      const sortOff = $(el, '.sort [aria-pressed=false]')!;
      expect(getComputedStyle(sortOn).backgroundColor).to.not.equal(getComputedStyle(sortOff).backgroundColor);
    } finally {
      await resetColours();
    }

    const time = $(el, 'time')!;
    expect(time.hasAttribute('tabindex')).to.equal(false);
    const full = time.nextElementSibling!;
    expect(full.classList.contains('sr')).to.equal(true);
    expect(text(full)).to.match(/\d{4}/);
    await inEveryMode(async () => {
      await expect(el).to.be.accessible();
    });
  });

  it('Escape closes the delete confirmation and the report form, and focus goes back to their button', async () => {
    api.me = { ...api.me, ...ME };
    const mine = comment({ body: 'Le mien', author: ME, reactions: [{ kind: 'thanks', count: 1, mine: false }] });
    const theirs = comment({ body: 'Le sien' });
    api.pages.set('', commentPage([mine, theirs]));
    const el = await mount();
    await waitUntil(() => button($$(el, 'article')[0], 'Delete'), 'delete button');
    const del = button($$(el, 'article')[0], 'Delete')!;
    del.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => $(el, `#box-${mine.id}`), 'confirmation');
    expect(active(el)!.closest('.box')).to.equal($(el, `#box-${mine.id}`));
    await inEveryMode(async () => {
      await expect(el).to.be.accessible();
    });
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !$(el, `#box-${mine.id}`), 'closed');
    expect(active(el)).to.equal(button($$(el, 'article')[0], 'Delete'));
    expect(api.calls.some((c) => c.method === 'DELETE')).to.equal(false);

    // "Who reacted" keeps focus on its button: Escape there closes the list.
    api.onRead = (url) =>
      url.pathname.endsWith('/reactions')
        ? {
            status: 200,
            body: Reactors.parse({ comment: mine.id, kinds: [{ kind: 'thanks', members: [member({ id: 'm-x', name: 'Xavier' })] }] }),
          }
        : undefined;
    button($$(el, 'article')[0], 'Who reacted')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => $(el, `#box-${mine.id}`), 'who reacted');
    expect(active(el)).to.equal(button($$(el, 'article')[0], 'Who reacted'));
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !$(el, `#box-${mine.id}`), 'who reacted closed');
    expect(active(el)).to.equal(button($$(el, 'article')[0], 'Who reacted'));

    button($$(el, 'article')[1], 'Report')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => $(el, `#box-${theirs.id}`), 'report form');
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !$(el, `#box-${theirs.id}`), 'report closed');
    expect(active(el)).to.equal(button($$(el, 'article')[1], 'Report'));
  });

  it('the mention list says how many members it found, politely', async () => {
    api.onRead = (url) =>
      url.pathname === '/mentions'
        ? {
            status: 200,
            body: MemberList.parse({ items: url.searchParams.get('q') === 'zz' ? [] : [member({ id: 'm-g', name: 'Grace Hopper' })] }),
          }
        : undefined;
    const el = await mount();
    const t = await waitUntil(() => $(el, '#text'), 'form').then(() => $<HTMLTextAreaElement>(el, '#text')!);
    t.focus();
    await sendKeys({ type: 'Bonjour @gr' });
    await waitUntil(() => $$(el, '[role=option]').length === 1, 'one suggestion');
    const count = $(el, '.mentions')!.previousElementSibling!;
    expect(count.getAttribute('role')).to.equal('status');
    expect(text(count)).to.equal('1 member found');
    expect(t.getAttribute('aria-activedescendant')).to.equal('mentions-0');
    expect(t.getAttribute('aria-controls')).to.equal('mentions');
    await inEveryMode(async () => {
      await expect(el).to.be.accessible();
    });
    await sendKeys({ type: ' @zz' });
    await waitUntil(() => text(count) === 'No member found', 'none found');
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => text(count) === '', 'closed');
    expect(active(el)).to.equal(t);
  });

  it("heading-level moves the heading and each comment author's heading under the host page's", async () => {
    api.pages.set('', commentPage([comment({ body: 'Un' })]));
    const el = await mount();
    el.setAttribute('heading-level', '3');
    await waitUntil(() => $$(el, 'article').length === 1, 'comment');
    await el.updateComplete;
    expect($(el, 'h2')!.getAttribute('aria-level')).to.equal('3');
    expect($(el, 'article h3')!.getAttribute('aria-level')).to.equal('4');
    await expect(el).to.be.accessible();
  });

  it('every state passes axe in light, dark and forced colours, themed or following the page', async () => {
    for (const theme of ['auto', 'dark']) {
      api.pages.set(
        '',
        commentPage([
          comment({ body: 'Un', reactions: [{ kind: 'thanks', count: 1, mine: false }] }),
          comment({ author: ME, body: 'Deux' }),
        ]),
      );
      const el = await mount(theme);
      await waitUntil(() => $$(el, 'article').length === 2 && $(el, '#text'), 'filled');
      await inEveryMode(async () => {
        await expect(el).to.be.accessible();
      });
      fixtureCleanup();
    }
    api.down = true;
    const failed = await mount();
    await waitUntil(() => text($(failed, '[part=base]')).includes('could not be loaded'), 'error');
    await inEveryMode(async () => {
      await expect(failed).to.be.accessible();
    });
  });
});
