import { css } from 'lit';

/**
 * `theme="light|dark|auto"` on the provider or on a widget; `auto` follows the
 * page behind (its background and `color-scheme`). The choice travels
 * to widgets as private inherited properties, so the host page's own content
 * inside `<cercle-community>` keeps its colours and color-scheme.
 */
export const theme = css`
  :host([theme]) {
    --_fg: light-dark(#1d1e22, #e9e9ee);
    --_bg: light-dark(#fff, #18191d);
  }
  :host([theme='light']) {
    --_scheme: light;
  }
  :host([theme='dark']) {
    --_scheme: dark;
  }
  :host([theme='auto']) {
    --_scheme: light dark;
  }
  /* What the page behind shows (internal/scheme.ts); without custom states, the reader's preference above. */
  :host([theme='auto']:state(light)) {
    --_scheme: light;
  }
  :host([theme='auto']:state(dark)) {
    --_scheme: dark;
  }
`;

/**
 * Shared host styles of every widget: kit tokens resolved into private `--_x`
 * properties with a last fallback, so a widget looks right on a page without
 * any Cercle stylesheet. Without a theme, text colour and font come from the
 * host page.
 */
export const host = [
  theme,
  css`
    :host {
      --_accent: var(--cercle-color-accent, light-dark(#3144b8, #a9b6ff));
      --_on-accent: var(--cercle-color-on-accent, light-dark(#fff, #141624));
      --_radius: var(--cercle-radius, 0.5rem);
      --_muted: color-mix(in srgb, currentColor 72%, transparent);
      --_line: color-mix(in srgb, currentColor 22%, transparent);
      display: block;
      /* Within the host's column, wherever the widget is placed (a theme's constrained layout, a flex row). */
      max-inline-size: 100%;
      box-sizing: border-box;
      color-scheme: var(--_scheme);
      color: var(--_fg);
      background: var(--_bg);
      font-family: var(--cercle-font-family);
      line-height: 1.5;
    }
    :host([hidden]) {
      display: none;
    }
    *,
    ::before,
    ::after {
      box-sizing: inherit;
    }
    button,
    textarea {
      font: inherit;
      color: inherit;
    }
    button {
      min-block-size: 2.25rem;
      min-inline-size: 2.25rem;
      padding-block: 0.25rem;
      padding-inline: 1rem;
      border: 1px solid var(--_accent);
      border-radius: var(--_radius);
      background: transparent;
      color: var(--_accent);
      cursor: pointer;
    }
    button.primary {
      border-color: transparent;
      background: var(--_accent);
      color: var(--_on-accent);
    }
    a {
      color: var(--_accent);
    }
    :focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    .sr {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    @media (forced-colors: active) {
      button.primary {
        border-color: ButtonText;
      }
    }
  `,
];
