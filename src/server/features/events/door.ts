import { createHash } from 'node:crypto';
import type { routes } from '../../../contract/routes.js';
import type { CheckIn } from '../../../contract/events.js';
import { memberSummary } from '../../domain/mapping.js';
import { mayRead, readerOf, visibilitySettings } from '../../domain/visibility.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import * as eventStore from '../../store/events.js';
import type { CheckinRow, EventRow } from '../../store/schema.js';
import { announceEvent, fileName, mustManage, rightsOf, type Ctx } from './present.js';

/** How long before the start the door opens. */
const DOOR_OPENS_MS = 3 * 3_600_000;

const checkInOut = async (ctx: Ctx, row: CheckinRow, duplicate: boolean): Promise<CheckIn> => {
  const m = row.member_pk
    ? await ctx.store.db
        .selectFrom('members')
        .select(['host_id', 'name', 'picture', 'chapters'])
        .where('pk', '=', row.member_pk)
        .executeTakeFirst()
    : undefined;
  return { key: row.key, member: m ? memberSummary(m) : null, name: row.name, walkIn: row.walk_in === 1, at: row.created_at, duplicate };
};

/** Let someone in at the door (organisers): a member going, or a walk-in; idempotent by key. */
export async function checkIn(ctx: HandlerContext<typeof routes.checkIn>) {
  const { store, site, params, body, now } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  const walkIn = body.walkIn === true;
  if (!walkIn && body.member === undefined) {
    throw problem(400, 'checkin.member_required', 'Say who is let in', 'A member going, or a walk-in with a name.', [
      { path: 'body.member', message: 'Required unless walkIn.' },
    ]);
  }
  if (walkIn && body.member === undefined && body.name === undefined) {
    throw problem(400, 'checkin.name_required', 'A walk-in needs a name', undefined, [{ path: 'body.name', message: 'Required.' }]);
  }
  const member = body.member === undefined ? undefined : await store.memberByHostId(site.id, body.member);
  if (body.member !== undefined && !member) {
    throw problem(400, 'checkin.unknown_member', 'No such member', body.member, [{ path: 'body.member', message: 'Unknown member.' }]);
  }
  const hash = createHash('sha256')
    .update(JSON.stringify([body.member ?? null, walkIn, body.name ?? null]))
    .digest('hex');
  const t = now();
  let event: EventRow | undefined;
  const outcome = await eventStore.checkIn(
    store,
    site.id,
    params.event,
    {
      key: params.key,
      hash,
      memberPk: member?.pk ?? null,
      name: body.name ?? member?.name ?? '',
      walkIn,
      byPk: ctx.viewer!.pk,
    },
    (ev) => {
      mustManage(ev, r);
      if (ev.cancelled_at) throw problem(409, 'event.cancelled', 'This event was cancelled');
      const opens = Date.parse(ev.starts_at) - DOOR_OPENS_MS;
      if (t < opens) {
        throw problem(
          409,
          'checkin.too_early',
          'The door is not open yet',
          `Check-in opens three hours before the start, at ${new Date(opens).toISOString()}.`,
        );
      }
      event = ev;
    },
    (ev) => {
      // A check-in sent late keeps the time the organiser let the person in, within the door's hours.
      const opens = Date.parse(ev.starts_at) - DOOR_OPENS_MS;
      const at = body.at ? Date.parse(body.at) : t;
      return new Date(at >= opens && at <= t ? at : t).toISOString();
    },
  );
  switch (outcome.kind) {
    case 'key_reused':
      throw problem(
        422,
        'idempotency.mismatch',
        'This check-in key was used for someone else',
        'A retry must send the same check-in as the first attempt; another person needs another key.',
      );
    case 'not_going':
      throw problem(
        409,
        'checkin.not_going',
        'This member is not on the list',
        outcome.status
          ? `Their answer is "${outcome.status}". Let them in as a walk-in to add them.`
          : 'They have not answered. Let them in as a walk-in to add them.',
        [{ path: 'body.member', message: 'Not going; check in as a walk-in.' }],
      );
    case 'new':
      if (outcome.row.member_pk) {
        // The ledger counts each (member, kind, ref) once, like attendance marked after the event.
        await store.recordActivity(site.id, outcome.row.member_pk, 'event.attended', params.event);
        if (event?.organiser_pk) await store.recordActivity(site.id, event.organiser_pk, 'event.hosted', params.event);
        await announceEvent(ctx, params.event, 'rsvp.changed');
      }
      return { body: await checkInOut(ctx, outcome.row, false) };
    default:
      return { body: await checkInOut(ctx, outcome.row, outcome.kind === 'duplicate') };
  }
}

/** Take back a check-in made by mistake (organisers); nothing to take back is not an error. */
export async function undoCheckIn(ctx: HandlerContext<typeof routes.undoCheckIn>) {
  const { store, site, params } = ctx;
  const r = await rightsOf(store, site, ctx.viewer);
  const memberPk = await eventStore.undoCheckIn(store, site.id, params.event, params.key, (ev) => mustManage(ev, r));
  if (memberPk) {
    await eventStore.removeActivities(store, site.id, 'event.attended', params.event, [memberPk]);
    await announceEvent(ctx, params.event, 'rsvp.changed');
  }
  return doorList(ctx, params.event);
}

/** Who has been let in (organisers). */
export async function checkIns(ctx: HandlerContext<typeof routes.checkIns>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventStore.eventView(ctx.store, ctx.site.id, ctx.params.event, null);
  mustManage(v, r);
  return doorList(ctx, v.id);
}

async function doorList(ctx: Ctx, eventId: string) {
  const v = (await eventStore.eventView(ctx.store, ctx.site.id, eventId, null))!;
  const rows = await eventStore.checkins(ctx.store, ctx.site.id, v.id);
  return {
    body: {
      items: rows.map((k): CheckIn => ({
        key: k.key,
        member: k.host_id
          ? memberSummary({ host_id: k.host_id, name: k.member_name ?? '', picture: k.picture, chapters: k.chapters ?? '[]' })
          : null,
        name: k.name,
        walkIn: k.walk_in === 1,
        at: k.created_at,
        duplicate: false,
      })),
      count: rows.length,
      going: v.going,
    },
  };
}

/** A CSV cell: quoted, and a leading apostrophe before what a spreadsheet would read as a formula. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const COLUMNS = [
  'name',
  'status',
  'guests',
  'checked_in',
  'walk_in',
  'headline',
  'company',
  'association_role',
  'website',
  'linkedin',
  'email',
  'phone',
] as const;
const FIELDS = {
  headline: 'headline',
  company: 'company',
  association_role: 'associationRole',
  website: 'website',
  linkedin: 'linkedin',
  email: 'email',
  phone: 'phone',
} as const;

/** The attendee list as CSV (organisers), with only the card fields each member shows them. */
export async function attendeesCsv(ctx: HandlerContext<typeof routes.attendeesCsv>) {
  const r = await rightsOf(ctx.store, ctx.site, ctx.viewer);
  const v = await eventStore.eventView(ctx.store, ctx.site.id, ctx.params.event, null);
  mustManage(v, r);
  const [cards, doors] = await Promise.all([
    eventStore.attendeeCards(ctx.store, ctx.site.id, v.id),
    eventStore.checkins(ctx.store, ctx.site.id, v.id),
  ]);
  const inside = new Set(doors.filter((k) => k.member_pk).map((k) => k.member_pk));
  const walkedIn = new Set(doors.filter((k) => k.member_pk && k.walk_in === 1).map((k) => k.member_pk));
  const reader = readerOf(ctx.viewer);
  const lines = [COLUMNS.join(',')];
  for (const a of cards) {
    const vis = visibilitySettings(a.visibility);
    const chapters: string[] = JSON.parse(a.chapters);
    const field = (k: keyof typeof FIELDS) => (mayRead(vis[FIELDS[k]], reader, a.member_pk, chapters) ? a[k] : null);
    const row = [
      a.name,
      a.status,
      a.guests,
      a.attended === 1 || inside.has(a.member_pk) ? 'yes' : 'no',
      walkedIn.has(a.member_pk) ? 'yes' : 'no',
      field('headline'),
      field('company'),
      field('association_role'),
      field('website'),
      field('linkedin'),
      field('email'),
      field('phone'),
    ];
    lines.push(row.map(csvCell).join(','));
  }
  for (const k of doors.filter((d) => !d.member_pk)) {
    lines.push([k.name, 'walk-in', 0, 'yes', 'yes', '', '', '', '', '', '', ''].map(csvCell).join(','));
  }
  const name = fileName(v.title).replace(/\.ics$/, '-attendees.csv');
  // A byte order mark, so that spreadsheets read the accents as UTF-8.
  return ctx.c.body('\ufeff' + lines.join('\r\n') + '\r\n', 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'private, no-store',
  });
}
