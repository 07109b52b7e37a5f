import { css } from 'lit';

export const styles = css`
  :host {
    --_gap: var(--cercle-event-feed-gap, 1.5rem);
    --_danger: var(--cercle-color-danger, light-dark(#a4161a, #ffb4ab));
    container-type: inline-size;
  }
  [part='base'],
  ol {
    display: grid;
    gap: var(--_gap);
  }
  ol,
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  h2,
  p {
    margin: 0;
  }
  h2 {
    font-size: 1.2em;
    line-height: 1.3;
  }
  h2 a {
    color: inherit;
  }
  article {
    display: grid;
    gap: 0.375rem;
    padding-block-end: var(--_gap);
    border-block-end: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .compact article {
    gap: 0.25rem;
  }
  .cancelled h2 {
    text-decoration: line-through;
  }
  .muted,
  [part~='meta'] {
    color: var(--_muted);
  }
  [part~='meta'] {
    font-size: 0.9375em;
  }
  .tag {
    padding-inline: 0.5em;
    border: 1px solid var(--_line);
    border-radius: 1em;
    white-space: nowrap;
  }
  [part='description'] p,
  [part='description'] ul,
  [part='description'] ol {
    margin-block: 0.25rem;
    overflow-wrap: anywhere;
  }
  [part='description'] ul,
  [part='description'] ol {
    padding-inline-start: 1.25rem;
    list-style: revert;
  }
  .banner {
    padding: 0.5rem 0.75rem;
    border-inline-start: 4px solid;
    border-radius: var(--_radius);
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .banner.cancelled,
  .error,
  button.danger {
    color: var(--_danger);
  }
  .banner.promoted {
    border-color: var(--_accent);
    font-weight: 600;
  }
  button.danger {
    border-color: var(--_danger);
  }
  [part='rsvp'],
  [part='actions'],
  [part='footer'] {
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
  .answers,
  .guests,
  [part='nav'],
  form div,
  [part='footer'] div {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .answers span,
  .guests span:first-child {
    font-weight: 600;
  }
  output {
    min-inline-size: 2ch;
    text-align: center;
    font-variant-numeric: tabular-nums;
  }
  [aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  summary {
    min-block-size: 1.5rem;
    color: var(--_accent);
    cursor: pointer;
  }
  details ul {
    display: grid;
    gap: 0.25rem;
    margin-block: 0.5rem;
  }
  .people {
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
  }
  form {
    display: grid;
    gap: 0.25rem;
    inline-size: min(100%, 32rem);
  }
  label {
    font-weight: 600;
  }
  .people label {
    font-weight: normal;
  }
  input[type='checkbox'] {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    vertical-align: middle;
  }
  textarea,
  input:not([type]) {
    inline-size: 100%;
    padding: 0.375rem;
    border: 1px solid color-mix(in srgb, currentColor 60%, transparent);
    border-radius: var(--_radius);
    background: transparent;
    font: inherit;
    color: inherit;
  }
  .ph {
    block-size: var(--cercle-event-feed-event-height, 14rem);
    border-radius: var(--_radius);
    background: var(--_line);
    opacity: 0.5;
  }
  .compact .ph {
    block-size: 7rem;
  }
  table {
    inline-size: 100%;
    border-collapse: collapse;
    table-layout: fixed;
  }
  caption {
    font-weight: 600;
    font-size: 1.1em;
    padding-block-end: 0.5rem;
  }
  th {
    font-weight: 600;
    font-size: 0.875em;
  }
  td {
    block-size: 4.5rem;
    padding: 0.25rem;
    border: 1px solid var(--_line);
    vertical-align: top;
  }
  td.today .day {
    font-weight: 700;
    color: var(--_accent);
  }
  td button {
    display: block;
    inline-size: 100%;
    min-block-size: 1.5rem;
    margin-block-start: 0.125rem;
    padding: 0.125rem 0.25rem;
    overflow: hidden;
    font-size: 0.75em;
    text-align: start;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  td button.cancelled {
    text-decoration: line-through;
  }
  @container (inline-size < 32rem) {
    td {
      block-size: 3rem;
    }
  }
  @media (prefers-reduced-motion: no-preference) {
    .ph {
      animation: pulse 1.5s ease-in-out infinite alternate;
    }
    @keyframes pulse {
      to {
        opacity: 0.2;
      }
    }
  }
  @media (forced-colors: active) {
    .ph,
    .banner {
      border: 1px solid;
    }
    /* The system's selection colours, never the outline: that stays the focus ring's. */
    [aria-pressed='true'] {
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
      border-color: HighlightText;
    }
  }
`;
