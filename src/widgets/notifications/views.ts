import { html, nothing, type TemplateResult } from 'lit';
import type {
  DigestFrequency,
  Notification,
  NotificationFeed,
  NotificationKind,
  NotificationLanguage,
  NotificationPreferences,
  NotificationPreferencesPatch,
} from '../../contract/notifications.js';
import { exact, relative } from '../../i18n/localize.js';
import type { L } from './strings.js';

const FREQUENCIES: DigestFrequency[] = ['immediate', 'daily', 'weekly', 'off'];
/** The languages of what is sent, each named in itself. */
const LANGUAGES: [NotificationLanguage, string][] = [
  ['en', 'English'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
  ['es', 'Español'],
];

/** The bell's outline (decorative: the button's name says what it is). */
const icon = html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path d="M6 9a6 6 0 0 1 12 0c0 5 2 6.5 2 6.5H4S6 14 6 9" />
  <path d="M10 19a2 2 0 0 0 4 0" />
</svg>`;

/** An http(s) address, or nothing (a `javascript:` or malformed one is never a link). */
function web(raw: string | null | undefined, base?: string): URL | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a notification leads: the server's `url`; else, for a comment, its page (the thread's `url`,
 * or its key when the host keys threads by page address) at the anchor the discussion gives each
 * comment, `#comment-<id>`; else the event's page.
 */
export function href(n: Notification): string | undefined {
  const own = web(n.url);
  if (own) return own.href;
  const page = web(n.thread?.url) ?? web(n.thread?.key);
  if (page) {
    if (n.comment) page.hash = 'comment-' + n.comment.id;
    return page.href;
  }
  return web(n.event?.url)?.href;
}

/** The sentence saying what happened, in the widget's language. */
export function describe(n: Notification, l: L): string {
  const t = l.t;
  const what = n.event?.title ?? n.badge?.name ?? n.thread?.title ?? t.untitled;
  return t.say[n.kind](n.actor?.name ?? t.someone, what);
}

export interface BellState {
  /** Unread notifications; undefined while loading or after an error. */
  unread?: number;
  open: boolean;
  onToggle(): void;
}

/** The bell: its name says the unread count; the badge repeats it for the eye only. */
export const bell = (s: BellState, l: L): TemplateResult => {
  const n = s.unread;
  const name = n === undefined ? l.t.bellLoading : n === 0 ? l.t.bellNone : l.t.bell(n);
  return html`<button
    type="button"
    part="bell"
    id="bell"
    aria-label=${name}
    aria-expanded=${s.open ? 'true' : 'false'}
    aria-controls="panel"
    @click=${s.onToggle}
  >
    ${icon}${n ? html`<span part="count" aria-hidden="true">${n > 99 ? '99+' : n}</span>` : nothing}
  </button>`;
};

export interface ListActions {
  onRead(n: Notification): void;
  onFollow(n: Notification, e: Event): void;
  onMore(): void;
}

const item = (n: Notification, l: L, a: ListActions): TemplateResult => {
  const text = describe(n, l);
  const link = href(n);
  const unread = !n.readAt;
  return html`<li part="item" class=${unread ? 'unread' : 'read'}>
    ${link ? html`<a href=${link} @click=${(e: Event) => a.onFollow(n, e)}>${text}</a>` : html`<span class="text">${text}</span>`}
    ${
      unread
        ? html`<span class="sr">(${l.t.unread})</span>
          <button type="button" aria-label=${l.t.markReadOf(text)} @click=${() => a.onRead(n)}>${l.t.markRead}</button>`
        : nothing
    }
    ${n.comment?.excerpt ? html`<p class="excerpt">${n.comment.excerpt}</p>` : nothing}
    <time datetime=${n.createdAt} title=${exact(l, n.createdAt)}>${relative(l, n.createdAt)}</time>
  </li>`;
};

/** The list of notifications, newest first, with "Show older" when there are more. */
export const list = (items: Notification[], more: boolean, l: L, a: ListActions): TemplateResult =>
  items.length
    ? html`<ul part="list" aria-labelledby="heading">
          ${items.map((n) => item(n, l, a))}
        </ul>
        ${more ? html`<button type="button" @click=${a.onMore}>${l.t.more}</button>` : nothing}`
    : html`<p part="empty">${l.t.empty}</p>`;

export interface SettingsState {
  prefs?: NotificationPreferences;
  error?: string;
  busy: boolean;
  onSave(patch: NotificationPreferencesPatch): void;
  onRetry(): void;
}

/** Reads the settings form back into a change of preferences. */
function read(form: HTMLFormElement, prefs: NotificationPreferences): NotificationPreferencesPatch {
  const data = new FormData(form);
  const page = new Set(data.getAll('page'));
  const delivery = new Set(data.getAll('delivery'));
  const kinds: NonNullable<NotificationPreferencesPatch['kinds']> = {};
  for (const k of Object.keys(prefs.kinds) as NotificationKind[]) {
    kinds[k] = { page: page.has(k), ...(prefs.channel === 'none' ? {} : { delivery: delivery.has(k) }) };
  }
  const patch: NotificationPreferencesPatch = { kinds };
  const frequency = data.get('frequency') as DigestFrequency | null;
  if (frequency) patch.frequency = frequency;
  const language = data.get('language') as NotificationLanguage | '' | null;
  if (language !== null) patch.language = language || null;
  if (prefs.email.available) patch.email = data.get('email') === 'on';
  return patch;
}

/**
 * Per kind, shown in the page and sent beyond it; how often it is sent; and, when the site mails itself
 * and knows the member's address, the e-mail opt-in. A site that delivers nothing beyond the page
 * (`channel: none`) shows the page column only.
 */
export const settings = (s: SettingsState, l: L): TemplateResult => {
  const t = l.t;
  const p = s.prefs;
  let body: TemplateResult;
  if (s.error && !p)
    body = html`<div role="alert">
      <p class="error">${s.error}</p>
      <button type="button" @click=${s.onRetry}>${t.tryAgain}</button>
    </div>`;
  else if (!p) body = html`<p role="status">${t.loading}</p>`;
  else {
    const delivers = p.channel !== 'none';
    const kinds = Object.entries(p.kinds) as [NotificationKind, { page: boolean; delivery: boolean }][];
    body = html`<form
      @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        s.onSave(read(e.currentTarget as HTMLFormElement, p));
      }}
    >
      <table>
        <caption>
          ${t.kindsCaption}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t.kindColumn}</th>
            <th scope="col">${t.pageColumn}</th>
            ${delivers ? html`<th scope="col">${t.deliveryColumn}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${kinds.map(
            ([k, v]) =>
              html`<tr>
                <th scope="row">${t.kindNames[k]}</th>
                <td>
                  <input type="checkbox" name="page" value=${k} aria-label=${t.kindOn(t.kindNames[k], t.pageColumn)} .checked=${v.page} />
                </td>
                ${
                  delivers
                    ? html`<td>
                      <input
                        type="checkbox"
                        name="delivery"
                        value=${k}
                        aria-label=${t.kindOn(t.kindNames[k], t.deliveryColumn)}
                        .checked=${v.delivery}
                      />
                    </td>`
                    : nothing
                }
              </tr>`,
          )}
        </tbody>
      </table>
      ${
        delivers
          ? html`<fieldset>
            <legend>${t.frequencyLegend}</legend>
            ${FREQUENCIES.map(
              (f) => html`<label><input type="radio" name="frequency" value=${f} .checked=${p.frequency === f} />${t.frequency[f]}</label>`,
            )}
          </fieldset>
          <label class="stacked"
            >${t.languageLabel}
            <select name="language">
              <option value="" ?selected=${!p.language}>${t.languageDefault}</option>
              ${LANGUAGES.map(([code, name]) => html`<option value=${code} lang=${code} ?selected=${p.language === code}>${name}</option>`)}
            </select>
          </label>`
          : nothing
      }
      ${
        p.email.available
          ? html`<div>
            <label><input type="checkbox" name="email" aria-describedby="email-hint" .checked=${p.email.optedIn} />${t.email}</label>
            <p class="hint" id="email-hint">${p.email.address ? t.emailTo(p.email.address) : t.emailHint}</p>
          </div>`
          : nothing
      }
      ${s.error ? html`<p class="error" role="alert">${s.error}</p>` : nothing}
      <div><button type="submit" class="primary" aria-disabled=${s.busy ? 'true' : 'false'}>${s.busy ? t.saving : t.save}</button></div>
    </form>`;
  }
  return html`<details part="settings">
    <summary>${t.settings}</summary>
    ${body}
  </details>`;
};

export interface FeedState {
  feed?: NotificationFeed;
  /** The API's address (`https://cercle.example.org`), which the feed's path follows. */
  api: string;
  busy: boolean;
  onCreate(): void;
  onCopy(url: string): void;
  onRevoke(): void;
}

/** The private feed: its address when just made (to copy), its state otherwise, to renew or revoke. */
export const feed = (s: FeedState, l: L): TemplateResult | typeof nothing => {
  const t = l.t;
  const f = s.feed;
  if (!f) return nothing;
  const url = f.active && f.path ? s.api + f.path : undefined;
  return html`<section part="feed" class="feed" aria-labelledby="feed-heading">
    <h3 id="feed-heading" tabindex="-1">${t.feedHeading}</h3>
    <p class="hint">${t.feedHint}</p>
    ${
      url
        ? html`<label for="feed-url">${t.feedUrl}</label>
          <input id="feed-url" type="url" readonly .value=${url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
          <div class="row">
            <button type="button" @click=${() => s.onCopy(url)}>${t.copy}</button>
            <button type="button" aria-disabled=${s.busy ? 'true' : 'false'} @click=${s.onRevoke}>${t.revoke}</button>
          </div>`
        : f.active
          ? html`<p>${t.feedActive(f.createdAt ? exact(l, f.createdAt) : '')}</p>
            <div class="row">
              <button type="button" aria-disabled=${s.busy ? 'true' : 'false'} @click=${s.onCreate}>${t.feedReplace}</button>
              <button type="button" aria-disabled=${s.busy ? 'true' : 'false'} @click=${s.onRevoke}>${t.revoke}</button>
            </div>`
          : html`<p>${t.feedNone}</p>
            <div><button type="button" aria-disabled=${s.busy ? 'true' : 'false'} @click=${s.onCreate}>${t.feedCreate}</button></div>`
    }
  </section>`;
};
