import type { routes } from '../../../contract/routes.js';
import type { Series } from '../../../contract/events.js';
import { newId, nowIso } from '../../domain/ids.js';
import { occurrences, ruleOf } from '../../domain/recurrence.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import type { EventSeriesRow } from '../../store/schema.js';
import * as eventStore from '../../store/events.js';
import { announceEvent, canManage, eventOut, mustSee, plannedEvent, rightsOf, type Ctx, type Rights } from './present.js';

async function seriesOut(ctx: Ctx, s: EventSeriesRow, r: Rights): Promise<Series> {
  const views = await eventStore.seriesEvents(ctx.store, ctx.site.id, s.id, ctx.viewer?.pk ?? null);
  return {
    id: s.id,
    rule: s.rule,
    recurrence: JSON.parse(s.recurrence),
    timeZone: s.time_zone,
    occurrences: views.map((v) => eventOut(v, r, ctx.now())),
  };
}

/** Create a recurring event: its occurrences, each with its own answers (admins, chapter organisers). */
export async function createSeries(ctx: HandlerContext<typeof routes.createSeries>) {
  const { store, site, body } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  const { chapter, times: first, organiser } = await plannedEvent(store, site, r, body);
  const start = Date.parse(first.starts_at);
  const duration = Date.parse(first.ends_at) - start;
  // The answers close as long before each meeting as before the first.
  const deadlineLead = first.rsvp_deadline === null ? null : start - Date.parse(first.rsvp_deadline);
  const rule = ruleOf(body.recurrence, start, body.timeZone);
  const instants = occurrences(rule, body.recurrence, start, body.timeZone);
  const series: EventSeriesRow = {
    id: newId(),
    site_id: site.id,
    rule,
    recurrence: JSON.stringify(body.recurrence),
    time_zone: body.timeZone,
    created_at: nowIso(),
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  await eventStore.insertSeries(
    store,
    series,
    instants.map((at) => ({
      site_id: site.id,
      chapter_id: chapter,
      title: body.title,
      description: body.description ?? '',
      time_zone: body.timeZone,
      place: body.place ?? null,
      online_url: body.onlineUrl ?? null,
      url: body.url ?? null,
      capacity: body.capacity ?? null,
      max_guests: body.maxGuests ?? 0,
      audience: body.audience ?? 'public',
      organiser_pk: organiser,
      starts_at: iso(at),
      ends_at: iso(at + duration),
      rsvp_deadline: deadlineLead === null ? null : iso(at - deadlineLead),
      occurrence_at: iso(at),
    })),
  );
  return { status: 201, body: await seriesOut(ctx, series, r) };
}

/** A recurring event and its occurrences. */
export async function getSeries(ctx: HandlerContext<typeof routes.getSeries>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const s = await eventStore.seriesRow(ctx.store, ctx.site.id, ctx.params.series);
  const [first] = s ? await eventStore.seriesEvents(ctx.store, ctx.site.id, s.id, null) : [];
  if (!s || !first) throw problem(404, 'series.not_found', 'No such series');
  mustSee(ctx.site, first, ctx.viewer, r, first);
  return { body: await seriesOut(ctx, s, r) };
}

/** Cancel every occurrence not yet begun (its organisers). */
export async function cancelSeries(ctx: HandlerContext<typeof routes.cancelSeries>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const s = await eventStore.seriesRow(ctx.store, ctx.site.id, ctx.params.series);
  const all = s ? await eventStore.seriesEvents(ctx.store, ctx.site.id, s.id, null) : [];
  if (!s || !all.length) throw problem(404, 'series.not_found', 'No such series');
  if (!canManage(all[0], r)) throw problem(403, 'event.not_organiser', "Only the event's organisers may do this");
  const reason = ctx.body.reason || null;
  for (const e of all) {
    if (e.cancelled_at || Date.parse(e.starts_at) <= ctx.now()) continue;
    await eventStore.cancelEvent(ctx.store, ctx.site.id, e.id, reason, () => {});
    await announceEvent(ctx, e.id, 'event.updated');
    await ctx.emit('event.cancelled', {
      site: ctx.site.id,
      eventId: e.id,
      ...(e.occurrence_at ? { occurrence: e.occurrence_at } : {}),
      reason,
      by: ctx.viewer?.pk || null,
    });
  }
  return { body: await seriesOut(ctx, s, r) };
}
