/**
 * The colour modes every widget state is checked in: light, dark, and forced colours (Windows High
 * Contrast). Chromium emulates them through the DevTools protocol (`Emulation.setEmulatedMedia`,
 * reached with the `emulate-colours` command of web-test-runner.config.js), so `prefers-color-scheme`
 * and `forced-colors` media queries, `light-dark()` and system colours all answer as they would there.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

export type Mode = 'light' | 'dark' | 'forced';

export const MODES: readonly Mode[] = ['light', 'dark', 'forced'];

/** Puts the page in `mode` and waits for the styles to follow. */
export async function colourMode(mode: Mode): Promise<void> {
  await executeServerCommand('emulate-colours', {
    colorScheme: mode === 'dark' ? 'dark' : 'light',
    forcedColors: mode === 'forced' ? 'active' : 'none',
  });
  if (matchMedia('(forced-colors: active)').matches !== (mode === 'forced')) throw new Error(`the browser did not take ${mode} colours`);
  await new Promise(requestAnimationFrame);
}

/** Lets the page follow the browser's own settings again (no emulation left for the next test). */
export async function resetColours(): Promise<void> {
  await executeServerCommand('emulate-colours', { colorScheme: '', forcedColors: '' });
  await new Promise(requestAnimationFrame);
}

/** Runs `check` in each colour mode in turn, then lets the page follow the browser again. */
export async function inEveryMode(check: (mode: Mode) => Promise<void>): Promise<void> {
  try {
    for (const mode of MODES) {
      await colourMode(mode);
      await check(mode);
    }
  } finally {
    await resetColours();
  }
}

/** The sRGB colour a CSS colour paints, as 0–255 channels (any syntax the browser takes: oklch(), light-dark(), …). */
export function paint(color: string): [number, number, number, number] {
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  const g = c.getContext('2d', { willReadFrequently: true })!;
  g.fillStyle = color;
  g.fillRect(0, 0, 1, 1);
  const [r, gr, b, a] = g.getImageData(0, 0, 1, 1).data;
  return [r, gr, b, a];
}

/** WCAG 2 relative luminance of an opaque sRGB colour. */
const luminance = ([r, g, b]: readonly number[]) => {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};

/** WCAG 2 contrast ratio of two CSS colours (1–21). */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(paint(a)), luminance(paint(b))];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * axe on `el` (colour contrast included) in light, dark and forced colours: what every widget state
 * is checked with. In dark, the widget is also given `theme="dark"` for the check (a widget without a
 * theme follows the light test page), so that its dark colours are the ones measured. The failing
 * mode is named in the error.
 */
export async function accessibleInEveryMode(el: Element): Promise<void> {
  await inEveryMode(async (mode) => {
    const theme = el.getAttribute('theme');
    if (mode === 'dark') {
      el.setAttribute('theme', 'dark');
      await (el as Element & { updateComplete?: Promise<unknown> }).updateComplete;
      await new Promise(requestAnimationFrame);
    }
    try {
      await expect(el).to.be.accessible();
    } catch (e) {
      (e as Error).message = `in ${mode} colours: ${(e as Error).message}`;
      throw e;
    } finally {
      if (mode === 'dark') {
        if (theme === null) el.removeAttribute('theme');
        else el.setAttribute('theme', theme);
      }
    }
  });
}
