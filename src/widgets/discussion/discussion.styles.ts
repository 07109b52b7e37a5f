import { css } from 'lit';

export const styles = css`
  [part='base'] {
    display: grid;
    gap: var(--cercle-discussion-gap, 1.25rem);
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  ol {
    display: grid;
    gap: var(--cercle-discussion-gap, 1.25rem);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  article {
    display: grid;
    grid-template-columns: auto 1fr;
    column-gap: 0.75rem;
    border-radius: var(--_radius);
  }
  header {
    display: contents;
  }
  [part='avatar'] {
    display: grid;
    grid-row: span 3;
    place-items: center;
    inline-size: 2.5rem;
    block-size: 2.5rem;
    border-radius: 50%;
    background: var(--_line);
    object-fit: cover;
    font-weight: 600;
    font-size: 0.875em;
  }
  h3,
  p {
    margin: 0;
  }
  h3 {
    font-size: 1em;
  }
  [part='meta'] {
    color: var(--_muted);
    font-size: 0.875em;
  }
  [part='body'] p {
    margin-block-start: 0.25rem;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .gone {
    font-style: italic;
    color: var(--_muted);
  }
  .ph {
    block-size: 4.5rem;
    border-radius: var(--_radius);
    background: var(--_line);
    opacity: 0.5;
  }
  .ph.form {
    block-size: 10rem;
  }
  label {
    display: block;
    margin-block-end: 0.25rem;
    font-weight: 600;
  }
  textarea {
    display: block;
    inline-size: 100%;
    min-block-size: 6rem;
    padding: 0.5rem;
    border: 1px solid color-mix(in srgb, currentColor 60%, transparent);
    border-radius: var(--_radius);
    background: transparent;
    resize: vertical;
  }
  [part='actions'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-block-start: 0.5rem;
    color: var(--_muted);
  }
  .error,
  .failed {
    color: light-dark(#a4161a, #ffb4ab);
    margin-block-start: 0.5rem;
  }
  ul.error {
    margin-block: 0.25rem 0;
    padding-inline-start: 1.25rem;
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
    [part='avatar'] {
      border: 1px solid;
    }
  }
`;
