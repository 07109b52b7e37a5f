import { css } from 'lit';

/** On top of the shared host styles (`styles/host.ts`). A count sits in a line of text: the host is inline. */
export const styles = css`
  :host {
    display: inline;
    background: none;
  }
  /* With a theme its text takes the theme's colours: its surface comes too, or light text would sit on a light page. */
  :host([theme]) {
    background: var(--_bg);
  }
  [part='base'] {
    white-space: nowrap;
  }
  .muted {
    color: var(--_muted);
  }
  .skeleton {
    display: inline-block;
    inline-size: 7em;
    block-size: 1em;
    vertical-align: middle;
    border-radius: var(--_radius);
    background: var(--_line);
  }
  @media (prefers-reduced-motion: no-preference) {
    .skeleton {
      animation: pulse 1.5s ease-in-out infinite alternate;
    }
  }
  @keyframes pulse {
    to {
      opacity: 0.4;
    }
  }
`;
