import { html, nothing, type TemplateResult } from 'lit';
import type { BadgeOut, Engagement, LocalizedText, MyEngagement, Progress, Reason, Requirement } from '../../contract/engagement.js';
import type { L } from './strings.js';
import { icon, levelIcon } from './icons.js';

/** Pure views of the engagement badge: typed data in, templates out. Names and labels go through bindings only. */

export const pick = (text: LocalizedText, l: L): string => (/^fr\b/i.test(l.lang) ? text.fr : text.en);

const date = (iso: string, l: L) => new Intl.DateTimeFormat(l.lang, { dateStyle: 'long' }).format(new Date(iso));

/** The chip next to a name: level and up to three badge icons; one accessible name says it all. */
export function chip(e: Engagement, l: L): TemplateResult | typeof nothing {
  if (e.hidden || !e.level) return nothing;
  const t = l.t;
  const level = pick(e.level.name, l);
  const names = e.badges.map((b) => pick(b.name, l));
  const label = names.length ? t.chip(level, names.join(', ')) : t.chipNone(level);
  const shown = e.badges.slice(0, 3);
  return html`<span part="base" class="chip" role="img" aria-label=${label} title=${label}
    >${levelIcon(e.level.rank)}<span part="level">${level}</span>${shown.map((b) => icon(b.icon))}${
      e.badges.length > 3 ? html`<span>+${e.badges.length - 3}</span>` : nothing
    }</span
  >`;
}

export const skeletonChip = (): TemplateResult => html`<span part="base" class="chip" aria-hidden="true"></span>`;

function requirement(r: Requirement, l: L, levels: Map<string, string>, badges: Map<string, string>): TemplateResult {
  const t = l.t;
  const what = r.badge
    ? t.holdBadge(badges.get(r.badge) ?? r.badge)
    : r.level
      ? t.reachLevel(levels.get(r.level) ?? r.level)
      : r.kinds.map((k) => t.counts[k] ?? k).join(' / ') + (r.withinDays ? ` (${t.within(r.withinDays)})` : '');
  return html`<li class="req">
    <span>${what}</span> <span class=${r.met ? 'done' : ''}>${r.badge || r.level ? (r.met ? t.met : t.of(0, 1)) : t.of(r.current, r.target)}</span>
  </li>`;
}

/** Progress in numbers and a native `<progress>`: never by colour alone. */
export function progress(p: Progress | null, l: L, names: { levels: Map<string, string>; badges: Map<string, string> }): TemplateResult {
  const t = l.t;
  if (!p) return html`<p class="muted">${t.top}</p>`;
  const title = t.towards(pick(p.level.name, l));
  return html`<div part="progress">
    <h3 id="next">${title}</h3>
    <progress max="100" value=${p.percent} aria-labelledby="next">${p.percent} %</progress>
    <ul>
      ${p.requirements.map((r) => requirement(r, l, names.levels, names.badges))}
    </ul>
  </div>`;
}

const reasonList = (reasons: Reason[], l: L): TemplateResult => html`<ul class="reasons">
  ${reasons.map(
    (r) => html`<li>
      ${l.t.kinds[r.kind] ?? r.kind}${r.label ? html` — <cite>${r.label}</cite>` : nothing},
      <time datetime=${r.at}>${date(r.at, l)}</time>
    </li>`,
  )}
</ul>`;

export interface FullActions {
  /** Set for the member's own view: reasons, export and hiding. */
  me?: MyEngagement;
  onHide?(hidden: boolean): void;
  onExport?(badge: string, chapter: string | null, name: string): void;
  busy?: boolean;
}

function badgeItem(b: BadgeOut & { reasons?: Reason[] }, l: L, a: FullActions): TemplateResult {
  const t = l.t;
  const name = pick(b.name, l);
  return html`<li part="badge" class="badge">
    ${icon(b.icon)}
    <h3>${name}</h3>
    <p class="muted">
      ${pick(b.description, l)} ${t.awarded(date(b.awardedAt, l))}${b.chapter ? ` (${t.inChapter(b.chapter)})` : nothing}.
    </p>
    ${
      b.reasons
        ? html`<details>
            <summary>${t.why}</summary>
            ${reasonList(b.reasons, l)}
          </details>
          <details>
            <summary>${t.export}</summary>
            <form
              aria-label=${t.exportOf(name)}
              @submit=${(e: SubmitEvent) => {
                e.preventDefault();
                const select = (e.currentTarget as HTMLFormElement).elements.namedItem('name') as HTMLSelectElement;
                a.onExport?.(b.id, b.chapter, select.value);
              }}
            >
              <label
                >${t.nameIn}
                <select name="name">
                  ${['hashed', 'none', 'plain'].map((v) => html`<option value=${v}>${t.names[v]}</option>`)}
                </select></label
              >
              <button ?disabled=${a.busy}>${t.download}</button>
            </form>
          </details>`
        : nothing
    }
  </li>`;
}

/** The full view: level, progress to the next one, badges; for the member, why and what is next. */
export function full(e: Engagement, l: L, a: FullActions = {}): TemplateResult {
  const t = l.t;
  const me = a.me;
  const data = me ?? e;
  const names = {
    levels: new Map<string, string>(),
    badges: new Map([...(me?.upcoming ?? []), ...data.badges].map((b) => [b.id, pick(b.name, l)] as [string, string])),
  };
  if (data.next) names.levels.set(data.next.level.id, pick(data.next.level.name, l));
  return html`<section part="base" class="card" aria-labelledby="level">
    ${
      data.level
        ? html`<h2 id="level" part="level">${levelIcon(data.level.rank)} ${pick(data.level.name, l)}</h2>
          <p class="muted">${t.step(data.level.rank + 1, data.level.of)}${data.level.since ? ` · ${date(data.level.since, l)}` : nothing}</p>`
        : html`<h2 id="level" part="level">${t.hidden}</h2>`
    }
    ${
      me?.levelReasons.length
        ? html`<details>
          <summary>${t.whyLevel}</summary>
          ${reasonList(me.levelReasons, l)}
        </details>`
        : nothing
    }
    ${data.level ? progress(data.next, l, names) : nothing}
    <h3>${t.badges}</h3>
    ${data.badges.length ? html`<ul part="badges">${data.badges.map((b) => badgeItem(b, l, a))}</ul>` : html`<p class="muted">${t.none}</p>`}
    ${
      me?.upcoming.length
        ? html`<h3>${t.upcoming}</h3>
          <ul>
            ${me.upcoming.map(
              (b) => html`<li class="badge todo">
                ${icon(b.icon)}
                <h4>${pick(b.name, l)}</h4>
                <p class="muted">${pick(b.description, l)}</p>
                <ul>
                  ${b.requirements.map((r) => requirement(r, l, names.levels, names.badges))}
                </ul>
              </li>`,
            )}
          </ul>`
        : nothing
    }
    ${
      me
        ? html`<label part="hide"
          ><input type="checkbox" .checked=${me.hidden} ?disabled=${a.busy} @change=${(ev: Event) => a.onHide?.((ev.target as HTMLInputElement).checked)} />
          ${t.hide}</label
        >`
        : nothing
    }
  </section>`;
}
