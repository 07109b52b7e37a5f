import { notificationExport } from '../../notifications/export.js';
import { type MemberExport } from '../../../contract/members.js';
import { routes } from '../../../contract/routes.js';
import type { HandlerContext } from '../../http/types.js';
import { decodeCursor, encodeCursor } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { type MemberWithProfile } from '../../store/members.js';
import { listedTo, readerOf, visibilitySettings } from '../../domain/visibility.js';
import { readerScopes, searchTerms } from '../../domain/search.js';
import { SearchStore } from '../../store/search.js';
import { MAX_PENDING_INTRODUCTIONS } from '../../../contract/members.js';
import {
  membersOf,
  fullProfile,
  parseShare,
  cardFor,
  matches,
  encodeNameCursor,
  decodeNameCursor,
  mustRead,
  resolve,
  cardContext,
  patchValues,
  introductionOut,
  oneIntroduction,
  answer,
} from './present.js';

/** A member's card as this reader may see it (`me`: the signed-in member). */
export async function member({ store, site, params, viewer }: HandlerContext<typeof routes.member>) {
  mustRead(site, viewer);
  const ms = membersOf(store);
  const m = await resolve(ms, site, viewer, params.member);
  return { body: cardFor(m, await cardContext(ms, site, viewer, [m])) };
}

/** Search the member directory, or read several cards by id. */
export async function listMembers({ store, site, query, viewer }: HandlerContext<typeof routes.listMembers>) {
  mustRead(site, viewer);
  const ms = membersOf(store);
  const limit = query.limit ?? 20;
  if (query.ids) {
    if (query.q || query.chapter || query.expertise || query.cursor) {
      throw problem(
        400,
        'members.ids_alone',
        '`ids` cannot be combined with a search',
        'Send either `ids` or `q`/`chapter`/`expertise`/`cursor`.',
      );
    }
    const ids = query.ids.split(',');
    const found = new Map((await ms.byHostIds(site.id, ids)).map((m) => [m.host_id, m]));
    // Unknown and unlisted members alike are left out: a list of ids finds no one the directory would not.
    const members = [...new Set(ids)].map((id) => found.get(id)).filter((m): m is MemberWithProfile => !!m && listedTo(m, viewer));
    const ctx = await cardContext(ms, site, viewer, members);
    return { body: { items: members.map((m) => cardFor(m, ctx)), next: null } };
  }
  const reader = readerOf(viewer);
  const filters = {
    terms: searchTerms(query.q ?? ''),
    chapter: query.chapter,
    expertise: query.expertise || undefined,
  };
  // With words to find, the full-text index picks the candidates (searching only what this reader may
  // see: domain/search.ts); `matches` checks each again and applies the exact expertise filter. Without,
  // the directory is read in name order. Either way in slices that grow, so a rare match costs few queries.
  const terms = searchTerms([query.q ?? '', query.expertise ?? ''].join(' '));
  const search = new SearchStore(store);
  const slice = (after: [string, string] | undefined, size: number) =>
    terms.length
      ? search
          .members(site.id, { scopes: readerScopes(reader), terms, chapter: query.chapter, after, limit: size })
          .then((rows) => ms.withProfilesOf(site.id, rows))
      : ms.directorySlice(site.id, after, size);
  const found: MemberWithProfile[] = [];
  let after = decodeNameCursor(query.cursor);
  let more = false;
  for (let size = Math.max(50, limit * 3); ; size = Math.min(size * 4, 2000)) {
    const rows = await slice(after, size);
    for (const m of rows) {
      if (found.length === limit) {
        if (matches(m, reader, filters)) {
          more = true;
          break;
        }
        continue;
      }
      if (matches(m, reader, filters)) found.push(m);
    }
    if (more || rows.length < size) break;
    const last = rows[rows.length - 1];
    after = [last.name, last.pk];
  }
  const ctx = await cardContext(ms, site, viewer, found);
  const last = found[found.length - 1];
  return { body: { items: found.map((m) => cardFor(m, ctx)), next: more && last ? encodeNameCursor(last.name, last.pk) : null } };
}

/** Edit my card: fields and their visibility. */
export async function updateMember({ store, site, params, body, viewer }: HandlerContext<typeof routes.updateMember>) {
  const v = viewer!;
  if (params.member !== 'me' && params.member !== v.hostId) {
    throw problem(403, 'member.not_yours', 'You can only edit your own card');
  }
  const ms = membersOf(store);
  const before = await ms.byPk(site.id, v.pk);
  const values = patchValues(body, visibilitySettings(before?.profile?.visibility));
  if (Object.keys(values).length) await ms.saveProfile(site.id, v.pk, values);
  const m = (await ms.byPk(site.id, v.pk))!;
  return { body: cardFor(m, await cardContext(ms, site, v, [m])) };
}

/** Everything Cercle holds about me, as JSON. */
export async function exportMember({ store, site, viewer, now }: HandlerContext<typeof routes.exportMember>) {
  const v = viewer!;
  const ms = membersOf(store);
  const m = (await ms.byPk(site.id, v.pk))!;
  const rows = await ms.exportRows(site.id, v.pk);
  const data: MemberExport = {
    exportedAt: new Date(now()).toISOString(),
    site: site.id,
    member: {
      id: m.host_id,
      name: m.name,
      picture: m.picture,
      roles: JSON.parse(m.roles),
      chapters: JSON.parse(m.chapters),
      since: m.created_at,
    },
    profile: { ...fullProfile(m.profile), visibility: visibilitySettings(m.profile?.visibility) },
    comments: rows.comments.map((c) => ({
      id: c.id,
      thread: c.thread,
      parentId: c.parent_id,
      body: c.body,
      status: c.status,
      createdAt: c.created_at,
      editedAt: c.edited_at,
      deletedAt: c.deleted_at,
    })),
    rsvps: rows.rsvps.map((r) => ({ eventId: r.event_id, event: r.title, status: r.status, guests: r.guests, updatedAt: r.updated_at })),
    introductions: rows.introductions.map((i) => {
      const sent = i.from_pk === v.pk;
      return {
        id: i.id,
        direction: sent ? ('sent' as const) : ('received' as const),
        with: sent ? i.to_host : i.from_host,
        message: i.message,
        status: i.status,
        sharedByMe: parseShare(sent ? i.from_share : i.to_share),
        createdAt: i.created_at,
        answeredAt: i.answered_at,
      };
    }),
    activities: rows.activities.map((a) => ({ kind: a.kind, ref: a.ref, at: a.created_at })),
    notifications: await notificationExport(store, site, v),
  };
  const day = data.exportedAt.slice(0, 10);
  return {
    body: data,
    headers: {
      'content-disposition': `attachment; filename="cercle-${site.id}-${day}.json"`,
      'cache-control': 'no-store',
    },
  };
}

/** Erase my data: card, RSVPs, introductions, ledger; comments anonymized or deleted. */
export async function eraseMember({ store, site, body, viewer }: HandlerContext<typeof routes.eraseMember>) {
  const result = await membersOf(store).erase(site.id, viewer!.pk, body.comments);
  return { body: { erased: true, ...result } };
}

/** Introductions I asked for or was asked for, newest first. */
export async function listIntroductions({ store, site, query, viewer }: HandlerContext<typeof routes.listIntroductions>) {
  const reader = readerOf(viewer)!;
  const ms = membersOf(store);
  const limit = query.limit ?? 20;
  const rows = await ms.introductionsOf(site.id, reader.pk, { status: query.status, after: decodeCursor(query.cursor), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const members = await ms.membersByPk(
    site.id,
    page.flatMap((i) => [i.from_pk, i.to_pk]),
  );
  const last = page[page.length - 1];
  return {
    body: {
      items: page.map((i) => introductionOut(i, reader, members)),
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    },
  };
}

/** Ask to be introduced to a member, with a message. */
export async function requestIntroduction({ store, site, body, viewer, emit }: HandlerContext<typeof routes.requestIntroduction>) {
  const v = viewer!;
  const ms = membersOf(store);
  if (body.to === v.hostId) throw problem(400, 'introduction.self', 'You cannot ask to be introduced to yourself');
  const [to] = await ms.byHostIds(site.id, [body.to]);
  if (!to) throw problem(404, 'member.unknown', 'No such member', body.to);
  if ((await ms.countPendingFrom(site.id, v.pk)) >= MAX_PENDING_INTRODUCTIONS) {
    throw problem(
      429,
      'introduction.too_many',
      'Too many requests are waiting for an answer',
      `At most ${MAX_PENDING_INTRODUCTIONS} at once; wait for some answers.`,
    );
  }
  const row = await ms.insertIntroduction(site.id, v.pk, to.pk, body.message, body.share ?? []);
  if (!row) throw problem(409, 'introduction.exists', 'You have already asked to be introduced to this member');
  const i = await oneIntroduction(ms, site, readerOf(v)!, row);
  await emit('introduction.requested', {
    site: site.id,
    introduction: { id: i.id, createdAt: i.createdAt },
    from: { id: i.from.id, name: i.from.name },
    to: { id: i.to.id, name: i.to.name },
  });
  return { status: 201, body: i };
}

/** Accept a request addressed to me, choosing the details to share. */
export async function acceptIntroduction(ctx: HandlerContext<typeof routes.acceptIntroduction>) {
  return answer(ctx as HandlerContext, ctx.params.id, { share: ctx.body.share });
}

/** Decline a request addressed to me. */
export async function declineIntroduction(ctx: HandlerContext<typeof routes.declineIntroduction>) {
  return answer(ctx as HandlerContext, ctx.params.id, null);
}
