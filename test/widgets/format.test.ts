import { expect } from '@open-wc/testing';
import { render } from 'lit';
import { checkMarkup, parseMarkup } from '../../src/contract/markup.js';
import {
  formatBody,
  fromMarkup,
  insertMention,
  LINK_REL,
  mentionQuery,
  toMarkup,
  type MentionMap,
} from '../../src/widgets/discussion/format.js';

/** Renders comment source into a fresh element and returns it. */
function show(src: string, opts?: Parameters<typeof formatBody>[1]): HTMLElement {
  const el = document.createElement('div');
  render(formatBody(src, opts), el);
  return el;
}
/** The rendered DOM without Lit's comment markers. */
const dom = (el: HTMLElement) => el.innerHTML.replace(/<!--[^>]*-->/g, '');

describe('comment formatting', () => {
  it('makes paragraphs on blank lines and keeps single line breaks', () => {
    expect(dom(show('Bonjour\nà tous\n\nSecond paragraphe'))).to.equal('<p>Bonjour<br>à tous</p><p>Second paragraphe</p>');
  });

  it('renders bold, italic and code, nested', () => {
    expect(dom(show('**gras _et italique_** et `code *pas italique*`'))).to.equal(
      '<p><strong>gras <em>et italique</em></strong> et <code>code *pas italique*</code></p>',
    );
    expect(dom(show('2 * 3 * 4 et snake_case_name'))).to.equal('<p>2 * 3 * 4 et snake_case_name</p>');
  });

  it('renders quotes, lists and code blocks', () => {
    const el = show('> Citation\n> suite\n\n- un\n- **deux**\n\n3. trois\n4. quatre\n\n```\n<b>brut</b>\n```');
    expect(el.querySelector('blockquote p')!.textContent).to.equal('Citationsuite');
    expect([...el.querySelectorAll('ul li')].map((li) => li.innerHTML.replace(/<!--[^>]*-->/g, ''))).to.deep.equal([
      'un',
      '<strong>deux</strong>',
    ]);
    expect(el.querySelector('ol')!.getAttribute('start')).to.equal('3');
    expect(el.querySelector('pre code')!.textContent).to.equal('<b>brut</b>');
    expect(el.querySelector('b')).to.equal(null);
  });

  it('links http, https and mailto with rel="nofollow ugc noopener", and bare URLs', () => {
    const el = show('Voir [le guide](https://asso.example.fr/guide), https://exemple.org/a?b=1. et [écrire](mailto:contact@asso.fr)');
    const links = [...el.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([
      'https://asso.example.fr/guide',
      'https://exemple.org/a?b=1',
      'mailto:contact@asso.fr',
    ]);
    for (const a of links) expect(a.getAttribute('rel')).to.equal(LINK_REL);
    expect(links[0].textContent).to.equal('le guide');
  });

  it('never turns a javascript:, data: or relative link into a link', () => {
    for (const src of [
      '[x](javascript:alert(1))',
      '[x](JAVASCRIPT:alert(1))',
      '<data:text/html,hi>',
      '[x](/relative)',
      '[x](  javascript:alert(1))',
      '[x](vbscript:x)',
    ]) {
      const el = show(src);
      expect(el.querySelector('a'), src).to.equal(null);
      expect(el.textContent).to.include('x');
    }
  });

  it('keeps HTML as text: no element from the source reaches the DOM', () => {
    const el = show('<img src=x onerror=alert(1)> <script>alert(1)</script> "><svg onload=alert(1)>');
    expect(el.querySelector('img, script, svg')).to.equal(null);
    expect(el.textContent).to.include('<script>alert(1)</script>');
  });

  it('shows mentions with the current name, linked to the member card when the host has one', () => {
    const el = show('Merci @[Bob](bob) et @[Ghost](gone)', {
      mentions: [{ id: 'bob', name: 'Bob Leroy', picture: null, chapters: [] }],
      memberHref: (id) => (id === 'bob' ? `/membres/${id}` : undefined),
    });
    const [bob, ghost] = [...el.querySelectorAll('.mention')];
    expect(bob.tagName).to.equal('A');
    expect(bob.textContent).to.equal('@Bob Leroy');
    expect(bob.getAttribute('href')).to.equal('/membres/bob');
    expect(ghost.tagName).to.equal('SPAN');
    expect(ghost.textContent).to.equal('@Ghost');
  });

  it('honours backslash escapes', () => {
    expect(dom(show('\\*pas italique\\* et \\[pas un lien\\]'))).to.equal('<p>*pas italique* et [pas un lien]</p>');
  });

  it('parses a pathological input in linear time', () => {
    const started = performance.now();
    parseMarkup('*_'.repeat(5000) + '['.repeat(2000) + '`'.repeat(3000));
    // Not a timing assertion on speed: a quadratic parser takes minutes on this input, a linear one milliseconds.
    expect(performance.now() - started).to.be.lessThan(5000);
  });
});

describe('markup checks (shared with the server)', () => {
  it('reports bad link schemes and HTML, and counts distinct mentions', () => {
    const r = checkMarkup('Hi @[A](a) @[A again](a) @[B](b) [x](javascript:alert(1)) <iframe src=x>');
    expect(r.mentions).to.deep.equal(['a', 'b']);
    expect(r.issues.map((i) => i.code)).to.deep.equal(['comment.link_scheme', 'comment.markup_forbidden']);
    expect(checkMarkup('`<script>` in code is fine, and so is a < b > c').issues).to.deep.equal([]);
  });
});

describe('mention typing', () => {
  it('finds the @query before the caret and replaces it with the name as the member reads it', () => {
    const text = 'Merci @cam';
    const q = mentionQuery(text, text.length)!;
    expect(q).to.deep.equal({ start: 6, q: 'cam' });
    expect(mentionQuery('mail@exemple', 12)).to.equal(null);
    const r = insertMention(text, q, text.length, { name: 'Camille [CM] Martin' });
    expect(r.text).to.equal('Merci @Camille [CM  Martin ');
    expect(r.caret).to.equal(r.text.length);
  });

  it('turns chosen names into markup and back; an altered mention, code and an email stay text', () => {
    const map: MentionMap = new Map([
      ['Camille Martin', 'm-12'],
      ['Camille', 'm-3'],
    ]);
    expect(toMarkup('Merci @Camille Martin, @Camille et (@Camille Martin)', map)).to.equal(
      'Merci @[Camille Martin](m-12), @[Camille](m-3) et (@[Camille Martin](m-12))',
    );
    expect(toMarkup('@Camille Marti @Camilles a@Camille `@Camille`', map)).to.equal('@[Camille](m-3) Marti @Camilles a@Camille `@Camille`');
    const back: MentionMap = new Map();
    const src = 'Bravo @[Grace Hopper](m-grace), voir `@[x](y)` et \\@[Bob](b)';
    const shown = fromMarkup(src, back);
    expect(shown).to.equal('Bravo @Grace Hopper, voir `@[x](y)` et \\@[Bob](b)');
    expect([...back]).to.deep.equal([['Grace Hopper', 'm-grace']]);
    expect(toMarkup(shown, back)).to.equal(src);
  });
});
