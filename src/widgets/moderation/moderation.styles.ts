import { css } from 'lit';

export const styles = css`
  :host {
    --_max-body: var(--cercle-moderation-max-body, 12em);
    contain: layout;
  }
  button {
    min-block-size: 24px;
    min-inline-size: 24px;
    padding: 0.25rem 0.7rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: transparent;
    cursor: pointer;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  button.primary,
  button[aria-pressed='true'],
  [role='tab'][aria-selected='true'] {
    background: var(--_accent);
    color: var(--_on-accent);
    border-color: var(--_accent);
  }
  /* The chosen filter and tab also differ by shape (a thicker border), not by colour alone. */
  button[aria-pressed='true'] {
    border-width: 2px;
    font-weight: 600;
  }
  [role='tab'][aria-selected='true'] {
    border-block-end-width: 4px;
    font-weight: 600;
  }
  button.link {
    border: none;
    text-decoration: underline;
    margin-inline-start: auto;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [role='tablist'],
  .toolbar,
  .bulk,
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    align-items: center;
  }
  [role='tablist'] {
    margin-block-end: 1rem;
    border-block-end: 1px solid var(--_line);
    padding-block-end: 0.5rem;
  }
  .scope,
  .meta {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .count {
    font-variant-numeric: tabular-nums;
  }
  /* The "N changes" button has its own reserved line: it appears without moving the list. */
  .live-slot {
    block-size: 2.75rem;
    display: flex;
    align-items: center;
  }
  .bulk {
    padding-block: 0.4rem;
    border-block: 1px solid var(--_line);
  }
  .check {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
    min-block-size: 24px;
  }
  /* At least 24 × 24 px at any width (WCAG 2.5.8): it never shrinks beside a long heading. */
  input[type='checkbox'] {
    flex: none;
    inline-size: 24px;
    block-size: 24px;
    margin: 0;
  }
  .items {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .item article {
    padding: 0.75rem;
    border-block-end: 1px solid var(--_line);
    border-inline-start: 3px solid transparent;
  }
  .item.current article {
    border-inline-start-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 7%, transparent);
  }
  header {
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
  }
  h2 {
    font-size: 1em;
    margin: 0;
  }
  .reasons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
    margin: 0.35rem 0;
  }
  .tag {
    font-size: 0.85em;
    padding: 0 0.45rem;
    border-radius: 1rem;
    border: 1px solid var(--_line);
  }
  .tag.warn {
    border-color: currentColor;
    font-weight: 600;
  }
  .body {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    max-block-size: var(--_max-body);
    overflow: auto;
    margin: 0.35rem 0;
  }
  .notes {
    margin: 0.25rem 0;
    color: var(--_muted);
  }
  .empty,
  .skeleton {
    padding: 1.5rem 0;
    color: var(--_muted);
  }
  .dialog,
  .settings {
    display: grid;
    gap: 0.75rem;
    max-inline-size: 40rem;
  }
  .dialog {
    padding: 1rem;
    margin-block-end: 1rem;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
  }
  label {
    display: grid;
    gap: 0.25rem;
  }
  label.check {
    display: inline-flex;
  }
  input:not([type='checkbox']),
  textarea,
  select {
    font: inherit;
    color: inherit;
    background: transparent;
    padding: 0.3rem 0.45rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    min-block-size: 24px;
  }
  fieldset {
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    display: grid;
    gap: 0.5rem;
  }
  code {
    overflow-wrap: anywhere;
  }
  table {
    border-collapse: collapse;
    inline-size: 100%;
  }
  th,
  td {
    text-align: start;
    padding: 0.35rem 0.5rem;
    border-block-end: 1px solid var(--_line);
    vertical-align: top;
  }
  .sr {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .alert:empty {
    display: none;
  }
  .more {
    margin-block-start: 0.75rem;
  }
  @media (prefers-reduced-motion: no-preference) {
    .item article {
      transition: background-color 0.15s;
    }
  }
  @media (forced-colors: active) {
    .item.current article {
      border-inline-start-color: Highlight;
    }
    /* Backgrounds are replaced in forced colours: the chosen filter and tab take the system's selection colours. */
    button[aria-pressed='true'],
    [role='tab'][aria-selected='true'] {
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
      border-color: CanvasText;
    }
  }
`;
