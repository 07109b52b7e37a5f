import { html, nothing, type TemplateResult } from 'lit';
import type { CercleError } from '../../client/errors.js';
import type { Reactors } from '../../contract/discussion.js';
import type { Comment, MemberSummary, SitePublic } from '../../contract/resources.js';
import type { L as Localize } from './strings.js';

export type Mode = 'reply' | 'edit' | 'flag' | 'delete' | 'who';

/** Pure views of the discussion: typed data in, templates out. User text goes through bindings only. */

export const initials = (name = ''): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');

export const avatar = (m: MemberSummary | null): TemplateResult =>
  m?.picture
    ? html`<img part="avatar" src=${m.picture} alt="" width="40" height="40" loading="lazy" />`
    : html`<span part="avatar" aria-hidden="true">${initials(m?.name)}</span>`;

/** Placeholders with the height of comments, so that nothing moves when they arrive. */
export const skeleton = (): TemplateResult => html`
  <div class="ph" aria-hidden="true"></div>
  <div class="ph" aria-hidden="true"></div>
  <div class="ph" aria-hidden="true"></div>
`;

export const signIn = (l: Localize, url?: string | null, label = l.t.signIn): TemplateResult => html`
  <p part="actions" class="sign-in">${url ? html`<a href=${url}>${label}</a>` : label}</p>
`;

/** The error of a failed send: a sentence, then the server's field messages or the wait. */
export const problem = (e: CercleError, l: Localize): TemplateResult => {
  const fields = Object.values(e.fieldErrors);
  return html`
    <p class="error">${l.error(e)} ${e.retryAfter ? l.t.wait(e.retryAfter) : nothing}</p>
    ${fields.length ? html`<ul class="error">${fields.map((m) => html`<li>${m}</li>`)}</ul>` : nothing}
  `;
};

/** The mention combobox of a box, as its view needs it. */
export interface Combo {
  /** Id of the list; its options are `id-0`, `id-1`, … */
  id: string;
  label: string;
  /** Said when no member matches. */
  empty: string;
  /** How many members the list holds, said politely when it opens or changes (`3 members found`). */
  found(n: number): string;
  /** The members listed and the highlighted one, while the list is open. */
  open?: { items: MemberSummary[]; active: number };
  pick(m: MemberSummary): void;
  onKeyDown(e: KeyboardEvent): void;
}

/**
 * The highlighted option, for the textarea's `aria-activedescendant`. The textarea keeps its own role
 * (a textbox with `aria-autocomplete="list"` and `aria-controls`): HTML allows no `combobox` role on a
 * textarea (axe 4.14 refuses it: aria-allowed-role), and a textbox takes no `aria-expanded` (aria-allowed-attr).
 * What `aria-expanded` would say, the list's live count says instead ("3 members found", "No member
 * found"), and the list is hidden while closed.
 */
const activeOption = (c: Combo) => (c.open?.items.length ? `${c.id}-${c.open.active}` : undefined);

/** The list of members a box's mention controls. */
export const mentionList = (c: Combo): TemplateResult => {
  const open = c.open;
  return html`<p class="sr" role="status">${open ? (open.items.length ? c.found(open.items.length) : c.empty) : ''}</p>
  <ul id=${c.id} class="mentions" role="listbox" aria-label=${c.label} ?hidden=${!open}>
    ${
      open?.items.length
        ? open.items.map(
            (m, i) => html`<li id=${`${c.id}-${i}`} role="option" aria-selected=${i === open.active ? 'true' : 'false'}
            @mousedown=${(e: Event) => (e.preventDefault(), c.pick(m))}>${m.name}</li>`,
          )
        : open
          ? html`<li role="option" aria-disabled="true" aria-selected="false">${c.empty}</li>`
          : nothing
    }
  </ul>`;
};

export interface FormState {
  text: string;
  /** Length of the source the server counts (a mention counts as its `@[Name](id)`). */
  size: number;
  max: number;
  busy: boolean;
  failed: boolean;
  error?: CercleError;
  onInput(e: InputEvent): void;
  onSubmit(e: SubmitEvent): void;
  onRetry(): void;
  /** Extras of the main box: formatting hint, preview, mention autocomplete. */
  extras?: {
    hint: string;
    preview: string;
    write: string;
    previewing: boolean;
    rendered: TemplateResult[] | string;
    onPreview(): void;
    /** The mention combobox of the box. */
    mention: Combo;
  };
}

export const form = (s: FormState, l: Localize): TemplateResult => {
  const left = s.max - s.size;
  const invalid = !!s.error && !s.error.transient;
  const x = s.extras;
  return html`
    <form part="form" @submit=${s.onSubmit}>
      <label for="text" id="text-label">${l.t.label}</label>
      ${
        x?.previewing
          ? html`<div id="preview" part="preview body" class="preview" tabindex="0" aria-labelledby="text-label">${x.rendered}</div>`
          : html`<textarea
            id="text"
            name="body"
            rows="4"
            required
            .value=${s.text}
            @input=${s.onInput}
            @keydown=${x?.mention.onKeyDown}
            aria-autocomplete=${x ? 'list' : nothing}
            aria-controls=${x?.mention.id ?? nothing}
            aria-activedescendant=${(x && activeOption(x.mention)) ?? nothing}
            aria-describedby="count msg${x ? ' hint' : ''}"
            aria-invalid=${invalid || left < 0 ? 'true' : 'false'}
          ></textarea>`
      }
      ${
        x && !x.previewing
          ? html`${mentionList(x.mention)}
          <p id="hint" class="hint">${x.hint}</p>`
          : nothing
      }
      <div part="actions">
        <span id="count" class=${left < 0 ? 'error' : ''}>${left < 0 ? l.t.over(-left) : l.t.left(left)}</span>
        <button class="primary" type="submit" aria-disabled=${s.busy ? 'true' : 'false'}>${s.busy ? l.t.sending : l.t.post}</button>
        ${x ? html`<button type="button" aria-pressed=${x.previewing ? 'true' : 'false'} @click=${x.onPreview}>${x.preview}</button>` : nothing}
      </div>
      <div id="msg">
        ${
          s.failed && !s.busy
            ? html`<p class="failed">${l.t.notSent} — <button type="button" @click=${s.onRetry}>${l.t.retry}</button></p>`
            : nothing
        }
        ${invalid ? problem(s.error!, l) : nothing}
      </div>
    </form>
  `;
};

export interface BoxState {
  /** Text of the reply or edit box. */
  text: string;
  busy: boolean;
  error?: CercleError;
  /** Who reacted to this comment, once read. */
  reactors?: Reactors;
  reactionLabels?: SitePublic['reactionLabels'];
  onCancel(): void;
  onDelete(): void;
  onFlag(form: HTMLFormElement): void;
  /** Sends the reply or saves the edit. */
  onSave(): void;
  onInput(e: InputEvent): void;
  /** The mention combobox of a reply or edit box. */
  mention?: Combo;
}

/**
 * The box under a comment: a reply or an edit, a report, the delete confirmation, or who reacted.
 * Escape closes any of them (unless the mention list took it first) and focus goes back to the
 * button that opened it.
 */
export function inlineBox(c: Comment, mode: Mode, b: BoxState, l: Localize): TemplateResult {
  const s = l.t;
  const esc = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    b.onCancel();
  };
  const err = b.error ? html`<p class="error" role="alert">${s.actionErrors[b.error.code] ?? l.error(b.error)}</p>` : nothing;
  const cancel = html`<button type="button" @click=${b.onCancel}>${s.cancel}</button>`;
  const id = 'box-' + c.id;
  if (mode === 'who') {
    const r = b.reactors;
    return html`<div class="box" id=${id} @keydown=${esc}>${
      r
        ? html`<dl>${r.kinds.map((k) => html`<dt>${s.reactions[k.kind] ?? b.reactionLabels?.[k.kind]?.[/^fr/i.test(l.lang) ? 'fr' : 'en'] ?? k.kind}</dt><dd>${k.members.map((m) => m.name).join(', ')}</dd>`)}</dl>`
        : html`<p>${s.loading}</p>`
    }${err}</div>`;
  }
  if (mode === 'delete') {
    return html`<div class="box" id=${id} role="group" aria-label=${s.del} @keydown=${esc}>
      <p>${s.confirmDelete}</p>
      <button type="button" class="primary" @click=${b.onDelete}>${s.del}</button> ${cancel}${err}
    </div>`;
  }
  if (mode === 'flag') {
    return html`<form class="box" id=${id} @keydown=${esc} @submit=${(e: SubmitEvent) => (e.preventDefault(), b.onFlag(e.target as HTMLFormElement))}>
      <fieldset>
        <legend>${s.flagReason}</legend>
        ${Object.entries(s.flagReasons).map(([k, v], i) => html`<label class="opt"><input type="radio" name="reason" value=${k} ?checked=${i === 0} /> ${v}</label>`)}
      </fieldset>
      <label for=${'note-' + c.id}>${s.flagNote}</label>
      <input id=${'note-' + c.id} name="note" maxlength="500" />
      <button type="submit" class="primary">${s.flag}</button> ${cancel}${err}
    </form>`;
  }
  const label = mode === 'edit' ? s.label : s.replyTo(c.author?.name ?? s.former);
  const m = b.mention;
  return html`<form class="box" id=${id} @keydown=${esc} @submit=${(e: SubmitEvent) => (e.preventDefault(), b.onSave())}>
    <label for=${'t-' + c.id}>${label}</label>
    <textarea id=${'t-' + c.id} rows="3" .value=${b.text} aria-describedby=${'e-' + c.id}
      aria-autocomplete=${m ? 'list' : nothing}
      aria-controls=${m?.id ?? nothing}
      aria-activedescendant=${(m && activeOption(m)) ?? nothing}
      @keydown=${m?.onKeyDown}
      @input=${b.onInput}></textarea>
    ${m ? mentionList(m) : nothing}
    <div id=${'e-' + c.id}>${err}</div>
    <button type="submit" class="primary" aria-disabled=${b.busy ? 'true' : 'false'}>${mode === 'edit' ? s.save : s.reply}</button> ${cancel}
  </form>`;
}
