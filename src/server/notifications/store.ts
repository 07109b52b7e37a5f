import { sql, type Kysely, type Transaction } from 'kysely';
import {
  NOTIFICATION_KINDS,
  type DigestFrequency,
  type KindPreference,
  type NotificationKind,
  type NotificationLanguage,
} from '../../contract/notifications.js';
import type { Database, NotificationPrefsRow, NotificationRow } from '../store/schema.js';

export type Exec = Kysely<Database> | Transaction<Database>;

/** Without a choice, a member hears beyond the page once a day, of every kind. */
export const DEFAULT_FREQUENCY: DigestFrequency = 'daily';

/** Kinds about a comment: they go when the comment is hidden or erased, and show only while it is readable. */
export const COMMENT_KINDS: readonly NotificationKind[] = ['comment.reply', 'comment.mention', 'thread.comment', 'comment.approved'];

const CHUNK = 500;
export const chunks = <T>(a: T[], n = CHUNK) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

// ---- preferences --------------------------------------------------------------------------

export interface Prefs {
  kinds: Record<NotificationKind, KindPreference>;
  frequency: DigestFrequency;
  language: NotificationLanguage | null;
  email: string | null;
}

export function prefsOf(row: NotificationPrefsRow | undefined): Prefs {
  const stored = row ? (JSON.parse(row.kinds) as Partial<Record<string, Partial<KindPreference>>>) : {};
  const kinds = Object.fromEntries(
    NOTIFICATION_KINDS.map((k) => [k, { page: stored[k]?.page ?? true, delivery: stored[k]?.delivery ?? true }]),
  ) as Record<NotificationKind, KindPreference>;
  return {
    kinds,
    frequency: row?.frequency ?? DEFAULT_FREQUENCY,
    language: (row?.language as NotificationLanguage | null) ?? null,
    email: row?.email ?? null,
  };
}

export async function prefsRow(db: Exec, siteId: string, memberPk: string) {
  return db.selectFrom('notification_prefs').selectAll().where('site_id', '=', siteId).where('member_pk', '=', memberPk).executeTakeFirst();
}

export async function prefsRows(db: Exec, siteId: string, memberPks: string[]) {
  const out = new Map<string, NotificationPrefsRow>();
  for (const part of chunks([...new Set(memberPks)])) {
    const rows = await db
      .selectFrom('notification_prefs')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('member_pk', 'in', part)
      .execute();
    for (const r of rows) out.set(r.member_pk, r);
  }
  return out;
}

/** Stores the whole preferences (only the kinds that differ from the default are written). */
export async function savePrefs(db: Exec, siteId: string, memberPk: string, p: Prefs, at: string) {
  const diff = Object.fromEntries(Object.entries(p.kinds).filter(([, v]) => !v.page || !v.delivery));
  const muted = `,${Object.entries(p.kinds)
    .filter(([, v]) => !v.page)
    .map(([k]) => k)
    .join(',')}${Object.values(p.kinds).some((v) => !v.page) ? ',' : ''}`;
  const values = {
    kinds: JSON.stringify(diff),
    muted,
    frequency: p.frequency,
    language: p.language,
    email: p.email,
    updated_at: at,
  };
  await db
    .insertInto('notification_prefs')
    .values({ site_id: siteId, member_pk: memberPk, feed_token_hash: null, feed_created_at: null, ...values })
    .onConflict((oc) => oc.columns(['site_id', 'member_pk']).doUpdateSet(values))
    .execute();
}

// ---- follows ------------------------------------------------------------------------------

export async function followRow(db: Exec, siteId: string, threadPk: string, memberPk: string) {
  return db
    .selectFrom('thread_follows')
    .select(['following', 'created_at'])
    .where('site_id', '=', siteId)
    .where('thread_pk', '=', threadPk)
    .where('member_pk', '=', memberPk)
    .executeTakeFirst();
}

export async function setFollow(db: Exec, siteId: string, threadPk: string, memberPk: string, following: boolean, at: string) {
  await db
    .insertInto('thread_follows')
    .values({ site_id: siteId, thread_pk: threadPk, member_pk: memberPk, following: following ? 1 : 0, created_at: at })
    .onConflict((oc) => oc.columns(['site_id', 'thread_pk', 'member_pk']).doUpdateSet({ following: following ? 1 : 0, created_at: at }))
    .execute();
}

/** Posting follows a thread, unless the member stopped following it before. */
export async function autoFollow(db: Exec, siteId: string, threadPk: string, memberPk: string, at: string) {
  await db
    .insertInto('thread_follows')
    .values({ site_id: siteId, thread_pk: threadPk, member_pk: memberPk, following: 1, created_at: at })
    .onConflict((oc) => oc.columns(['site_id', 'thread_pk', 'member_pk']).doNothing())
    .execute();
}

// ---- creating ------------------------------------------------------------------------------

export type NewNotification = Pick<
  NotificationRow,
  'id' | 'member_pk' | 'kind' | 'actor_pk' | 'thread_pk' | 'comment_id' | 'event_id' | 'introduction_id' | 'data'
>;

/**
 * Stores notifications, skipping members who turned the kind off in the page and ids already there
 * (a repeated fan-out adds nothing). Returns those stored.
 */
export async function insertNotifications(db: Exec, siteId: string, list: NewNotification[], at: string): Promise<NewNotification[]> {
  if (!list.length) return [];
  const prefs = await prefsRows(
    db,
    siteId,
    list.map((n) => n.member_pk),
  );
  const wanted = list.filter((n) => !prefs.get(n.member_pk)?.muted.includes(`,${n.kind},`));
  const stored: NewNotification[] = [];
  for (const part of chunks(wanted, 200)) {
    const ids = await db
      .insertInto('notifications')
      .values(part.map((n) => ({ ...n, site_id: siteId, created_at: at, read_at: null, delivered_at: null })))
      .onConflict((oc) => oc.columns(['site_id', 'id']).doNothing())
      .returning('id')
      .execute();
    const got = new Set(ids.map((r) => r.id));
    stored.push(...part.filter((n) => got.has(n.id)));
  }
  return stored;
}

/** The SQL condition "member `m` may read something with this audience" (admins read everything). */
function audienceFilter(audience: string) {
  const admin = sql<boolean>`m.roles like ${'%"admin"%'}`;
  if (audience.startsWith('chapter:')) return sql<boolean>`(m.chapters like ${`%${JSON.stringify(audience.slice(8))}%`} or ${admin})`;
  if (audience.startsWith('role:')) {
    const role = audience.slice(5);
    return sql<boolean>`(m.roles like ${`%${JSON.stringify(role)}%`} or ${admin})`;
  }
  return sql<boolean>`1 = 1`;
}

/**
 * `thread.comment` for every follower of the thread who may read it, in one INSERT … SELECT: the
 * author and the members already told of this comment (`except`) left out, as are those who turned
 * the kind off. Returns the notifications stored (id, member).
 */
export async function fanOutToFollowers(
  db: Exec,
  siteId: string,
  c: { id: string; threadPk: string; audience: string; actorPk: string | null },
  except: string[],
  at: string,
): Promise<{ id: string; member_pk: string }[]> {
  const prefix = `tc:${c.id}:`;
  const select = db
    .selectFrom('thread_follows as f')
    .innerJoin('members as m', (j) => j.onRef('m.pk', '=', 'f.member_pk').onRef('m.site_id', '=', 'f.site_id'))
    .where('f.site_id', '=', siteId)
    .where('f.thread_pk', '=', c.threadPk)
    .where('f.following', '=', 1)
    .where(audienceFilter(c.audience))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('notification_prefs as p')
            .select(sql`1`.as('x'))
            .whereRef('p.site_id', '=', 'f.site_id')
            .whereRef('p.member_pk', '=', 'f.member_pk')
            .where('p.muted', 'like', '%,thread.comment,%'),
        ),
      ),
    )
    .select([
      sql<string>`${siteId}`.as('site_id'),
      sql<string>`${prefix} || f.member_pk`.as('id'),
      'f.member_pk as member_pk',
      sql<string>`${'thread.comment'}`.as('kind'),
      sql<string | null>`${c.actorPk}`.as('actor_pk'),
      sql<string>`${c.threadPk}`.as('thread_pk'),
      sql<string>`${c.id}`.as('comment_id'),
      sql<string>`${at}`.as('created_at'),
    ]);
  const excluded = [...new Set([...except, ...(c.actorPk ? [c.actorPk] : [])])];
  const filtered = excluded.length ? select.where('f.member_pk', 'not in', excluded) : select;
  return db
    .insertInto('notifications')
    .columns(['site_id', 'id', 'member_pk', 'kind', 'actor_pk', 'thread_pk', 'comment_id', 'created_at'])
    .expression(filtered)
    .onConflict((oc) => oc.columns(['site_id', 'id']).doNothing())
    .returning(['id', 'member_pk'])
    .execute();
}

// ---- reading -------------------------------------------------------------------------------

/** A notification with what it is about, joined once for presenting. */
export interface NotificationView extends NotificationRow {
  actor_host_id: string | null;
  actor_name: string | null;
  actor_picture: string | null;
  actor_chapters: string | null;
  thread_key: string | null;
  thread_title: string | null;
  thread_audience: string | null;
  comment_body: string | null;
  comment_status: string | null;
  event_title: string | null;
  event_starts_at: string | null;
  event_time_zone: string | null;
  event_url: string | null;
  event_audience: string | null;
}

function viewQuery(db: Exec, siteId: string) {
  return db
    .selectFrom('notifications as n')
    .leftJoin('members as a', (j) => j.onRef('a.pk', '=', 'n.actor_pk').onRef('a.site_id', '=', 'n.site_id'))
    .leftJoin('threads as t', (j) => j.onRef('t.pk', '=', 'n.thread_pk').onRef('t.site_id', '=', 'n.site_id'))
    .leftJoin('comments as c', (j) => j.onRef('c.id', '=', 'n.comment_id').onRef('c.site_id', '=', 'n.site_id'))
    .leftJoin('events as e', (j) => j.onRef('e.id', '=', 'n.event_id').onRef('e.site_id', '=', 'n.site_id'))
    .selectAll('n')
    .select([
      'a.host_id as actor_host_id',
      'a.name as actor_name',
      'a.picture as actor_picture',
      'a.chapters as actor_chapters',
      't.key as thread_key',
      't.title as thread_title',
      't.audience as thread_audience',
      'c.body as comment_body',
      'c.status as comment_status',
      'e.title as event_title',
      'e.starts_at as event_starts_at',
      'e.time_zone as event_time_zone',
      'e.url as event_url',
      'e.audience as event_audience',
    ])
    .where('n.site_id', '=', siteId);
}

/** The member's notifications, newest first, after the cursor `[created_at, id]`. */
export async function listViews(
  db: Exec,
  siteId: string,
  memberPk: string,
  o: { unread?: boolean; after?: [string, string]; limit: number },
): Promise<NotificationView[]> {
  let q = viewQuery(db, siteId).where('n.member_pk', '=', memberPk);
  if (o.unread) q = q.where('n.read_at', 'is', null);
  if (o.after) {
    const [t, id] = o.after;
    q = q.where((eb) => eb.or([eb('n.created_at', '<', t), eb.and([eb('n.created_at', '=', t), eb('n.id', '<', id)])]));
  }
  return (await q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(o.limit).execute()) as NotificationView[];
}

export async function viewsByIds(db: Exec, siteId: string, ids: string[]): Promise<NotificationView[]> {
  const out: NotificationView[] = [];
  for (const part of chunks(ids)) out.push(...((await viewQuery(db, siteId).where('n.id', 'in', part).execute()) as NotificationView[]));
  return out;
}

/** Unread notifications of a member, those about a comment counted only while it is readable. */
export async function unreadCount(db: Exec, siteId: string, memberPk: string): Promise<number> {
  const r = await db
    .selectFrom('notifications as n')
    .leftJoin('comments as c', (j) => j.onRef('c.id', '=', 'n.comment_id').onRef('c.site_id', '=', 'n.site_id'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('n.site_id', '=', siteId)
    .where('n.member_pk', '=', memberPk)
    .where('n.read_at', 'is', null)
    .where((eb) => eb.or([eb('n.kind', 'not in', [...COMMENT_KINDS]), eb('c.status', '=', 'published')]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markRead(
  db: Exec,
  siteId: string,
  memberPk: string,
  what: { ids: string[] } | { before: string | null },
  at: string,
) {
  let q = db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk)
    .where('read_at', 'is', null);
  if ('ids' in what) q = q.where('id', 'in', what.ids);
  else if (what.before) q = q.where('created_at', '<=', what.before);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Takes away the notifications about a comment that is no longer readable; returns who had them. */
export async function removeForComment(db: Exec, siteId: string, commentId: string) {
  return db
    .deleteFrom('notifications')
    .where('site_id', '=', siteId)
    .where('comment_id', '=', commentId)
    .where('kind', 'in', [...COMMENT_KINDS])
    .returning(['id', 'member_pk'])
    .execute();
}

// ---- privacy -------------------------------------------------------------------------------

/** Everything about notifications a member's erasure removes; returns the rows removed. */
export async function eraseMemberNotifications(tx: Exec, siteId: string, memberPk: string): Promise<number> {
  let n = 0;
  const count = (r: { numDeletedRows: bigint }) => (n += Number(r.numDeletedRows));
  count(
    await tx
      .deleteFrom('notifications')
      .where('site_id', '=', siteId)
      .where((eb) => eb.or([eb('member_pk', '=', memberPk), eb('actor_pk', '=', memberPk)]))
      .executeTakeFirst(),
  );
  count(await tx.deleteFrom('notification_prefs').where('site_id', '=', siteId).where('member_pk', '=', memberPk).executeTakeFirst());
  count(await tx.deleteFrom('thread_follows').where('site_id', '=', siteId).where('member_pk', '=', memberPk).executeTakeFirst());
  await tx.deleteFrom('mail_outbox').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
  await tx.deleteFrom('notification_jobs').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
  return n;
}

export async function followsOf(db: Exec, siteId: string, memberPk: string) {
  return db
    .selectFrom('thread_follows as f')
    .innerJoin('threads as t', 't.pk', 'f.thread_pk')
    .select(['t.key', 'f.created_at'])
    .where('f.site_id', '=', siteId)
    .where('f.member_pk', '=', memberPk)
    .where('f.following', '=', 1)
    .orderBy('f.created_at')
    .execute();
}

/** Drops read notifications older than each site's retention, and sent mail older than it. Returns how many. */
export async function prune(db: Exec, siteId: string, retentionDays: number, now: number): Promise<number> {
  const cutoff = new Date(now - retentionDays * 86_400_000).toISOString();
  const r = await db.deleteFrom('notifications').where('site_id', '=', siteId).where('read_at', '<', cutoff).executeTakeFirst();
  await db
    .deleteFrom('mail_outbox')
    .where('site_id', '=', siteId)
    .where('status', 'in', ['sent', 'failed'])
    .where('created_at', '<', cutoff)
    .execute();
  await db
    .deleteFrom('notification_jobs')
    .where('site_id', '=', siteId)
    .where('status', '=', 'done')
    .where('created_at', '<', cutoff)
    .execute();
  return Number(r.numDeletedRows);
}

/** The pending notifications of many members at once (up to `upTo`), by member then oldest first. */
export async function pendingViewsOf(db: Exec, siteId: string, memberPks: string[], upTo: string): Promise<NotificationView[]> {
  const out: NotificationView[] = [];
  for (const part of chunks([...new Set(memberPks)])) {
    const rows = (await viewQuery(db, siteId)
      .where('n.member_pk', 'in', part)
      .where('n.delivered_at', 'is', null)
      .where('n.created_at', '<=', upTo)
      .orderBy('n.member_pk')
      .orderBy('n.created_at')
      .orderBy('n.id')
      .execute()) as NotificationView[];
    out.push(...rows);
  }
  return out;
}

export async function markDelivered(db: Exec, siteId: string, ids: string[], at: string) {
  for (const part of chunks(ids)) {
    await db
      .updateTable('notifications')
      .set({ delivered_at: at })
      .where('site_id', '=', siteId)
      .where('id', 'in', part)
      .where('delivered_at', 'is', null)
      .execute();
  }
}
