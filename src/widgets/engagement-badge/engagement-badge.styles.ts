import { css } from 'lit';

/** On top of the shared host styles (`styles/host.ts`: buttons, focus rings, `.sr`). */

export const styles = css`
  :host {
    --_chip-bg: var(--cercle-engagement-chip-background, color-mix(in srgb, var(--_accent) 12%, transparent));
    --_gap: var(--cercle-engagement-gap, 0.75rem);
  }
  :host(:not([view='full'])) {
    display: inline-block;
    vertical-align: middle;
    background: none;
  }
  /* With a theme its text takes the theme's colours: its surface comes too, or light text would sit on a light page. */
  :host([theme]:not([view='full'])) {
    background: var(--_bg);
  }
  svg {
    inline-size: 1.1em;
    block-size: 1.1em;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 0.25em;
    min-block-size: 1.6em;
    min-inline-size: 1.6em;
    padding: 0 0.5em;
    border-radius: 999px;
    background: var(--_chip-bg);
    font-size: 0.85em;
    line-height: 1.6;
    white-space: nowrap;
  }
  .chip [part='level'] {
    font-weight: 600;
  }
  .card {
    display: grid;
    gap: var(--_gap);
  }
  h2,
  h3,
  h4,
  p,
  ul {
    margin: 0;
  }
  h2 {
    font-size: 1.15em;
    display: flex;
    align-items: center;
    gap: 0.4em;
  }
  h3 {
    font-size: 1em;
  }
  ul {
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.5rem;
  }
  .badge {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.1rem 0.6rem;
    align-items: start;
    padding: 0.6rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .badge > * {
    grid-column: 2;
  }
  .badge > svg {
    grid-column: 1;
    grid-row: 1 / span 2;
    inline-size: 1.6em;
    block-size: 1.6em;
    color: var(--_accent);
  }
  .badge.todo > svg {
    color: var(--_muted);
    stroke-dasharray: 2 2;
  }
  .muted,
  .reasons {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .reasons {
    display: block;
    list-style: disc;
    padding-inline-start: 1.2rem;
  }
  progress {
    inline-size: 100%;
    block-size: 0.6rem;
    accent-color: var(--_accent);
  }
  .req {
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
    font-size: 0.9em;
  }
  .req .done::before {
    content: '✓ ';
  }
  summary,
  button,
  select,
  label {
    min-block-size: 24px;
    cursor: pointer;
  }
  details form {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    margin-block-start: 0.4rem;
  }
  button {
    padding: 0.2rem 0.8rem;
  }
  .skeleton {
    min-block-size: 8rem;
  }
  @media (forced-colors: active) {
    .chip,
    .badge {
      border: 1px solid CanvasText;
    }
  }
`;
