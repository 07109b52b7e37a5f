import { html, nothing, type TemplateResult } from 'lit';
import type { CercleError } from '../../client/errors.js';
import type { AttendeeList, CalendarFeed, RsvpAnswer } from '../../contract/events.js';
import type { Event, MemberSummary } from '../../contract/resources.js';
import { formatBody } from '../discussion/format.js';
import { fill } from '../../i18n/localize.js';
import type { FeedStrings } from './strings.js';
import { dayOf, duration, firstDay, format, googleUrl, mapUrl, monthGrid, outlookUrl, venueClock, when } from './time.js';

/**
 * Pure views of the event feed: typed data in, templates out. User text goes
 * through bindings only; descriptions through the discussion's formatting.
 */

/** What the reader is doing with one event. */
export interface Ui {
  /** A write under way: `rsvp`, `ack`, `ics`, `cancel`, `marks`. */
  busy?: string;
  error?: CercleError;
  /** Sends the failed write again. */
  retry?: () => void;
  /** The guests the member picked (kept when the server refuses them). */
  guests?: number;
  /** The cancel form is open, with this reason typed. */
  cancelling?: boolean;
  reason?: string;
  /** Who is going, once read; or why it could not be. */
  people?: AttendeeList | CercleError;
  /** Attendance being marked, by member id. */
  marks?: Record<string, boolean>;
}

export interface View {
  s: FeedStrings;
  lang: string;
  /** The reader's zone; undefined for the browser's. */
  zone?: string;
  now: number;
  compact: boolean;
  /** A member is signed in. */
  member: boolean;
  /** Signed in, but the member's profile could not be read: the feed says so once, and no RSVP offers to sign in. */
  sessionFailed: boolean;
  loginUrl?: string | null;
  ui(id: string): Ui;
  plural(forms: FeedStrings['going'], n: number): string;
  error(e: CercleError): string;
  answer(e: Event, status: RsvpAnswer, guests?: number): void;
  ack(e: Event): void;
  download(e: Event): void;
  who(e: Event, open: boolean): void;
  cancelForm(e: Event, open: boolean): void;
  reason(e: Event, text: string): void;
  cancel(e: Event): void;
  mark(e: Event, member: string, on: boolean): void;
  saveMarks(e: Event): void;
  /** The organiser tools for an event, once their module is loaded (organisers only). */
  organise?(e: Event): unknown;
}

const ANSWERS: RsvpAnswer[] = ['going', 'maybe', 'declined'];

const exact = (iso: string, v: View) => format(v.lang, v.zone, { dateStyle: 'long', timeStyle: 'short' }).format(Date.parse(iso));

/** The organiser, as a member card chip where `<cercle-member-card>` is on the page (their name otherwise). */
export const chip = (m: MemberSummary): TemplateResult =>
  html`<cercle-member-card variant="compact" member=${m.id}>${m.name}</cercle-member-card>`;

const newTab = (href: string, text: string, v: View) =>
  html`<a href=${href} target="_blank" rel="noopener noreferrer">${text}<span class="sr"> ${v.s.newTab}</span></a>`;

const problem = (u: Ui, v: View) =>
  u.error
    ? html`<p class="error" role="alert">
        ${v.error(u.error)} ${u.error.transient && u.retry ? html`<button @click=${u.retry}>${v.s.tryAgain}</button>` : nothing}
      </p>`
    : nothing;

/** Places: left of the capacity, or full with its waitlist; members going when there is no limit. */
function places(e: Event, v: View) {
  const { s } = v;
  const parts = [s.going(e.going)];
  if (e.maybe) parts.push(s.maybe(e.maybe));
  if (e.placesLeft === 0) parts.push(s.full);
  else if (e.placesLeft !== null) parts.push(s.left(e.placesLeft));
  if (e.waitlist) parts.push(s.waiting(e.waitlist));
  return parts.join(' · ');
}

/** Where: the address with a map link, or online (the link only for those going). */
function where(e: Event, v: View) {
  const { s } = v;
  return html`
    ${
      e.place
        ? html`<span>${e.place}</span> (<a href=${mapUrl(e.place)} target="_blank" rel="noopener noreferrer" aria-label=${s.mapOf(e.place)}>${s.map}</a>)`
        : nothing
    }
    ${e.place && e.online ? ' · ' : nothing}
    ${e.onlineUrl ? newTab(e.onlineUrl, s.join, v) : e.online ? (e.myRsvp?.status === 'going' ? s.online : s.onlineLater) : nothing}
  `;
}

/** The member's answer: three pressed-state buttons, guests, waitlist place; or why answers are closed. */
export function rsvp(e: Event, v: View): TemplateResult | typeof nothing {
  const { s } = v;
  const u = v.ui(e.id);
  const my = e.myRsvp;
  const status = my?.status;
  const mine = status && status !== 'declined' ? html`<p>${fill(s.mine[status], my!.position ?? '')}</p>` : nothing;
  if (e.cancelled) return nothing;
  if (!e.rsvpOpen) {
    const why = v.now >= Date.parse(e.endsAt) ? s.ended : v.now >= Date.parse(e.startsAt) ? s.started : s.closed(exact(e.rsvpDeadline!, v));
    return html`<div part="rsvp"><p>${why}</p>${v.member ? mine : nothing}</div>`;
  }
  if (!v.member) {
    if (v.sessionFailed) return nothing;
    return html`<p part="rsvp">${v.loginUrl ? html`<a href=${v.loginUrl}>${s.signIn}</a>` : s.signIn}</p>`;
  }
  const busy = !!u.busy;
  const full = e.placesLeft === 0 && status !== 'going';
  const guests = u.guests ?? my?.guests ?? 0;
  const id = e.id;
  return html`
    <div part="rsvp">
      <div role="group" aria-labelledby=${'a-' + id} class="answers">
        <span id=${'a-' + id}>${s.answer}</span>
        ${ANSWERS.map((a) => {
          const pressed = status === a || (a === 'going' && status === 'waitlist');
          return html`<button
            class=${pressed ? 'primary' : ''}
            aria-pressed=${pressed ? 'true' : 'false'}
            aria-disabled=${busy ? 'true' : 'false'}
            @click=${() => busy || pressed || v.answer(e, a, a === 'declined' ? 0 : guests)}
          >${a === 'going' && (full || status === 'waitlist') ? s.answers.waitlist : s.answers[a]}</button>`;
        })}
      </div>
      ${
        e.maxGuests && status && status !== 'declined'
          ? html`<div role="group" aria-labelledby=${'g-' + id} class="guests">
            <span id=${'g-' + id}>${s.guests}</span>
            <button aria-label=${s.fewer} aria-disabled=${busy || guests <= 0 ? 'true' : 'false'}
              @click=${() => busy || guests <= 0 || v.answer(e, status === 'waitlist' ? 'going' : status, guests - 1)}>−</button>
            <output aria-live="polite" aria-labelledby=${'g-' + id}
              ><span aria-hidden="true">${guests}</span><span class="sr">${s.guestCount(guests)}</span></output
            >
            <button aria-label=${s.moreGuests} aria-disabled=${busy || guests >= e.maxGuests ? 'true' : 'false'}
              @click=${() => busy || guests >= e.maxGuests || v.answer(e, status === 'waitlist' ? 'going' : status, guests + 1)}>+</button>
            <span class="muted">(${s.guestsMax(e.maxGuests)})</span>
          </div>`
          : nothing
      }
      ${mine}
      ${e.rsvpDeadline ? html`<p class="muted">${s.deadline(exact(e.rsvpDeadline, v))}</p>` : nothing}
      ${busy && u.busy === 'rsvp' ? html`<p class="muted">${s.saving}</p>` : nothing}
    </div>
  `;
}

/** Who is going (members only), and attendance marking for organisers once the event has begun. */
function people(e: Event, v: View) {
  const { s } = v;
  const u = v.ui(e.id);
  const list = u.people;
  const marking = e.canManage && !e.cancelled && v.now >= Date.parse(e.startsAt);
  let body: unknown = html`<p class="muted">${s.loadingPeople}</p>`;
  if (list && 'items' in list) {
    const shown = marking ? list.items.filter((a) => a.status === 'going') : list.items;
    body = !shown.length
      ? html`<p>${s.nobody}</p>`
      : marking
        ? html`<ul class="people">
              ${shown.map(
                (a) => html`<li><label><input type="checkbox" .checked=${u.marks?.[a.member.id] ?? a.attended ?? false}
                @change=${(ev: InputEvent) => v.mark(e, a.member.id, (ev.target as HTMLInputElement).checked)} /> ${a.member.name}</label></li>`,
              )}
            </ul>
            <button @click=${() => v.saveMarks(e)} aria-disabled=${u.busy ? 'true' : 'false'}>${s.saveAttendance}</button>`
        : html`<ul class="people">
            ${shown.map(
              (a) =>
                html`<li>${chip(a.member)}${a.guests ? ` +${a.guests}` : nothing}${
                  a.status !== 'going'
                    ? html` <span class="muted">(${a.status === 'waitlist' ? s.position(a.position ?? '') : s.answers[a.status]})</span>`
                    : nothing
                }</li>`,
            )}
          </ul>`;
  } else if (list) body = html`<p class="error">${v.error(list)}</p>`;
  return html`
    <details part="attendees" @toggle=${(ev: ToggleEvent) => v.who(e, (ev.target as HTMLDetailsElement).open)}>
      <summary>${marking ? s.attendance : s.who}</summary>
      ${body}
    </details>
  `;
}

/** "Add to my calendar": the iCalendar file, Google, Outlook. */
function calendars(e: Event, v: View) {
  const { s } = v;
  return html`
    <details part="calendar-links">
      <summary>${s.calendar}</summary>
      <ul>
        <li><button @click=${() => v.download(e)} aria-disabled=${v.ui(e.id).busy ? 'true' : 'false'}>${s.ics}</button></li>
        <li>${newTab(googleUrl(e), 'Google Calendar', v)}</li>
        <li>${newTab(outlookUrl(e), 'Outlook.com', v)}</li>
        <li>${newTab(outlookUrl(e, true), 'Microsoft 365', v)}</li>
      </ul>
    </details>
  `;
}

/** Organisers: cancel with a reason, confirmed. */
function manage(e: Event, v: View) {
  const { s } = v;
  const u = v.ui(e.id);
  if (!e.canManage || e.cancelled || v.now >= Date.parse(e.endsAt)) return nothing;
  if (!u.cancelling) return html`<button class="danger" @click=${() => v.cancelForm(e, true)}>${s.cancel}</button>`;
  return html`
    <form class="cancel" @submit=${(ev: SubmitEvent) => (ev.preventDefault(), v.cancel(e))}>
      <label for=${'r-' + e.id}>${s.reason}</label>
      <textarea id=${'r-' + e.id} maxlength="500" rows="2" .value=${u.reason ?? ''}
        @input=${(ev: InputEvent) => v.reason(e, (ev.target as HTMLTextAreaElement).value)}></textarea>
      <div>
        <button type="submit" class="danger" aria-disabled=${u.busy ? 'true' : 'false'}>${s.confirmCancel}</button>
        <button type="button" @click=${() => v.cancelForm(e, false)}>${s.keep}</button>
      </div>
    </form>
  `;
}

/** One event of the list. */
export function event(e: Event, v: View): TemplateResult {
  const { s } = v;
  const u = v.ui(e.id);
  const zone = venueClock(e, v.lang, v.zone);
  const ended = v.now >= Date.parse(e.endsAt);
  const title = e.url ? html`<a href=${e.url}>${e.title}</a>` : e.title;
  return html`
    <li>
      <article part="event" id=${'e-' + e.id} tabindex="-1" aria-labelledby=${'t-' + e.id} class=${e.cancelled ? 'cancelled' : ''}>
        <h2 part="title" id=${'t-' + e.id}>${title}</h2>
        ${
          e.cancelled
            ? html`<p part="banner" class="banner cancelled">${s.cancelled}${e.cancelReason ? html` <q>${e.cancelReason}</q>` : nothing}</p>`
            : nothing
        }
        ${
          e.myRsvp?.promotedAt && !e.cancelled
            ? html`<p part="banner" class="banner promoted">
              ${s.promoted} <button @click=${() => v.ack(e)} aria-disabled=${u.busy ? 'true' : 'false'}>${s.gotIt}</button>
            </p>`
            : nothing
        }
        <p part="meta">
          <time datetime=${e.startsAt}>${when(e, v.lang, v.zone, v.compact, v.now)}</time>
          · ${duration(e, v.lang)}${zone ? html` <span class="muted">(${s.venue(...zone)})</span>` : nothing}
        </p>
        ${e.place || e.online ? html`<p part="meta place">${where(e, v)}</p>` : nothing}
        <p part="meta">
          ${e.chapter ? html`<span class="tag">${e.chapter.name}</span> ` : nothing}
          ${e.audience !== 'public' ? html`<span class="tag">${s.membersOnly}</span> ` : nothing}
          ${e.cancelled ? nothing : places(e, v)}
        </p>
        ${e.organiser && !v.compact ? html`<p part="meta organiser">${s.organiser} ${chip(e.organiser)}</p>` : nothing}
        ${e.description && !v.compact ? html`<div part="description">${formatBody(e.description)}</div>` : nothing}
        ${rsvp(e, v)}
        ${problem(u, v)}
        ${
          v.compact
            ? nothing
            : html`<div part="actions">
              ${v.member && !e.cancelled ? people(e, v) : nothing}
              ${e.cancelled || ended ? nothing : calendars(e, v)}
              ${manage(e, v)}
              ${e.canManage && v.organise ? v.organise(e) : nothing}
            </div>`
        }
      </article>
    </li>
  `;
}

/** Placeholders with the height of events, so that nothing moves when they arrive. */
export const skeleton = (n: number): TemplateResult[] => Array.from({ length: n }, () => html`<li class="ph" aria-hidden="true"></li>`);

/** The month as a table: a column a weekday, each event a button that brings its details into view. */
export function month(m: string, events: Event[], v: View, focus: (id: string) => void): TemplateResult {
  const first = firstDay(v.lang);
  const byDay = new Map<string, Event[]>();
  for (const e of events) {
    const d = dayOf(Date.parse(e.startsAt), v.zone);
    byDay.set(d, [...(byDay.get(d) ?? []), e]);
  }
  const today = dayOf(v.now, v.zone);
  const weekday = (style: 'short' | 'long', i: number) => format(v.lang, 'UTC', { weekday: style }).format(Date.UTC(2024, 0, first + i)); // 1 January 2024 was a Monday
  const time = format(v.lang, v.zone, { hour: 'numeric', minute: '2-digit' });
  return html`
    <table part="calendar">
      <caption>${format(v.lang, 'UTC', { month: 'long', year: 'numeric' }).format(Date.parse(m + '-15'))}</caption>
      <thead>
        <tr>${[0, 1, 2, 3, 4, 5, 6].map((i) => html`<th scope="col" abbr=${weekday('long', i)}>${weekday('short', i)}</th>`)}</tr>
      </thead>
      <tbody>
        ${monthGrid(m, first).map(
          (week) => html`<tr>
            ${week.map((d) =>
              d
                ? html`<td class=${d === today ? 'today' : ''} aria-current=${d === today ? 'date' : nothing}>
                    <span class="day">${+d.slice(8)}</span>
                    ${(byDay.get(d) ?? []).map(
                      (e) => html`<button class=${e.cancelled ? 'cancelled' : ''} @click=${() => focus(e.id)}>
                        ${time.format(Date.parse(e.startsAt))} ${e.title}
                      </button>`,
                    )}
                  </td>`
                : html`<td></td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}

/** The member's private feed of their events: make an address (shown once), stop it. */
export function feed(
  f: CalendarFeed | undefined,
  url: string | null,
  busy: boolean,
  v: View,
  open: () => void,
  make: () => void,
  stop: () => void,
): TemplateResult {
  const { s } = v;
  return html`
    <details part="feed" @toggle=${(ev: ToggleEvent) => (ev.target as HTMLDetailsElement).open && open()}>
      <summary>${s.myFeed}</summary>
      <p class="muted">${s.feedNote}</p>
      ${
        url
          ? html`<label for="feed-url">${s.feedAddress}</label>
            <input id="feed-url" readonly .value=${url} @focus=${(ev: FocusEvent) => (ev.target as HTMLInputElement).select()} />`
          : nothing
      }
      <div>
        <button @click=${make} aria-disabled=${busy ? 'true' : 'false'}>${s.feedMake}</button>
        ${f?.active ? html`<button @click=${stop} aria-disabled=${busy ? 'true' : 'false'}>${s.feedStop}</button>` : nothing}
      </div>
    </details>
  `;
}
