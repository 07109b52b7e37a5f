import { css } from 'lit';

export const styles = css`
  :host {
    --_danger: var(--cercle-color-danger, light-dark(#a4161a, #ffb4ab));
    display: block;
  }
  [part='base'],
  form,
  section {
    display: grid;
    gap: 0.75rem;
  }
  [part='tools'],
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  h3,
  h4,
  p {
    margin: 0;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  .row {
    display: grid;
    gap: 0.75rem;
    grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
  }
  input,
  select,
  textarea {
    font: inherit;
    min-block-size: 2.75rem;
    padding-inline: 0.5rem;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_bg, Canvas);
    color: inherit;
    box-sizing: border-box;
    max-inline-size: 100%;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
    border-width: 2px;
  }
  .error {
    color: var(--_danger);
  }
  .hint,
  .note {
    color: var(--_muted);
    font-size: 0.9375em;
  }
  button {
    min-block-size: 2.75rem;
    min-inline-size: 2.75rem;
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.5rem;
  }
  button.big {
    inline-size: 100%;
    min-block-size: 3.5rem;
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: 1rem;
    font-size: 1.0625em;
    text-align: start;
  }
  button.big.in {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .counter {
    font-weight: 600;
  }
  .preview {
    padding: 0.5rem 0.75rem;
    border-inline-start: 3px solid var(--_line);
  }
  .preview p {
    margin-block: 0.25rem;
  }
  .walk-in {
    border-block-start: 1px solid var(--_line);
    padding-block-start: 0.75rem;
  }
`;
