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
  /* The list of comments and of replies only: a numbered list in a comment keeps its numbers. */
  [part='list'],
  ol.replies {
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
  [part~='body'] p {
    margin-block-start: 0.25rem;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  ol.replies {
    margin-block-start: var(--cercle-discussion-gap, 1.25rem);
    padding-inline-start: var(--cercle-discussion-indent, 1.5rem);
    border-inline-start: 2px solid var(--_line);
  }
  article {
    content-visibility: auto;
    contain-intrinsic-size: auto 7rem;
  }
  article.new {
    box-shadow: inset 3px 0 0 var(--_accent);
    padding-inline-start: 0.5rem;
  }
  [part='comment-actions'],
  .toolbar {
    grid-column: 2;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem;
    margin-block-start: 0.375rem;
    font-size: 0.875em;
  }
  [part='comment-actions'] button,
  .toolbar button,
  .toolbar select,
  .box button,
  [part='actions'] button {
    min-block-size: 24px;
    min-inline-size: 24px;
  }
  [part='comment-actions'] > [role='group'] {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  .reaction[aria-pressed='true'] {
    font-weight: 600;
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  .toolbar {
    grid-column: auto;
  }
  .badge {
    font-weight: 600;
  }
  /* The "N new comments" button floats over the list (sticky, no height): nothing moves when it comes or goes. */
  .fresh {
    position: sticky;
    inset-block-end: 0;
    z-index: 1;
    display: flex;
    justify-content: center;
    block-size: 0;
    margin-block-end: calc(-1 * var(--cercle-discussion-gap, 1.25rem));
  }
  .fresh.top {
    inset-block: 0 auto;
  }
  .fresh button {
    translate: 0 calc(-100% - 0.75rem);
    border-radius: 999px;
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.3);
  }
  .fresh.top button {
    translate: 0 0.75rem;
  }
  .box {
    grid-column: 2;
    display: grid;
    gap: 0.375rem;
    margin-block-start: 0.5rem;
  }
  .box fieldset {
    margin: 0;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .opt {
    display: block;
    font-weight: normal;
  }
  .note,
  .hint,
  .muted,
  .flags {
    color: var(--_muted);
    font-size: 0.875em;
  }
  [part~='body'] blockquote {
    margin: 0.25rem 0;
    padding-inline-start: 0.75rem;
    border-inline-start: 3px solid var(--_line);
  }
  [part~='body'] pre {
    overflow-x: auto;
    white-space: pre;
  }
  [part~='body'] ul,
  [part~='body'] ol {
    margin-block: 0.25rem;
    padding-inline-start: 1.5rem;
  }
  .mention {
    font-weight: 600;
  }
  .preview {
    min-block-size: 6rem;
    padding: 0.5rem;
    border: 1px dashed var(--_line);
    border-radius: var(--_radius);
  }
  [role='listbox'] {
    margin: 0.25rem 0 0;
    padding: 0.25rem;
    list-style: none;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  [role='option'] {
    padding: 0.25rem 0.5rem;
    min-block-size: 24px;
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    outline: 2px solid var(--_accent);
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
