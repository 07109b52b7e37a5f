import { css } from 'lit';

export const styles = css`
  .views {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-block-end: 0.75rem;
  }
  h2 {
    font-size: 1.05em;
    margin-block: 0 0.5rem;
  }
  .card {
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    padding: 0.75rem;
    margin-block: 0 0.75rem;
    display: grid;
    gap: 0.5rem;
  }
  label {
    display: grid;
    gap: 0.15rem;
  }
  label.check {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
    margin-inline-end: 1rem;
  }
  fieldset {
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  input,
  button {
    font: inherit;
    color: inherit;
    min-block-size: 2.25rem;
    border-radius: var(--_radius);
    border: 1px solid var(--_line);
    padding-inline: 0.5rem;
    background: transparent;
  }
  input[type='checkbox'] {
    min-block-size: 1.25rem;
    inline-size: 1.25rem;
  }
  button {
    cursor: pointer;
    border-color: var(--_accent);
    color: var(--_accent);
    justify-self: start;
  }
  button[aria-pressed='true'],
  button[type='submit'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .meta {
    color: var(--_muted);
    font-size: 0.9em;
    font-weight: normal;
  }
  .note:empty {
    margin: 0;
  }
  .error {
    border-inline-start: 3px solid var(--_accent);
    padding-inline-start: 0.75rem;
  }
  table {
    border-collapse: collapse;
    inline-size: 100%;
  }
  th,
  td {
    padding: 0.25rem 0.5rem;
    border-block-end: 1px solid var(--_line);
    text-align: start;
  }
  code {
    overflow-wrap: anywhere;
  }
  @media (forced-colors: active) {
    button[aria-pressed='true'],
    button[type='submit'] {
      forced-color-adjust: none;
      background: ButtonText;
      color: ButtonFace;
    }
  }
`;
