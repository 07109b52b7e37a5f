import { html, nothing, type PropertyDeclarations } from 'lit';
import type { CercleError } from '../../client/errors.js';
import {
  adminChapters,
  createWebhook,
  liftSanction,
  sanctionsInForce,
  testWebhook,
  updateChapter,
  updateWebhook,
  webhookDeliveries,
  webhookList,
} from '../../client/insights.js';
import type { AdminChapter, WebhookTestResult } from '../../contract/admin.js';
import type { Sanction, Webhook, WebhookDelivery, WebhookEventType } from '../../contract/moderation.js';
import { exact, Localize } from '../../i18n/localize.js';
import { Loader } from '../../internal/loader.js';
import { CercleConnected } from '../../internal/widget.js';
import { host } from '../../styles/host.js';
import { styles } from './admin.styles.js';
import { en } from './locales/en.js';
import { de } from './locales/de.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import type { AdminStrings } from './strings.js';

type View = 'chapters' | 'sanctions' | 'webhooks';
const VIEWS: View[] = ['chapters', 'sanctions', 'webhooks'];
const EVENTS: WebhookEventType[] = ['comment.created', 'comment.reply', 'rsvp.changed', 'introduction.requested'];

const ids = (v: FormDataEntryValue | null) =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The site's administration beside the moderation queue: name the chapters (in the site's language and in
 * English) and choose who organises and moderates them; see the sanctions in force with their reason, author and
 * end, and lift one early; add webhooks, send each a signed test and read its delivery log, pause and resume them.
 * For administrators (sanctions: moderators too). Every change is in the audit log.
 *
 * @summary Chapters, sanctions and webhooks for the site's administrators.
 * @customElement cercle-admin
 *
 * @csspart base - The whole element.
 * @csspart views - The buttons that choose the view.
 * @csspart chapter - One chapter's form.
 * @csspart sanctions - The table of sanctions.
 * @csspart webhook - One webhook.
 *
 * @cssprop --cercle-color-accent - Buttons, links and focus rings.
 * @cssprop --cercle-radius - Corner radius of fields and buttons.
 *
 * @attr {'chapters' | 'sanctions' | 'webhooks'} view - The view shown first (default `chapters`).
 * @attr {string} lang - Language of this widget; by default the provider's, else the closest `lang` around.
 * @attr {'auto' | 'light' | 'dark'} theme - Colours; by default those of the page or of the provider.
 */
export class CercleAdmin extends CercleConnected {
  private l = new Localize(this, () => this.community?.lang, 'admin', { en, fr, de, es });

  static override styles = [host, styles];

  static override properties: PropertyDeclarations = {
    view: { reflect: true },
    _chapters: { state: true },
    _sanctions: { state: true },
    _webhooks: { state: true },
    _deliveries: { state: true },
    _tests: { state: true },
    _notes: { state: true },
    _secret: { state: true },
    _error: { state: true },
  };

  /** The view shown. */
  declare view: View;

  declare private _chapters?: AdminChapter[];
  declare private _sanctions?: Sanction[];
  declare private _webhooks?: Webhook[];
  declare private _deliveries: Record<string, WebhookDelivery[]>;
  declare private _tests: Record<string, WebhookTestResult>;
  /** Messages next to what they are about (a chapter's form, a sanction, a webhook), by key. */
  declare private _notes: Record<string, { text: string; error: boolean }>;
  declare private _secret?: string;
  declare private _error?: CercleError;

  private loader = new Loader(this);
  private loadedFor?: string;

  constructor() {
    super();
    this.view = 'chapters';
    this._deliveries = {};
    this._tests = {};
    this._notes = {};
  }

  protected override willUpdate(): void {
    const c = this.community;
    if (!c || c.session.status === 'anonymous') return;
    const key = `${c.client.siteId}|${this.view}`;
    if (key !== this.loadedFor) {
      this.loadedFor = key;
      void this.load();
    }
  }

  private get client() {
    return this.community!.client;
  }

  /** Reads the view shown again. */
  load(): Promise<void> {
    this._error = undefined;
    const view = this.view;
    return this.loader.run(
      async () =>
        view === 'chapters'
          ? { chapters: (await adminChapters(this.client)).items }
          : view === 'sanctions'
            ? { sanctions: (await sanctionsInForce(this.client)).items }
            : { webhooks: (await webhookList(this.client)).items },
      (r) => {
        if ('chapters' in r) this._chapters = r.chapters;
        if ('sanctions' in r) this._sanctions = r.sanctions;
        if ('webhooks' in r) this._webhooks = r.webhooks;
      },
      (e) => (this._error = e),
    );
  }

  private message(e: unknown) {
    const err = e as CercleError;
    const s = this.l.t;
    return s.errors[err.code ?? ''] ?? this.l.error(err);
  }

  private note(key: string, text: string, error = false) {
    this._notes = { ...this._notes, [key]: { text, error } };
  }

  private noteFor(key: string) {
    const n = this._notes[key];
    return html`<p class=${n?.error ? 'note error' : 'note'} role=${n?.error ? 'alert' : 'status'}>${n?.text ?? ''}</p>`;
  }

  protected override render() {
    const s = this.l.t;
    return html`<div part="base">
      <div part="views" class="views" role="group" aria-label=${s.label}>
        ${VIEWS.map(
          (v) =>
            html`<button type="button" aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => (this.view = v)}>
              ${s.views[v]}
            </button>`,
        )}
      </div>
      ${
        this._error
          ? html`<div role="alert" class="error">
            <p>${this.message(this._error)}</p>
            <button type="button" @click=${() => this.load()}>${s.tryAgain}</button>
          </div>`
          : nothing
      }
      ${this.view === 'chapters' ? this.chapters(s) : this.view === 'sanctions' ? this.sanctions(s) : this.webhooks(s)}
    </div>`;
  }

  // ---- chapters -------------------------------------------------------------------------

  private chapters(s: AdminStrings) {
    const list = this._chapters;
    if (!list) return this._error ? nothing : html`<p role="status">${s.loading}</p>`;
    return html`
      ${list.length ? nothing : html`<p>${s.noChapters}</p>`}
      ${list.map(
        (c) => html`<form part="chapter" class="card" aria-labelledby="ch-${c.id}" @submit=${(e: SubmitEvent) => this.saveChapter(e, c.id)}>
          <h2 id="ch-${c.id}">${c.name} <span class="meta">(${c.id}${c.named ? '' : ` · ${s.unnamed}`})</span></h2>
          <label>${s.chapterName}<input name="name" required maxlength="80" .value=${c.named ? c.name : ''} /></label>
          <label>${s.chapterNameEn}<input name="nameEn" maxlength="80" .value=${c.nameEn ?? ''} /></label>
          <label>${s.organisers}<input name="organisers" .value=${c.organisers.join(', ')} /></label>
          <label>${s.moderators}<input name="moderators" .value=${c.moderators.join(', ')} /></label>
          <button type="submit">${s.save}</button>
          ${this.noteFor(`chapter:${c.id}`)}
        </form>`,
      )}
      <form class="card" aria-labelledby="ch-new" @submit=${(e: SubmitEvent) => this.saveChapter(e)}>
        <h2 id="ch-new">${s.newChapter}</h2>
        <label>${s.chapterId}<input name="id" required pattern="[A-Za-z0-9_.\\-]{1,64}" /></label>
        <label>${s.chapterName}<input name="name" required maxlength="80" /></label>
        <label>${s.chapterNameEn}<input name="nameEn" maxlength="80" /></label>
        <button type="submit">${s.add}</button>
        ${this.noteFor('chapter:new')}
      </form>
    `;
  }

  private async saveChapter(e: SubmitEvent, id?: string) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const chapter = id ?? String(f.get('id') ?? '').trim();
    const key = `chapter:${id ?? 'new'}`;
    try {
      const saved = await updateChapter(this.client, chapter, {
        name: String(f.get('name') ?? '').trim(),
        nameEn: String(f.get('nameEn') ?? '').trim() || null,
        ...(id ? { organisers: ids(f.get('organisers')), moderators: ids(f.get('moderators')) } : {}),
      });
      const list = this._chapters ?? [];
      this._chapters = list.some((c) => c.id === saved.id) ? list.map((c) => (c.id === saved.id ? saved : c)) : [...list, saved];
      if (!id) form.reset();
      this.note(`chapter:${saved.id}`, this.l.t.saved);
    } catch (err) {
      // The form keeps what was typed: only the message changes.
      this.note(key, this.message(err), true);
    }
  }

  // ---- sanctions ------------------------------------------------------------------------

  private sanctions(s: AdminStrings) {
    const list = this._sanctions;
    if (!list) return this._error ? nothing : html`<p role="status">${s.loading}</p>`;
    return html`${this.noteFor('sanctions')}
      ${
        list.length
          ? html`<table part="sanctions">
            <thead>
              <tr>
                <th scope="col">${s.member}</th>
                <th scope="col">${s.kind}</th>
                <th scope="col">${s.reason}</th>
                <th scope="col">${s.by}</th>
                <th scope="col">${s.ends}</th>
                <td></td>
              </tr>
            </thead>
            <tbody>
              ${list.map(
                (x) => html`<tr>
                  <th scope="row">${x.member.name}</th>
                  <td>${s.kinds[x.kind]}${x.chapter ? ` (${x.chapter})` : ''}</td>
                  <td>${x.reason}</td>
                  <td>${x.moderator?.name ?? s.bySite}</td>
                  <td>${x.endsAt ? exact(this.l, x.endsAt) : s.untilLifted}</td>
                  <td><button type="button" aria-label=${s.liftOf(x.member.name)} @click=${() => this.lift(x)}>${s.lift}</button></td>
                </tr>`,
              )}
            </tbody>
          </table>`
          : html`<p>${s.noSanctions}</p>`
      }`;
  }

  private async lift(x: Sanction) {
    try {
      await liftSanction(this.client, x.id);
      this.note('sanctions', this.l.t.lifted(x.member.name));
    } catch (err) {
      this.note('sanctions', this.message(err), true);
    }
    this._sanctions = (await sanctionsInForce(this.client).catch(() => ({ items: this._sanctions ?? [] }))).items;
  }

  // ---- webhooks -------------------------------------------------------------------------

  private webhooks(s: AdminStrings) {
    const list = this._webhooks;
    if (!list) return this._error ? nothing : html`<p role="status">${s.loading}</p>`;
    return html`
      ${list.length ? nothing : html`<p>${s.noWebhooks}</p>`}
      ${list.map((w) => {
        const t = this._tests[w.id];
        const log = this._deliveries[w.id];
        return html`<div part="webhook" class="card" role="group" aria-labelledby="wh-${w.id}">
          <h2 id="wh-${w.id}"><code>${w.url}</code> <span class="meta">${w.active ? s.active : s.paused}</span></h2>
          <p class="meta">${w.events.join(', ')}${w.description ? ` — ${w.description}` : ''}</p>
          <div class="actions">
            <button type="button" aria-label=${s.testOf(w.url)} @click=${() => this.test(w)}>${s.test}</button>
            <button type="button" @click=${() => this.toggle(w)}>${w.active ? s.pause : s.resume}</button>
            <button type="button" aria-label=${s.logOf(w.url)} aria-expanded=${log ? 'true' : 'false'} @click=${() => this.readLog(w)}>
              ${s.log}
            </button>
          </div>
          <p role="status" class="note">
            ${t ? (t.delivered ? s.testOk(String(t.status), t.ms) : s.testFailed(t.error ?? String(t.status))) : ''}
          </p>
          ${this.noteFor(`webhook:${w.id}`)}
          ${
            log
              ? log.length
                ? html`<table>
                  <caption>${s.logOf(w.url)}</caption>
                  <thead>
                    <tr>
                      <th scope="col">${s.at}</th>
                      <th scope="col">${s.event}</th>
                      <th scope="col">${s.status}</th>
                      <th scope="col">${s.answer}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${log.map(
                      (d) => html`<tr>
                        <th scope="row">${exact(this.l, d.createdAt)}</th>
                        <td>${d.eventType}</td>
                        <td>${d.status}</td>
                        <td>${d.lastStatus ?? d.lastError ?? ''}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
                : html`<p>${s.noDeliveries}</p>`
              : nothing
          }
        </div>`;
      })}
      <form class="card" aria-labelledby="wh-new" @submit=${this.create}>
        <h2 id="wh-new">${s.create}</h2>
        <label>${s.url}<input name="url" type="url" required maxlength="2048" /></label>
        <fieldset>
          <legend>${s.events}</legend>
          ${EVENTS.map((ev) => html`<label class="check"><input type="checkbox" name="events" value=${ev} /> ${ev}</label>`)}
        </fieldset>
        <label>${s.description}<input name="description" maxlength="200" /></label>
        <button type="submit">${s.create}</button>
        ${this.noteFor('webhook:new')}
        ${this._secret ? html`<p>${s.secretOnce} <code>${this._secret}</code></p>` : nothing}
      </form>
    `;
  }

  private async test(w: Webhook) {
    try {
      this._tests = { ...this._tests, [w.id]: await testWebhook(this.client, w.id) };
      if (this._deliveries[w.id]) await this.readLog(w, true);
    } catch (err) {
      this.note(`webhook:${w.id}`, this.message(err), true);
    }
  }

  private async toggle(w: Webhook) {
    try {
      const next = await updateWebhook(this.client, w.id, { active: !w.active });
      this._webhooks = (this._webhooks ?? []).map((x) => (x.id === w.id ? next : x));
    } catch (err) {
      this.note(`webhook:${w.id}`, this.message(err), true);
    }
  }

  private async readLog(w: Webhook, again = false) {
    if (this._deliveries[w.id] && !again) {
      const { [w.id]: _closed, ...rest } = this._deliveries;
      this._deliveries = rest;
      return;
    }
    try {
      this._deliveries = { ...this._deliveries, [w.id]: (await webhookDeliveries(this.client, w.id)).items };
    } catch (err) {
      this.note(`webhook:${w.id}`, this.message(err), true);
    }
  }

  private create = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    try {
      const made = await createWebhook(this.client, {
        url: String(f.get('url') ?? '').trim(),
        events: f.getAll('events').map(String) as WebhookEventType[],
        ...(String(f.get('description') ?? '').trim() ? { description: String(f.get('description')).trim() } : {}),
      });
      const { secret, ...hook } = made;
      this._secret = secret;
      this._webhooks = [...(this._webhooks ?? []), hook];
      form.reset();
      this.note('webhook:new', this.l.t.saved);
    } catch (err) {
      this.note('webhook:new', this.message(err), true);
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'cercle-admin': CercleAdmin;
  }
}
