import { css } from 'lit';

export const styles = css`
  :host {
    --_second: var(--cercle-insights-second, light-dark(#8a4b00, #ffc27a));
  }
  h2 {
    font-size: 1.3em;
    margin-block: 0 0.5rem;
  }
  h3 {
    font-size: 1.1em;
    margin-block: 0 0.25rem;
  }
  form {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: end;
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 0.15rem;
  }
  input,
  select,
  button {
    font: inherit;
    color: inherit;
    min-block-size: 2.25rem;
    border-radius: var(--_radius);
    border: 1px solid var(--_line);
    padding-inline: 0.5rem;
    background: transparent;
  }
  button {
    cursor: pointer;
    border-color: var(--_accent);
    color: var(--_accent);
  }
  button[type='submit'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .note,
  .meta {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .status {
    min-block-size: 1.5em;
  }
  section {
    border-block-start: 1px solid var(--_line);
    padding-block: 0.75rem;
  }
  .chart {
    display: block;
    inline-size: 100%;
    max-inline-size: 48rem;
    block-size: auto;
    overflow: visible;
  }
  .grid {
    stroke: var(--_line);
  }
  .tick,
  .label {
    fill: currentColor;
    font-size: 10px;
  }
  .bar.solid {
    fill: var(--_accent);
  }
  .bar.hatch,
  .bar.dots {
    stroke: var(--_second);
    stroke-width: 1;
  }
  .bg {
    fill: transparent;
  }
  .ink {
    stroke: var(--_second);
  }
  .dot {
    fill: var(--_second);
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
    list-style: none;
    padding: 0;
    margin-block: 0.25rem;
  }
  .legend li {
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
  }
  .data {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: start;
    margin-block-start: 0.5rem;
  }
  summary {
    cursor: pointer;
    min-block-size: 1.5rem;
    color: var(--_accent);
  }
  .scroll {
    overflow-x: auto;
    max-inline-size: 100%;
  }
  table {
    border-collapse: collapse;
    margin-block: 0.5rem;
  }
  caption {
    text-align: start;
    font-weight: 600;
  }
  th,
  td {
    padding: 0.2rem 0.6rem;
    border-block-end: 1px solid var(--_line);
    text-align: start;
  }
  .num {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .threads {
    padding-inline-start: 1.25rem;
  }
  .threads li {
    margin-block: 0.25rem;
  }
  .threads .meta {
    display: block;
  }
  a {
    color: var(--_accent);
  }
  .error {
    border-inline-start: 3px solid var(--_accent);
    padding-inline-start: 0.75rem;
  }
  @media (forced-colors: active) {
    .bar.solid {
      fill: CanvasText;
    }
    .bar.hatch,
    .bar.dots,
    .ink {
      stroke: CanvasText;
    }
    .dot,
    .tick,
    .label {
      fill: CanvasText;
    }
    .grid {
      stroke: GrayText;
    }
    .bg {
      fill: Canvas;
    }
    button[type='submit'] {
      background: ButtonText;
      color: ButtonFace;
      forced-color-adjust: none;
    }
  }
`;
