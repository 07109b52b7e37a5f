import { html, nothing, type TemplateResult } from 'lit';
import type { CercleError } from '../../client/errors.js';
import type { ContactField, Introduction, MemberCard, ProfilePatch, VisibilitySettings } from '../../contract/members.js';
import type { MemberSummary } from '../../contract/resources.js';
import { fill } from '../../i18n/localize.js';
import type { L } from './strings.js';

/** Pure views of the member card: typed data in, templates out. User text goes through bindings only. */

export const CONTACTS: ContactField[] = ['email', 'phone', 'website', 'linkedin'];
export const TEXT_FIELDS = ['headline', 'company', 'associationRole', 'website', 'linkedin', 'phone', 'email'] as const;
const LEVELS = ['public', 'members', 'chapter', 'private'];
const MAX: Record<string, number> = {
  headline: 120,
  company: 120,
  associationRole: 120,
  bio: 1000,
  website: 2048,
  linkedin: 500,
  phone: 30,
  email: 254,
};

export const initials = (name = ''): string =>
  name
    .split(/[\s-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');

/** The picture over the initials: a picture that fails to load leaves the initials showing. */
export const avatar = (m: MemberSummary | undefined): TemplateResult => html`
  <span part="avatar" aria-hidden="true"
    >${initials(m?.name)}${
      m?.picture
        ? html`<img src=${m.picture} alt="" loading="lazy" @error=${(e: Event) => ((e.target as HTMLElement).hidden = true)} />`
        : nothing
    }</span
  >
`;

/** Only http(s) addresses become links, whatever reached the browser. */
const safe = (url: string) => /^https?:\/\//i.test(url);
const host = (url: string) => url.replace(/^https?:\/\/(www\.)?/i, '').replace(/\/$/, '');

const contact = (key: ContactField, value: string): TemplateResult => {
  if (key === 'email') return html`<a href=${'mailto:' + value}>${value}</a>`;
  if (key === 'phone') return html`<a href=${'tel:' + value.replace(/[^+\d]/g, '')}>${value}</a>`;
  return safe(value) ? html`<a href=${value} target="_blank" rel="noopener noreferrer nofollow ugc">${host(value)}</a>` : html`${value}`;
};

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => html`<p>${p.trim()}</p>`);

/** The card itself, as this reader may see it. */
export const card = (c: MemberCard, l: L, headingId = 'name'): TemplateResult => {
  const t = l.t;
  const p = c.profile;
  // "Member since" only when the host site said when they joined (a date, read in UTC so that it
  // keeps its month everywhere); otherwise all Cercle knows is when it first saw them.
  const month = (iso: string, timeZone?: string) =>
    new Intl.DateTimeFormat(l.lang, { month: 'long', year: 'numeric', timeZone }).format(new Date(iso));
  const since = c.memberSince ? t.since(month(c.memberSince, 'UTC')) : t.onCercleSince(month(c.since));
  const roles = c.roles.filter((r) => t.roles[r]).map((r) => t.roles[r]);
  const contacts = CONTACTS.filter((k) => p[k]);
  return html`
    <header part="header">
      ${avatar(c)}
      <div>
        <h3 part="name" id=${headingId}>${c.name}</h3>
        ${p.headline ? html`<p part="headline">${p.headline}</p>` : nothing}
        ${p.company || p.associationRole ? html`<p part="meta">${[p.company, p.associationRole].filter(Boolean).join(' · ')}</p>` : nothing}
      </div>
    </header>
    <p part="meta">
      ${c.chapterDetails.length ? html`<span>${t.chapters(c.chapterDetails.map((x) => x.name).join(', '))}</span>` : nothing}
      ${roles.map((r) => html`<span class="badge">${r}</span>`)}
      <span>${since}</span>
    </p>
    ${p.expertise?.length ? html`<ul part="tags" aria-label=${l.t.expertise}>${p.expertise.map((x) => html`<li>${x}</li>`)}</ul>` : nothing}
    ${p.bio ? html`<div part="bio">${paragraphs(p.bio)}</div>` : nothing}
    ${
      contacts.length
        ? html`<dl part="contact">
          ${contacts.map(
            (k) => html`<div>
              <dt>${t.fields[k]}</dt>
              <dd>${contact(k, p[k]!)}${c.sharedWithYou.includes(k) ? html` <small class="shared">(${t.shared})</small>` : nothing}</dd>
            </div>`,
          )}
        </dl>`
        : nothing
    }
  `;
};

/** Placeholder with the card's height, so nothing moves when it arrives. */
export const skeleton = (l: L): TemplateResult => html`
  <div class="ph" aria-busy="true"><span class="sr">${l.t.loading}</span></div>
`;

/** Messages by field name, from the form's own checks or the server's (`body.website`). */
export type FieldErrors = Record<string, string>;

/** Checks the patch as the server will, without the schema library. */
export function validate(patch: ProfilePatch, l: L): FieldErrors {
  const t = l.t.invalid;
  const e: FieldErrors = {};
  for (const k of [...TEXT_FIELDS, 'bio'] as const) {
    const v = patch[k];
    if (v && v.length > MAX[k]) e[k] = fill(t.long, MAX[k]);
  }
  const url = (v: string) => {
    try {
      const u = new URL(v);
      return /^https?:$/.test(u.protocol) && u.hostname.includes('.') ? u : undefined;
    } catch {
      return undefined;
    }
  };
  if (patch.website && !url(patch.website)) e.website = t.url;
  const li = patch.linkedin && url(patch.linkedin);
  if (patch.linkedin && !(li && li.protocol === 'https:' && /(^|\.)linkedin\.com$/.test(li.hostname))) e.linkedin = t.linkedin;
  if (patch.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(patch.email)) e.email = t.email;
  if (patch.phone && !/^\+?[0-9][0-9 ().-]{4,28}[0-9]$/.test(patch.phone)) e.phone = t.phone;
  const tags = patch.expertise ?? [];
  if (tags.length > 12 || tags.some((x) => x.length > 40 || /[<>]/.test(x))) e.expertise = t.tags;
  return e;
}

/** The server's field messages (`body.visibility.phone` → `phone`). */
export const serverErrors = (err: CercleError): FieldErrors =>
  Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k.split('.').slice(-1)[0], v]));

export interface EditState {
  card: MemberCard;
  /** Values to show (after a failed save: what the member typed). */
  values: ProfilePatch;
  errors: FieldErrors;
  siteName: string;
  onSubmit(e: SubmitEvent): void;
  onCancel(): void;
}

const levelSelect = (name: string, label: string, value: string, l: L) => html`
  <select name=${'v-' + name} aria-label=${label} .value=${value}>
    ${LEVELS.map((v) => html`<option value=${v} ?selected=${v === value}>${l.t.levels[v]}</option>`)}
  </select>
`;

const fieldError = (name: string, errors: FieldErrors) =>
  errors[name] ? html`<p class="error" id=${'e-' + name}>${errors[name]}</p>` : nothing;

/** Editing my card: each field beside who may see it. */
export const editForm = (s: EditState, l: L): TemplateResult => {
  const t = l.t;
  const vis = s.card.visibility as VisibilitySettings;
  const v = s.values;
  const input = (k: (typeof TEXT_FIELDS)[number] | 'expertise' | 'bio') => {
    const value = k === 'expertise' ? (v.expertise ?? []).join(', ') : (v[k] ?? '');
    const attrs = {
      id: 'f-' + k,
      invalid: s.errors[k] ? 'true' : 'false',
      described: s.errors[k] ? 'e-' + k : undefined,
    };
    return html`
      <div class="field">
        <label for=${attrs.id}>${t.fields[k]}</label>
        ${
          k === 'bio'
            ? html`<textarea id=${attrs.id} name=${k} rows="4" .value=${value} aria-invalid=${attrs.invalid}
              aria-describedby=${attrs.described ?? nothing}></textarea>`
            : html`<input id=${attrs.id} name=${k} .value=${value} aria-invalid=${attrs.invalid}
              aria-describedby=${attrs.described ?? nothing}
              type=${k === 'email' ? 'email' : k === 'phone' ? 'tel' : k === 'website' || k === 'linkedin' ? 'url' : 'text'}
              autocomplete=${k === 'email' ? 'email' : k === 'phone' ? 'tel' : k === 'website' ? 'url' : k === 'company' ? 'organization' : 'off'} />`
        }
        ${levelSelect(k, `${t.fields[k]} — ${t.whoSees}`, v.visibility?.[k] ?? vis[k], l)}
        ${fieldError(k, s.errors)}
      </div>
    `;
  };
  return html`
    <form part="form" novalidate @submit=${s.onSubmit}>
      <p class="note">${t.hostOwned(s.siteName)}</p>
      ${(['headline', 'company', 'associationRole', 'expertise', 'bio', 'website', 'linkedin', 'phone', 'email'] as const).map(input)}
      <div class="field">
        <label for="f-listed">${t.listed}</label>
        ${html`<select id="f-listed" name="v-listed" .value=${v.visibility?.listed ?? vis.listed}>
          ${LEVELS.map((x) => html`<option value=${x} ?selected=${x === (v.visibility?.listed ?? vis.listed)}>${t.levels[x]}</option>`)}
        </select>`}
      </div>
      <div part="actions">
        <button class="primary" type="submit">${t.save}</button>
        <button type="button" @click=${s.onCancel}>${t.cancel}</button>
      </div>
    </form>
  `;
};

/** Checkboxes of my contact details to share; only those I have filled in. */
const shareChoices = (legend: string, available: ContactField[], l: L, checked: ContactField[] = []): TemplateResult | typeof nothing =>
  available.length
    ? html`<fieldset>
        <legend>${legend}</legend>
        ${available.map(
          (k) =>
            html`<label class="check"><input type="checkbox" name="share" value=${k} ?checked=${checked.includes(k)} /> ${l.t.fields[k]}</label>`,
        )}
      </fieldset>`
    : nothing;

export interface AskState {
  name: string;
  mine: ContactField[];
  busy: boolean;
  error?: string;
  onSubmit(e: SubmitEvent): void;
  onCancel(): void;
}

export const askForm = (s: AskState, l: L): TemplateResult => {
  const t = l.t;
  return html`
    <form part="form" @submit=${s.onSubmit}>
      <label for="ask-msg">${t.message}</label>
      <textarea id="ask-msg" name="message" rows="3" maxlength="500" required aria-describedby="ask-err"></textarea>
      ${shareChoices(t.offer, s.mine, l)}
      <div part="actions">
        <button class="primary" type="submit" aria-disabled=${s.busy ? 'true' : 'false'}>${t.send}</button>
        <button type="button" @click=${s.onCancel}>${t.cancel}</button>
      </div>
      <p id="ask-err" class="error">${s.error ?? nothing}</p>
    </form>
  `;
};

/** A request addressed to me, with the choice of details to give on accepting. */
export const answerForm = (
  i: Introduction,
  mine: ContactField[],
  l: L,
  onAnswer: (i: Introduction, share: ContactField[] | null) => void,
): TemplateResult => {
  const t = l.t;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    onAnswer(i, data.getAll('share') as ContactField[]);
  };
  return html`
    <form class="answer" @submit=${submit}>
      ${shareChoices(t.choose, mine, l)}
      <div part="actions">
        <button class="primary" type="submit" ?disabled=${!mine.length}>${t.accept}</button>
        <button type="button" @click=${() => onAnswer(i, null)}>${t.decline}</button>
      </div>
    </form>
  `;
};

/** What the other member shared with me in this introduction. */
const shared = (i: Introduction, l: L) => {
  const keys = CONTACTS.filter((k) => i.contact[k]);
  return keys.length
    ? html`<dl part="contact">${keys.map((k) => html`<div><dt>${l.t.fields[k]}</dt><dd>${contact(k, i.contact[k]!)}</dd></div>`)}</dl>`
    : nothing;
};

/** My introductions: requests to answer first, then the others with their state. */
export const introductions = (
  items: Introduction[],
  mine: ContactField[],
  l: L,
  onAnswer: (i: Introduction, share: ContactField[] | null) => void,
): TemplateResult => {
  const t = l.t;
  const state = { pending: t.pending, accepted: t.accepted, declined: t.declined };
  return html`
    <section part="introductions" aria-labelledby="intros">
      <h4 id="intros">${t.requests}</h4>
      ${
        items.length
          ? html`<ul>
            ${items.map((i) => {
              const other = i.direction === 'sent' ? i.to : i.from;
              return html`<li>
                <p>${i.direction === 'received' && i.status === 'pending' ? t.asksYou(other.name) : html`<strong>${other.name}</strong> — ${state[i.status]}`}</p>
                ${i.direction === 'received' ? html`<blockquote>${i.message}</blockquote>` : nothing}
                ${shared(i, l)}
                ${i.direction === 'received' && i.status === 'pending' ? answerForm(i, mine, l, onAnswer) : nothing}
              </li>`;
            })}
          </ul>`
          : html`<p>${t.noRequests}</p>`
      }
    </section>
  `;
};

export interface EraseState {
  confirming: boolean;
  busy: boolean;
  onDownload(): void;
  onAsk(): void;
  onSubmit(e: SubmitEvent): void;
  onCancel(): void;
}

/** My data: the download, and the erase behind a confirmation step. */
export const myData = (s: EraseState, l: L): TemplateResult => {
  const t = l.t;
  return html`
    <section part="data" aria-labelledby="data">
      <h4 id="data">${t.data}</h4>
      <div part="actions">
        <button type="button" @click=${s.onDownload}>${t.download}</button>
        ${s.confirming ? nothing : html`<button type="button" class="danger" @click=${s.onAsk}>${t.erase}</button>`}
      </div>
      ${
        s.confirming
          ? html`<form class="erase" @submit=${s.onSubmit}>
            <fieldset>
              <legend>${t.eraseTitle}</legend>
              <p>${t.eraseNote}</p>
              <label class="check"><input type="radio" name="comments" value="anonymize" checked /> ${t.anonymize}</label>
              <label class="check"><input type="radio" name="comments" value="delete" /> ${t.remove}</label>
            </fieldset>
            <div part="actions">
              <button class="danger" type="submit" aria-disabled=${s.busy ? 'true' : 'false'}>${t.confirm}</button>
              <button type="button" @click=${s.onCancel}>${t.cancel}</button>
            </div>
          </form>`
          : nothing
      }
    </section>
  `;
};
