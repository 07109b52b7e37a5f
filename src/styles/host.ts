import { css } from 'lit';

/**
 * `theme="light|dark|auto"` on the provider or on a widget; `auto` follows the
 * page behind (its background and `color-scheme`). The choice travels
 * to widgets as private inherited properties, so the host page's own content
 * inside `<cercle-community>` keeps its colours and color-scheme.
 */
export const theme = css`
  :host([theme]) {
    --_fg: light-dark(var(--cercle-color-text, #1d1e22), var(--cercle-color-text-dark, #e9e9ee));
    --_bg: light-dark(var(--cercle-color-surface, #fff), var(--cercle-color-surface-dark, #18191d));
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
 *
 * Colour tokens come in pairs, one per scheme (`--cercle-color-accent` and
 * `--cercle-color-accent-dark`, and so on for surface, text and border); a dark
 * one left unset follows the light one. Whatever accent the host gives, the one
 * used is kept readable on the scheme's surface (≥ 4.5:1): in light its OKLCH
 * lightness is held at 0.5 or below, in dark at 0.75 or above (chroma at most
 * 0.15 there, so that a saturated colour stays in sRGB instead of being clipped
 * darker). A brand colour that already reads well passes unchanged. Text on the
 * accent is derived from it: white on an accent darker than the point where
 * white and black contrast equally (OKLCH L ≈ 0.56, WCAG luminance 0.18), black
 * otherwise; `--cercle-color-on-accent` overrides it.
 */
export const host = [
  theme,
  css`
    /* Browsers without relative colours (before Chrome 122, Safari 18, Firefox 128): the accents as given. */
    :host {
      --_accent: light-dark(
        var(--cercle-color-accent, #3144b8),
        var(--cercle-color-accent-dark, var(--cercle-color-accent, #a9b6ff))
      );
      --_on-accent: var(--cercle-color-on-accent, light-dark(#fff, #141624));
    }
    @supports (color: oklch(from red l c h)) {
      :host {
        --_accent: light-dark(
          oklch(from var(--cercle-color-accent, #3144b8) min(l, 0.5) c h),
          oklch(from var(--cercle-color-accent-dark, var(--cercle-color-accent, #a9b6ff)) max(l, 0.75) min(c, 0.15) h)
        );
        --_on-accent: var(--cercle-color-on-accent, oklch(from var(--_accent) calc((0.56 - l) * 1000) 0 0));
      }
    }
    :host {
      --_radius: var(--cercle-radius, 0.5rem);
      --_muted: color-mix(in srgb, currentColor 72%, transparent);
      --_line: light-dark(
        var(--cercle-color-border, color-mix(in srgb, currentColor 22%, transparent)),
        var(--cercle-color-border-dark, color-mix(in srgb, currentColor 22%, transparent))
      );
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
    /*
     * Forced colours: the system's colours, said outright. Chromium forces \`color\` but leaves
     * \`-webkit-text-fill-color\` (currentcolor) computed from the author's accent, which contrast checkers
     * then read; naming the system colour makes both agree.
     */
    @media (forced-colors: active) {
      :host {
        color: CanvasText;
      }
      button {
        color: ButtonText;
      }
      button.primary {
        border-color: ButtonText;
      }
      a {
        color: LinkText;
      }
    }
  `,
];
