import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Rgba = [r: number, g: number, b: number, a: number];
type Scheme = 'light' | 'dark';

/** An element that may carry `theme="auto"` and a custom state set to show the scheme it found. */
type Host = ReactiveControllerHost & HTMLElement & { readonly states?: CustomStateSet };

let paint: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour as sRGB bytes and alpha 0–1, through a 1×1 canvas (computed colours may be `oklch()`, `color(…)`). */
function rgba(color: string): Rgba {
  const m = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(color);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return [+m[1]!, +m[2]!, +m[3]!, a];
  }
  if (paint === undefined) paint = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!paint) return [0, 0, 0, 0];
  paint.clearRect(0, 0, 1, 1);
  paint.fillStyle = color;
  paint.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
  return [r!, g!, b!, a! / 255];
}

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The parent in the rendered tree: the slot a node is assigned to, its parent, or the host of its shadow root. */
function up(el: Element): Element | null {
  return el.assignedSlot ?? el.parentElement ?? (el.parentNode as ShadowRoot | null)?.host ?? null;
}

const osDark = () => matchMedia('(prefers-color-scheme: dark)').matches;

/**
 * The scheme the page uses: the colour of the canvas (the root's `color-scheme`,
 * or the page's `<meta name="color-scheme">`, and the reader's preference
 * where the page offers both).
 */
function canvasScheme(): Scheme {
  let offered = getComputedStyle(document.documentElement).colorScheme;
  if (!offered || offered === 'normal') offered = document.querySelector<HTMLMetaElement>('meta[name="color-scheme"]')?.content ?? '';
  const dark = /\bdark\b/.test(offered);
  const light = /\blight\b/.test(offered);
  return dark && (!light || osDark()) ? 'dark' : 'light';
}

/**
 * What is painted behind `el`: the backgrounds of its ancestors composited
 * (through `<body>` and `<html>`) until one is opaque, then over the
 * page's canvas. Dark when that colour's luminance is below 0.179, where
 * black and white text contrast equally with it.
 */
export function schemeBehind(el: Element): Scheme {
  const layers: Rgba[] = [];
  for (let n = up(el); n; n = up(n)) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let below: Rgba = canvasScheme() === 'dark' ? [18, 18, 18, 1] : [255, 255, 255, 1];
  if (layers.at(-1)?.[3] === 1) below = layers.pop()!;
  for (const [r, g, b, a] of layers.reverse()) {
    below = [r * a + below[0] * (1 - a), g * a + below[1] * (1 - a), b * a + below[2] * (1 - a), 1];
  }
  return luminance(below) < 0.179 ? 'dark' : 'light';
}

/** Every element following the page, re-evaluated together when the page may have changed its colours. */
const followers = new Set<PageScheme>();
let observer: MutationObserver | undefined;
let media: MediaQueryList | undefined;
const reevaluate = () => followers.forEach((f) => f.evaluate());

function follow(f: PageScheme): void {
  followers.add(f);
  if (observer) return;
  // A page switches its dark mode by a class or style on <html> or <body>, or follows the reader's preference.
  observer = new MutationObserver(reevaluate);
  const watch = { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-bs-theme'] };
  observer.observe(document.documentElement, watch);
  if (document.body) observer.observe(document.body, watch);
  media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', reevaluate);
}

function unfollow(f: PageScheme): void {
  followers.delete(f);
  if (followers.size || !observer) return;
  observer.disconnect();
  media?.removeEventListener('change', reevaluate);
  observer = media = undefined;
}

/**
 * `theme="auto"`: the element takes the scheme of the page behind it — its
 * background's luminance and its `color-scheme` — rather than only the
 * reader's system preference. The result is the element's custom state
 * `light` or `dark`, which the shared theme styles read (`:host(:state(dark))`).
 */
export class PageScheme implements ReactiveController {
  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    follow(this);
    this.evaluate();
  }

  hostUpdated(): void {
    this.evaluate();
  }

  hostDisconnected(): void {
    unfollow(this);
  }

  evaluate(): void {
    const states = this.host.states;
    if (!states) return;
    const scheme = this.host.getAttribute('theme') === 'auto' && this.host.isConnected ? schemeBehind(this.host) : undefined;
    for (const s of ['light', 'dark'] as const) {
      if (s === scheme) states.add(s);
      else states.delete(s);
    }
  }
}
