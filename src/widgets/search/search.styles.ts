import { css } from 'lit';

export const styles = css`
  :host {
    --_mark-bg: var(--cercle-search-mark-background, light-dark(#fff2a8, #5c4d00));
    --_mark-fg: var(--cercle-search-mark-color, inherit);
    --_gap: var(--cercle-search-gap, 0.75rem);
  }
  [part='base'] {
    display: grid;
    gap: var(--_gap);
  }
  form {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  label {
    display: grid;
    flex: 1 1 16rem;
    gap: 0.25rem;
    font-weight: 600;
  }
  input {
    min-block-size: 2.25rem;
    padding: 0.375rem 0.5rem;
    border: 1px solid color-mix(in srgb, currentColor 55%, transparent);
    border-radius: var(--_radius);
    background: transparent;
    font: inherit;
    font-weight: normal;
    color: inherit;
  }
  button {
    min-block-size: 2.25rem;
    padding: 0.375rem 0.875rem;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
    background: transparent;
    color: var(--_accent);
    font: inherit;
    cursor: pointer;
  }
  button[type='submit'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  input:focus-visible,
  button:focus-visible,
  a:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .hint,
  [part='status'],
  [part='meta'] {
    margin: 0;
    color: var(--_muted);
    font-size: 0.875em;
  }
  ol {
    display: grid;
    gap: var(--_gap);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  article {
    display: grid;
    gap: 0.25rem;
    padding-block-end: var(--_gap);
    border-block-end: 1px solid var(--_line);
  }
  h3 {
    margin: 0;
    font-size: 1em;
  }
  a {
    color: var(--_accent);
  }
  [part='excerpt'] {
    margin: 0;
    overflow-wrap: anywhere;
  }
  mark {
    background: var(--_mark-bg);
    color: var(--_mark-fg);
    border-radius: 0.125rem;
  }
  @media (forced-colors: active) {
    mark {
      background: Mark;
      color: MarkText;
    }
  }
  [hidden] {
    display: none;
  }
`;
