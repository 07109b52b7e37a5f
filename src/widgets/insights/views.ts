import { html, nothing, svg, type TemplateResult } from 'lit';
import type { EventFill, Insights } from '../../contract/admin.js';
import type { InsightsStrings } from './strings.js';

/** How a series is drawn: a fill, hatching or dots, so that the series differ without colour too. */
export type Mark = 'solid' | 'hatch' | 'dots';

export interface Series {
  label: string;
  mark: Mark;
}

export interface ChartRow {
  label: string;
  values: number[];
}

const W_GROUP = 36;
const H = 160;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/** A round top for the scale: 1, 2, 5 × a power of ten. */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}

const patterns = (id: string) => svg`
  <defs>
    <pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect class="bg" width="6" height="6"></rect>
      <line class="ink" x1="0" y1="0" x2="0" y2="6" stroke-width="3"></line>
    </pattern>
    <pattern id="${id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">
      <rect class="bg" width="6" height="6"></rect>
      <circle class="dot" cx="3" cy="3" r="1.6"></circle>
    </pattern>
  </defs>`;

const fillOf = (id: string, mark: Mark) => (mark === 'solid' ? '' : `url(#${id}-${mark})`);

/** The swatches that say which mark is which series. */
export function legend(id: string, series: Series[]): TemplateResult {
  return html`<ul class="legend" part="legend">
    ${series.map(
      (s) =>
        html`<li>
          <svg width="14" height="14" aria-hidden="true" focusable="false">
            ${patterns(`${id}-key`)}
            <rect class="bar ${s.mark}" x="0.5" y="0.5" width="13" height="13" fill=${fillOf(`${id}-key`, s.mark) || nothing}></rect>
          </svg>
          ${s.label}
        </li>`,
    )}
  </ul>`;
}

/**
 * Grouped vertical bars, one group a row (a week), one bar a series. The picture is described by its title and
 * summary; the numbers themselves are in the data table that follows it.
 */
export function barChart(id: string, title: string, summary: string, rows: ChartRow[], series: Series[], label: (row: ChartRow) => string) {
  const max = niceMax(Math.max(0, ...rows.flatMap((r) => r.values)));
  const width = PAD.left + PAD.right + Math.max(1, rows.length) * W_GROUP;
  const inner = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + inner - (v / max) * inner;
  const bw = (W_GROUP - 8) / series.length;
  const every = Math.max(1, Math.ceil(rows.length / 8));
  return html`<svg
    class="chart"
    part="chart"
    viewBox="0 0 ${width} ${H}"
    role="img"
    aria-labelledby="${id}-title ${id}-desc"
    preserveAspectRatio="xMinYMid meet"
  >
    <title id="${id}-title">${title}</title>
    <desc id="${id}-desc">${summary}</desc>
    ${patterns(id)}
    ${[0, max / 2, max].map(
      (v) => svg`<line class="grid" x1=${PAD.left} x2=${width - PAD.right} y1=${y(v)} y2=${y(v)}></line>
        <text class="tick" x=${PAD.left - 4} y=${y(v) + 4} text-anchor="end">${v}</text>`,
    )}
    ${rows.map((r, i) => {
      const x0 = PAD.left + i * W_GROUP + 4;
      return svg`<g>
        ${r.values.map((v, k) => {
          const top = y(v);
          return svg`<rect class="bar ${series[k].mark}" x=${x0 + k * bw} y=${top} width=${Math.max(1, bw - 1)} height=${Math.max(0, PAD.top + inner - top)}
            fill=${fillOf(id, series[k].mark) || nothing}></rect>`;
        })}
        ${i % every === 0 ? svg`<text class="tick" x=${x0 + (W_GROUP - 8) / 2} y=${H - 10} text-anchor="middle">${label(r)}</text>` : nothing}
      </g>`;
    })}
  </svg>`;
}

/** Horizontal bars of percentages, one row an item, one bar a series; `null` (not measured) draws nothing. */
export function rateChart(
  id: string,
  title: string,
  summary: string,
  rows: { label: string; values: (number | null)[] }[],
  series: Series[],
) {
  const rowH = 10 * series.length + 10;
  const left = 150;
  const width = 420;
  const height = PAD.top + rows.length * rowH + 20;
  const x = (v: number) => left + (Math.min(v, 100) / 100) * (width - left - 30);
  const short = (s: string) => (s.length > 24 ? s.slice(0, 23) + '…' : s);
  return html`<svg class="chart" part="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc">
    <title id="${id}-title">${title}</title>
    <desc id="${id}-desc">${summary}</desc>
    ${patterns(id)}
    ${[0, 50, 100].map(
      (v) => svg`<line class="grid" x1=${x(v)} x2=${x(v)} y1=${PAD.top - 4} y2=${height - 16}></line>
        <text class="tick" x=${x(v)} y=${height - 4} text-anchor="middle">${v} %</text>`,
    )}
    ${rows.map((r, i) => {
      const y0 = PAD.top + i * rowH;
      return svg`<g>
        <text class="label" x=${left - 6} y=${y0 + rowH / 2} text-anchor="end">${short(r.label)}</text>
        ${r.values.map((v, k) =>
          v === null
            ? nothing
            : svg`<rect class="bar ${series[k].mark}" x=${left} y=${y0 + k * 10} width=${Math.max(1, x(v) - left)} height="9"
                fill=${fillOf(id, series[k].mark) || nothing}></rect>`,
        )}
      </g>`;
    })}
  </svg>`;
}

/** A data table behind a disclosure, with its CSV download: the chart's numbers, for every reader. */
export function dataTable(
  s: InsightsStrings,
  caption: string,
  head: string[],
  body: (string | number | TemplateResult)[][],
  onCsv: () => void,
): TemplateResult {
  return html`<div class="data">
    <details part="data">
      <summary>${s.showData}</summary>
      <div class="scroll" tabindex="0" role="region" aria-label=${`${s.showData}: ${caption}`}>
        <table>
          <caption>${caption}</caption>
          <thead><tr>${head.map((h, i) => html`<th scope="col" class=${i ? 'num' : ''}>${h}</th>`)}</tr></thead>
          <tbody>
            ${body.map(
              (row) => html`<tr>${row.map((c, i) => (i ? html`<td class="num">${c}</td>` : html`<th scope="row">${c}</th>`))}</tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>
    <button type="button" part="csv" class="csv" @click=${onCsv} aria-label=${s.csvOf(caption)}>${s.csv}</button>
  </div>`;
}

export const percent = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 100) : null);

export const fillRate = (e: EventFill) => (e.capacity ? percent(e.taken, e.capacity) : null);
export const attendanceRate = (e: EventFill) => (e.attended === null ? null : percent(e.attended, e.going));

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);

/** The sentences that say what each chart shows, for its description. */
export function summaries(data: Insights, s: InsightsStrings) {
  const p = data.participation;
  const fills = data.events.map(fillRate).filter((v): v is number => v !== null);
  const came = data.events.map(attendanceRate).filter((v): v is number => v !== null);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    participation: s.participationSummary(mean(p.map((w) => w.members)), sum(p.map((w) => w.newcomers))),
    events: s.eventsSummary(data.events.length, fills.length ? `${mean(fills)} %` : '—', came.length ? `${mean(came)} %` : '—'),
    introductions: s.introductionsSummary(sum(data.introductions.map((w) => w.requested)), sum(data.introductions.map((w) => w.accepted))),
  };
}
