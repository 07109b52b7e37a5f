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
  .replies,
  .node {
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
.replies {
    margin-block-start: var(--cercle-discussion-gap, 1.25rem);
    padding-inline-start: var(--cercle-discussion-indent, 1.5rem);
    border-inline-start: 2px solid var(--_line);
  }
  /*
   * No content-visibility here: Chromium keeps the width a skipped comment had when it was last laid
   * out (a page narrowed from 1280 to 320 px stayed 756 px wide), and leaves skipped comments out of
   * the accessibility tree, nameless. A page of comments is short enough to lay out whole.
   */
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
  /* Pressed: a thicker border and a tint, never the outline, which stays the focus ring's. */
  .reaction[aria-pressed='true'] {
    font-weight: 600;
    border-width: 2px;
    padding-inline: calc(1rem - 1px);
    background: color-mix(in srgb, var(--_accent) 14%, transparent);
  }
  .sort {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  .sort [aria-pressed='true'] {
    font-weight: 600;
    border-width: 2px;
    background: color-mix(in srgb, var(--_accent) 14%, transparent);
  }
  .toolbar {
    grid-column: auto;
  }
  .badge {
    font-weight: 600;
  }
  /*
   * The "N new comments" button has its own place in the flow, kept empty while there is no news: nothing
   * moves when it comes or goes, and it never lies over a comment's buttons (a sticky pill hid a
   * Report button at 375 px).
   */
  .fresh {
    display: flex;
    justify-content: center;
    align-items: center;
    min-block-size: 2.5rem;
  }
  .fresh button {
    border-radius: 999px;
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
  /*
   * While loading, the room the page keeps for the widget (its min-height) is filled: the box's
   * placeholder sits at its end, where the box lands once the comments are in.
   */
  :host(:state(loading)) {
    position: relative;
  }
  :host(:state(loading)) [part='base'] {
    padding-block-end: 10rem;
  }
  :host(:state(loading)) .ph.form {
    position: absolute;
    inset-inline: 0;
    inset-block-end: 0;
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
    /* Tints vanish in forced colours: pressed buttons take the system's selected colours. */
    .reaction[aria-pressed='true'],
    .sort [aria-pressed='true'] {
      forced-color-adjust: none;
      background: SelectedItem;
      color: SelectedItemText;
      border-color: SelectedItemText;
    }
    article.new {
      border-inline-start: 3px solid Highlight;
    }
  }
`;
