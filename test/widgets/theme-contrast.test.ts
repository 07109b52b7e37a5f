/**
 * The colour tokens: one per scheme, and whatever accent the host sets, the accent and the text on it
 * stay readable (WCAG 1.4.3, ≥ 4.5:1) in light and in dark. Measured on what the browser paints.
 */
import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import { html as lit } from 'lit';
import { CercleElement } from '../../src/internal/element.js';
import { contrast, inEveryMode } from './kit/media.js';

class ContrastProbe extends CercleElement {
  override render() {
    return lit`<div part="base"><a href="#x">Lien</a> <button>Bouton</button> <button class="primary">Envoyer</button></div>`;
  }
}
ContrastProbe.define('cercle-contrast-probe');

/** Accents hosts set: the demo's red, pale and saturated brand colours, black, white, grey. */
const ACCENTS = [
  '#9f1d20',
  '#3144b8',
  '#0b5cad',
  '#ffd400',
  '#f2b630',
  '#00ff00',
  '#0000ff',
  '#ff00ff',
  '#e63946',
  '#2e7d32',
  '#000000',
  '#ffffff',
  '#777777',
];

const paint = (el: Element, selector: string) => getComputedStyle(el.shadowRoot!.querySelector(selector)!);

async function probe(theme: 'light' | 'dark', style: string) {
  return fixture<ContrastProbe>(html`<cercle-contrast-probe theme=${theme} style=${style}></cercle-contrast-probe>`);
}

describe('colour tokens', () => {
  afterEach(fixtureCleanup);

  for (const theme of ['light', 'dark'] as const) {
    it(`keeps any accent ≥ 4.5:1 on the ${theme} surface, and the text on it too`, async () => {
      const low: string[] = [];
      for (const accent of ACCENTS) {
        const el = await probe(theme, `--cercle-color-accent: ${accent}`);
        const bg = getComputedStyle(el).backgroundColor;
        const link = paint(el, 'a').color;
        const primary = paint(el, 'button.primary');
        const pairs: [string, number][] = [
          ['link on surface', contrast(link, bg)],
          ['button text on surface', contrast(paint(el, 'button').color, bg)],
          ['text on accent', contrast(primary.color, primary.backgroundColor)],
        ];
        for (const [what, ratio] of pairs) if (ratio < 4.5) low.push(`${accent} ${what}: ${ratio.toFixed(2)}`);
        fixtureCleanup();
      }
      expect(low).to.deep.equal([]);
    });
  }

  it('leaves a readable brand colour as the host chose it', async () => {
    const el = await probe('light', '--cercle-color-accent: #9f1d20');
    expect(contrast(paint(el, 'a').color, '#9f1d20')).to.be.below(1.05);
  });

  it('takes a dark accent of its own in dark, and the demo red made readable when there is none', async () => {
    let el = await probe('dark', '--cercle-color-accent: #9f1d20; --cercle-color-accent-dark: #ff9e9b');
    expect(contrast(paint(el, 'a').color, '#ff9e9b')).to.be.below(1.05);
    fixtureCleanup();
    el = await probe('dark', '--cercle-color-accent: #9f1d20');
    // Before: the light accent as it was, 2.23:1 on the dark surface.
    expect(contrast(paint(el, 'a').color, getComputedStyle(el).backgroundColor)).to.be.at.least(4.5);
  });

  it('takes surface, text and border per scheme', async () => {
    const tokens =
      '--cercle-color-surface: #fbf8f3; --cercle-color-surface-dark: #202124; --cercle-color-text: #1f1d1b; ' +
      '--cercle-color-text-dark: #f1efe9; --cercle-color-border: #e6ded2; --cercle-color-border-dark: #55524d';
    const light = await probe('light', tokens);
    expect(getComputedStyle(light).backgroundColor).to.equal('rgb(251, 248, 243)');
    expect(getComputedStyle(light).color).to.equal('rgb(31, 29, 27)');
    const dark = await probe('dark', tokens);
    expect(getComputedStyle(dark).backgroundColor).to.equal('rgb(32, 33, 36)');
    expect(getComputedStyle(dark).color).to.equal('rgb(241, 239, 233)');
    expect(getComputedStyle(dark).getPropertyValue('--_line').trim()).to.include('#55524d');
  });

  it('passes axe (colour contrast included) in light, dark and forced colours, for the demo accent', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const el = await probe(theme, '--cercle-color-accent: #9f1d20');
      await inEveryMode(async () => {
        await expect(el).to.be.accessible();
      });
      fixtureCleanup();
    }
  });
});
