import type { Comment } from '../../../contract/resources.js';
import { IdempotencyKey } from '../../../contract/requests.js';
import { MAX_MENTIONS, discussionRoutes as d } from '../../../contract/discussion.js';
import { checkMarkup } from '../../../contract/markup.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, HandlerContext, Registrar } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { nowIso } from '../../domain/ids.js';
import { commentOut, threadOut } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { readerOf } from '../../domain/visibility.js';
import { clientNetwork, RateLimiter, rateLimited } from '../../http/ratelimit.js';
import { DiscussionStore, type ListCursor, type Reader, type Sort } from '../../store/discussion.js';
import type { CommentWithAuthor, Site, Store } from '../../store/store.js';
import type { LiveKind } from '../../../contract/live.js';
import type { ThreadRow } from '../../store/schema.js';
import { parse } from '../../http/validate.js';
import { looksLikeSpam } from '../../comments/spam.js';
import { heldWord, refuseUnwanted } from '../../comments/words.js';
import type { CommentRef } from '../../domain/events.js';
import { assertMayWrite } from '../../domain/sanctions.js';
import type { Viewer } from '../../http/viewer.js';

type Ctx = HandlerContext;

// ---- who may do what --------------------------------------------------------------

/** Site-wide moderators (role `moderator` or `admin`), or chapter moderators on their chapters' threads. */
export function moderates(viewer: Viewer | null, audience: string): boolean {
  if (!viewer) return false;
  if (viewer.roles.includes('moderator') || viewer.roles.includes('admin')) return true;
  return audience.startsWith('chapter:') && (viewer.moderates ?? []).includes(audience.slice(8));
}

function readableThread(site: Site, thread: ThreadRow | undefined, viewer: Viewer | null) {
  const audience = thread?.audience ?? 'public';
  if (canSee(audience, viewer, site.settings.publicRead) || moderates(viewer, audience)) return;
  if (!viewer) throw problem(401, 'auth.missing', 'Sign in to read this discussion');
  throw problem(403, 'thread.forbidden', 'This discussion is not open to you', `Audience: ${audience}.`);
}

const notFound = () => problem(404, 'comment.not_found', 'No such comment');

// ---- cursors: base64url JSON, bound to their sort -------------------------------------

const SORT_TAG: Record<Sort, string> = { oldest: 'o', newest: 'n', useful: 'u' };

function encodeCursor(sort: Sort, r: CommentWithAuthor): string {
  const v = sort === 'useful' ? ['u', Number(r.useful_count), r.created_at, r.id] : [SORT_TAG[sort], r.created_at, r.id];
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeCursor(cursor: string | undefined, sort: Sort): ListCursor | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v)) {
      // [t, id] is the first cursor format; it reads as a time-ordered cursor.
      const [tag, ...rest] = v.length === 2 ? [sort === 'useful' ? '?' : SORT_TAG[sort], ...v] : v;
      const [n, t, id] = tag === 'u' ? rest : [undefined, ...rest];
      if (tag === SORT_TAG[sort] && typeof t === 'string' && !Number.isNaN(Date.parse(t)) && typeof id === 'string' && id.length <= 64
        && (tag !== 'u' || (Number.isInteger(n) && n >= 0))) return { sort, t, id, n };
    }
  } catch { /* fall through */ }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page, with the same sort.');
}

// ---- checking what a member writes ------------------------------------------------------

/** Length, markup and mentions of a body; returns the mentioned members' keys. */
async function checkBody(ctx: Ctx, ds: DiscussionStore, body: string, audience: string): Promise<string[]> {
  const { site } = ctx;
  const max = site.settings.maxCommentLength;
  if (body.length > max) {
    throw problem(400, 'comment.too_long', 'The comment is too long', `At most ${max} characters; this one has ${body.length}.`,
      [{ path: 'body.body', message: `At most ${max} characters.` }]);
  }
  const check = checkMarkup(body);
  const issue = check.issues[0];
  if (issue) {
    throw problem(400, issue.code, issue.code === 'comment.link_scheme' ? 'A link in the comment is not allowed' : 'The comment contains HTML',
      issue.message, check.issues.slice(0, 5).map((i) => ({ path: 'body.body', message: i.message })));
  }
  if (check.mentions.length > MAX_MENTIONS) {
    throw problem(400, 'comment.too_many_mentions', 'The comment mentions too many members',
      `At most ${MAX_MENTIONS} members; this one mentions ${check.mentions.length}.`, [{ path: 'body.body', message: `At most ${MAX_MENTIONS} mentions.` }]);
  }
  const found = await ds.membersByHostIds(site.id, check.mentions);
  const byId = new Map(found.map((m) => [m.host_id, m]));
  for (const id of check.mentions) {
    const m = byId.get(id);
    const reader = m && { roles: JSON.parse(m.roles), chapters: JSON.parse(m.chapters) } as Viewer;
    if (!m || !canSee(audience, reader!, true)) {
      throw problem(400, 'comment.mention_unknown', 'A mentioned member cannot be found in this discussion',
        `"${id.slice(0, 64)}" is not a member who can read this discussion.`, [{ path: 'body.body', message: `Unknown member: ${id.slice(0, 64)}` }]);
    }
  }
  return found.map((m) => m.pk);
}

// ---- presenting ----------------------------------------------------------------------------

interface Extras {
  reactions?: Map<string, Comment['reactions']>;
  mentions?: Map<string, NonNullable<Comment['mentions']>>;
  flagged?: Set<string>;
  flagCounts?: Map<string, number>;
}

/** A comment as this reader may see it: others' hidden comments and every deleted one are tombstones. */
function present(r: CommentWithAuthor, reader: Reader, x: Extras = {}): Comment {
  const own = !!reader.pk && r.author_pk === reader.pk;
  const erased = r.status === 'deleted' || (r.status === 'hidden' && !reader.moderator && !own);
  const base = commentOut(r);
  return {
    ...base,
    author: erased ? null : base.author,
    body: erased ? '' : r.body,
    reactions: erased ? [] : x.reactions?.get(r.id) ?? [],
    depth: Number(r.depth ?? 0),
    mentions: erased ? [] : x.mentions?.get(r.id) ?? [],
    ...(reader.pk ? { flagged: x.flagged?.has(r.id) ?? false } : {}),
    ...(reader.moderator ? { flagCount: x.flagCounts?.get(r.id) ?? 0 } : {}),
    ...(r.status === 'pending' && (reader.moderator || own) ? { heldReason: r.held_reason as Comment['heldReason'] } : {}),
  };
}

async function presentOne(ds: DiscussionStore, site: Site, id: string, reader: Reader): Promise<Comment> {
  const row = await ds.comment(site.id, id);
  const [reactions, mentions, flagged, flagCounts] = await Promise.all([
    ds.reactionCounts(site.id, [id], reader.pk),
    ds.mentions(site.id, [id]),
    reader.pk ? ds.flaggedBy(site.id, [id], reader.pk) : undefined,
    reader.moderator ? ds.openFlagCounts(site.id, [id]) : undefined,
  ]);
  return present(row!, reader, { reactions, mentions, flagged, flagCounts });
}

/**
 * Tells the live streams following the thread (ids only; the stream renders what its readers may see),
 * and renders reaction counts once per instance (the same for every reader; each page keeps its own `mine`).
 */
function subscribeLive({ bus, live }: AppServices) {
  const say = (e: CommentRef, kind: LiveKind, opts: { audience?: string; version?: number } = {}) =>
    live.publish(e.site, { topic: `thread:${e.thread.key}`, kind, ref: e.comment, audience: opts.audience ?? e.thread.audience, version: opts.version });
  bus.on('comment.posted', (e) => say(e, 'comment.created'));
  // A held comment is news for moderators only; an edit that sends a readable comment back to the queue withdraws it.
  bus.on('comment.held', (e) => (e.via === 'post' ? say(e, 'comment.created', { audience: 'role:moderator' })
    : e.withdrawn ? say(e, 'comment.hidden', { version: e.version }) : undefined));
  bus.on('comment.edited', (e) => say(e, 'comment.updated', { version: e.version }));
  bus.on('comment.approved', (e) => say(e, 'comment.created'));
  bus.on('comment.hidden', (e) => say(e, 'comment.hidden'));
  bus.on('comment.restored', (e) => say(e, 'comment.restored'));
  bus.on('comment.erased', (e) => say(e, 'comment.deleted'));
  bus.on('reactions.changed', (e) => say(e, 'reactions.changed'));
  live.hydrate(['reactions.changed'], async (store, rec) => {
    const counts = (await new DiscussionStore(store).reactionCounts(rec.site, [rec.ref])).get(rec.ref) ?? [];
    return { comment: rec.ref, reactions: counts.map(({ kind, count }) => ({ kind, count })) };
  });
}

const isUniqueViolation = (err: unknown) => /unique|duplicate key/i.test(String((err as Error)?.message ?? err));

/** Threads and comments: reading, writing, reactions, flags, read markers, inline moderation. */
export function install(register: Registrar, app: AppServices) {
  subscribeLive(app);
  let ds: DiscussionStore | undefined;
  const dsOf = (store: Store) => (ds?.store === store ? ds : (ds = new DiscussionStore(store)));
  let limiter: RateLimiter | undefined;

  /** Counts a write against the member's and their network's buckets; a 429 when either is empty. */
  function limit(ctx: Ctx, kind: 'comment' | 'write') {
    const limits = ctx.site.settings.rateLimits;
    if (!limits) return;
    limiter ??= new RateLimiter(ctx.now);
    const [burst, perMinute] = kind === 'comment' ? [limits.commentBurst, limits.commentsPerMinute] : [limits.writeBurst, limits.writesPerMinute];
    const what = kind === 'comment' ? 'You have sent many comments in a short time.' : 'You have acted many times in a short time.';
    const memberKey = `${ctx.site.id}|m|${ctx.viewer!.pk}|${kind}`;
    const wait = limiter.take(memberKey, burst, perMinute);
    if (wait) throw rateLimited(wait, what);
    const net = clientNetwork(ctx.c);
    if (net !== 'unknown') {
      const ipWait = limiter.take(`${ctx.site.id}|ip|${net}|${kind}`, burst * 3, perMinute * 3);
      if (ipWait) {
        limiter.refund(memberKey, burst);
        throw rateLimited(ipWait, 'Many comments come from your network right now.');
      }
    }
  }

  /** A comment, its thread, and the reader's rights on it; 404 when it is not theirs to see. */
  async function load(ctx: Ctx, id: string) {
    const { store, site, viewer } = ctx;
    const ds = dsOf(store);
    const row = await ds.comment(site.id, id);
    if (!row) throw notFound();
    const thread = await ds.threadByPk(site.id, row.thread_pk);
    readableThread(site, thread, viewer);
    const moderator = moderates(viewer, thread?.audience ?? 'public');
    const own = !!viewer && row.author_pk === viewer.pk;
    if ((row.status === 'pending' || row.status === 'hidden') && !moderator && !own) throw notFound();
    return { ds, row, thread: thread!, reader: { pk: viewer?.pk, moderator } satisfies Reader, own };
  }

  register(routes.listComments, async ({ store, site, query, viewer }) => {
    const ds = dsOf(store);
    const thread = await store.thread(site.id, query.thread);
    readableThread(site, thread, viewer);
    const limitN = query.limit ?? 50;
    const sort = query.sort ?? 'oldest';
    const after = decodeCursor(query.cursor, sort);
    const moderator = moderates(viewer, thread?.audience ?? 'public');
    if (!thread) {
      return { body: { thread: threadOut(query.thread, undefined, 0), items: [], next: null, moderator, lastVisitAt: null, ...(moderator ? { pendingCount: 0 } : {}) } };
    }
    const reader: Reader = { pk: viewer?.pk, moderator };
    const roots = await ds.roots(site.id, thread.pk, { sort, after, limit: limitN + 1, reader });
    const page = roots.slice(0, limitN);
    const replies = await ds.replies(site.id, thread.pk, page.map((r) => r.id), reader);
    const byRoot = new Map<string, CommentWithAuthor[]>();
    for (const r of replies) byRoot.set(r.root_id!, [...byRoot.get(r.root_id!) ?? [], r]);
    const rows = page.flatMap((r) => [r, ...byRoot.get(r.id) ?? []]);
    const ids = rows.filter((r) => r.status !== 'deleted').map((r) => r.id);
    const [reactions, mentions, flagged, flagCounts, count, pending, lastVisitAt] = await Promise.all([
      ds.reactionCounts(site.id, ids, viewer?.pk),
      ds.mentions(site.id, ids),
      viewer ? ds.flaggedBy(site.id, ids, viewer.pk) : undefined,
      moderator ? ds.openFlagCounts(site.id, ids) : undefined,
      ds.count(site.id, thread.pk, 'published'),
      moderator ? ds.count(site.id, thread.pk, 'pending') : undefined,
      viewer ? ds.readMarker(site.id, thread.pk, viewer.pk) : null,
    ]);
    const last = page[page.length - 1];
    return {
      body: {
        thread: threadOut(query.thread, thread, count),
        items: rows.map((r) => present(r, reader, { reactions, mentions, flagged, flagCounts })),
        next: roots.length > limitN && last ? encodeCursor(sort, last) : null,
        moderator,
        lastVisitAt,
        ...(moderator ? { pendingCount: pending } : {}),
      },
    };
  });

  register(routes.postComment, async (ctx) => {
    const { c, store, site, body } = ctx;
    refuseUnwanted(site, body);
    const ds = dsOf(store);
    const raw = c.req.header('idempotency-key');
    const idempotencyKey = raw === undefined ? undefined : parse(IdempotencyKey, raw, 'header');
    const v = ctx.viewer!;
    const existing = await store.thread(site.id, body.thread);
    const audience = existing?.audience ?? 'public';
    await assertMayWrite(store, site.id, v, ctx.now(), { audience });
    readableThread(site, existing, v);
    const moderator = moderates(v, audience);
    const reader: Reader = { pk: v.pk, moderator };
    const replay = async () => {
      if (!idempotencyKey) return undefined;
      const prior = await store.db.selectFrom('comments').select('id')
        .where('site_id', '=', site.id).where('author_pk', '=', v.pk).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
      return prior && { status: 201, body: await presentOne(ds, site, prior.id, reader), headers: { 'idempotent-replayed': 'true' } };
    };
    const replayed = await replay();
    if (replayed) return replayed;

    if (existing?.locked) throw problem(403, 'thread.locked', 'This discussion is closed to new comments');
    const mentioned = await checkBody(ctx, ds, body.body, audience);
    if (body.parentId) {
      const parent = await ds.comment(site.id, body.parentId);
      if (!parent || !existing || parent.thread_pk !== existing.pk || (parent.status !== 'published' && !(moderator && parent.status !== 'deleted'))) {
        if (parent?.status === 'deleted' && parent.thread_pk === existing?.pk) {
          throw problem(400, 'comment.parent_deleted', 'The comment you reply to was deleted');
        }
        throw problem(400, 'comment.parent_invalid', 'The comment you reply to is not in this discussion');
      }
    }
    limit(ctx, 'comment');

    const s = site.settings;
    let held: 'premoderation' | 'first_post' | 'word' | 'spam' | null = null;
    if (!moderator) {
      if (s.premoderation === 'everyone') held = 'premoderation';
      else if (heldWord(body.body, s.heldWords)) held = 'word';
      else if (s.premoderation === 'first-time' && !(await ds.hasPublished(site.id, v.pk))) held = 'first_post';
      // The site's spam check, when it has one, is asked last: a comment already held is not sent anywhere.
      else if (await looksLikeSpam(c, site, v.name, body.body, body.thread)) held = 'spam';
    }
    let id: string;
    let audienceNow = audience;
    try {
      id = await store.db.transaction().execute(async (tx) => {
        const thread = await store.ensureThread(site.id, body.thread, { title: body.title ?? null }, tx);
        audienceNow = thread.audience;
        const r = await store.insertComment({
          site_id: site.id, thread_pk: thread.pk, parent_id: body.parentId ?? null, author_pk: v.pk,
          body: body.body, status: held ? 'pending' : 'published', idempotency_key: idempotencyKey ?? null, held_reason: held,
        }, tx);
        await ds.setMentions(tx, site.id, r.id, mentioned);
        if (!held) await ds.earn(tx, site.id, r.id);
        return r.id;
      });
    } catch (err) {
      // Two copies of one retried post raced: the unique index kept the first.
      const again = isUniqueViolation(err) ? await replay() : undefined;
      if (again) return again;
      throw err;
    }
    const ref = { site: site.id, comment: id, thread: { key: body.thread, audience: audienceNow } };
    if (held) await ctx.emit('comment.held', { ...ref, via: 'post' });
    else await ctx.emit('comment.posted', ref);
    return { status: 201, body: await presentOne(ds, site, id, reader) };
  }, { sanctions: 'handler' });

  register(d.editComment, async (ctx) => {
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
      throw problem(403, 'comment.edit_window_closed', 'This comment can no longer be edited',
        `Comments can be edited for ${Math.round(windowS / 60)} minutes after posting.`);
    }
    const mentioned = await checkBody(ctx, ds, body.body, thread.audience);
    if (body.body === row.body) return { body: await presentOne(ds, site, row.id, reader) };
    limit(ctx, 'comment');
    const word = !reader.moderator && heldWord(body.body, site.settings.heldWords);
    const status = word ? 'pending' : row.status;
    const heldReason = word ? 'word' : row.held_reason;
    const editedAt = nowIso(ctx.now());
    await ds.db.transaction().execute(async (tx) => {
      if (row.status === 'published' && status === 'pending') await ds.unearn(tx, site.id, row.id);
      await ds.updateBody(tx, site.id, row.id, { body: body.body, status, held_reason: status === 'pending' ? heldReason : null, edited_at: editedAt });
      await ds.setMentions(tx, site.id, row.id, mentioned);
    });
    const ref = { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } };
    // Seconds: the event log's version is a 32-bit integer on PostgreSQL (milliseconds overflow it).
    const version = Math.floor(Date.parse(editedAt) / 1000);
    if (status === 'pending') await ctx.emit('comment.held', { ...ref, via: 'edit', withdrawn: row.status === 'published', version });
    else if (row.status === 'published') await ctx.emit('comment.edited', { ...ref, version });
    return { body: await presentOne(ds, site, row.id, reader) };
  }, { sanctions: 'handler' });

  register(d.deleteComment, async (ctx) => {
    const { site, params } = ctx;
    const { ds, row, thread, reader, own } = await load(ctx, params.comment);
    if (!own) throw problem(403, 'comment.not_yours', 'Only its author can delete a comment', 'Moderators hide comments instead.');
    if (row.status !== 'deleted') await ctx.comments.eraseByAuthor(site.id, row.id, { key: thread.key, audience: thread.audience }, nowIso(ctx.now()));
    return { body: await presentOne(ds, site, row.id, reader) };
  }, { sanctions: 'open' });

  /** A comment members may react to or flag: published, readable, not the reader's own for reactions. */
  async function target(ctx: Ctx, id: string) {
    const loaded = await load(ctx, id);
    if (loaded.row.status === 'deleted') throw problem(409, 'comment.deleted', 'This comment was deleted');
    if (loaded.row.status !== 'published') throw problem(409, 'comment.not_published', 'This comment is not published');
    return loaded;
  }

  register(d.react, async (ctx) => {
    const { site, params, body, viewer } = ctx;
    if (!site.settings.reactions.includes(body.kind)) {
      throw problem(400, 'reaction.unknown_kind', 'This reaction does not exist on this site',
        `Reactions here: ${site.settings.reactions.join(', ')}.`, [{ path: 'body.kind', message: `One of: ${site.settings.reactions.join(', ')}.` }]);
    }
    const { ds, row, thread, own } = await target(ctx, params.comment);
    await assertMayWrite(ctx.store, site.id, viewer!, ctx.now(), thread);
    if (own) throw problem(403, 'reaction.own_comment', 'You cannot react to your own comment');
    if (thread.locked) throw problem(403, 'thread.locked', 'This discussion is closed');
    limit(ctx, 'write');
    if (await ds.react(site.id, row, viewer!.pk, body.kind)) await ctx.emit('reactions.changed', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
    return { body: { comment: row.id, reactions: (await ds.reactionCounts(site.id, [row.id], viewer!.pk)).get(row.id) ?? [] } };
  }, { sanctions: 'handler' });

  register(d.unreact, async (ctx) => {
    const { site, params, viewer } = ctx;
    const { ds, row, thread } = await load(ctx, params.comment);
    if (thread.locked) throw problem(403, 'thread.locked', 'This discussion is closed');
    if (await ds.unreact(site.id, row.id, viewer!.pk, params.kind)) await ctx.emit('reactions.changed', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
    return { body: { comment: row.id, reactions: (await ds.reactionCounts(site.id, [row.id], viewer!.pk)).get(row.id) ?? [] } };
  }, { sanctions: 'open' });

  register(d.reactors, async (ctx) => {
    const { site, params } = ctx;
    const { ds, row } = await load(ctx, params.comment);
    const list = row.status === 'deleted' ? [] : await ds.reactors(site.id, row.id);
    const kinds = new Map<string, Comment['mentions'] & object>();
    for (const r of list) kinds.set(r.kind, [...kinds.get(r.kind) ?? [], r.member]);
    return { body: { comment: row.id, kinds: [...kinds].map(([kind, members]) => ({ kind, members })) } };
  });

  register(d.flagComment, async (ctx) => {
    const { site, params, body, viewer } = ctx;
    const { ds, row, thread, own } = await target(ctx, params.comment);
    await assertMayWrite(ctx.store, site.id, viewer!, ctx.now(), thread);
    if (own) throw problem(400, 'flag.own_comment', 'You cannot flag your own comment', 'Edit or delete it instead.');
    limit(ctx, 'write');
    const f = await ds.flag(site.id, row.id, viewer!.pk, body.reason, body.note || null);
    await ctx.emit('comment.flagged', { site: site.id, comment: row.id, thread: { key: thread.key, audience: thread.audience } });
    return { status: 201, body: { comment: row.id, reason: f.reason as never, createdAt: f.created_at } };
  }, { sanctions: 'handler' });

  register(d.moderateComment, async (ctx) => {
    const { site, params, body, viewer } = ctx;
    const { ds, row, reader } = await load(ctx, params.comment);
    if (!reader.moderator) throw problem(403, 'moderation.forbidden', 'Only moderators can do this');
    const [result] = await ctx.comments.moderate({
      site: site.id, ids: [row.id], action: body.action, moderatorPk: viewer!.pk, note: body.note || null, at: nowIso(ctx.now()),
    });
    if (!result?.changed) {
      throw problem(409, 'comment.bad_transition', `This comment cannot be ${body.action === 'hide' ? 'hidden' : `${body.action}d`}`, `It is ${result?.status ?? row.status}.`);
    }
    return { body: await presentOne(ds, site, row.id, reader) };
  });

  register(d.updateThread, async (ctx) => {
    const { store, site, body, viewer } = ctx;
    const ds = dsOf(store);
    const existing = await store.thread(site.id, body.thread);
    readableThread(site, existing, viewer);
    if (!moderates(viewer, existing?.audience ?? 'public')) throw problem(403, 'moderation.forbidden', 'Only moderators can lock a discussion');
    const thread = await store.setThread(site.id, body.thread, { locked: body.locked });
    await ds.log(ds.db, { site_id: site.id, moderator_pk: viewer!.pk, thread_pk: thread!.pk, action: body.locked ? 'lock' : 'unlock' });
    return { body: threadOut(body.thread, thread, await ds.count(site.id, thread!.pk, 'published')) };
  });

  register(d.markRead, async (ctx) => {
    const { store, site, body, viewer } = ctx;
    const thread = await store.thread(site.id, body.thread);
    readableThread(site, thread, viewer);
    const now = nowIso(ctx.now());
    const at = body.at && body.at < now ? new Date(body.at).toISOString() : now;
    if (!thread) return { body: { thread: body.thread, readAt: at } };
    return { body: { thread: body.thread, readAt: await dsOf(store).markRead(site.id, thread.pk, viewer!.pk, at) } };
  }, { sanctions: 'open' });

  register(d.mentionCandidates, async (ctx) => {
    const { store, site, query, viewer } = ctx;
    const thread = await store.thread(site.id, query.thread);
    readableThread(site, thread, viewer);
    const items = await dsOf(store).mentionCandidates(site.id, thread?.audience ?? 'public', query.q, readerOf(viewer)!);
    return { body: { items } };
  });
}
