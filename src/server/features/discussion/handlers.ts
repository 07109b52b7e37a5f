import type { Comment } from '../../../contract/resources.js';
import { IdempotencyKey } from '../../../contract/requests.js';
import { discussionRoutes as d, ThreadKeys } from '../../../contract/discussion.js';
import { canSee } from '../../domain/audience.js';
import { routes } from '../../../contract/routes.js';
import type { HandlerContext } from '../../http/types.js';
import { nowIso } from '../../domain/ids.js';
import { memberSummary, threadOut } from '../../domain/mapping.js';
import { readerScopes, searchTerms } from '../../domain/search.js';
import { SearchStore } from '../../store/search.js';
import { problem } from '../../http/problem.js';
import { readerOf } from '../../domain/visibility.js';
import { type Reader } from '../../store/discussion.js';
import type { CommentWithAuthor } from '../../store/store.js';
import { parse } from '../../http/validate.js';
import { looksLikeSpam } from '../../comments/spam.js';
import { refuseUnwanted } from '../../comments/words.js';
import { assertMayWrite } from '../../domain/sanctions.js';
import { load, moderates, readableThread, target } from './access.js';
import { checkBody, isUniqueViolation } from './check.js';
import { assertSameRequest, commentRequestHash } from './idempotency.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { present, presentOne } from './present.js';
import { DiscussionStore } from '../../store/discussion.js';

/** Comments of a thread, oldest first by default. */
export async function listComments({ store, site, query, viewer }: HandlerContext<typeof routes.listComments>) {
  const ds = new DiscussionStore(store);
  const thread = await store.thread(site.id, query.thread);
  readableThread(site, thread, viewer);
  const limitN = query.limit ?? 50;
  const sort = query.sort ?? 'oldest';
  const after = decodeCursor(query.cursor, sort);
  const moderator = moderates(viewer, thread?.audience ?? 'public');
  if (!thread) {
    return {
      body: {
        thread: threadOut(query.thread, undefined, 0),
        items: [],
        next: null,
        moderator,
        lastVisitAt: null,
        ...(moderator ? { pendingCount: 0 } : {}),
      },
    };
  }
  const reader: Reader = { pk: viewer?.pk, moderator };
  const roots = await ds.roots(site.id, thread.pk, { sort, after, limit: limitN + 1, reader });
  const page = roots.slice(0, limitN);
  const replies = await ds.replies(
    site.id,
    thread.pk,
    page.map((r) => r.id),
    reader,
  );
  const byRoot = new Map<string, CommentWithAuthor[]>();
  for (const r of replies) byRoot.set(r.root_id!, [...(byRoot.get(r.root_id!) ?? []), r]);
  const rows = page.flatMap((r) => [r, ...(byRoot.get(r.id) ?? [])]);
  const ids = rows.filter((r) => r.status !== 'deleted').map((r) => r.id);
  const [reactions, mentions, flagged, flagCounts, lastVisitAt] = await Promise.all([
    ds.reactionCounts(site.id, ids, viewer?.pk),
    ds.mentions(site.id, ids),
    viewer ? ds.flaggedBy(site.id, ids, viewer.pk) : undefined,
    moderator ? ds.openFlagCounts(site.id, ids) : undefined,
    viewer ? ds.readMarker(site.id, thread.pk, viewer.pk) : null,
  ]);
  const last = page[page.length - 1];
  return {
    body: {
      thread: threadOut(query.thread, thread, Number(thread.published_count)),
      items: rows.map((r) => present(r, reader, { reactions, mentions, flagged, flagCounts })),
      next: roots.length > limitN && last ? encodeCursor(sort, last) : null,
      moderator,
      lastVisitAt,
      ...(moderator ? { pendingCount: Number(thread.pending_count) } : {}),
    },
  };
}

/**
 * Published comments of several threads, for a listing page: one request for all its articles.
 * A thread the reader may not read is left out rather than failing the others.
 */
export async function commentCounts({ c, store, site, viewer }: HandlerContext<typeof d.commentCounts>) {
  // The generic query check sees one value a key; the repeated `threads` are read here.
  const keys = [...new Set(parse(ThreadKeys, c.req.queries('threads') ?? [], 'query'))];
  const found = await new DiscussionStore(store).publishedCounts(site.id, keys);
  const counts = keys.flatMap((key) => {
    const thread = found.get(key);
    const audience = thread?.audience ?? 'public';
    if (!canSee(audience, viewer, site.settings.publicRead) && !moderates(viewer, audience)) return [];
    return [{ thread: key, count: thread?.count ?? 0 }];
  });
  return { body: { counts } };
}

/** Post a comment (creates the thread on first post). */
export async function postComment(ctx: HandlerContext<typeof routes.postComment>) {
  const { c, store, site, body } = ctx;
  refuseUnwanted(site, body);
  const ds = new DiscussionStore(store);
  const raw = c.req.header('idempotency-key');
  const idempotencyKey = raw === undefined ? undefined : parse(IdempotencyKey, raw, 'header');
  const v = ctx.viewer!;
  const existing = await store.thread(site.id, body.thread);
  const audience = existing?.audience ?? 'public';
  await assertMayWrite(store, site.id, v, ctx.now(), { audience });
  readableThread(site, existing, v);
  const moderator = moderates(v, audience);
  const reader: Reader = { pk: v.pk, moderator };
  const idempotencyHash = idempotencyKey ? commentRequestHash(body) : null;
  const replay = async () => {
    if (!idempotencyKey) return undefined;
    const prior = await store.db
      .selectFrom('comments')
      .select(['id', 'idempotency_hash'])
      .where('site_id', '=', site.id)
      .where('author_pk', '=', v.pk)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (prior) assertSameRequest(prior.idempotency_hash, idempotencyHash!);
    return prior && { status: 201, body: await presentOne(ds, site, prior.id, reader), headers: { 'idempotent-replayed': 'true' } };
  };
  const replayed = await replay();
  if (replayed) return replayed;

  if (existing?.locked) throw problem(403, 'thread.locked', 'This discussion is closed to new comments');
  const mentioned = await checkBody(ctx, ds, body.body, audience);
  if (body.parentId) {
    const parent = await ds.comment(site.id, body.parentId);
    if (
      !parent ||
      !existing ||
      parent.thread_pk !== existing.pk ||
      (parent.status !== 'published' && !(moderator && parent.status !== 'deleted'))
    ) {
      if (parent?.status === 'deleted' && parent.thread_pk === existing?.pk) {
        throw problem(400, 'comment.parent_deleted', 'The comment you reply to was deleted');
      }
      throw problem(400, 'comment.parent_invalid', 'The comment you reply to is not in this discussion');
    }
  }

  let id: string;
  let replayedPost: boolean;
  try {
    ({ id, replayed: replayedPost } = await ctx.comments.post({
      site,
      threadKey: body.thread,
      thread: existing,
      title: body.title ?? null,
      parentId: body.parentId ?? null,
      authorPk: v.pk,
      body: body.body,
      idempotencyKey: idempotencyKey ?? null,
      idempotencyHash,
      mentioned,
      moderator,
      looksLikeSpam: () => looksLikeSpam(c, site, v.name, body.body, body.thread),
    }));
  } catch (err) {
    // Two copies of one retried post raced: the unique index kept the first.
    const again = isUniqueViolation(err) ? await replay() : undefined;
    if (again) return again;
    throw err;
  }
  return { status: 201, body: await presentOne(ds, site, id, reader, replayedPost ? undefined : { mentions: mentioned.length > 0 }) };
}

/** Edit one's own comment within the site's edit window. */
export async function editComment(ctx: HandlerContext<typeof d.editComment>) {
  const { site, params, body } = ctx;
  refuseUnwanted(site, body);
  const { ds, row, thread, reader, own } = await load(ctx, params.comment);
  await assertMayWrite(ctx.store, site.id, ctx.viewer!, ctx.now(), thread);
  if (!own) throw problem(403, 'comment.not_yours', 'Only its author can edit a comment');
  if (row.status === 'deleted') throw problem(409, 'comment.deleted', 'This comment was deleted');
  if (row.status === 'hidden') throw problem(409, 'comment.hidden', 'A moderator hid this comment; it cannot be edited');
  if (thread.locked) throw problem(403, 'thread.locked', 'This discussion is closed');
  const windowS = site.settings.editWindowSeconds;
  if (ctx.now() - Date.parse(row.created_at) > windowS * 1000) {
    throw problem(
      403,
      'comment.edit_window_closed',
      'This comment can no longer be edited',
      `Comments can be edited for ${Math.round(windowS / 60)} minutes after posting.`,
    );
  }
  const mentioned = await checkBody(ctx, ds, body.body, thread.audience);
  if (body.body === row.body) return { body: await presentOne(ds, site, row.id, reader) };
  await ctx.comments.edit({
    site,
    comment: row,
    thread: { key: thread.key, audience: thread.audience },
    body: body.body,
    mentioned,
    moderator: reader.moderator,
    at: nowIso(ctx.now()),
  });
  return { body: await presentOne(ds, site, row.id, reader) };
}

/** Delete one's own comment: its text is erased, a tombstone keeps replies in place. */
export async function deleteComment(ctx: HandlerContext<typeof d.deleteComment>) {
  const { site, params } = ctx;
  const { ds, row, thread, reader, own } = await load(ctx, params.comment);
  if (!own) throw problem(403, 'comment.not_yours', 'Only its author can delete a comment', 'Moderators hide comments instead.');
  if (row.status !== 'deleted')
    await ctx.comments.eraseByAuthor(site.id, row.id, { key: thread.key, audience: thread.audience }, nowIso(ctx.now()));
  return { body: await presentOne(ds, site, row.id, reader) };
}

/** React to a comment (once per kind and member). */
export async function react(ctx: HandlerContext<typeof d.react>) {
  const { site, params, body, viewer } = ctx;
  if (!site.settings.reactions.includes(body.kind)) {
    throw problem(
      400,
      'reaction.unknown_kind',
      'This reaction does not exist on this site',
      `Reactions here: ${site.settings.reactions.join(', ')}.`,
      [{ path: 'body.kind', message: `One of: ${site.settings.reactions.join(', ')}.` }],
    );
  }
  const { ds, row, thread, own } = await target(ctx, params.comment);
  await assertMayWrite(ctx.store, site.id, viewer!, ctx.now(), thread);
  if (own) throw problem(403, 'reaction.own_comment', 'You cannot react to your own comment');
  if (thread.locked) throw problem(403, 'thread.locked', 'This discussion is closed');
  if (await ds.react(site.id, row, viewer!.pk, body.kind))
    await ctx.emit('reactions.changed', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
  return { body: { comment: row.id, reactions: (await ds.reactionCounts(site.id, [row.id], viewer!.pk)).get(row.id) ?? [] } };
}

/** Withdraw one's reaction. */
export async function unreact(ctx: HandlerContext<typeof d.unreact>) {
  const { site, params, viewer } = ctx;
  const { ds, row, thread } = await load(ctx, params.comment);
  if (thread.locked) throw problem(403, 'thread.locked', 'This discussion is closed');
  if (await ds.unreact(site.id, row.id, viewer!.pk, params.kind))
    await ctx.emit('reactions.changed', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
  return { body: { comment: row.id, reactions: (await ds.reactionCounts(site.id, [row.id], viewer!.pk)).get(row.id) ?? [] } };
}

/** Who reacted to a comment (members only). */
export async function reactors(ctx: HandlerContext<typeof d.reactors>) {
  const { site, params } = ctx;
  const { ds, row } = await load(ctx, params.comment);
  const list = row.status === 'deleted' ? [] : await ds.reactors(site.id, row.id);
  const kinds = new Map<string, Comment['mentions'] & object>();
  for (const r of list) kinds.set(r.kind, [...(kinds.get(r.kind) ?? []), r.member]);
  return { body: { comment: row.id, kinds: [...kinds].map(([kind, members]) => ({ kind, members })) } };
}

/** Flag a comment for the moderators, with a reason. */
export async function flagComment(ctx: HandlerContext<typeof d.flagComment>) {
  const { site, params, body, viewer } = ctx;
  const { ds, row, thread, own } = await target(ctx, params.comment);
  await assertMayWrite(ctx.store, site.id, viewer!, ctx.now(), thread);
  if (own) throw problem(400, 'flag.own_comment', 'You cannot flag your own comment', 'Edit or delete it instead.');
  const f = await ds.flag(site.id, row.id, viewer!.pk, body.reason, body.note || null);
  await ctx.emit('comment.flagged', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
  return { status: 201, body: { comment: row.id, reason: f.reason as never, createdAt: f.created_at } };
}

/** Hide, restore or approve a comment (moderators). */
export async function moderateComment(ctx: HandlerContext<typeof d.moderateComment>) {
  const { site, params, body, viewer } = ctx;
  const { ds, row, reader } = await load(ctx, params.comment);
  if (!reader.moderator) throw problem(403, 'moderation.forbidden', 'Only moderators can do this');
  const [result] = await ctx.comments.moderate({
    site: site.id,
    ids: [row.id],
    action: body.action,
    moderatorPk: viewer!.pk,
    note: body.note || null,
    at: nowIso(ctx.now()),
  });
  if (!result?.changed) {
    throw problem(
      409,
      'comment.bad_transition',
      `This comment cannot be ${body.action === 'hide' ? 'hidden' : `${body.action}d`}`,
      `It is ${result?.status ?? row.status}.`,
    );
  }
  return { body: await presentOne(ds, site, row.id, reader) };
}

/** Lock or unlock a thread (moderators). */
export async function updateThread(ctx: HandlerContext<typeof d.updateThread>) {
  const { store, site, body, viewer } = ctx;
  const ds = new DiscussionStore(store);
  const existing = await store.thread(site.id, body.thread);
  readableThread(site, existing, viewer);
  if (!moderates(viewer, existing?.audience ?? 'public'))
    throw problem(403, 'moderation.forbidden', 'Only moderators can lock a discussion');
  const thread = await store.setThread(site.id, body.thread, { locked: body.locked });
  await ds.log(ds.db, { site_id: site.id, moderator_pk: viewer!.pk, thread_pk: thread!.pk, action: body.locked ? 'lock' : 'unlock' });
  return { body: threadOut(body.thread, thread, Number(thread!.published_count)) };
}

/** Remember how far the member has read a thread ("new since last visit"). */
export async function markRead(ctx: HandlerContext<typeof d.markRead>) {
  const { store, site, body, viewer } = ctx;
  const thread = await store.thread(site.id, body.thread);
  readableThread(site, thread, viewer);
  const now = nowIso(ctx.now());
  const at = body.at && body.at < now ? new Date(body.at).toISOString() : now;
  if (!thread) return { body: { thread: body.thread, readAt: at } };
  return { body: { thread: body.thread, readAt: await new DiscussionStore(store).markRead(site.id, thread.pk, viewer!.pk, at) } };
}

/** Members the writer may mention in a thread, by name prefix. */
export async function mentionCandidates(ctx: HandlerContext<typeof d.mentionCandidates>) {
  const { store, site, query, viewer } = ctx;
  const thread = await store.thread(site.id, query.thread);
  readableThread(site, thread, viewer);
  const reader = readerOf(viewer)!;
  const terms = searchTerms(query.q);
  const rows = terms.length
    ? await new SearchStore(store).mentionCandidates(site.id, {
        scopes: readerScopes(reader),
        terms,
        audience: thread?.audience ?? 'public',
        exclude: reader.pk,
        limit: 8,
      })
    : [];
  const items = rows.map(memberSummary);
  return { body: { items } };
}
