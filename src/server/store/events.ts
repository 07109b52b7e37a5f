import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { CheckinRow, Database, EventRow, EventSeriesRow, MemberRow, RsvpRow } from './schema.js';
import type { DbHandle as Store } from './schema.js';
import { newId, nowIso } from '../domain/ids.js';
import { refreshMembers } from './engagement.js';
import { refreshAfter } from './insights.js';

type Exec = Kysely<Database> | Transaction<Database>;

/** An event row with its chapter, organiser, counts and the reader's own answer. */
export interface EventView extends EventRow {
  chapter_name: string | null;
  org_host_id: string | null;
  org_name: string | null;
  org_picture: string | null;
  org_chapters: string | null;
  /** Members going. */
  going: number;
  /** Places taken: members going and their guests. */
  taken: number;
  maybe: number;
  waitlist: number;
  my_status: RsvpRow['status'] | null;
  my_guests: number | null;
  my_position: number | null;
  my_promoted_at: string | null;
  my_seen_at: string | null;
  my_updated_at: string | null;
}

export type NewEventRow = Omit<
  EventRow,
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'cancelled_at'
  | 'cancel_reason'
  | 'sequence'
  | 'organiser_pk'
  | 'max_guests'
  | 'rsvp_deadline'
  | 'url'
  | 'series_id'
  | 'occurrence_at'
> &
  Partial<Pick<EventRow, 'id' | 'organiser_pk' | 'max_guests' | 'rsvp_deadline' | 'url' | 'series_id' | 'occurrence_at'>>;

/**
 * Who may see what, as a list of audiences (`null` = everything, for admins). Mirrors
 * `canSee` in `audience.ts`, as a SQL filter so that pages stay full.
 */
export function visibleAudiences(viewer: { roles: string[]; chapters: string[] } | null, publicRead: boolean): string[] | null {
  if (viewer?.roles.includes('admin')) return null;
  const out: string[] = [];
  if (publicRead || viewer) out.push('public');
  if (viewer) {
    out.push('members');
    for (const c of viewer.chapters) out.push(`chapter:${c}`);
    for (const r of viewer.roles) out.push(`role:${r}`);
  }
  return out;
}

const n = (v: unknown) => Number(v ?? 0);

function eventQuery(db: Exec, siteId: string, memberPk: string | null) {
  return db
    .selectFrom('events as e')
    .leftJoin('chapters as ch', (j) => j.onRef('ch.site_id', '=', 'e.site_id').onRef('ch.id', '=', 'e.chapter_id'))
    .leftJoin('members as o', 'o.pk', 'e.organiser_pk')
    .leftJoin('rsvps as my', (j) => j.onRef('my.event_id', '=', 'e.id').on('my.member_pk', '=', memberPk ?? ''))
    .selectAll('e')
    .select([
      'ch.name as chapter_name',
      'o.host_id as org_host_id',
      'o.name as org_name',
      'o.picture as org_picture',
      'o.chapters as org_chapters',
      'my.status as my_status',
      'my.guests as my_guests',
      'my.promoted_at as my_promoted_at',
      'my.promotion_seen_at as my_seen_at',
      'my.updated_at as my_updated_at',
    ])
    .select((eb) => [
      eb
        .selectFrom('rsvps as r')
        .select(sql<number>`count(*)`.as('c'))
        .whereRef('r.event_id', '=', 'e.id')
        .where('r.status', '=', 'going')
        .as('going'),
      eb
        .selectFrom('rsvps as r')
        .select(sql<number>`coalesce(sum(1 + r.guests), 0)`.as('c'))
        .whereRef('r.event_id', '=', 'e.id')
        .where('r.status', '=', 'going')
        .as('taken'),
      eb
        .selectFrom('rsvps as r')
        .select(sql<number>`count(*)`.as('c'))
        .whereRef('r.event_id', '=', 'e.id')
        .where('r.status', '=', 'maybe')
        .as('maybe'),
      eb
        .selectFrom('rsvps as r')
        .select(sql<number>`count(*)`.as('c'))
        .whereRef('r.event_id', '=', 'e.id')
        .where('r.status', '=', 'waitlist')
        .as('waitlist'),
      eb
        .selectFrom('rsvps as w')
        .select(sql<number>`count(*)`.as('c'))
        .whereRef('w.event_id', '=', 'e.id')
        .where('w.status', '=', 'waitlist')
        .whereRef('w.waitlist_seq', '<=', 'my.waitlist_seq')
        .as('my_position'),
    ])
    .where('e.site_id', '=', siteId);
}

function toView(r: Record<string, unknown>): EventView {
  const v = r as unknown as EventView;
  return {
    ...v,
    going: n(v.going),
    taken: n(v.taken),
    maybe: n(v.maybe),
    waitlist: n(v.waitlist),
    capacity: v.capacity === null ? null : n(v.capacity),
    max_guests: n(v.max_guests),
    sequence: n(v.sequence),
    my_guests: v.my_guests === null ? null : n(v.my_guests),
    my_position: v.my_status === 'waitlist' ? n(v.my_position) : null,
  };
}

export interface ListOptions {
  memberPk: string | null;
  audiences: string[] | null;
  chapters?: string[];
  /** `upcoming`: not yet ended, soonest first; `past`: ended, latest first; `range`: overlapping [from, to), soonest first. */
  mode: 'upcoming' | 'past' | 'range';
  now: string;
  from?: string;
  to?: string;
  after?: [string, string];
  limit: number;
}

export async function listEvents(store: Store, siteId: string, o: ListOptions): Promise<EventView[]> {
  const dir = o.mode === 'past' ? 'desc' : 'asc';
  let q = eventQuery(store.db, siteId, o.memberPk);
  if (o.mode === 'upcoming') q = q.where('e.ends_at', '>=', o.now);
  else if (o.mode === 'past') q = q.where('e.ends_at', '<', o.now);
  else {
    if (o.from) q = q.where('e.ends_at', '>', o.from);
    if (o.to) q = q.where('e.starts_at', '<', o.to);
  }
  if (o.audiences) q = q.where('e.audience', 'in', o.audiences.length ? o.audiences : ['-']);
  if (o.chapters?.length) q = q.where('e.chapter_id', 'in', o.chapters);
  if (o.after) {
    const [t, id] = o.after;
    const op = dir === 'asc' ? '>' : '<';
    q = q.where((eb) => eb.or([eb('e.starts_at', op, t), eb.and([eb('e.starts_at', '=', t), eb('e.id', op, id)])]));
  }
  const rows = await q.orderBy('e.starts_at', dir).orderBy('e.id', dir).limit(o.limit).execute();
  return rows.map(toView);
}

export async function eventView(store: Store, siteId: string, id: string, memberPk: string | null): Promise<EventView | undefined> {
  const r = await eventQuery(store.db, siteId, memberPk).where('e.id', '=', id).executeTakeFirst();
  return r && toView(r);
}

/** Events of one member's private feed: those they go to, may go to, wait for or organise, from `since` on. */
export async function memberEvents(store: Store, siteId: string, memberPk: string, since: string, limit = 500): Promise<EventView[]> {
  const rows = await eventQuery(store.db, siteId, memberPk)
    .where('e.ends_at', '>=', since)
    .where((eb) => eb.or([eb('my.status', 'in', ['going', 'maybe', 'waitlist']), eb('e.organiser_pk', '=', memberPk)]))
    .orderBy('e.starts_at')
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map(toView);
}

export async function insertEvent(store: Store, row: NewEventRow): Promise<EventRow> {
  const now = nowIso();
  const full: EventRow = {
    organiser_pk: null,
    max_guests: 0,
    rsvp_deadline: null,
    url: null,
    series_id: null,
    occurrence_at: null,
    ...row,
    id: row.id ?? newId(),
    created_at: now,
    updated_at: now,
    cancelled_at: null,
    cancel_reason: null,
    sequence: 0,
  };
  await store.db.insertInto('events').values(full).execute();
  return full;
}

// ---- serialised changes to one event -------------------------------------------------

/**
 * Runs `fn` in a write transaction that holds the event: on PostgreSQL the event row is locked
 * (`select … for update`), on SQLite the transaction starts with `begin immediate` (one writer
 * at a time, also across processes). Every change of an event's answers goes through here, so
 * capacity checks and waitlist order see every earlier change and no later one.
 */
export async function withEvent<T>(
  store: Store,
  siteId: string,
  eventId: string,
  fn: (tx: Exec, ev: EventRow | undefined) => Promise<T>,
): Promise<T> {
  if (store.kind === 'postgres') {
    return store.db.transaction().execute(async (tx) => {
      const ev = await tx
        .selectFrom('events')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('id', '=', eventId)
        .forUpdate()
        .executeTakeFirst();
      return fn(tx, ev);
    });
  }
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const ev = await conn.selectFrom('events').selectAll().where('site_id', '=', siteId).where('id', '=', eventId).executeTakeFirst();
      const out = await fn(conn, ev);
      await sql`commit`.execute(conn);
      return out;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}

async function takenPlaces(tx: Exec, eventId: string): Promise<number> {
  const r = await tx
    .selectFrom('rsvps')
    .select(sql<number>`coalesce(sum(1 + guests), 0)`.as('c'))
    .where('event_id', '=', eventId)
    .where('status', '=', 'going')
    .executeTakeFirstOrThrow();
  return n(r.c);
}

/**
 * Moves members from the waitlist to going, in arrival order, while their party (themselves and
 * their guests) fits in the places left; a party too large for what is left waits while smaller
 * ones behind it go. Returns the members promoted.
 */
async function promote(tx: Exec, ev: EventRow, now: string, except?: string): Promise<string[]> {
  if (ev.capacity === null) {
    const all = await tx.selectFrom('rsvps').select('member_pk').where('event_id', '=', ev.id).where('status', '=', 'waitlist').execute();
    if (!all.length) return [];
    await tx
      .updateTable('rsvps')
      .set({ status: 'going', waitlist_seq: null, promoted_at: now, promotion_seen_at: null, updated_at: now })
      .where('event_id', '=', ev.id)
      .where('status', '=', 'waitlist')
      .execute();
    return all.map((r) => r.member_pk);
  }
  let left = Number(ev.capacity) - (await takenPlaces(tx, ev.id));
  if (left <= 0) return [];
  const waiting = await tx
    .selectFrom('rsvps')
    .select(['member_pk', 'guests'])
    .where('event_id', '=', ev.id)
    .where('status', '=', 'waitlist')
    .orderBy('waitlist_seq')
    .execute();
  const promoted: string[] = [];
  for (const w of waiting) {
    const need = 1 + Number(w.guests);
    if (need > left) continue;
    left -= need;
    const self = w.member_pk === except;
    await tx
      .updateTable('rsvps')
      .set({
        status: 'going',
        waitlist_seq: null,
        updated_at: now,
        ...(self ? {} : { promoted_at: now, promotion_seen_at: null }),
      })
      .where('event_id', '=', ev.id)
      .where('member_pk', '=', w.member_pk)
      .execute();
    if (!self) promoted.push(w.member_pk);
    if (left <= 0) break;
  }
  return promoted;
}

export class RsvpConflict extends Error {
  constructor(
    readonly code: 'not_enough_places',
    readonly left: number,
  ) {
    super(code);
  }
}

export interface RsvpOutcome {
  status: RsvpRow['status'];
  /** Members moved from the waitlist to going by this change. */
  promoted: string[];
}

/**
 * Records a member's answer under the event's lock. `going` takes a place when the party fits
 * (and nobody earlier in the waitlist fits: promotion always runs first), else joins the end of
 * the waitlist; a member already going who asks for more guests than there are places left gets
 * `RsvpConflict` and keeps their place. Leaving `going` frees places for the waitlist.
 * `check` runs first on the locked row and may throw to refuse.
 */
export async function setRsvp(
  store: Store,
  siteId: string,
  eventId: string,
  memberPk: string,
  answer: { status: 'going' | 'maybe' | 'declined'; guests: number },
  check: (ev: EventRow | undefined) => void,
): Promise<RsvpOutcome> {
  return withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    const e = ev!;
    const now = nowIso();
    const mine = await tx.selectFrom('rsvps').selectAll().where('event_id', '=', e.id).where('member_pk', '=', memberPk).executeTakeFirst();
    const guests = answer.status === 'declined' ? 0 : answer.guests;
    const write = async (status: RsvpRow['status'], seq: number | null, keepPromotion = false) => {
      const fields = {
        status,
        guests,
        waitlist_seq: seq,
        updated_at: now,
        ...(keepPromotion ? {} : { promoted_at: null, promotion_seen_at: null }),
      };
      if (mine) {
        await tx.updateTable('rsvps').set(fields).where('event_id', '=', e.id).where('member_pk', '=', memberPk).execute();
      } else {
        await tx
          .insertInto('rsvps')
          .values({
            site_id: siteId,
            event_id: e.id,
            member_pk: memberPk,
            created_at: now,
            attended: null,
            promoted_at: null,
            promotion_seen_at: null,
            ...fields,
          })
          .execute();
      }
    };
    let promoted: string[] = [];
    if (answer.status !== 'going') {
      await write(answer.status, null);
      if (mine?.status === 'going') promoted = await promote(tx, e, now);
      return { status: answer.status, promoted };
    }
    if (mine?.status === 'going') {
      const extra = guests - Number(mine.guests);
      if (e.capacity !== null && extra > 0) {
        const left = Number(e.capacity) - (await takenPlaces(tx, e.id));
        if (extra > left) throw new RsvpConflict('not_enough_places', Math.max(0, left));
      }
      await write('going', null, true);
      if (extra < 0) promoted = await promote(tx, e, now);
      return { status: 'going', promoted };
    }
    // Join the waitlist (keeping one's place when already in it), then let promotion decide.
    let seq = mine?.status === 'waitlist' ? mine.waitlist_seq : null;
    if (seq === null) {
      const r = await tx
        .selectFrom('rsvps')
        .select(sql<number>`coalesce(max(waitlist_seq), 0)`.as('m'))
        .where('event_id', '=', e.id)
        .executeTakeFirstOrThrow();
      seq = n(r.m) + 1;
    }
    await write('waitlist', Number(seq));
    promoted = await promote(tx, e, now, memberPk);
    const after = await tx
      .selectFrom('rsvps')
      .select('status')
      .where('event_id', '=', e.id)
      .where('member_pk', '=', memberPk)
      .executeTakeFirstOrThrow();
    return { status: after.status, promoted };
  });
}

export async function acknowledgePromotion(store: Store, siteId: string, eventId: string, memberPk: string) {
  await store.db
    .updateTable('rsvps')
    .set({ promotion_seen_at: nowIso() })
    .where('site_id', '=', siteId)
    .where('event_id', '=', eventId)
    .where('member_pk', '=', memberPk)
    .where('promoted_at', 'is not', null)
    .execute();
}

/**
 * Applies an organiser's edit under the event's lock; `check` validates the merged row (and may
 * throw). Raising the capacity promotes from the waitlist. Returns the members promoted.
 */
export async function updateEvent(
  store: Store,
  siteId: string,
  eventId: string,
  patch: (ev: EventRow) => Partial<EventRow>,
  check: (ev: EventRow | undefined) => void,
  validate: (merged: EventRow, taken: number) => void,
): Promise<string[]> {
  return withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    const changes = patch(ev!);
    const merged: EventRow = { ...ev!, ...changes };
    const taken = await takenPlaces(tx, ev!.id);
    validate(merged, taken);
    const now = nowIso();
    await tx
      .updateTable('events')
      .set({ ...changes, sequence: Number(ev!.sequence) + 1, updated_at: now })
      .where('site_id', '=', siteId)
      .where('id', '=', eventId)
      .execute();
    return promote(tx, merged, now);
  });
}

export async function cancelEvent(
  store: Store,
  siteId: string,
  eventId: string,
  reason: string | null,
  check: (ev: EventRow | undefined) => void,
) {
  await withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    if (ev!.cancelled_at) return;
    const now = nowIso();
    await tx
      .updateTable('events')
      .set({ cancelled_at: now, cancel_reason: reason, sequence: Number(ev!.sequence) + 1, updated_at: now })
      .where('site_id', '=', siteId)
      .where('id', '=', eventId)
      .execute();
  });
}

// ---- attendees and attendance ----------------------------------------------------

export interface AttendeeRow {
  member_pk: string;
  host_id: string;
  name: string;
  picture: string | null;
  chapters: string;
  status: RsvpRow['status'];
  guests: number;
  waitlist_seq: number | null;
  attended: number | null;
}

const STATUS_ORDER = sql<number>`case r.status when 'going' then 0 when 'maybe' then 1 when 'waitlist' then 2 else 3 end`;

export async function attendees(store: Store, siteId: string, eventId: string, statuses: RsvpRow['status'][]): Promise<AttendeeRow[]> {
  const rows = await store.db
    .selectFrom('rsvps as r')
    .innerJoin('members as m', 'm.pk', 'r.member_pk')
    .select(['r.member_pk', 'm.host_id', 'm.name', 'm.picture', 'm.chapters', 'r.status', 'r.guests', 'r.waitlist_seq', 'r.attended'])
    .where('r.site_id', '=', siteId)
    .where('r.event_id', '=', eventId)
    .where('r.status', 'in', statuses)
    .orderBy(STATUS_ORDER)
    .orderBy('r.waitlist_seq')
    .orderBy('r.created_at')
    .orderBy('m.host_id')
    .limit(5000)
    .execute();
  return rows.map((r) => ({
    ...r,
    guests: n(r.guests),
    waitlist_seq: r.waitlist_seq === null ? null : n(r.waitlist_seq),
    attended: r.attended === null ? null : n(r.attended),
  }));
}

export class UnknownMembers extends Error {
  constructor(readonly ids: string[]) {
    super('unknown members');
  }
}

/**
 * Records attendance under the event's lock. A member marked present without an answer (a
 * walk-in) is recorded as going. Returns the members now marked present and those marked absent.
 */
export async function markAttendance(
  store: Store,
  siteId: string,
  eventId: string,
  marks: { member: string; attended: boolean }[],
  check: (ev: EventRow | undefined) => void,
): Promise<{ present: string[]; absent: string[] }> {
  const hostIds = [...new Set(marks.map((m) => m.member))];
  const members = await store.db
    .selectFrom('members')
    .select(['pk', 'host_id'])
    .where('site_id', '=', siteId)
    .where('host_id', 'in', hostIds)
    .execute();
  const pkOf = new Map(members.map((m) => [m.host_id, m.pk]));
  return withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    const unknown = hostIds.filter((h) => !pkOf.has(h));
    if (unknown.length) throw new UnknownMembers(unknown);
    const now = nowIso();
    const present: string[] = [];
    const absent: string[] = [];
    const last = new Map(marks.map((m) => [m.member, m.attended]));
    for (const [host, attended] of last) {
      const pk = pkOf.get(host)!;
      const updated = await tx
        .updateTable('rsvps')
        .set({ attended: attended ? 1 : 0 })
        .where('event_id', '=', eventId)
        .where('member_pk', '=', pk)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await tx
          .insertInto('rsvps')
          .values({
            site_id: siteId,
            event_id: eventId,
            member_pk: pk,
            status: attended ? 'going' : 'declined',
            guests: 0,
            created_at: now,
            updated_at: now,
            waitlist_seq: null,
            promoted_at: null,
            promotion_seen_at: null,
            attended: attended ? 1 : 0,
          })
          .execute();
      }
      (attended ? present : absent).push(pk);
    }
    return { present, absent };
  });
}

/**
 * Takes back some members' ledger entries (attendance wrongly marked), and brings their awards in
 * line in the same transaction. (`store.removeActivity` removes a ref for every member at once.)
 */
export async function removeActivities(store: Store, siteId: string, kind: string, ref: string, memberPks: string[]) {
  if (!memberPks.length) return;
  await store.db.transaction().execute(async (tx) => {
    const gone = await tx
      .deleteFrom('activities')
      .where('site_id', '=', siteId)
      .where('kind', '=', kind)
      .where('ref', '=', ref)
      .where('member_pk', 'in', memberPks)
      .returning(['member_pk', 'kind', 'created_at'])
      .execute();
    if (gone.length) {
      await refreshMembers(store, tx, siteId, memberPks);
      await refreshAfter(tx, siteId, gone);
    }
  });
}

// ---- chapter organisers ----------------------------------------------------------------

export async function chapterOrganisers(store: Store, siteId: string, chapterId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('chapter_organisers')
    .select('host_id')
    .where('site_id', '=', siteId)
    .where('chapter_id', '=', chapterId)
    .orderBy('host_id')
    .execute();
  return rows.map((r) => r.host_id);
}

/** The chapters whose events this member (host id) may organise. */
export async function organisedChapters(store: Store, siteId: string, hostId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('chapter_organisers')
    .select('chapter_id')
    .where('site_id', '=', siteId)
    .where('host_id', '=', hostId)
    .execute();
  return rows.map((r) => r.chapter_id);
}

/** The chapters (id and stored name) whose events this member (host id) may organise. */
export async function organisedChapterNames(store: Store, siteId: string, hostId: string): Promise<{ id: string; name: string | null }[]> {
  return store.db
    .selectFrom('chapter_organisers as o')
    .leftJoin('chapters as ch', (j) => j.onRef('ch.site_id', '=', 'o.site_id').onRef('ch.id', '=', 'o.chapter_id'))
    .select(['o.chapter_id as id', 'ch.name as name'])
    .where('o.site_id', '=', siteId)
    .where('o.host_id', '=', hostId)
    .orderBy('o.chapter_id')
    .execute();
}

export async function addChapterOrganiser(store: Store, siteId: string, chapterId: string, hostId: string) {
  await store.db
    .insertInto('chapter_organisers')
    .values({ site_id: siteId, chapter_id: chapterId, host_id: hostId, created_at: nowIso() })
    .onConflict((oc) => oc.columns(['site_id', 'chapter_id', 'host_id']).doNothing())
    .execute();
}

export async function removeChapterOrganiser(store: Store, siteId: string, chapterId: string, hostId: string) {
  await store.db
    .deleteFrom('chapter_organisers')
    .where('site_id', '=', siteId)
    .where('chapter_id', '=', chapterId)
    .where('host_id', '=', hostId)
    .execute();
}

// ---- private calendar feeds -------------------------------------------------------------

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Creates the member's feed, or replaces its secret (the old address stops working). Returns the new secret. */
export async function resetCalendarFeed(store: Store, siteId: string, memberPk: string): Promise<{ token: string; createdAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const createdAt = nowIso();
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('calendar_feeds').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
    await tx
      .insertInto('calendar_feeds')
      .values({ token_hash: hashFeedToken(token), site_id: siteId, member_pk: memberPk, created_at: createdAt })
      .execute();
  });
  return { token, createdAt };
}

export async function calendarFeed(store: Store, siteId: string, memberPk: string) {
  return store.db
    .selectFrom('calendar_feeds')
    .select(['created_at'])
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk)
    .executeTakeFirst();
}

export async function revokeCalendarFeed(store: Store, siteId: string, memberPk: string) {
  await store.db.deleteFrom('calendar_feeds').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
}

/** The member a feed secret belongs to. */
export async function feedMember(store: Store, siteId: string, token: string): Promise<MemberRow | undefined> {
  return store.db
    .selectFrom('calendar_feeds as f')
    .innerJoin('members as m', 'm.pk', 'f.member_pk')
    .selectAll('m')
    .where('f.site_id', '=', siteId)
    .where('f.token_hash', '=', hashFeedToken(token))
    .executeTakeFirst();
}

/**
 * Writes an answer as given, without capacity, waitlist or time checks: for seeds, imports and
 * tests. Members' answers go through `setRsvp`.
 */
export async function putRsvp(store: Store, siteId: string, eventId: string, memberPk: string, status: RsvpRow['status'], guests = 0) {
  const now = nowIso();
  let seq: number | null = null;
  if (status === 'waitlist') {
    const r = await store.db
      .selectFrom('rsvps')
      .select(sql<number>`coalesce(max(waitlist_seq), 0)`.as('m'))
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    seq = n(r.m) + 1;
  }
  await store.db
    .insertInto('rsvps')
    .values({
      site_id: siteId,
      event_id: eventId,
      member_pk: memberPk,
      status,
      guests,
      created_at: now,
      updated_at: now,
      waitlist_seq: seq,
      promoted_at: null,
      promotion_seen_at: null,
      attended: null,
    })
    .onConflict((oc) => oc.columns(['event_id', 'member_pk']).doUpdateSet({ status, guests, waitlist_seq: seq, updated_at: now }))
    .execute();
}

// ---- recurring events --------------------------------------------------------------------

/** Stores a series and its occurrences (event rows) in one transaction. */
export async function insertSeries(store: Store, series: EventSeriesRow, rows: NewEventRow[]): Promise<void> {
  const now = nowIso();
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('event_series').values(series).execute();
    for (const row of rows) {
      await tx
        .insertInto('events')
        .values({
          organiser_pk: null,
          max_guests: 0,
          rsvp_deadline: null,
          url: null,
          series_id: series.id,
          occurrence_at: null,
          ...row,
          id: row.id ?? newId(),
          created_at: now,
          updated_at: now,
          cancelled_at: null,
          cancel_reason: null,
          sequence: 0,
        })
        .execute();
    }
  });
}

export async function seriesRow(store: Store, siteId: string, id: string): Promise<EventSeriesRow | undefined> {
  return store.db.selectFrom('event_series').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

export async function seriesRows(store: Store, siteId: string, ids: string[]): Promise<EventSeriesRow[]> {
  if (!ids.length) return [];
  return store.db.selectFrom('event_series').selectAll().where('site_id', '=', siteId).where('id', 'in', ids).execute();
}

/** Every occurrence of a series as the reader sees it, in the order of the rule. */
export async function seriesEvents(store: Store, siteId: string, seriesId: string, memberPk: string | null): Promise<EventView[]> {
  const rows = await eventQuery(store.db, siteId, memberPk)
    .where('e.series_id', '=', seriesId)
    .orderBy('e.occurrence_at')
    .limit(1000)
    .execute();
  return rows.map(toView);
}

/** The rule's instants of some series (moved occurrences keep theirs), with whether each was cancelled. */
export async function seriesInstants(
  store: Store,
  siteId: string,
  seriesIds: string[],
): Promise<{ id: string; series_id: string; occurrence_at: string; cancelled: boolean }[]> {
  if (!seriesIds.length) return [];
  const rows = await store.db
    .selectFrom('events')
    .select(['id', 'series_id', 'occurrence_at', 'cancelled_at'])
    .where('site_id', '=', siteId)
    .where('series_id', 'in', seriesIds)
    .orderBy('occurrence_at')
    .execute();
  return rows.map((r) => ({ id: r.id, series_id: r.series_id!, occurrence_at: r.occurrence_at!, cancelled: r.cancelled_at !== null }));
}

// ---- at the door ---------------------------------------------------------------------------

export interface CheckinView extends CheckinRow {
  host_id: string | null;
  member_name: string | null;
  picture: string | null;
  chapters: string | null;
}

export async function checkins(store: Store, siteId: string, eventId: string): Promise<CheckinView[]> {
  return store.db
    .selectFrom('checkins as k')
    .leftJoin('members as m', 'm.pk', 'k.member_pk')
    .selectAll('k')
    .select(['m.host_id', 'm.name as member_name', 'm.picture', 'm.chapters'])
    .where('k.site_id', '=', siteId)
    .where('k.event_id', '=', eventId)
    .orderBy('k.created_at')
    .orderBy('k.key')
    .limit(5000)
    .execute();
}

export type CheckinOutcome =
  | { kind: 'new' | 'replay' | 'duplicate'; row: CheckinRow }
  | { kind: 'key_reused' }
  | { kind: 'not_going'; status: RsvpRow['status'] | null };

/**
 * Lets someone in under the event's lock. The same key replays the first check-in (or is refused when
 * it stood for another request); a member already let in under another key is not counted again;
 * a member must be going unless they come as a walk-in (who then becomes going). A member let in is
 * marked attended. `check` runs first on the locked row and may throw to refuse.
 */
export async function checkIn(
  store: Store,
  siteId: string,
  eventId: string,
  c: { key: string; hash: string; memberPk: string | null; name: string; walkIn: boolean; byPk: string },
  check: (ev: EventRow | undefined) => void,
  timeOf: (ev: EventRow) => string,
): Promise<CheckinOutcome> {
  return withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    const same = await tx.selectFrom('checkins').selectAll().where('event_id', '=', eventId).where('key', '=', c.key).executeTakeFirst();
    if (same) return same.request_hash === c.hash ? { kind: 'replay', row: same } : { kind: 'key_reused' };
    if (c.memberPk) {
      const before = await tx
        .selectFrom('checkins')
        .selectAll()
        .where('event_id', '=', eventId)
        .where('member_pk', '=', c.memberPk)
        .executeTakeFirst();
      if (before) return { kind: 'duplicate', row: before };
      const answer = await tx
        .selectFrom('rsvps')
        .select('status')
        .where('event_id', '=', eventId)
        .where('member_pk', '=', c.memberPk)
        .executeTakeFirst();
      if (answer?.status !== 'going' && !c.walkIn) return { kind: 'not_going', status: answer?.status ?? null };
      const now = nowIso();
      if (answer) {
        // A walk-in who had answered otherwise (or waited) is now going: they are in the room.
        await tx
          .updateTable('rsvps')
          .set({ status: 'going', waitlist_seq: null, attended: 1, updated_at: now })
          .where('event_id', '=', eventId)
          .where('member_pk', '=', c.memberPk)
          .execute();
      } else {
        await tx
          .insertInto('rsvps')
          .values({
            site_id: siteId,
            event_id: eventId,
            member_pk: c.memberPk,
            status: 'going',
            guests: 0,
            created_at: now,
            updated_at: now,
            waitlist_seq: null,
            promoted_at: null,
            promotion_seen_at: null,
            attended: 1,
          })
          .execute();
      }
    }
    const row: CheckinRow = {
      site_id: siteId,
      event_id: eventId,
      key: c.key,
      member_pk: c.memberPk,
      name: c.name,
      walk_in: c.walkIn ? 1 : 0,
      request_hash: c.hash,
      by_pk: c.byPk,
      created_at: timeOf(ev!),
    };
    await tx.insertInto('checkins').values(row).execute();
    return { kind: 'new', row };
  });
}

/** Attendees (members with an answer) with their card's fields and visibility, for the organiser's export. */
export async function attendeeCards(store: Store, siteId: string, eventId: string) {
  return store.db
    .selectFrom('rsvps as r')
    .innerJoin('members as m', 'm.pk', 'r.member_pk')
    .leftJoin('member_profiles as p', 'p.member_pk', 'r.member_pk')
    .select([
      'r.member_pk',
      'm.host_id',
      'm.name',
      'm.chapters',
      'r.status',
      'r.guests',
      'r.attended',
      'p.headline',
      'p.company',
      'p.association_role',
      'p.website',
      'p.linkedin',
      'p.phone',
      'p.email',
      'p.visibility',
    ])
    .where('r.site_id', '=', siteId)
    .where('r.event_id', '=', eventId)
    .where('r.status', 'in', ['going', 'maybe', 'waitlist'])
    .orderBy(STATUS_ORDER)
    .orderBy('r.waitlist_seq')
    .orderBy('m.name')
    .limit(5000)
    .execute();
}

/**
 * Takes back a check-in under the event's lock: the row goes, and a member's attendance is unmarked.
 * Returns the member concerned (null for a walk-in without one, undefined when there was nothing).
 */
export async function undoCheckIn(
  store: Store,
  siteId: string,
  eventId: string,
  key: string,
  check: (ev: EventRow | undefined) => void,
): Promise<string | null | undefined> {
  return withEvent(store, siteId, eventId, async (tx, ev) => {
    check(ev);
    const row = await tx.selectFrom('checkins').selectAll().where('event_id', '=', eventId).where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    await tx.deleteFrom('checkins').where('event_id', '=', eventId).where('key', '=', key).execute();
    if (row.member_pk) {
      await tx
        .updateTable('rsvps')
        .set({ attended: null })
        .where('event_id', '=', eventId)
        .where('member_pk', '=', row.member_pk)
        .execute();
    }
    return row.member_pk;
  });
}
