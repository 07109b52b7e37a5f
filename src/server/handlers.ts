import type { Comment, Event, MemberSummary, SitePublic, Thread } from '../contract/resources.js';
import type { routes } from '../contract/routes.js';
import type { HandlerContext } from './app.js';
import { canSee } from './audience.js';
import { problem } from './problem.js';
import type { CommentWithAuthor, EventWithCounts, Site } from './store/store.js';
import type { MemberRow, ThreadRow } from './store/schema.js';

type R = typeof routes;

// ---- cursors: base64url of [sort key, id] ----------------------------------------

export const encodeCursor = (t: string, id: string) => Buffer.from(JSON.stringify([t, id])).toString('base64url');

export function decodeCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string'
      && !Number.isNaN(Date.parse(v[0])) && v[1].length <= 64) return [v[0], v[1]];
  } catch { /* fall through */ }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page.');
}

// ---- mapping rows to contract resources ------------------------------------------

export const sitePublic = (s: Site): SitePublic => ({
  id: s.id,
  name: s.name,
  loginUrl: s.settings.loginUrl,
  publicRead: s.settings.publicRead,
  reactions: s.settings.reactions,
  maxCommentLength: s.settings.maxCommentLength,
  editWindowSeconds: s.settings.editWindowSeconds,
});

export const memberSummary = (m: Pick<MemberRow, 'host_id' | 'name' | 'picture' | 'chapters'>): MemberSummary => ({
  id: m.host_id,
  name: m.name,
  picture: m.picture,
  chapters: JSON.parse(m.chapters),
});

export function commentOut(r: CommentWithAuthor): Comment {
  const gone = r.status === 'deleted';
  return {
    id: r.id,
    parentId: r.parent_id,
    author: gone || !r.author_host_id ? null : memberSummary({
      host_id: r.author_host_id, name: r.author_name ?? '', picture: r.author_picture, chapters: r.author_chapters ?? '[]',
    }),
    body: gone ? '' : r.body,
    status: r.status,
    createdAt: r.created_at,
    editedAt: r.edited_at,
    reactions: [],
  };
}

const threadOut = (key: string, t: ThreadRow | undefined, count: number): Thread => ({
  key,
  title: t?.title ?? null,
  audience: (t?.audience ?? 'public') as Thread['audience'],
  locked: !!t?.locked,
  commentCount: count,
  createdAt: t?.created_at ?? null,
});

function eventOut(e: EventWithCounts, reveal: boolean): Event {
  return {
    id: e.id,
    chapter: e.chapter_id ? { id: e.chapter_id, name: e.chapter_name ?? e.chapter_id } : null,
    title: e.title,
    description: e.description,
    startsAt: e.starts_at,
    endsAt: e.ends_at,
    timeZone: e.time_zone,
    place: e.place,
    online: !!e.online_url && reveal,
    capacity: e.capacity,
    going: e.going,
    audience: e.audience as Event['audience'],
    cancelled: !!e.cancelled_at,
    myRsvp: (e.my_status as Event['myRsvp']) ?? null,
  };
}

// ---- handlers --------------------------------------------------------------------

export async function site({ site }: HandlerContext<R['site']>) {
  return { body: sitePublic(site) };
}

export async function me({ viewer }: HandlerContext<R['me']>) {
  const v = viewer!;
  return { body: { ...memberSummary(v.row), roles: v.roles, since: v.row.created_at } };
}

export async function member({ store, site, params, viewer }: HandlerContext<R['member']>) {
  if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see members');
  const m = await store.memberByHostId(site.id, params.member);
  if (!m) throw problem(404, 'member.unknown', 'No such member', params.member);
  return { body: memberSummary(m) };
}

function readableThread(site: Site, thread: ThreadRow | undefined, viewer: HandlerContext['viewer']) {
  const audience = thread?.audience ?? 'public';
  if (!canSee(audience, viewer, site.settings.publicRead)) {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to read this discussion');
    throw problem(403, 'thread.forbidden', 'This discussion is not open to you', `Audience: ${audience}.`);
  }
}

export async function listComments({ store, site, query, viewer }: HandlerContext<R['listComments']>) {
  const thread = await store.thread(site.id, query.thread);
  readableThread(site, thread, viewer);
  const limit = query.limit ?? 50;
  const sort = query.sort ?? 'oldest';
  const after = decodeCursor(query.cursor);
  if (!thread) return { body: { thread: threadOut(query.thread, undefined, 0), items: [], next: null } };
  const statuses: CommentWithAuthor['status'][] = ['published', 'deleted'];
  const [rows, count] = await Promise.all([
    store.comments(site.id, thread.pk, { after, limit: limit + 1, sort, statuses }),
    store.countComments(site.id, thread.pk, ['published']),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    body: {
      thread: threadOut(query.thread, thread, count),
      items: page.map(commentOut),
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    },
  };
}

export async function postComment(ctx: HandlerContext<R['postComment']>, idempotencyKey: string | undefined) {
  const { store, site, body, viewer } = ctx;
  const v = viewer!;
  if (body.body.length > site.settings.maxCommentLength) {
    throw problem(400, 'comment.too_long', 'The comment is too long',
      `At most ${site.settings.maxCommentLength} characters; this one has ${body.body.length}.`,
      [{ path: 'body.body', message: `At most ${site.settings.maxCommentLength} characters.` }]);
  }
  const existing = await store.thread(site.id, body.thread);
  readableThread(site, existing, v);
  if (existing?.locked) throw problem(403, 'thread.locked', 'This discussion is closed to new comments');
  if (body.parentId) {
    const parent = await store.comment(site.id, body.parentId);
    if (!parent || !existing || parent.thread_pk !== existing.pk) {
      throw problem(400, 'comment.parent_invalid', 'The comment you reply to is not in this discussion');
    }
    if (parent.status === 'deleted') throw problem(400, 'comment.parent_deleted', 'The comment you reply to was deleted');
  }
  const thread = existing ?? await store.ensureThread(site.id, body.thread, { title: body.title ?? null });
  const { id, replayed } = await store.insertComment({
    site_id: site.id, thread_pk: thread.pk, parent_id: body.parentId ?? null, author_pk: v.pk,
    body: body.body, status: 'published', idempotency_key: idempotencyKey ?? null,
  });
  if (!replayed) await store.recordActivity(site.id, v.pk, 'comment.posted', id);
  const row = await store.comment(site.id, id);
  return { status: 201, body: commentOut(row!), headers: replayed ? { 'idempotent-replayed': 'true' } : undefined };
}

export async function listEvents({ store, site, query, viewer, now }: HandlerContext<R['listEvents']>) {
  if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see events');
  const past = query.past === '1' || query.past === 'true';
  const limit = query.limit ?? 20;
  const chapters = query.chapter?.split(',').map((s) => s.trim()).filter(Boolean);
  const rows = await store.events(site.id, {
    chapters, past, now: new Date(now()).toISOString(), after: decodeCursor(query.cursor),
    limit: limit + 1, memberPk: viewer?.pk,
  });
  const visible = rows.filter((e) => canSee(e.audience, viewer, site.settings.publicRead));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    body: {
      items: visible.filter((e) => page.includes(e)).map((e) => eventOut(e, e.my_status === 'going')),
      next: rows.length > limit && last ? encodeCursor(last.starts_at, last.id) : null,
    },
  };
}
