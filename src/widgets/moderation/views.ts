import { html, nothing, type TemplateResult } from 'lit';
import type { AdminSettings, AuditEntry, QueueFilter, QueueItem, QueuePage } from '../../contract/moderation.js';
import { exact, fill, relative } from '../../i18n/localize.js';
import type { L } from './strings.js';

export type ItemAction = 'approve' | 'hide' | 'restore' | 'delete' | 'lock' | 'unlock' | 'mute' | 'ban';

/** What an item offers, given its state. */
function actionsFor(item: QueueItem): ItemAction[] {
  const c = item.comment;
  const list: ItemAction[] = [];
  if (c.status === 'pending') list.push('approve', 'hide');
  else if (c.status === 'published') list.push('approve', 'hide');
  else if (c.status === 'hidden') list.push('restore');
  if (c.status !== 'deleted') list.push('delete');
  list.push(item.thread.locked ? 'unlock' : 'lock');
  if (item.author) list.push('mute', 'ban');
  return list;
}

export interface QueueViewOptions {
  filter: QueueFilter;
  current: number;
  selected: Set<string>;
  busy: boolean;
  updates: number;
  showKeys: boolean;
  onFilter(f: QueueFilter): void;
  onSelect(id: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  onAction(action: ItemAction, item?: QueueItem): void;
  onFocusItem(i: number): void;
  onKey(e: KeyboardEvent): void;
  onUpdates(): void;
  onMore?: () => void;
  onToggleKeys(): void;
}

const FILTERS: QueueFilter[] = ['all', 'pending', 'flagged', 'word', 'spam'];

export function queueView(data: QueuePage, l: L, o: QueueViewOptions): TemplateResult {
  const s = l.t;
  const counts: Record<QueueFilter, number> = { all: data.counts.pending + data.counts.flagged, ...data.counts };
  const n = o.selected.size;
  const all = data.items.length > 0 && data.items.every((i) => o.selected.has(i.comment.id));
  return html`
    <p class="scope">${data.scope.siteWide ? s.scopeSite : s.scopeChapters(data.scope.chapters.join(', '))}</p>
    <div class="toolbar" role="group" aria-label=${s.filterLabel} part="filters">
      ${FILTERS.map(
        (f) => html`<button type="button" aria-pressed=${o.filter === f ? 'true' : 'false'} @click=${() => o.onFilter(f)}>
        ${s.filters[f]} <span class="count">${counts[f]}</span></button>`,
      )}
    </div>
    <div class="live-slot">
      ${o.updates ? html`<button type="button" class="updates" part="updates" @click=${o.onUpdates}>${s.updates(o.updates)}</button>` : nothing}
    </div>
    <div class="bulk" part="bulk">
      <label class="check"><input type="checkbox" .checked=${all} ?disabled=${!data.items.length}
        @change=${(e: Event) => o.onSelectAll((e.target as HTMLInputElement).checked)} /> ${s.selectAll}</label>
      <span aria-live="polite">${n ? s.selected(n) : ''}</span>
      ${(['approve', 'hide', 'delete'] as const).map(
        (a) => html`<button type="button" ?disabled=${!n || o.busy}
        @click=${() => o.onAction(a)}>${s.actions[a]}</button>`,
      )}
      <button type="button" class="link" aria-expanded=${o.showKeys ? 'true' : 'false'} @click=${o.onToggleKeys}>${s.keysShow}</button>
    </div>
    ${o.showKeys ? html`<p class="keys" part="keys">${s.keys}</p>` : nothing}
    ${
      data.items.length
        ? html`<ul class="items" aria-label=${s.listLabel} part="list" @keydown=${o.onKey}>
          ${data.items.map((item, i) => itemView(item, i, l, o))}
        </ul>`
        : html`<p class="empty" part="empty">${s.empty}</p>`
    }
    ${o.onMore ? html`<button type="button" class="more" @click=${o.onMore}>${s.more}</button>` : nothing}
  `;
}

function itemView(item: QueueItem, i: number, l: L, o: QueueViewOptions): TemplateResult {
  const s = l.t;
  const c = item.comment;
  const name = c.author?.name ?? '—';
  const id = `item-${c.id}`;
  const reasons = [
    ...(c.status === 'pending' && c.heldReason ? [s.reasons[c.heldReason]] : []),
    ...(item.flags.length
      ? [`${s.flags(item.flags.reduce((a, f) => a + f.count, 0))} (${item.flags.map((f) => s.flagReasons[f.reason]).join(', ')})`]
      : []),
  ];
  return html`<li class=${i === o.current ? 'item current' : 'item'} part="item">
    <article tabindex=${i === o.current ? 0 : -1} aria-labelledby="${id}-h" aria-describedby="${id}-b" data-index=${i}
      @focus=${() => o.onFocusItem(i)}>
      <header>
        <input type="checkbox" .checked=${o.selected.has(c.id)} aria-label=${s.select(name)}
          @change=${(e: Event) => o.onSelect(c.id, (e.target as HTMLInputElement).checked)} />
        <h2 id="${id}-h"><span part="author">${name}</span> <span class="meta">${s.inThread} ${item.thread.title ?? item.thread.key}
          · <time datetime=${c.createdAt} title=${exact(l, c.createdAt)}>${relative(l, c.createdAt)}</time></span></h2>
      </header>
      <p class="reasons">${reasons.map((r) => html`<span class="tag">${r}</span>`)}
        ${item.author?.sanctions.map((x) => html`<span class="tag warn">${s.sanctioned[x.kind]}${x.endsAt ? ` ${s.until(exact(l, x.endsAt))}` : ''}</span>`)}
        ${item.author ? html`<span class="meta">${s.published(item.author.publishedCount)}</span>` : nothing}</p>
      <p class="body" id="${id}-b" part="body">${c.body}</p>
      ${item.flagNotes.length ? html`<ul class="notes">${item.flagNotes.map((n) => html`<li>« ${n} »</li>`)}</ul>` : nothing}
      <div class="actions" part="actions">
        ${actionsFor(item).map((a) => html`<button type="button" data-action=${a} ?disabled=${o.busy} @click=${() => o.onAction(a, item)}>${s.actions[a]}</button>`)}
      </div>
    </article>
  </li>`;
}

export interface SanctionForm {
  kind: 'mute' | 'ban';
  item: QueueItem;
  chapters: string[];
}

export function sanctionView(
  f: SanctionForm,
  l: L,
  busy: boolean,
  onSubmit: (e: SubmitEvent) => void,
  onCancel: () => void,
): TemplateResult {
  const s = l.t;
  // Escape cancels, as the Cancel button does (a select's own Escape, closing its list, is left to it).
  const esc = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    onCancel();
  };
  return html`<form class="dialog" part="dialog" @submit=${onSubmit} @keydown=${esc} aria-labelledby="sanction-h">
    <h2 id="sanction-h">${fill(s.sanctionTitle[f.kind], f.item.author?.member.name ?? '')}</h2>
    <p>${s.sanctionHelp[f.kind]}</p>
    <label>${s.period} <select name="days">${[1, 7, 30, 0].map((d) => html`<option value=${d}>${s.periods[d]}</option>`)}</select></label>
    ${f.chapters.length > 1 ? html`<label>${s.chapter} <select name="chapter">${f.chapters.map((c) => html`<option>${c}</option>`)}</select></label>` : nothing}
    <label>${s.reason} <textarea name="reason" required maxlength="500" rows="2"></textarea></label>
    <div class="actions"><button type="submit" class="primary" ?disabled=${busy}>${s.confirm}</button>
      <button type="button" @click=${onCancel}>${s.cancel}</button></div>
  </form>`;
}

export interface SettingsViewOptions {
  busy: boolean;
  onSave(e: SubmitEvent): void;
}

const lines = (a: string[]) => a.join('\n');

export function settingsView(st: AdminSettings, l: L, o: SettingsViewOptions): TemplateResult {
  const s = l.t;
  const limits = st.rateLimits;
  return html`<form class="settings" part="settings" @submit=${o.onSave}>
    <p>${s.settingsIntro}</p>
    <label>${s.premoderation} <select name="premoderation">
      ${(['off', 'first-time', 'everyone'] as const).map((p) => html`<option value=${p} ?selected=${st.premoderation === p}>${s.premoderations[p]}</option>`)}
    </select></label>
    <label>${s.editWindow} <input name="editWindow" type="number" min="0" max="1440" .value=${String(Math.round(st.editWindowSeconds / 60))} /></label>
    <label>${s.reactions} <input name="reactions" .value=${st.reactions.join(', ')} /></label>
    <label>${s.heldWords} <textarea name="heldWords" rows="3" .value=${lines(st.heldWords)}></textarea></label>
    <label>${s.blockedWords} <textarea name="blockedWords" rows="3" .value=${lines(st.blockedWords)}></textarea></label>
    <fieldset><legend><label class="check"><input type="checkbox" name="limits" ?checked=${!!limits} /> ${s.rateLimits}</label></legend>
      <label>${s.commentsPerMinute} <input name="commentsPerMinute" type="number" min="1" max="1000" .value=${String(limits?.commentsPerMinute ?? 4)} /></label>
      <label>${s.commentBurst} <input name="commentBurst" type="number" min="1" max="1000" .value=${String(limits?.commentBurst ?? 10)} /></label>
    </fieldset>
    <label class="check"><input type="checkbox" name="publicRead" ?checked=${st.publicRead} /> ${s.publicRead}</label>
    <label>${s.loginUrl} <input name="loginUrl" type="url" .value=${st.loginUrl ?? ''} /></label>
    <label>${s.origins} <textarea name="origins" rows="2" .value=${lines(st.origins)}></textarea></label>
    <button type="submit" class="primary" ?disabled=${o.busy}>${s.save}</button>
  </form>
  <section class="keys-admin" aria-labelledby="keys-h" part="keys-admin">
    <h2 id="keys-h">${s.keysTitle}</h2>
    <ul>${st.keys.map((k) => html`<li>${s.keyRow(k.kid, k.alg, exact(l, k.createdAt))}${k.retiresAt ? html` — ${s.retires(exact(l, k.retiresAt))}` : nothing}</li>`)}</ul>
    <p>${s.keysHint}</p>
  </section>`;
}

export function auditView(items: AuditEntry[], l: L, busy: boolean, onExport: () => void, onMore?: () => void): TemplateResult {
  const s = l.t;
  const names = l.t.auditActions;
  return html`<p>${s.auditIntro} <button type="button" ?disabled=${busy} @click=${onExport}>${s.export}</button></p>
    ${
      items.length
        ? html`<table part="audit">
      <thead><tr><th scope="col">${s.when}</th><th scope="col">${s.who}</th><th scope="col">${s.what}</th><th scope="col">${s.about}</th></tr></thead>
      <tbody>${items.map(
        (e) => html`<tr>
        <td><time datetime=${e.at}>${exact(l, e.at)}</time></td>
        <td>${e.actor?.name ?? (e.actorKind === 'cli' ? s.cli : s.system)}</td>
        <td>${names[e.action] ?? e.action}${e.note ? html` — « ${e.note} »` : nothing}</td>
        <td>${e.member?.name ?? e.thread ?? e.comment ?? ''}${e.chapter ? ` (${e.chapter})` : ''}</td>
      </tr>`,
      )}</tbody></table>`
        : html`<p>${s.noEntries}</p>`
    }
    ${onMore ? html`<button type="button" class="more" @click=${onMore}>${s.more}</button>` : nothing}`;
}
