import { html, nothing, type TemplateResult } from 'lit';
import type { Attendee, CheckIn } from '../../contract/events.js';
import { formatBody } from '../discussion/format.js';
import type { OrganiserStrings } from './strings.js';
import { dayOf, instantOf, zones } from './time.js';

/** What the organiser types, kept as typed (strings) until it is sent, and after a refusal. */
export interface FormState {
  title: string;
  description: string;
  chapter: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  place: string;
  onlineUrl: string;
  capacity: string;
  maxGuests: string;
  rsvpDeadline: string;
  audience: string;
  repeat: 'none' | 'weekly' | 'fortnightly' | 'monthlyWeekday' | 'monthlyDate';
  until: string;
}

export interface FormView {
  s: OrganiserStrings;
  lang: string;
  heading: string;
  form: FormState;
  /** Messages by field name, shown next to each field. */
  errors: Partial<Record<keyof FormState, string>>;
  /** A message for the whole form (top), or the confirmation. */
  message?: string;
  busy: boolean;
  /** New events (not edits) may repeat. */
  repeatable: boolean;
  chapters: { id: string; name: string }[];
  /** Admins may hold events for the whole network. */
  network: boolean;
  submitLabel: string;
  set(field: keyof FormState, value: string): void;
  submit(): void;
  close(): void;
}

const DAY_NAMES = (lang: string) =>
  Array.from({ length: 7 }, (_, i) =>
    new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i))),
  );

/** The repeat choices, spelled for the first date. */
export function repeatLabels(s: OrganiserStrings, lang: string, startsAt: string): Record<FormState['repeat'], string> {
  const d = dayOf(startsAt);
  const name = d ? DAY_NAMES(lang)[d.index] : '…';
  const pos = d ? s.positions[d.nth === -1 ? 4 : d.nth - 1] : '…';
  return {
    none: s.repeats.none,
    weekly: s.repeats.weekly(name),
    fortnightly: s.repeats.fortnightly(name),
    monthlyWeekday: s.repeats.monthlyWeekday(pos, name),
    monthlyDate: s.repeats.monthlyDate(d ? d.day : '…'),
  };
}

function field(
  v: FormView,
  name: keyof FormState,
  label: string,
  control: (attrs: { id: string; invalid: boolean; describedBy: string }) => TemplateResult,
  hint?: TemplateResult | string,
) {
  const id = 'f-' + name;
  const err = v.errors[name];
  const describedBy = [err ? id + '-err' : '', hint ? id + '-hint' : ''].filter(Boolean).join(' ');
  return html`<div class="field ${err ? 'invalid' : ''}">
    <label for=${id}>${label}</label>
    ${control({ id, invalid: !!err, describedBy })}
    ${hint ? html`<p class="hint" id=${id + '-hint'}>${hint}</p>` : nothing}
    ${err ? html`<p class="error" id=${id + '-err'}>${err}</p>` : nothing}
  </div>`;
}

const input =
  (v: FormView, name: keyof FormState, type = 'text', extra: { required?: boolean; min?: string; max?: string; maxlength?: number } = {}) =>
  ({ id, invalid, describedBy }: { id: string; invalid: boolean; describedBy: string }) =>
    html`<input id=${id} name=${name} type=${type} .value=${v.form[name]} ?required=${extra.required ?? false}
      min=${extra.min ?? nothing} max=${extra.max ?? nothing} maxlength=${extra.maxlength ?? nothing}
      aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
      @input=${(e: InputEvent) => v.set(name, (e.target as HTMLInputElement).value)} />`;

/** "Your time: …" under a time, when the reader's zone is not the venue's. */
function yourTime(v: FormView, local: string): string | undefined {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!local || here === v.form.timeZone) return undefined;
  const t = instantOf(local, v.form.timeZone);
  if (Number.isNaN(t)) return undefined;
  return v.s.yourTime(new Intl.DateTimeFormat(v.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(t)));
}

/** The event form: new, edit or duplicate; every value stays as typed when the server refuses it. */
export function eventForm(v: FormView): TemplateResult {
  const { s } = v;
  const labels = repeatLabels(s, v.lang, v.form.startsAt);
  const zoneList = zones();
  if (v.form.timeZone && !zoneList.includes(v.form.timeZone)) zoneList.unshift(v.form.timeZone);
  return html`<form part="form" novalidate aria-labelledby="f-heading" @submit=${(e: SubmitEvent) => (e.preventDefault(), v.submit())}>
    <h3 id="f-heading">${v.heading}</h3>
    ${v.message ? html`<p class=${Object.keys(v.errors).length ? 'error' : 'note'} role="alert">${v.message}</p>` : nothing}
    ${field(v, 'title', s.title, input(v, 'title', 'text', { required: true, maxlength: 200 }))}
    ${field(
      v,
      'description',
      s.description,
      ({ id, invalid, describedBy }) =>
        html`<textarea id=${id} rows="4" maxlength="5000" .value=${v.form.description} aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing} @input=${(e: InputEvent) => v.set('description', (e.target as HTMLTextAreaElement).value)}></textarea>`,
      s.descriptionHint,
    )}
    ${
      v.form.description.trim()
        ? html`<div class="preview" part="preview" role="group" aria-label=${s.preview}>${formatBody(v.form.description)}</div>`
        : nothing
    }
    ${field(
      v,
      'chapter',
      s.chapter,
      ({ id, invalid, describedBy }) =>
        html`<select id=${id} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
          @change=${(e: Event) => v.set('chapter', (e.target as HTMLSelectElement).value)}>
          ${v.network ? html`<option value="" ?selected=${v.form.chapter === ''}>${s.wholeNetwork}</option>` : nothing}
          ${v.chapters.map((c) => html`<option value=${c.id} ?selected=${v.form.chapter === c.id}>${c.name}</option>`)}
        </select>`,
    )}
    <div class="row">
      ${field(v, 'startsAt', s.startsAt, input(v, 'startsAt', 'datetime-local', { required: true }), yourTime(v, v.form.startsAt))}
      ${field(v, 'endsAt', s.endsAt, input(v, 'endsAt', 'datetime-local', { required: true }), yourTime(v, v.form.endsAt))}
    </div>
    ${field(
      v,
      'timeZone',
      s.timeZone,
      ({ id, invalid, describedBy }) =>
        html`<select id=${id} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
          @change=${(e: Event) => v.set('timeZone', (e.target as HTMLSelectElement).value)}>
          ${zoneList.map((z) => html`<option ?selected=${z === v.form.timeZone}>${z}</option>`)}
        </select>`,
    )}
    ${
      v.repeatable
        ? html`<div class="row">
          ${field(
            v,
            'repeat',
            s.repeat,
            ({ id, invalid, describedBy }) =>
              html`<select id=${id} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
                @change=${(e: Event) => v.set('repeat', (e.target as HTMLSelectElement).value)}>
                ${(Object.keys(labels) as FormState['repeat'][]).map((k) => html`<option value=${k} ?selected=${v.form.repeat === k}>${labels[k]}</option>`)}
              </select>`,
          )}
          ${v.form.repeat !== 'none' ? field(v, 'until', s.until, input(v, 'until', 'date', { required: true })) : nothing}
        </div>`
        : nothing
    }
    ${field(v, 'place', s.place, input(v, 'place', 'text', { maxlength: 300 }))}
    ${field(v, 'onlineUrl', s.onlineUrl, input(v, 'onlineUrl', 'url'))}
    <div class="row">
      ${field(v, 'capacity', s.capacity, input(v, 'capacity', 'number', { min: '1' }))}
      ${field(v, 'maxGuests', s.maxGuests, input(v, 'maxGuests', 'number', { min: '0', max: '20' }))}
    </div>
    ${field(v, 'rsvpDeadline', s.rsvpDeadline, input(v, 'rsvpDeadline', 'datetime-local'))}
    ${field(
      v,
      'audience',
      s.audience,
      ({ id, invalid, describedBy }) =>
        html`<select id=${id} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
          @change=${(e: Event) => v.set('audience', (e.target as HTMLSelectElement).value)}>
          <option value="public" ?selected=${v.form.audience === 'public'}>${s.audiences.public}</option>
          <option value="members" ?selected=${v.form.audience === 'members'}>${s.audiences.members}</option>
          ${v.form.chapter ? html`<option value=${'chapter:' + v.form.chapter} ?selected=${v.form.audience.startsWith('chapter:')}>${s.audiences.chapter}</option>` : nothing}
        </select>`,
    )}
    <div class="actions">
      <button type="submit" class="primary" aria-disabled=${v.busy ? 'true' : 'false'}>${v.busy ? s.saving : v.submitLabel}</button>
      <button type="button" @click=${v.close}>${s.close}</button>
    </div>
  </form>`;
}

export interface DoorView {
  s: OrganiserStrings;
  going: Attendee[];
  /** Members who answered something else, who may come in as walk-ins. */
  others: Attendee[];
  walkIns: CheckIn[];
  inside: Set<string>;
  query: string;
  pending: number;
  offline: boolean;
  refusals: string[];
  walkInName: string;
  walkInMember: string;
  loading: boolean;
  search(q: string): void;
  checkIn(a: Attendee): void;
  /** Takes back the check-in of someone already in (a mistaken tap). */
  undo(a: Attendee): void;
  walkIn(): void;
  setWalkIn(patch: { name?: string; member?: string }): void;
  exportCsv(): void;
  close(): void;
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The check-in list, for a phone at the door: large targets, search, a count, what waits to be sent. */
export function doorList(v: DoorView): TemplateResult {
  const { s } = v;
  const q = fold(v.query.trim());
  const shown = q ? v.going.filter((a) => fold(a.member.name).includes(q)) : v.going;
  const insideCount =
    v.going.filter((a) => v.inside.has(a.member.id)).length +
    v.walkIns.filter((w) => !w.member || !v.going.some((a) => a.member.id === w.member!.id)).length;
  return html`<section part="door" aria-labelledby="d-heading">
    <h3 id="d-heading">${s.door}</h3>
    <p role="status" class="counter">${s.counter(insideCount, v.going.length)}${v.pending ? html` · ${s.pending(v.pending)}` : nothing}</p>
    ${v.offline ? html`<p class="note" role="status">${s.offline}</p>` : nothing}
    ${v.refusals.map((r) => html`<p class="error" role="alert">${r}</p>`)}
    <label for="d-search">${s.search}</label>
    <input id="d-search" type="search" autocomplete="off" .value=${v.query} @input=${(e: InputEvent) => v.search((e.target as HTMLInputElement).value)} />
    ${v.loading ? html`<p>${s.loading}</p>` : nothing}
    <ul class="door-list">
      ${shown.map((a) => {
        const inside = v.inside.has(a.member.id);
        return html`<li>
          <button class="big ${inside ? 'in' : ''}" aria-pressed=${inside ? 'true' : 'false'} @click=${() => (inside ? v.undo(a) : v.checkIn(a))}>
            <span class="name">${a.member.name}${a.guests ? ` +${a.guests}` : nothing}</span>
            <span class="state">${inside ? s.checkedIn : nothing}</span>
          </button>
        </li>`;
      })}
    </ul>
    ${!v.loading && q && !shown.length ? html`<p>${s.nobodyFound}</p>` : nothing}
    <form class="walk-in" @submit=${(e: SubmitEvent) => (e.preventDefault(), v.walkIn())}>
      <h4>${s.walkIn}</h4>
      <label for="w-name">${s.walkInName}</label>
      <input id="w-name" .value=${v.walkInName} maxlength="120" @input=${(e: InputEvent) => v.setWalkIn({ name: (e.target as HTMLInputElement).value })} />
      <label for="w-member">${s.walkInMember}</label>
      <select id="w-member" @change=${(e: Event) => v.setWalkIn({ member: (e.target as HTMLSelectElement).value })}>
        <option value="" ?selected=${!v.walkInMember}>${s.notMember}</option>
        ${v.others.map((a) => html`<option value=${a.member.id} ?selected=${v.walkInMember === a.member.id}>${a.member.name}</option>`)}
      </select>
      <button type="submit" class="big">${s.addWalkIn}</button>
    </form>
    ${v.walkIns.length ? html`<ul class="walk-ins">${v.walkIns.map((w) => html`<li>${w.name}</li>`)}</ul>` : nothing}
    <div class="actions">
      <button type="button" @click=${v.exportCsv}>${s.exportCsv}</button>
      <button type="button" @click=${v.close}>${s.close}</button>
    </div>
  </section>`;
}
