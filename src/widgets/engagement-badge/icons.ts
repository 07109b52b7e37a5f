import { svg, type SVGTemplateResult } from 'lit';
import type { BadgeIcon } from '../../contract/engagement.js';

/** The badge icons, drawn here (24×24 strokes): nothing fetched, nothing a site can inject. */
const paths: Record<BadgeIcon, SVGTemplateResult> = {
  spark: svg`<path d="M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5L18 18M6 18l2.5-2.5M15.5 8.5L18 6"/>`,
  lightbulb: svg`<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-4 10.5c.8.8 1 1.5 1 2.5h6c0-1 .2-1.7 1-2.5A6 6 0 0 0 12 3z"/>`,
  calendar: svg`<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4M8 15l2.5 2.5L16 13"/>`,
  handshake: svg`<path d="M2 12l4-4 5 2 3-2 4 1 4 3M6 8v6l4 4 2-1 2 2 3-3-5-5"/>`,
  home: svg`<path d="M3 11l9-8 9 8M5 10v10h5v-6h4v6h5V10"/>`,
  star: svg`<path d="M12 3l2.7 5.6 6.3.9-4.5 4.4 1 6.1-5.5-2.9L6.5 20l1-6.1L3 9.5l6.3-.9z"/>`,
  pin: svg`<path d="M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z"/><circle cx="12" cy="10" r="2.5"/>`,
  chat: svg`<path d="M4 5h16v11H9l-5 4z"/>`,
  medal: svg`<circle cx="12" cy="15" r="5"/><path d="M8 3l3 7M16 3l-3 7"/>`,
  heart: svg`<path d="M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.6A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z"/>`,
  compass: svg`<circle cx="12" cy="12" r="9"/><path d="M15.5 8.5l-2 5-5 2 2-5z"/>`,
};

/** A decorative icon: its meaning is always given in text next to it. */
export const icon = (name: BadgeIcon): SVGTemplateResult =>
  svg`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${paths[name] ?? paths.medal}</svg>`;

/** The level's emblem: one filled dot per rank reached, so the level reads without colour too. */
export const levelIcon = (rank: number): SVGTemplateResult =>
  icon(rank >= 3 ? 'star' : rank === 2 ? 'medal' : rank === 1 ? 'chat' : 'spark');
