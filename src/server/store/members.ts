import { eraseMemberNotifications } from '../notifications/store.js';
import type { Kysely, Transaction } from 'kysely';
import type { ContactField } from '../../contract/members.js';
import { hostKey, newId, nowIso } from '../domain/ids.js';
import type { Database, IntroductionRow, MemberProfileRow, MemberRow } from './schema.js';
import { refreshAfter, refreshParticipation } from './insights.js';
import { indexMembers } from './search.js';

type Exec = Kysely<Database> | Transaction<Database>;

/** A member with their card fields (all null when they never wrote any). */
export interface MemberWithProfile extends MemberRow {
  profile: MemberProfileRow | null;
}

export type ProfileValues = Partial<Omit<MemberProfileRow, 'member_pk' | 'site_id' | 'updated_at'>>;

const CHUNK = 500;
const chunks = <T>(a: T[], n = CHUNK) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

/** Queries of member cards, the directory, introductions and my data. Every query filters by site. */
export class MemberStore {
  constructor(private readonly db: Kysely<Database>) {}

  private async withProfiles(siteId: string, members: MemberRow[]): Promise<MemberWithProfile[]> {
    if (!members.length) return [];
    const profiles = new Map<string, MemberProfileRow>();
    for (const part of chunks(members.map((m) => m.pk))) {
      const rows = await this.db
        .selectFrom('member_profiles')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('member_pk', 'in', part)
        .execute();
      for (const r of rows) profiles.set(r.member_pk, r);
    }
    return members.map((m) => ({ ...m, profile: profiles.get(m.pk) ?? null }));
  }

  /** These member rows with their profiles, in the same order. */
  withProfilesOf(siteId: string, members: MemberRow[]): Promise<MemberWithProfile[]> {
    return this.withProfiles(siteId, members);
  }

  /** Members by host id, in no particular order; unknown ids are left out. */
  async byHostIds(siteId: string, hostIds: string[]): Promise<MemberWithProfile[]> {
    if (!hostIds.length) return [];
    const members: MemberRow[] = [];
    for (const part of chunks([...new Set(hostIds)])) {
      members.push(
        ...(await this.db.selectFrom('members').selectAll().where('site_id', '=', siteId).where('host_id', 'in', part).execute()),
      );
    }
    return this.withProfiles(siteId, members);
  }

  async byPk(siteId: string, pk: string): Promise<MemberWithProfile | undefined> {
    const m = await this.db.selectFrom('members').selectAll().where('site_id', '=', siteId).where('pk', '=', pk).executeTakeFirst();
    return m ? (await this.withProfiles(siteId, [m]))[0] : undefined;
  }

  /** One slice of the site's members in (name, pk) order, after the given position, with their profiles (one query). */
  async directorySlice(siteId: string, after: [string, string] | undefined, limit: number): Promise<MemberWithProfile[]> {
    let q = this.db
      .selectFrom('members as m')
      .leftJoin('member_profiles as p', (j) => j.onRef('p.member_pk', '=', 'm.pk').on('p.site_id', '=', siteId))
      .selectAll('m')
      .select([
        'p.member_pk as p_member_pk',
        'p.headline as p_headline',
        'p.company as p_company',
        'p.association_role as p_association_role',
        'p.expertise as p_expertise',
        'p.bio as p_bio',
        'p.website as p_website',
        'p.linkedin as p_linkedin',
        'p.phone as p_phone',
        'p.email as p_email',
        'p.visibility as p_visibility',
        'p.updated_at as p_updated_at',
      ])
      .where('m.site_id', '=', siteId);
    if (after) {
      const [name, pk] = after;
      q = q.where((eb) => eb.or([eb('m.name', '>', name), eb.and([eb('m.name', '=', name), eb('m.pk', '>', pk)])]));
    }
    const rows = await q.orderBy('m.name').orderBy('m.pk').limit(limit).execute();
    return rows.map(
      ({
        p_member_pk,
        p_headline,
        p_company,
        p_association_role,
        p_expertise,
        p_bio,
        p_website,
        p_linkedin,
        p_phone,
        p_email,
        p_visibility,
        p_updated_at,
        ...m
      }) => ({
        ...m,
        profile: p_member_pk
          ? {
              member_pk: p_member_pk,
              site_id: siteId,
              headline: p_headline,
              company: p_company,
              association_role: p_association_role,
              expertise: p_expertise ?? '[]',
              bio: p_bio,
              website: p_website,
              linkedin: p_linkedin,
              phone: p_phone,
              email: p_email,
              visibility: p_visibility ?? '{}',
              updated_at: p_updated_at ?? m.updated_at,
            }
          : null,
      }),
    );
  }

  async chapterNames(siteId: string): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('chapters').select(['id', 'name']).where('site_id', '=', siteId).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Writes the given card fields, creating the profile on first write. */
  async saveProfile(siteId: string, memberPk: string, values: ProfileValues): Promise<void> {
    const now = nowIso();
    await this.db
      .insertInto('member_profiles')
      .values({
        member_pk: memberPk,
        site_id: siteId,
        headline: null,
        company: null,
        association_role: null,
        expertise: '[]',
        bio: null,
        website: null,
        linkedin: null,
        phone: null,
        email: null,
        visibility: '{}',
        ...values,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('member_pk').doUpdateSet({ ...values, updated_at: now }))
      .execute();
    await indexMembers(this.db, siteId, [memberPk]);
  }

  // ---- introductions ---------------------------------------------------------

  /** Every introduction between the reader and any of these members, either way. */
  async introductionsWith(siteId: string, readerPk: string, memberPks: string[]): Promise<IntroductionRow[]> {
    if (!memberPks.length) return [];
    const out: IntroductionRow[] = [];
    for (const part of chunks(memberPks)) {
      out.push(
        ...(await this.db
          .selectFrom('introductions')
          .selectAll()
          .where('site_id', '=', siteId)
          .where((eb) =>
            eb.or([
              eb.and([eb('from_pk', '=', readerPk), eb('to_pk', 'in', part)]),
              eb.and([eb('to_pk', '=', readerPk), eb('from_pk', 'in', part)]),
            ]),
          )
          .execute()),
      );
    }
    return out;
  }

  introduction(siteId: string, id: string): Promise<IntroductionRow | undefined> {
    return this.db.selectFrom('introductions').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
  }

  async countPendingFrom(siteId: string, fromPk: string): Promise<number> {
    const r = await this.db
      .selectFrom('introductions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('site_id', '=', siteId)
      .where('from_pk', '=', fromPk)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Stores a request; `undefined` when one from this member to that one already exists. */
  async insertIntroduction(
    siteId: string,
    fromPk: string,
    toPk: string,
    message: string,
    share: ContactField[],
  ): Promise<IntroductionRow | undefined> {
    const row: IntroductionRow = {
      id: newId(),
      site_id: siteId,
      from_pk: fromPk,
      to_pk: toPk,
      message,
      status: 'pending',
      from_share: JSON.stringify(share),
      to_share: '[]',
      created_at: nowIso(),
      answered_at: null,
    };
    const r = await this.db
      .insertInto('introductions')
      .values(row)
      .onConflict((oc) => oc.columns(['site_id', 'from_pk', 'to_pk']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1 ? row : undefined;
  }

  /**
   * Answers a pending request addressed to `toPk`, recording the ledger entries of an acceptance
   * in the same transaction. False when it was no longer pending (answered meanwhile).
   */
  async answerIntroduction(
    siteId: string,
    id: string,
    toPk: string,
    answer: { accept: true; share: ContactField[] } | { accept: false },
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const now = nowIso();
      const r = await tx
        .updateTable('introductions')
        .set(
          answer.accept
            ? { status: 'accepted', to_share: JSON.stringify(answer.share), answered_at: now }
            : { status: 'declined', answered_at: now },
        )
        .where('site_id', '=', siteId)
        .where('id', '=', id)
        .where('to_pk', '=', toPk)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (answer.accept) {
        const intro = await tx.selectFrom('introductions').select(['from_pk', 'to_pk']).where('id', '=', id).executeTakeFirstOrThrow();
        // Both members took part in an introduction that was made; the acceptance is the requester's
        // credit (what "Passeur" and the top level count), never the one who said yes.
        await recordActivity(tx, siteId, intro.from_pk, 'introduction.made', id, now);
        await recordActivity(tx, siteId, intro.to_pk, 'introduction.made', id, now);
        await recordActivity(tx, siteId, intro.from_pk, 'introduction.accepted', id, now);
      }
      return true;
    });
  }

  /** The member's introductions, either way, newest first, with both members' rows. */
  async introductionsOf(
    siteId: string,
    memberPk: string,
    opts: { status?: IntroductionRow['status']; after?: [string, string]; limit: number },
  ) {
    let q = this.db
      .selectFrom('introductions')
      .selectAll()
      .where('site_id', '=', siteId)
      .where((eb) => eb.or([eb('from_pk', '=', memberPk), eb('to_pk', '=', memberPk)]));
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.after) {
      const [t, id] = opts.after;
      q = q.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('id', '<', id)])]));
    }
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  }

  async membersByPk(siteId: string, pks: string[]): Promise<Map<string, MemberWithProfile>> {
    const out = new Map<string, MemberWithProfile>();
    const members: MemberRow[] = [];
    for (const part of chunks([...new Set(pks)])) {
      members.push(...(await this.db.selectFrom('members').selectAll().where('site_id', '=', siteId).where('pk', 'in', part).execute()));
    }
    for (const m of await this.withProfiles(siteId, members)) out.set(m.pk, m);
    return out;
  }

  // ---- my data ----------------------------------------------------------------

  async exportRows(siteId: string, memberPk: string) {
    const [comments, rsvps, introductions, activities] = await Promise.all([
      this.db
        .selectFrom('comments as c')
        .innerJoin('threads as t', 't.pk', 'c.thread_pk')
        .select(['c.id', 't.key as thread', 'c.parent_id', 'c.body', 'c.status', 'c.created_at', 'c.edited_at', 'c.deleted_at'])
        .where('c.site_id', '=', siteId)
        .where('c.author_pk', '=', memberPk)
        .orderBy('c.created_at')
        .orderBy('c.id')
        .execute(),
      this.db
        .selectFrom('rsvps as r')
        .innerJoin('events as e', 'e.id', 'r.event_id')
        .select(['r.event_id', 'e.title', 'r.status', 'r.guests', 'r.updated_at'])
        .where('r.site_id', '=', siteId)
        .where('r.member_pk', '=', memberPk)
        .orderBy('e.starts_at')
        .execute(),
      this.db
        .selectFrom('introductions as i')
        .innerJoin('members as f', 'f.pk', 'i.from_pk')
        .innerJoin('members as t', 't.pk', 'i.to_pk')
        .selectAll('i')
        .select(['f.host_id as from_host', 't.host_id as to_host'])
        .where('i.site_id', '=', siteId)
        .where((eb) => eb.or([eb('i.from_pk', '=', memberPk), eb('i.to_pk', '=', memberPk)]))
        .orderBy('i.created_at')
        .execute(),
      this.db
        .selectFrom('activities')
        .select(['kind', 'ref', 'created_at'])
        .where('site_id', '=', siteId)
        .where('member_pk', '=', memberPk)
        .orderBy('created_at')
        .execute(),
    ]);
    return { comments, rsvps, introductions, activities };
  }

  /**
   * Erases a member in one transaction: their card, RSVPs, introductions (either way), ledger
   * entries and the member row itself. Comments are anonymized (text removed, author removed,
   * status `deleted`) or deleted. A deleted comment that others replied to stays as an anonymous
   * tombstone instead, so that their replies keep their place in the discussion.
   */
  async erase(siteId: string, memberPk: string, comments: 'anonymize' | 'delete') {
    return this.db.transaction().execute(async (tx) => {
      const now = nowIso();
      const mine = await tx
        .selectFrom('comments')
        .select(['id', 'parent_id'])
        .where('site_id', '=', siteId)
        .where('author_pk', '=', memberPk)
        .execute();
      let toDelete: string[] = [];
      let toTombstone = mine.map((c) => c.id);
      if (comments === 'delete' && mine.length) {
        const mineIds = new Set(mine.map((c) => c.id));
        const children: { id: string; parent_id: string | null }[] = [];
        for (const part of chunks([...mineIds])) {
          children.push(
            ...(await tx
              .selectFrom('comments')
              .select(['id', 'parent_id'])
              .where('site_id', '=', siteId)
              .where('parent_id', 'in', part)
              .execute()),
          );
        }
        // Keep (as tombstones) my comments with a surviving reply: someone else's, or a kept one of mine.
        const keep = new Set<string>();
        for (let changed = true; changed;) {
          changed = false;
          for (const ch of children) {
            const survives = !mineIds.has(ch.id) || keep.has(ch.id);
            if (survives && ch.parent_id && !keep.has(ch.parent_id)) {
              keep.add(ch.parent_id);
              changed = true;
            }
          }
        }
        toTombstone = [...keep];
        toDelete = [...mineIds].filter((id) => !keep.has(id));
      }
      for (const part of chunks(toTombstone)) {
        await tx
          .updateTable('comments')
          .set({ body: '', status: 'deleted', author_pk: null, idempotency_key: null, idempotency_hash: null, deleted_at: now })
          .where('site_id', '=', siteId)
          .where('id', 'in', part)
          .execute();
      }
      for (const part of chunks(toDelete)) {
        await tx.deleteFrom('comments').where('site_id', '=', siteId).where('id', 'in', part).execute();
      }
      const rsvps = await tx.deleteFrom('rsvps').where('site_id', '=', siteId).where('member_pk', '=', memberPk).executeTakeFirst();
      const intros = await tx
        .deleteFrom('introductions')
        .where('site_id', '=', siteId)
        .where((eb) => eb.or([eb('from_pk', '=', memberPk), eb('to_pk', '=', memberPk)]))
        .executeTakeFirst();
      await tx.deleteFrom('activities').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
      await refreshParticipation(tx, siteId, memberPk, 'all');
      await tx.deleteFrom('member_profiles').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
      await tx.deleteFrom('member_search').where('site_id', '=', siteId).where('member_pk', '=', memberPk).execute();
      const notifications = await eraseMemberNotifications(tx, siteId, memberPk);
      const gone = await tx
        .deleteFrom('members')
        .where('site_id', '=', siteId)
        .where('pk', '=', memberPk)
        .returning('host_id')
        .executeTakeFirst();
      if (gone) {
        await tx
          .insertInto('member_erasures')
          .values({ site_id: siteId, host_key: hostKey(siteId, gone.host_id), erased_at: now })
          .onConflict((oc) => oc.columns(['site_id', 'host_key']).doUpdateSet({ erased_at: now }))
          .execute();
      }
      return {
        comments: { anonymized: toTombstone.length, deleted: toDelete.length },
        rsvps: Number(rsvps.numDeletedRows),
        introductions: Number(intros.numDeletedRows),
        notifications,
      };
    });
  }
}

async function recordActivity(tx: Exec, siteId: string, memberPk: string, kind: string, ref: string, at: string) {
  const r = await tx
    .insertInto('activities')
    .values({ id: newId(), site_id: siteId, member_pk: memberPk, kind, ref, created_at: at })
    .onConflict((oc) => oc.columns(['site_id', 'member_pk', 'kind', 'ref']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) await refreshAfter(tx, siteId, [{ member_pk: memberPk, kind, created_at: at }]);
}
