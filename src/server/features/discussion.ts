import { IdempotencyKey } from '../../contract/requests.js';
import { routes } from '../../contract/routes.js';
import type { HandlerContext, Registrar } from '../app.js';
import { canSee } from '../audience.js';
import { commentOut, decodeCursor, encodeCursor, threadOut } from '../mapping.js';
import { problem } from '../problem.js';
import type { CommentWithAuthor, Site } from '../store/store.js';
import type { ThreadRow } from '../store/schema.js';
import { parse } from '../validate.js';

function readableThread(site: Site, thread: ThreadRow | undefined, viewer: HandlerContext['viewer']) {
  const audience = thread?.audience ?? 'public';
  if (!canSee(audience, viewer, site.settings.publicRead)) {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to read this discussion');
    throw problem(403, 'thread.forbidden', 'This discussion is not open to you', `Audience: ${audience}.`);
  }
}

/** Threads and comments. */
export function install(register: Registrar) {
  register(routes.listComments, async ({ store, site, query, viewer }) => {
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
  });

  register(routes.postComment, async ({ c, store, site, body, viewer, live }) => {
    const raw = c.req.header('idempotency-key');
    const idempotencyKey = raw === undefined ? undefined : parse(IdempotencyKey, raw, 'header');
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
    if (!replayed) await live.publish(site.id, { topic: `thread:${thread.key}`, kind: 'comment.created', ref: id, audience: thread.audience });
    const row = await store.comment(site.id, id);
    return { status: 201, body: commentOut(row!), headers: replayed ? { 'idempotent-replayed': 'true' } : undefined };
  });
}
