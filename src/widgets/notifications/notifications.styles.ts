import { css } from 'lit';

/** On top of the shared host styles (`styles/host.ts`: buttons, focus rings, `.sr`). */

export const styles = css`
  :host {
    --_badge-bg: var(--cercle-notifications-badge-background, light-dark(#b3261e, #ffb4ab));
    --_badge-fg: var(--cercle-notifications-badge-color, light-dark(#fff, #410002));
    --_panel-bg: var(--cercle-notifications-panel-background, var(--_bg, light-dark(#fff, #1d1e22)));
    --_panel-width: var(--cercle-notifications-panel-width, 24rem);
    --_unread-bg: color-mix(in srgb, var(--_accent) 9%, transparent);
    display: inline-block;
    position: relative;
    vertical-align: middle;
    background: none;
    /* The bell's room from the first paint (before the session is known): nothing moves when it shows. */
    min-inline-size: 2.5rem;
    min-block-size: 2.5rem;
  }
  [part~='bell'] {
    position: relative;
    display: inline-grid;
    place-items: center;
    box-sizing: border-box;
    inline-size: 2.5rem;
    block-size: 2.5rem;
    padding: 0.25rem;
    border-color: transparent;
    color: inherit;
  }
  [part~='bell'][aria-expanded='true'] {
    border-color: var(--_line);
  }
  svg {
    inline-size: 1.4em;
    block-size: 1.4em;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  [part~='count'] {
    position: absolute;
    inset-block-start: -0.2rem;
    inset-inline-end: -0.3rem;
    min-inline-size: 1.3rem;
    padding: 0 0.3rem;
    border-radius: 999px;
    background: var(--_badge-bg);
    color: var(--_badge-fg);
    font-size: 0.75rem;
    font-weight: 700;
    line-height: 1.3rem;
    text-align: center;
  }
  [part~='panel'] {
    position: absolute;
    z-index: 20;
    inset-block-start: calc(100% + 0.4rem);
    inset-inline-end: 0;
    inline-size: min(var(--_panel-width), calc(100vw - 1rem));
    max-block-size: min(36rem, 80vh);
    overflow: auto;
    display: grid;
    gap: 0.75rem;
    padding: 0.75rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_panel-bg);
    color: var(--_fg, CanvasText);
    box-shadow: 0 0.5rem 1.5rem color-mix(in srgb, #000 18%, transparent);
    text-align: start;
    white-space: normal;
  }
  [part~='panel'][hidden] {
    display: none;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  h2,
  h3,
  p,
  ul,
  fieldset {
    margin: 0;
  }
  h2 {
    font-size: 1.05em;
  }
  h3 {
    font-size: 0.95em;
  }
  ul {
    list-style: none;
    padding: 0;
    display: grid;
    gap: 0.25rem;
  }
  [part~='item'] {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.15rem 0.5rem;
    padding: 0.5rem;
    border-radius: var(--_radius);
  }
  [part~='item'].unread {
    background: var(--_unread-bg);
  }
  [part~='item'] a {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  [part~='item'].unread a::before {
    content: '';
    display: inline-block;
    inline-size: 0.5rem;
    block-size: 0.5rem;
    margin-inline-end: 0.35rem;
    border-radius: 50%;
    background: var(--_accent);
    vertical-align: middle;
  }
  .excerpt {
    grid-column: 1 / -1;
    color: var(--_muted);
    font-size: 0.9em;
    overflow-wrap: anywhere;
  }
  time {
    grid-column: 1 / -1;
    color: var(--_muted);
    font-size: 0.85em;
  }
  [part~='item'] button {
    grid-row: 1;
    grid-column: 2;
    align-self: start;
    min-block-size: 2rem;
    padding-inline: 0.5rem;
    font-size: 0.85em;
  }
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  .error {
    color: light-dark(#b3261e, #ffb4ab);
  }
  [part~='settings'] summary {
    cursor: pointer;
    font-weight: 600;
    min-block-size: 1.5rem;
  }
  [part~='settings'] form,
  .feed {
    display: grid;
    gap: 0.75rem;
    margin-block-start: 0.75rem;
  }
  fieldset {
    display: grid;
    gap: 0.25rem;
    padding: 0.5rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  label {
    display: flex;
    align-items: baseline;
    gap: 0.4rem;
  }
  label.stacked {
    display: grid;
    gap: 0.25rem;
  }
  select {
    font: inherit;
    color: inherit;
    background: var(--_panel-bg);
    padding: 0.25rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85em;
  }
  input[type='url'] {
    inline-size: 100%;
    font: inherit;
    font-size: 0.85em;
    padding: 0.3rem;
    color: inherit;
    background: transparent;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  table {
    inline-size: 100%;
    border-collapse: collapse;
    font-size: 0.9em;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-block-end: 0.25rem;
  }
  th,
  td {
    padding: 0.2rem 0.25rem;
    border-block-end: 1px solid var(--_line);
    text-align: start;
    font-weight: normal;
  }
  thead th {
    font-size: 0.85em;
    color: var(--_muted);
  }
  td {
    text-align: center;
  }
  input[type='checkbox'],
  input[type='radio'] {
    inline-size: 1.1rem;
    block-size: 1.1rem;
    accent-color: var(--_accent);
  }
  @media (forced-colors: active) {
    [part~='count'] {
      border: 1px solid CanvasText;
    }
    [part~='item'].unread {
      border-inline-start: 3px solid Highlight;
    }
  }
`;
