/**
 * Comments over the typed client: plain functions rather than methods of
 * `CercleClient`, so that only the entries with a discussion carry them.
 */
import type { CommentListQuery, NewComment } from '../contract/requests.js';
import type { Comment, CommentPage } from '../contract/resources.js';
import type { CercleClient } from './client.js';

/** One page of a thread's comments, with the thread (a read: it joins the page's batch). */
export const listComments = (c: CercleClient, q: CommentListQuery): Promise<CommentPage> => {
  const p = new URLSearchParams({ thread: q.thread });
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.limit) p.set('limit', String(q.limit));
  if (q.sort) p.set('sort', q.sort);
  return c.read('/comments?' + p, 'comments');
};

/** Posts a comment; the same `idempotencyKey` on a retry returns the first comment instead of storing a second. */
export const postComment = (c: CercleClient, input: NewComment, idempotencyKey: string): Promise<Comment> =>
  c.write('POST', '/comments', input, 'comment', idempotencyKey);
