import { sql, type Kysely, type Transaction } from 'kysely';
import { validateRuleSet, type RuleSet } from '../../contract/engagement.js';
import { DEFAULT_RULES } from '../engagement/defaults.js';
import { addTally, evaluate, mayChange, tally, tallyText, type Act, type Evaluation, type Tallies } from '../engagement/engine.js';
import { newId, nowIso } from '../domain/ids.js';
import { raise } from '../domain/events.js';
import type { Database, EngagementAwardRow, EngagementMemberRow } from './schema.js';
import type { DbHandle as Store } from './schema.js';
import { refreshAfter } from './insights.js';

type Exec = Kysely<Database> | Transaction<Database>;

/** Rule sets parsed once per (site, text). */
const ruleCache = new WeakMap<Kysely<Database>, Map<string, { text: string; rules: RuleSet }>>();

export async function rulesFor(db: Exec, root: Kysely<Database>, siteId: string): Promise<RuleSet> {
  const row = await db.selectFrom('engagement_rules').select(['rules']).where('site_id', '=', siteId).executeTakeFirst();
  return rulesFromText(root, siteId, row?.rules ?? null);
}

/** The rule set stored as `text` for a site (null: none stored, the defaults). */
function rulesFromText(root: Kysely<Database>, siteId: string, text: string | null): RuleSet {
  if (text === null) return DEFAULT_RULES;
  let cache = ruleCache.get(root);
  if (!cache) ruleCache.set(root, (cache = new Map()));
  const hit = cache.get(siteId);
  if (hit && hit.text === text) return hit.rules;
  const parsed = validateRuleSet(JSON.parse(text));
  // Stored rules were validated when saved; a rule set that no longer validates falls back to the defaults.
  const rules = parsed.ok ? parsed.rules : DEFAULT_RULES;
  cache.set(siteId, { text, rules });
  return rules;
}

/** The chapter an activity belongs to when the caller did not say: an event's chapter, or the chapter itself. */
export async function chapterOf(db: Exec, siteId: string, kind: string, ref: string): Promise<string | null> {
  if (kind === 'chapter.first_contribution') return ref;
  if (kind === 'event.attended' || kind === 'event.hosted') {
    const e = await db.selectFrom('events').select('chapter_id').where('site_id', '=', siteId).where('id', '=', ref).executeTakeFirst();
    return e?.chapter_id ?? null;
  }
  return null;
}

async function ledgerOf(db: Exec, siteId: string, memberPk: string): Promise<Act[]> {
  const rows = await db
    .selectFrom('activities')
    .select(['id', 'kind', 'ref', 'created_at', 'chapter_id'])
    .where('site_id', '=', siteId)
    .where('member_pk', '=', memberPk)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, ref: r.ref, at: r.created_at, chapter: r.chapter_id }));
}

interface Desired {
  member: Omit<EngagementMemberRow, 'hidden'>;
  awards: EngagementAwardRow[];
}

function desired(siteId: string, memberPk: string, ev: Evaluation, acts: Act[]): Desired {
  let maxId: string | null = null;
  for (const a of acts) if (maxId === null || a.id > maxId) maxId = a.id;
  return {
    member: {
      member_pk: memberPk,
      site_id: siteId,
      level_id: ev.level.id,
      level_rank: ev.level.rank,
      level_since: ev.level.since,
      last_active_at: ev.lastActiveAt,
      ledger_count: acts.length,
      ledger_max_id: maxId,
      tallies: tallyText(tally(acts)),
    },
    awards: [...ev.badges.values()].map((b) => ({
      member_pk: memberPk,
      site_id: siteId,
      badge_id: b.badge,
      scope: b.scope,
      awarded_at: b.at,
    })),
  };
}

export interface ApplyStats {
  awardsAdded: number;
  awardsRemoved: number;
  levelsChanged: number;
}

const awardKey = (a: Pick<EngagementAwardRow, 'member_pk' | 'badge_id' | 'scope'>) => `${a.member_pk}|${a.badge_id}|${a.scope}`;

/** Writes the difference between what is stored and what the ledger says, for a set of members. */
async function apply(tx: Exec, siteId: string, memberPks: string[], want: Desired[], stats: ApplyStats) {
  const [haveAwards, haveMembers] = await Promise.all([
    tx.selectFrom('engagement_awards').selectAll().where('site_id', '=', siteId).where('member_pk', 'in', memberPks).execute(),
    tx.selectFrom('engagement_members').selectAll().where('member_pk', 'in', memberPks).execute(),
  ]);
  const have = new Map(haveAwards.map((a) => [awardKey(a), a]));
  const wanted = new Map(want.flatMap((d) => d.awards).map((a) => [awardKey(a), a]));
  const toDelete = haveAwards.filter((a) => wanted.get(awardKey(a))?.awarded_at !== a.awarded_at);
  const toInsert = [...wanted.values()].filter((a) => have.get(awardKey(a))?.awarded_at !== a.awarded_at);
  for (const a of toDelete) {
    await tx
      .deleteFrom('engagement_awards')
      .where('member_pk', '=', a.member_pk)
      .where('badge_id', '=', a.badge_id)
      .where('scope', '=', a.scope)
      .execute();
  }
  for (let i = 0; i < toInsert.length; i += 400) {
    await tx
      .insertInto('engagement_awards')
      .values(toInsert.slice(i, i + 400))
      .onConflict((oc) => oc.columns(['member_pk', 'badge_id', 'scope']).doNothing())
      .execute();
  }
  const added = toInsert.filter((a) => !have.has(awardKey(a)));
  stats.awardsAdded += added.length;
  stats.awardsRemoved += toDelete.filter((a) => !wanted.has(awardKey(a))).length;

  const members = new Map(haveMembers.map((m) => [m.member_pk, m]));
  const inserts: EngagementMemberRow[] = [];
  for (const d of want) {
    const m = members.get(d.member.member_pk);
    if (!m) {
      // No row means "first level, nothing yet": members who never did anything take no space.
      if (d.member.ledger_count === 0) continue;
      inserts.push({ ...d.member, hidden: 0 });
      if (d.member.level_rank > 0) stats.levelsChanged++;
    } else if (
      m.level_id !== d.member.level_id ||
      Number(m.level_rank) !== d.member.level_rank ||
      m.level_since !== d.member.level_since ||
      m.last_active_at !== d.member.last_active_at ||
      Number(m.ledger_count) !== d.member.ledger_count ||
      m.ledger_max_id !== d.member.ledger_max_id ||
      m.tallies !== d.member.tallies
    ) {
      if (m.level_id !== d.member.level_id) stats.levelsChanged++;
      await tx
        .updateTable('engagement_members')
        .set({
          level_id: d.member.level_id,
          level_rank: d.member.level_rank,
          level_since: d.member.level_since,
          last_active_at: d.member.last_active_at,
          ledger_count: d.member.ledger_count,
          ledger_max_id: d.member.ledger_max_id,
          tallies: d.member.tallies,
        })
        .where('member_pk', '=', d.member.member_pk)
        .execute();
    }
  }
  for (let i = 0; i < inserts.length; i += 400) {
    await tx
      .insertInto('engagement_members')
      .values(inserts.slice(i, i + 400))
      .onConflict((oc) => oc.column('member_pk').doNothing())
      .execute();
  }
  return added;
}

/**
 * On PostgreSQL, holds the members' rows so two updates of one member's awards never interleave.
 * A transaction that will credit several members locks them all first, in this one order (by pk),
 * so that two such transactions cannot wait on each other. `no key update` leaves foreign-key checks
 * (a comment or reaction inserted for that member: `key share`) free to proceed.
 */
export async function lockMembers(tx: Exec, kind: Store['kind'], memberPks: string[]) {
  if (kind !== 'postgres' || !memberPks.length) return;
  await sql`select pk from members where pk in (${sql.join(memberPks)}) order by pk for no key update`.execute(tx);
}

/**
 * The incremental path: the ledger of these members changed (inside `tx`), so their awards are
 * brought in line with it. Awards depend only on a member's own ledger, so this is exact.
 */
export async function refreshMembers(store: Store, tx: Exec, siteId: string, memberPks: string[]): Promise<ApplyStats> {
  const stats: ApplyStats = { awardsAdded: 0, awardsRemoved: 0, levelsChanged: 0 };
  const pks = [...new Set(memberPks)].sort();
  if (!pks.length) return stats;
  await lockMembers(tx, store.kind, pks);
  const rules = await rulesFor(tx, store.db, siteId);
  const want: Desired[] = [];
  for (const pk of pks) {
    const acts = await ledgerOf(tx, siteId, pk);
    want.push(desired(siteId, pk, evaluate(rules, acts), acts));
  }
  const added = await apply(tx, siteId, pks, want, stats);
  // Told to each member once the request's transactions are over (features/engagement.ts `observe`).
  for (const a of added)
    raise('badge.awarded', { site: siteId, memberPk: a.member_pk, badge: a.badge_id, scope: a.scope, at: a.awarded_at });
  return stats;
}

export interface RecomputeStats extends ApplyStats {
  site: string;
  members: number;
  activities: number;
  ms: number;
}

/**
 * The full path: every member of the site, from the ledger alone, in chunks of `chunk` members
 * (memory stays bounded). Gives the same awards as the incremental path.
 */
export async function recomputeSite(store: Store, siteId: string, opts: { chunk?: number } = {}): Promise<RecomputeStats> {
  const started = performance.now();
  const chunk = opts.chunk ?? 1000;
  const stats: RecomputeStats = { site: siteId, members: 0, activities: 0, awardsAdded: 0, awardsRemoved: 0, levelsChanged: 0, ms: 0 };
  const rules = await rulesFor(store.db, store.db, siteId);
  let after = '';
  for (;;) {
    const pks = (
      await store.db
        .selectFrom('members')
        .select('pk')
        .where('site_id', '=', siteId)
        .where('pk', '>', after)
        .orderBy('pk')
        .limit(chunk)
        .execute()
    ).map((r) => r.pk);
    if (!pks.length) break;
    after = pks[pks.length - 1];
    await store.db.transaction().execute(async (tx) => {
      await lockMembers(tx, store.kind, pks);
      const rows = await tx
        .selectFrom('activities')
        .select(['id', 'member_pk', 'kind', 'ref', 'created_at', 'chapter_id'])
        .where('site_id', '=', siteId)
        .where('member_pk', 'in', pks)
        .execute();
      const byMember = new Map<string, Act[]>(pks.map((pk) => [pk, []]));
      for (const r of rows)
        byMember.get(r.member_pk)!.push({ id: r.id, kind: r.kind, ref: r.ref, at: r.created_at, chapter: r.chapter_id });
      const want: Desired[] = [];
      for (const [pk, acts] of byMember) {
        acts.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        want.push(desired(siteId, pk, evaluate(rules, acts), acts));
      }
      await apply(tx, siteId, pks, want, stats);
      stats.activities += rows.length;
    });
    stats.members += pks.length;
  }
  stats.ms = Math.round(performance.now() - started);
  return stats;
}

/** Validates and stores a site's rules, then recomputes every award of the site. */
export async function saveRules(store: Store, siteId: string, input: unknown) {
  const v = validateRuleSet(input);
  if (!v.ok) return v;
  await store.db
    .insertInto('engagement_rules')
    .values({ site_id: siteId, rules: JSON.stringify(v.rules), updated_at: nowIso() })
    .onConflict((oc) => oc.column('site_id').doUpdateSet({ rules: JSON.stringify(v.rules), updated_at: nowIso() }))
    .execute();
  const stats = await recomputeSite(store, siteId);
  return { ok: true as const, rules: v.rules, stats };
}

export interface LedgerOptions {
  tx?: Exec;
  at?: string;
  chapter?: string | null;
}

async function inTx<T>(store: Store, tx: Exec | undefined, fn: (tx: Exec) => Promise<T>): Promise<T> {
  return tx ? fn(tx) : store.db.transaction().execute(fn);
}

/** `store.recordActivity`: insert once, and on a real insert bring the member's counts, level and awards up to date. */
export async function recordInLedger(store: Store, siteId: string, memberPk: string, kind: string, ref: string, opts: LedgerOptions) {
  return inTx(store, opts.tx, async (tx) => {
    const chapter = opts.chapter !== undefined ? opts.chapter : await chapterOf(tx, siteId, kind, ref);
    const id = newId();
    const at = opts.at ?? nowIso();
    const r = await tx
      .insertInto('activities')
      .values({ id, site_id: siteId, member_pk: memberPk, kind, ref, created_at: at, chapter_id: chapter })
      .onConflict((oc) => oc.columns(['site_id', 'member_pk', 'kind', 'ref']).doNothing())
      .executeTakeFirst();
    const inserted = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    if (inserted) await refreshAfter(tx, siteId, [{ member_pk: memberPk, kind, created_at: at }]);
    if (inserted && !(await appendToCounts(store, tx, siteId, memberPk, { id, kind, ref, at, chapter }))) {
      await refreshMembers(store, tx, siteId, [memberPk]);
    }
    return inserted;
  });
}

/**
 * The usual case of a new activity: the newest of the member's ledger, counted in their running tallies, and
 * judged against them (`mayChange`). Returns false, having written nothing, when the ledger must be read: the
 * member has no computed row yet, the activity is dated before their last one, the stored counts do not add up
 * to the stored ledger size, or a level or badge may have been reached.
 */
async function appendToCounts(store: Store, tx: Exec, siteId: string, memberPk: string, act: Act): Promise<boolean> {
  await lockMembers(tx, store.kind, [memberPk]);
  // The member's row, their awards and the site's rules in one read: one line per award (or one with no award).
  const rows = await tx
    .selectFrom('engagement_members as e')
    .leftJoin('engagement_awards as a', 'a.member_pk', 'e.member_pk')
    .leftJoin('engagement_rules as r', 'r.site_id', 'e.site_id')
    .select([
      'e.level_id',
      'e.level_rank',
      'e.last_active_at',
      'e.ledger_count',
      'e.ledger_max_id',
      'e.tallies',
      'a.badge_id',
      'a.scope',
      'r.rules',
    ])
    .where('e.member_pk', '=', memberPk)
    .execute();
  const row = rows[0];
  if (!row?.tallies || !row.level_id || row.last_active_at === null || row.ledger_max_id === null) return false;
  const last = row.last_active_at;
  if (act.at < last || (act.at === last && act.id < row.ledger_max_id)) return false;
  const tallies = JSON.parse(row.tallies) as Tallies;
  const count = Number(row.ledger_count);
  if (Object.values(tallies[''] ?? {}).reduce((s, n) => s + n, 0) !== count) return false;
  addTally(tallies, act.kind, act.chapter, 1);
  const rules = rulesFromText(store.db, siteId, row.rules);
  const rank = Number(row.level_rank);
  if (rules.levels[rank]?.id !== row.level_id) return false;
  const held = { rank, badges: new Set(rows.filter((a) => a.badge_id !== null).map((a) => `${a.badge_id}|${a.scope}`)) };
  if (mayChange(rules, tallies, held, act.kind, act.chapter)) return false;
  await tx
    .updateTable('engagement_members')
    .set({
      last_active_at: act.at,
      ledger_count: count + 1,
      ledger_max_id: act.id > row.ledger_max_id ? act.id : row.ledger_max_id,
      tallies: tallyText(tallies),
    })
    .where('member_pk', '=', memberPk)
    .execute();
  return true;
}

/** `store.removeActivity`: delete by (kinds, ref or ref:…), and recompute the members concerned. */
export async function removeFromLedger(store: Store, siteId: string, kinds: string[], ref: string, opts: { tx?: Exec }) {
  if (!kinds.length) return 0;
  return inTx(store, opts.tx, async (tx) => {
    // `ref` itself, and the range of `ref:…` (':' + 1 is ';'): both ride the (site, kind, ref) index.
    const base = () =>
      tx
        .selectFrom('activities')
        .select(['id', 'member_pk', 'ref', 'kind', 'created_at'])
        .where('site_id', '=', siteId)
        .where('kind', 'in', kinds);
    const rows = [
      ...(await base().where('ref', '=', ref).execute()),
      ...(await base().where('ref', '>=', `${ref}:`).where('ref', '<', `${ref};`).execute()),
    ];
    const gone = rows.filter((r) => r.ref === ref || r.ref.startsWith(`${ref}:`));
    if (!gone.length) return 0;
    for (let i = 0; i < gone.length; i += 500) {
      await tx
        .deleteFrom('activities')
        .where(
          'id',
          'in',
          gone.slice(i, i + 500).map((r) => r.id),
        )
        .execute();
    }
    await refreshMembers(
      store,
      tx,
      siteId,
      gone.map((r) => r.member_pk),
    );
    await refreshAfter(tx, siteId, gone);
    return gone.length;
  });
}

/**
 * Before a read: if the member's ledger changed without going through the store (its count or
 * newest id differ from what the awards were computed from), recompute them now.
 */
export async function ensureFresh(store: Store, siteId: string, memberPk: string) {
  const [fp, row] = await Promise.all([
    store.db
      .selectFrom('activities')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('id').as('max')])
      .where('site_id', '=', siteId)
      .where('member_pk', '=', memberPk)
      .executeTakeFirstOrThrow(),
    store.db
      .selectFrom('engagement_members')
      .select(['ledger_count', 'ledger_max_id', 'level_id'])
      .where('member_pk', '=', memberPk)
      .executeTakeFirst(),
  ]);
  const count = Number(fp.n);
  const stale = row ? Number(row.ledger_count) !== count || (row.ledger_max_id ?? null) !== (fp.max ?? null) || !row.level_id : count > 0;
  if (stale) await store.db.transaction().execute((tx) => refreshMembers(store, tx, siteId, [memberPk]));
}

export async function memberState(db: Exec, memberPk: string) {
  const [member, awards] = await Promise.all([
    db.selectFrom('engagement_members').selectAll().where('member_pk', '=', memberPk).executeTakeFirst(),
    db.selectFrom('engagement_awards').selectAll().where('member_pk', '=', memberPk).orderBy('awarded_at').orderBy('badge_id').execute(),
  ]);
  return { member, awards };
}

export async function memberLedger(db: Exec, siteId: string, memberPk: string) {
  return ledgerOf(db, siteId, memberPk);
}

export async function setHidden(db: Exec, siteId: string, memberPk: string, hidden: boolean) {
  await db
    .insertInto('engagement_members')
    .values({
      member_pk: memberPk,
      site_id: siteId,
      level_id: '',
      level_rank: 0,
      level_since: null,
      hidden: hidden ? 1 : 0,
      last_active_at: null,
      ledger_count: -1,
      ledger_max_id: null,
      tallies: null,
    })
    .onConflict((oc) => oc.column('member_pk').doUpdateSet({ hidden: hidden ? 1 : 0 }))
    .execute();
}

/** Titles of the things activities point at (events, discussions), for "why I have this". */
export async function labelsFor(db: Exec, siteId: string, acts: Act[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const base = (ref: string) => ref.split(':')[0];
  const eventIds = [...new Set(acts.filter((a) => a.kind.startsWith('event.')).map((a) => base(a.ref)))];
  const commentIds = [
    ...new Set(acts.filter((a) => ['comment.posted', 'reply.received', 'useful.received'].includes(a.kind)).map((a) => base(a.ref))),
  ];
  const chapterIds = [...new Set(acts.filter((a) => a.kind === 'chapter.first_contribution').map((a) => a.ref))];
  if (eventIds.length) {
    for (const e of await db
      .selectFrom('events')
      .select(['id', 'title'])
      .where('site_id', '=', siteId)
      .where('id', 'in', eventIds)
      .execute()) {
      out.set(e.id, e.title);
    }
  }
  if (commentIds.length) {
    const rows = await db
      .selectFrom('comments as c')
      .innerJoin('threads as t', 't.pk', 'c.thread_pk')
      .select(['c.id', 't.title', 't.key'])
      .where('c.site_id', '=', siteId)
      .where('c.id', 'in', commentIds)
      .execute();
    for (const r of rows) out.set(r.id, r.title ?? r.key);
  }
  if (chapterIds.length) {
    for (const c of await db
      .selectFrom('chapters')
      .select(['id', 'name'])
      .where('site_id', '=', siteId)
      .where('id', 'in', chapterIds)
      .execute()) {
      out.set(c.id, c.name);
    }
  }
  return out;
}

export async function recentlyActive(db: Exec, siteId: string, chapter: string, since: string, size: number) {
  const rows = await db
    .selectFrom('engagement_members as e')
    .innerJoin('members as m', 'm.pk', 'e.member_pk')
    .select(['m.host_id', 'm.name', 'm.picture', 'm.chapters', 'e.level_id', 'e.level_rank', 'e.level_since', 'e.last_active_at'])
    .where('e.site_id', '=', siteId)
    .where('e.hidden', '=', 0)
    .where('e.last_active_at', '>=', since)
    .where('m.chapters', 'like', `%${JSON.stringify(chapter)}%`) // '_' may over-match: filtered below
    .orderBy('e.last_active_at', 'desc')
    .limit(size * 4)
    .execute();
  return rows.filter((r) => (JSON.parse(r.chapters) as string[]).includes(chapter)).slice(0, size);
}
