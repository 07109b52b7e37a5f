import { css } from 'lit';

export const styles = css`
  :host {
    --_gap: var(--cercle-member-card-gap, 0.75rem);
    --_avatar: var(--cercle-member-card-avatar-size, 3.5rem);
    --_danger: var(--cercle-color-danger, light-dark(#b3261e, #ffb4ab));
  }
  :host([variant='compact']),
  :host([variant='hovercard']) {
    display: inline-block;
    vertical-align: middle;
    --_avatar: 1.5rem;
  }
  article,
  [popover]:popover-open {
    display: grid;
    gap: var(--_gap);
    align-content: start;
  }
  article {
    min-block-size: var(--cercle-member-card-min-height, 9rem);
  }
  /* Once the data are erased, the card is one line: it keeps no empty room. */
  article.erased {
    min-block-size: 0;
  }
  header {
    display: flex;
    gap: var(--_gap);
    align-items: center;
  }
  h3,
  h4,
  p,
  dl,
  dd,
  ul,
  blockquote,
  fieldset {
    margin: 0;
  }
  h3 {
    font-size: 1.125em;
  }
  h4 {
    font-size: 1em;
  }
  [part='avatar'] {
    position: relative;
    display: inline-grid;
    flex: none;
    place-items: center;
    inline-size: var(--_avatar);
    block-size: var(--_avatar);
    overflow: hidden;
    border-radius: 50%;
    background: var(--_line);
    font-weight: 600;
    font-size: calc(var(--_avatar) * 0.38);
  }
  [part='avatar'] img {
    position: absolute;
    inset: 0;
    inline-size: 100%;
    block-size: 100%;
    object-fit: cover;
  }
  [part='meta'],
  .note,
  .shared {
    color: var(--_muted);
    font-size: 0.875em;
  }
  [part='meta'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
  }
  .badge,
  [part='tags'] li {
    padding-inline: 0.5rem;
    border: 1px solid var(--_line);
    border-radius: 1rem;
  }
  [part='tags'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
    padding: 0;
    list-style: none;
  }
  [part='bio'] p {
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  [part='bio'] p + p {
    margin-block-start: 0.5rem;
  }
  [part='contact'] {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25rem 0.75rem;
  }
  [part='contact'] div {
    display: contents;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    overflow-wrap: anywhere;
  }
  [part='actions'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  form,
  .field,
  fieldset {
    display: grid;
    gap: 0.375rem;
  }
  form {
    gap: var(--_gap);
  }
  fieldset {
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    margin-block-end: 0.25rem;
    font-weight: 600;
  }
  label {
    font-weight: 600;
  }
  label.check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    min-block-size: 1.5rem;
    font-weight: normal;
  }
  input,
  select,
  textarea {
    min-block-size: 2.25rem;
    padding: 0.375rem 0.5rem;
    border: 1px solid color-mix(in srgb, currentColor 55%, transparent);
    border-radius: var(--_radius);
    background: transparent;
    font: inherit;
    color: inherit;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-block-size: auto;
    inline-size: 1.25rem;
    block-size: 1.25rem;
    margin: 0;
  }
  select {
    justify-self: start;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .error {
    color: var(--_danger);
  }
  button.danger {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  section {
    display: grid;
    gap: 0.5rem;
    padding-block-start: var(--_gap);
    border-block-start: 1px solid var(--_line);
  }
  section ul {
    display: grid;
    gap: var(--_gap);
    padding: 0;
    list-style: none;
  }
  blockquote {
    padding-inline-start: 0.75rem;
    border-inline-start: 3px solid var(--_line);
    white-space: pre-line;
  }
  .ph {
    min-block-size: var(--cercle-member-card-min-height, 9rem);
    border-radius: var(--_radius);
    background: var(--_line);
    opacity: 0.5;
  }
  .chip {
    display: inline-flex;
    gap: 0.375rem;
    align-items: center;
    min-block-size: 1.5rem;
  }
  button[part='trigger'] {
    min-block-size: 1.5rem;
    padding: 0 0.25rem;
    border: 0;
    color: inherit;
    text-decoration: underline dotted;
    text-underline-offset: 0.2em;
  }
  [popover] {
    position: fixed;
    inset: auto;
    box-sizing: border-box;
    inline-size: min(22rem, calc(100vw - 1rem));
    max-block-size: calc(100vh - 1rem);
    margin: 0;
    padding: 1rem;
    overflow: auto;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_bg, Canvas);
    color: var(--_fg, CanvasText);
    box-shadow: 0 0.5rem 1.5rem rgb(0 0 0 / 0.18);
    --_avatar: 3rem;
  }
  @media (prefers-reduced-motion: no-preference) {
    [popover]:popover-open {
      animation: cercle-in 120ms ease-out;
    }
    @keyframes cercle-in {
      from {
        opacity: 0;
      }
    }
  }
  @media (forced-colors: active) {
    [popover] {
      border-color: CanvasText;
    }
    button.danger {
      border-color: ButtonText;
    }
  }
`;
