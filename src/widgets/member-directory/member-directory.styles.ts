import { css } from 'lit';

export const styles = css`
  [part='base'],
  form {
    display: grid;
    gap: 0.75rem;
  }
  form {
    grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
  }
  label {
    display: grid;
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
  p {
    margin: 0;
    color: var(--_muted);
  }
  ul {
    display: grid;
    gap: 0.5rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  /* Room for the first results while they load; released once they are there (a search with few results leaves no gap). */
  ul[aria-busy='true'] {
    min-block-size: var(--cercle-member-directory-min-height, 10rem);
  }
  li {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
    align-items: center;
  }
  li span {
    color: var(--_muted);
    font-size: 0.875em;
  }
`;
