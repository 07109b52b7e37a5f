import type { QueueItem } from '../../../contract/moderation.js';
import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { Comment, Thread } from '../../../contract/resources.js';
import { nowIso } from '../../domain/ids.js';
import { commentOut, decodeCursor, encodeCursor, memberSummary, threadOut } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { ModerationStore } from '../../store/moderation.js';
import type { HandlerContext } from '../../http/types.js';
import { actorOf, memberPkOf } from '../../http/viewer.js';
import { isAdmin, requireModerator, covers, outOfReach, sanctionOut } from './access.js';

/** Comments waiting for review and flagged comments (moderators). */
export async function moderationQueue(ctx: HandlerContext<typeof m.moderationQueue>) {
  const { store, site, viewer, query } = ctx;
  const scope = requireModerator(viewer);
  if (query.chapter && !covers(scope, `chapter:${query.chapter}`)) throw outOfReach(scope, `Chapter "${query.chapter}" is not yours.`);
  const ms = new ModerationStore(store);
  const limit = query.limit ?? 25;
  const filter = query.filter ?? 'all';
  const rows = await ms.queue(site.id, scope, { filter, chapter: query.chapter, after: decodeCursor(query.cursor), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const ids = page.map((r) => r.id);
  const authors = [...new Set(page.map((r) => r.author_pk).filter((x): x is string => !!x))];
  const threads = [...new Set(page.map((r) => r.thread_pk))];
  const at = nowIso(ctx.now());
  const [flags, published, sanctions, counts, threadCounts] = await Promise.all([
    ms.flagSummaries(site.id, ids),
    ms.publishedCounts(site.id, authors),
    ms.activeSanctions(site.id, authors, at),
    ms.counts(site.id, scope, query.chapter),
    threads.length
      ? store.db
          .selectFrom('threads')
          .select(['pk', 'published_count', 'pending_count'])
          .where('site_id', '=', site.id)
          .where('pk', 'in', threads)
          .execute()
      : [],
  ]);
  const threadCount = new Map(threadCounts.map((r) => [r.pk, r]));
  const items: QueueItem[] = page.map((r) => {
    const openFlags = Number(r.open_flags ?? 0);
    return {
      comment: {
        ...commentOut(r),
        depth: Number(r.depth ?? 0),
        flagCount: openFlags,
        ...(r.status === 'pending' ? { heldReason: r.held_reason as Comment['heldReason'] } : {}),
      },
      thread: threadOut(
        r.thread_key,
        {
          pk: r.thread_pk,
          site_id: site.id,
          key: r.thread_key,
          title: r.thread_title,
          audience: r.thread_audience,
          locked: r.thread_locked,
          created_at: r.thread_created_at,
          published_count: Number(threadCount.get(r.thread_pk)?.published_count ?? 0),
          pending_count: Number(threadCount.get(r.thread_pk)?.pending_count ?? 0),
        },
        Number(threadCount.get(r.thread_pk)?.published_count ?? 0),
      ) as Thread,
      reasons: [...(r.status === 'pending' ? ['pending' as const] : []), ...(openFlags ? ['flagged' as const] : [])],
      flags: (flags.counts.get(r.id) ?? []) as QueueItem['flags'],
      flagNotes: flags.notes.get(r.id) ?? [],
      author:
        r.author_pk && r.author_host_id
          ? {
              member: memberSummary({
                host_id: r.author_host_id,
                name: r.author_name ?? '',
                picture: r.author_picture,
                chapters: r.author_chapters ?? '[]',
              }),
              sanctions: sanctions
                .filter((s) => s.member_pk === r.author_pk)
                .map((s) => ({ id: s.id, kind: s.kind, chapter: s.chapter_id || null, endsAt: s.ends_at })),
              publishedCount: published.get(r.author_pk) ?? 0,
            }
          : null,
    };
  });
  const last = page[page.length - 1];
  return {
    body: {
      items,
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      counts,
      scope: { siteWide: scope.siteWide, chapters: scope.chapters },
      admin: isAdmin(viewer),
    },
  };
}

/** Approve, hide, restore or delete comments, one or many at once (moderators). */
export async function moderationActions(ctx: HandlerContext<typeof m.moderationActions>) {
  const { store, site, viewer, body } = ctx;
  const scope = requireModerator(viewer);
  const ms = new ModerationStore(store);
  const ids = [...new Set(body.comments)];
  const found = await ms.commentsWithThreads(site.id, ids);
  const byId = new Map(found.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    throw problem(404, 'comment.not_found', 'No such comment', `Unknown: ${missing.slice(0, 5).join(', ')}. Nothing was changed.`);
  }
  const foreign = found.filter((r) => !covers(scope, r.thread_audience));
  if (foreign.length) {
    throw outOfReach(
      scope,
      `${foreign.length} of these comments ${foreign.length > 1 ? 'are' : 'is'} in threads you do not moderate; nothing was changed.`,
    );
  }
  const results = await ctx.comments.moderate({
    site: site.id,
    ids,
    action: body.action,
    moderatorPk: viewer!.pk,
    note: body.note || null,
    at: nowIso(ctx.now()),
  });
  return { body: { results } };
}

/** Bans and mutes in force (moderators see those in their reach). */
export async function sanctions({ store, site, viewer, query, now }: HandlerContext<typeof m.sanctions>) {
  const scope = requireModerator(viewer);
  const ms = new ModerationStore(store);
  let memberPk: string | undefined;
  if (query.member) {
    memberPk = (await store.memberByHostId(site.id, query.member))?.pk;
    if (!memberPk) return { body: { items: [] } };
  }
  const rows = await ms.sanctionList(site.id, nowIso(now()), { scope, memberPk });
  return { body: { items: rows.map(sanctionOut) } };
}

/** Ban or mute a member for a period, with a reason (moderators). */
export async function addSanction(ctx: HandlerContext<typeof m.addSanction>) {
  const { store, site, viewer, body } = ctx;
  const scope = requireModerator(viewer);
  let chapter = body.chapter ?? null;
  if (!scope.siteWide) {
    if (!chapter && scope.chapters.length === 1) chapter = scope.chapters[0];
    if (!chapter) {
      throw problem(400, 'sanction.chapter_required', 'Say which chapter the sanction covers', 'You moderate several chapters.', [
        { path: 'body.chapter', message: `One of: ${scope.chapters.join(', ')}.` },
      ]);
    }
    if (!scope.chapters.includes(chapter)) throw outOfReach(scope, `Chapter "${chapter}" is not yours.`);
  }
  const member = await store.memberByHostId(site.id, body.member);
  if (!member) throw problem(404, 'member.unknown', 'No such member', body.member);
  if (member.pk === viewer!.pk) throw problem(400, 'sanction.self', 'You cannot sanction yourself');
  const roles: string[] = JSON.parse(member.roles);
  if ((roles.includes('admin') || roles.includes('moderator')) && !isAdmin(viewer)) {
    throw problem(403, 'sanction.protected', 'Only an administrator can sanction a moderator');
  }
  if (roles.includes('admin'))
    throw problem(403, 'sanction.protected', 'Administrators cannot be sanctioned here', 'Change their role on the site instead.');
  const ms = new ModerationStore(store);
  const at = nowIso(ctx.now());
  const endsAt = body.days === null ? null : nowIso(ctx.now() + body.days * 86_400_000);
  const id = await store.db.transaction().execute(async (tx) => {
    const sid = await ms.insertSanction(tx, {
      site_id: site.id,
      member_pk: member.pk,
      kind: body.kind,
      chapter_id: chapter ?? '',
      reason: body.reason,
      moderator_pk: memberPkOf(viewer),
      created_at: at,
      ends_at: endsAt,
    });
    await ms.audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        member_pk: member.pk,
        chapter_id: chapter,
        action: body.kind,
        note: body.reason,
        details: { days: body.days, endsAt, sanction: sid },
      },
      at,
    );
    return sid;
  });
  return { status: 201, body: sanctionOut((await ms.sanctionById(site.id, id))!) };
}

/** Lift a ban or a mute before its end (moderators). */
export async function liftSanction(ctx: HandlerContext<typeof m.liftSanction>) {
  const { store, site, viewer, params } = ctx;
  const scope = requireModerator(viewer);
  const ms = new ModerationStore(store);
  const s = await ms.sanctionById(site.id, params.id);
  if (!s) throw problem(404, 'sanction.not_found', 'No such sanction');
  if (!scope.siteWide && !(s.chapter_id && scope.chapters.includes(s.chapter_id))) {
    throw outOfReach(scope, s.chapter_id ? `This sanction covers chapter "${s.chapter_id}".` : 'This sanction covers the whole site.');
  }
  const at = nowIso(ctx.now());
  if (s.lifted_at || (s.ends_at !== null && s.ends_at <= at)) {
    throw problem(
      409,
      'sanction.over',
      'This sanction is already over',
      s.lifted_at ? `It was lifted at ${s.lifted_at}.` : `It ended at ${s.ends_at}.`,
    );
  }
  await store.db.transaction().execute(async (tx) => {
    await ms.liftSanction(tx, site.id, s.id, at, memberPkOf(viewer));
    await ms.audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        member_pk: s.member_pk,
        chapter_id: s.chapter_id || null,
        action: 'lift',
        details: { sanction: s.id, kind: s.kind, endsAt: s.ends_at, reason: s.reason },
      },
      at,
    );
  });
  return { body: sanctionOut((await ms.sanctionById(site.id, s.id))!) };
}
