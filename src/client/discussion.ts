/**
 * Comments, reactions, flags and threads over the typed client: one function a remote call, plain
 * functions rather than methods of `CercleClient`, so that only the entries with a discussion carry them.
 */
import type {
  CommentCounts,
  CommentReactions,
  Flag,
  FlagReason,
  MemberList,
  ModerationAction,
  Reactors,
  ReadMarkerOut,
} from '../contract/discussion.js';
import type { CommentListQuery, NewComment } from '../contract/requests.js';
import type { Comment, CommentPage, Thread } from '../contract/resources.js';
import type { CercleClient } from './client.js';
import { MAX_COUNT_THREADS } from '../contract/defaults.js';
import { seg, withQuery } from './path.js';

const at = (id: string, rest = '') => '/comments' + seg(id) + rest;

/** One page of a thread's comments, with the thread (a read: it joins the page's batch). */
export const listComments = (c: CercleClient, q: CommentListQuery): Promise<CommentPage> =>
  c.read(withQuery('/comments', { thread: q.thread, cursor: q.cursor, limit: q.limit, sort: q.sort }), 'comments');

/** Posts a comment; the same `idempotencyKey` on a retry returns the first comment instead of storing a second. */
export const postComment = (c: CercleClient, input: NewComment, idempotencyKey: string): Promise<Comment> =>
  c.write('POST', '/comments', input, 'comment', idempotencyKey);

/** Replaces the body of one's own comment (within the site's edit window). */
export const editComment = (c: CercleClient, id: string, body: string): Promise<Comment> => c.write('PATCH', at(id), { body }, 'comment');

/** Deletes a comment; it comes back as a tombstone that keeps its replies in place. */
export const deleteComment = (c: CercleClient, id: string): Promise<Comment> => c.write('DELETE', at(id), undefined, 'comment');

/** Adds the reader's reaction of `kind`, or takes it back (`remove`). */
export const react = (c: CercleClient, id: string, kind: string, remove = false): Promise<CommentReactions> =>
  remove
    ? c.write('DELETE', at(id, '/reactions' + seg(kind)), undefined, 'reactions')
    : c.write('POST', at(id, '/reactions'), { kind }, 'reactions');

/** Who reacted, by kind. */
export const reactors = (c: CercleClient, id: string): Promise<Reactors> => c.read(at(id, '/reactions'), 'reactors');

/** Reports a comment to the moderators. */
export const flagComment = (c: CercleClient, id: string, reason: FlagReason, note?: string): Promise<Flag> =>
  c.write('POST', at(id, '/flags'), { reason, ...(note ? { note } : {}) }, 'flag');

/** Hides, restores or approves a comment (moderators). */
export const moderateComment = (c: CercleClient, id: string, action: ModerationAction): Promise<Comment> =>
  c.write('POST', at(id, '/moderation'), { action }, 'comment');

/** Locks or reopens a thread (moderators). */
export const lockThread = (c: CercleClient, thread: string, locked: boolean): Promise<Thread> =>
  c.write('PATCH', '/threads', { thread, locked }, 'thread');

/** Remembers how far the member has read a thread (the newest comment seen). */
export const markRead = (c: CercleClient, thread: string, at: string): Promise<ReadMarkerOut> =>
  c.write('PUT', '/threads/read', { thread, at }, 'readMarker');

/** Members the reader may mention in a thread, whose names start with `q`. */
export const mentions = (c: CercleClient, thread: string, q: string): Promise<MemberList> =>
  c.read(withQuery('/mentions', { thread, q }), 'memberList');

/** Published comments of each of `threads` the reader may read, in one read (`?threads=a&threads=b…`). */
export const commentCounts = (c: CercleClient, threads: string[]): Promise<CommentCounts> =>
  c.read('/threads/count?' + threads.map((t) => 'threads=' + encodeURIComponent(t)).join('&'), 'commentCounts');

type Waiting = { resolve(n: number | undefined): void; reject(e: unknown): void }[];
const counting = new WeakMap<CercleClient, Map<string, Waiting>>();
/** A batched read's path stays within the contract's 2048 characters. */
const MAX_COUNT_PATH = 1900;

/**
 * The number of published comments of one thread, or undefined when the reader may not read it.
 * The counts asked for in the same turn of the page (a listing page's articles) travel as one read
 * naming every thread, which itself joins the page's batch; a very long list is cut into a few reads.
 */
export function commentCount(c: CercleClient, thread: string): Promise<number | undefined> {
  let waiting = counting.get(c);
  if (!waiting) {
    const all = (waiting = new Map());
    counting.set(c, all);
    setTimeout(() => {
      counting.delete(c);
      let part: string[] = [];
      let length = 0;
      const send = (keys: string[]) =>
        commentCounts(c, keys).then(
          ({ counts }) => {
            const found = new Map(counts.map((x) => [x.thread, x.count]));
            for (const k of keys) for (const w of all.get(k)!) w.resolve(found.get(k));
          },
          (e: unknown) => {
            for (const k of keys) for (const w of all.get(k)!) w.reject(e);
          },
        );
      for (const key of all.keys()) {
        const size = encodeURIComponent(key).length + 9;
        if (part.length && (part.length === MAX_COUNT_THREADS || length + size > MAX_COUNT_PATH)) {
          void send(part);
          part = [];
          length = 0;
        }
        part.push(key);
        length += size;
      }
      void send(part);
    });
  }
  return new Promise((resolve, reject) => {
    const list = waiting.get(thread) ?? [];
    list.push({ resolve, reject });
    waiting.set(thread, list);
  });
}
