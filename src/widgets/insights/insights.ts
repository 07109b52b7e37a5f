import { html, nothing, type PropertyDeclarations } from 'lit';
import type { CercleError } from '../../client/errors.js';
import { insights } from '../../client/insights.js';
import type { Insights } from '../../contract/admin.js';
import { Localize } from '../../i18n/localize.js';
import { Loader } from '../../internal/loader.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { download, toCsv } from './csv.js';
import { styles } from './insights.styles.js';
import { en } from './locales/en.js';
import { de } from './locales/de.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import { attendanceRate, barChart, dataTable, fillRate, legend, rateChart, summaries, type Series } from './views.js';

/**
 * What the community team reads from the activity ledger, week by week: members who took part and newcomers,
 * threads nobody answered within a week, event fill and attendance, introductions requested and accepted. Each
 * chart has its data table and a CSV download. Counts only: nobody is named or ranked. For admins, moderators and
 * the `community` role; place it on a page only they visit.
 *
 * @summary Counts by week for the community team: participation, unanswered threads, events, introductions.
 * @customElement cercle-insights
 *
 * @csspart base - The whole element.
 * @csspart period - The form that chooses the period and the chapter.
 * @csspart section - One chart with its table.
 * @csspart chart - A chart (SVG).
 * @csspart legend - The key of a chart.
 * @csspart data - The disclosure holding a chart's data table.
 * @csspart csv - The "Download CSV" button of a chart.
 * @csspart threads - The list of threads to nudge.
 *
 * @cssprop --cercle-color-accent - Bars, links and focus rings.
 * @cssprop --cercle-insights-second - The second series' colour (hatched or dotted as well).
 * @cssprop --cercle-radius - Corner radius of fields and buttons.
 *
 * @attr {string} chapter - Start with this chapter (its id).
 * @attr {string} from - First day of the period (ISO date); by default twelve weeks ago.
 * @attr {string} to - Last day of the period (ISO date); by default today.
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleInsights extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'insights', { en, fr, de, es });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    chapter: {},
    from: {},
    to: {},
    _data: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };

  /** The chapter shown (its id); empty for the whole site. */
  declare chapter?: string;
  /** First day of the period (ISO date). */
  declare from?: string;
  /** Last day of the period (ISO date). */
  declare to?: string;

  declare private _data?: Insights;
  declare private _error?: CercleError;
  declare private _busy: boolean;

  private loader = new Loader(this);
  private loadedFor?: string;

  constructor() {
    super();
    this._busy = false;
  }

  protected override willUpdate(): void {
    const c = this.community;
    if (!c || c.session.status === 'anonymous') return;
    const key = [c.client.siteId, this.chapter, this.from, this.to].join('|');
    if (key !== this.loadedFor) {
      this.loadedFor = key;
      void this.load();
    }
  }

  /** Reads the insights again for the period and chapter shown. */
  load(): Promise<void> {
    const c = this.community;
    if (!c) return Promise.resolve();
    this._error = undefined;
    this._busy = true;
    return this.loader.run(
      () => insights(c.client, { from: this.from || undefined, to: this.to || undefined, chapter: this.chapter || undefined }),
      (data) => {
        this._data = data;
        this._busy = false;
      },
      (e) => {
        this._error = e;
        this._busy = false;
      },
    );
  }

  private submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.from = String(f.get('from') ?? '') || undefined;
    this.to = String(f.get('to') ?? '') || undefined;
    this.chapter = String(f.get('chapter') ?? '') || undefined;
  };

  private day(iso: string, long = false) {
    return new Intl.DateTimeFormat(this.l.lang, {
      day: 'numeric',
      month: 'short',
      ...(long ? { year: 'numeric' } : {}),
      timeZone: 'UTC',
    }).format(Date.parse(iso));
  }

  private csv(name: string, rows: (string | number | null)[][]) {
    const d = this._data!;
    download(`cercle-insights-${name}-${d.chapter ? `${d.chapter.id}-` : ''}${d.from}-${d.to}.csv`, toCsv(rows));
  }

  protected override render() {
    const s = this.l.t;
    const d = this._data;
    const session = this.community?.session;
    return html`<div part="base" aria-busy=${this._busy ? 'true' : 'false'}>
      <h2>${s.title}</h2>
      ${this.periodForm(d)}
      <p class="note">${s.countsOnly}</p>
      <div role="status" class="status">
        ${
          session?.status === 'anonymous'
            ? html`<a href=${this.community?.loginUrl ?? '#'}>${s.signIn}</a>`
            : this._error
              ? nothing
              : this._busy
                ? s.loading
                : d
                  ? s.periodOf(this.day(d.from, true), this.day(d.to, true)) + (d.chapter ? ` — ${d.chapter.name}` : '')
                  : ''
        }
      </div>
      ${
        this._error
          ? html`<div role="alert" class="error">
            <p>${this._error.code === 'insights.forbidden' ? s.forbidden : this.l.error(this._error)}</p>
            <button type="button" @click=${() => this.load()}>${s.tryAgain}</button>
          </div>`
          : nothing
      }
      ${d && !this._error ? this.sections(d) : nothing}
    </div>`;
  }

  private periodForm(d?: Insights) {
    const s = this.l.t;
    const chapters = d?.chapters ?? (this.chapter ? [{ id: this.chapter, name: this.chapter }] : []);
    return html`<form part="period" @submit=${this.submit}>
      <label>${s.from} <input type="date" name="from" .value=${this.from ?? d?.from ?? ''} /></label>
      <label>${s.to} <input type="date" name="to" .value=${this.to ?? d?.to ?? ''} /></label>
      <label
        >${s.chapter}
        <select name="chapter">
          <option value="" ?selected=${!this.chapter}>${s.allChapters}</option>
          ${chapters.map((c) => html`<option value=${c.id} ?selected=${c.id === this.chapter}>${c.name}</option>`)}
        </select>
      </label>
      <button type="submit">${s.show}</button>
    </form>`;
  }

  private sections(d: Insights) {
    const s = this.l.t;
    const sum = summaries(d, s);
    const weekLabel = (r: { label: string }) => this.day(r.label);
    const pSeries: Series[] = [
      { label: s.members, mark: 'solid' },
      { label: s.newcomers, mark: 'hatch' },
    ];
    const iSeries: Series[] = [
      { label: s.requested, mark: 'solid' },
      { label: s.accepted, mark: 'dots' },
    ];
    const eSeries: Series[] = [
      { label: s.fillRate, mark: 'solid' },
      { label: s.attendanceRate, mark: 'hatch' },
    ];
    const pHead = [s.weekOf, s.members, s.newcomers, s.posted, s.useful, s.attended, s.introduced];
    const pRows = d.participation.map((w) => [w.week, w.members, w.newcomers, w.posted, w.useful, w.attended, w.introduced]);
    const eHead = [s.event, s.date, s.capacity, s.taken, s.going, s.came, s.fillRate, s.attendanceRate];
    const eRows = d.events.map((e) => {
      const f = fillRate(e);
      const a = attendanceRate(e);
      return [
        e.title,
        e.startsAt.slice(0, 10),
        e.capacity ?? s.noLimit,
        e.taken,
        e.going,
        e.attended ?? s.notMarked,
        f === null ? '—' : `${f} %`,
        a === null ? '—' : `${a} %`,
      ];
    });
    const iHead = [s.weekOf, s.requested, s.accepted];
    const iRows = d.introductions.map((w) => [w.week, w.requested, w.accepted]);
    const tHead = [s.thread, s.opened, s.answered];
    const tRows = d.unanswered.items.map((t) => [t.title ?? t.key, t.openedAt.slice(0, 10), t.answeredAt?.slice(0, 10) ?? s.notAnswered]);
    const quiet = d.participation.every((w) => w.members === 0);
    return html`
      <section part="section" aria-labelledby="participation-h">
        <h3 id="participation-h">${s.participation}</h3>
        <p class="note">${s.participationNote}</p>
        ${
          quiet
            ? html`<p>${s.nothing}</p>`
            : html`${legend('participation', pSeries)}
            ${barChart(
              'participation',
              s.participation,
              sum.participation,
              d.participation.map((w) => ({ label: w.week, values: [w.members, w.newcomers] })),
              pSeries,
              weekLabel,
            )}`
        }
        ${dataTable(
          s,
          s.participation,
          pHead,
          pRows.map((r) => [this.day(String(r[0])), ...r.slice(1)]),
          () => this.csv('participation', [pHead, ...pRows]),
        )}
      </section>

      <section part="section" aria-labelledby="unanswered-h">
        <h3 id="unanswered-h">${s.unanswered}</h3>
        ${
          d.unanswered.count === 0
            ? html`<p>${s.unansweredNone}</p>`
            : html`<p>
                <strong>${s.unansweredCount(d.unanswered.count)}</strong>
                ${d.unanswered.count > d.unanswered.items.length ? s.unansweredMore(d.unanswered.items.length) : nothing}
              </p>
              <ul part="threads" class="threads">
                ${d.unanswered.items.map(
                  (t) => html`<li>
                    ${t.url ? html`<a href=${t.url}>${t.title ?? t.key}</a>` : html`<span>${t.title ?? t.key}</span>`}
                    <span class="meta">${s.openedOn(this.day(t.openedAt, true))}${t.answeredAt ? ` · ${s.answeredLate(this.day(t.answeredAt, true))}` : ''}</span>
                  </li>`,
                )}
              </ul>
              ${dataTable(s, s.unanswered, tHead, tRows, () =>
                this.csv('unanswered', [[...tHead, 'url'], ...d.unanswered.items.map((t, i) => [...tRows[i], t.url])]),
              )}`
        }
      </section>

      <section part="section" aria-labelledby="events-h">
        <h3 id="events-h">${s.events}</h3>
        ${
          d.events.length === 0
            ? html`<p>${s.eventsNone}</p>`
            : html`${legend('events', eSeries)}
            ${rateChart(
              'events',
              s.events,
              sum.events,
              d.events.map((e) => ({ label: e.title, values: [fillRate(e), attendanceRate(e)] })),
              eSeries,
            )}
            ${dataTable(s, s.events, eHead, eRows, () => this.csv('events', [eHead, ...eRows]))}`
        }
      </section>

      <section part="section" aria-labelledby="introductions-h">
        <h3 id="introductions-h">${s.introductions}</h3>
        ${
          d.introductions.every((w) => w.requested === 0)
            ? html`<p>${s.nothing}</p>`
            : html`${legend('introductions', iSeries)}
            ${barChart(
              'introductions',
              s.introductions,
              sum.introductions,
              d.introductions.map((w) => ({ label: w.week, values: [w.requested, w.accepted] })),
              iSeries,
              weekLabel,
            )}`
        }
        ${dataTable(
          s,
          s.introductions,
          iHead,
          iRows.map((r) => [this.day(String(r[0])), ...r.slice(1)]),
          () => this.csv('introductions', [iHead, ...iRows]),
        )}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-insights': CercleInsights;
  }
}
