/**
 * `theme="auto"` follows the page behind the widget (its background and `color-scheme`), not only the
 * reader's system preference, and follows it again when the page switches.
 */
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { html as lit } from 'lit';
import { CercleElement } from '../../src/internal/element.js';

class ThemedProbe extends CercleElement {
  override render() {
    return lit`<p part="base">Bonjour</p>`;
  }
}
ThemedProbe.define('cercle-themed-probe');

const scheme = (el: Element) => getComputedStyle(el).colorScheme;
const root = document.documentElement;

describe('theme="auto"', () => {
  afterEach(async () => {
    fixtureCleanup();
    root.removeAttribute('style');
    root.removeAttribute('class');
    document.body.removeAttribute('style');
    document.getElementById('page-theme')?.remove();
    await emulateMedia({ colorScheme: 'light' });
  });

  it('renders dark on a dark page when the system is light', async () => {
    await emulateMedia({ colorScheme: 'light' });
    document.body.style.background = '#15171c';
    const el = await fixture(html`<cercle-themed-probe theme="auto"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('dark');
    // The private colours resolve to their dark side.
    expect(getComputedStyle(el).color).to.equal('rgb(233, 233, 238)');
    await expect(el).to.be.accessible();
  });

  it('renders light on a light page when the system is dark', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    document.body.style.background = '#fdfcf8';
    const el = await fixture(html`<cercle-themed-probe theme="auto"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('light');
    expect(getComputedStyle(el).color).to.equal('rgb(29, 30, 34)');
  });

  it('renders light on a page that offers no dark scheme, whatever the system says', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture(html`<cercle-themed-probe theme="auto"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('light');
  });

  it('takes the nearest background behind it, composited over what is below', async () => {
    document.body.style.background = '#fff';
    const wrap = await fixture(
      html`<div style="background: rgb(0 0 0 / 0.9)"><section><cercle-themed-probe theme="auto"></cercle-themed-probe></section></div>`,
    );
    expect(scheme(wrap.querySelector('cercle-themed-probe')!)).to.equal('dark');
  });

  it('follows the page when its dark mode class changes on <html>', async () => {
    const style = Object.assign(document.createElement('style'), {
      id: 'page-theme',
      textContent: 'html.night body { background: #000; color-scheme: dark; }',
    });
    document.head.append(style);
    const el = await fixture(html`<cercle-themed-probe theme="auto"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('light');
    root.classList.add('night');
    await waitUntil(() => scheme(el) === 'dark', 'dark after the page switched');
    root.classList.remove('night');
    await waitUntil(() => scheme(el) === 'light', 'light after the page switched back');
  });

  it('follows the system preference where the page offers both schemes', async () => {
    root.style.colorScheme = 'light dark';
    const el = await fixture(html`<cercle-themed-probe theme="auto"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('light');
    await emulateMedia({ colorScheme: 'dark' });
    await waitUntil(() => scheme(el) === 'dark', 'dark after the system switched');
  });

  it('leaves explicit themes alone', async () => {
    document.body.style.background = '#000';
    const el = await fixture(html`<cercle-themed-probe theme="light"></cercle-themed-probe>`);
    expect(scheme(el)).to.equal('light');
    el.setAttribute('theme', 'auto');
    await waitUntil(() => scheme(el) === 'dark', 'auto after the attribute changed');
  });
});
