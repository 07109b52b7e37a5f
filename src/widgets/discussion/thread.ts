/**
 * The thread's state as pure reducers: a page of comments in, the next page out. The element applies
 * them to what the server, the live stream and the reader's own actions say; they are tested without
 * a DOM (`test/widgets/thread.test.ts`).
 */
import type { Comment, CommentPage } from '../../contract/resources.js';

const published = (c: Comment) => (c.status === 'published' ? 1 : 0);

/** `prev` becomes `next`; the thread's count follows a comment that is published or no longer is. */
export function patch(page: CommentPage, prev: Comment, next: Comment): CommentPage {
  const d = published(next) - published(prev);
  return {
    ...page,
    items: page.items.map((x) => (x.id === prev.id ? next : x)),
    thread: d ? { ...page.thread, commentCount: page.thread.commentCount + d } : page.thread,
  };
}

/** The server's version of a comment, over the one shown. */
export const replace = (page: CommentPage, c: Comment): CommentPage => ({
  ...page,
  items: page.items.map((x) => (x.id === c.id ? { ...x, ...c } : x)),
});

/** A reply stored: right under its parent (at the end if the parent is not shown), once. */
export function addReply(page: CommentPage, posted: Comment): CommentPage {
  if (page.items.some((c) => c.id === posted.id)) return page;
  const at = page.items.findIndex((c) => c.id === posted.parentId);
  const items = [...page.items];
  items.splice(at < 0 ? items.length : at + 1, 0, posted);
  return { ...page, items, thread: { ...page.thread, commentCount: page.thread.commentCount + published(posted) } };
}

/** A comment of the reader's own, posted from another tab: at the end, counted. */
export const addOwn = (page: CommentPage, c: Comment): CommentPage => ({
  ...page,
  items: [...page.items, c],
  thread: { ...page.thread, commentCount: page.thread.commentCount + 1 },
});

/**
 * The comments held behind "N new" put where they belong: new threads first when the newest come
 * first, replies and everything else at the end. Those already shown, and repeats, are left out;
 * `added` is how many were put in.
 */
export function addFresh(page: CommentPage, held: (Comment | undefined)[], newestFirst: boolean): { page: CommentPage; added: Comment[] } {
  const fresh = held.filter(
    (c, i): c is Comment => !!c && !page.items.some((x) => x.id === c.id) && held.findIndex((x) => x?.id === c.id) === i,
  );
  if (!fresh.length) return { page, added: fresh };
  const items = newestFirst
    ? [...fresh.filter((c) => !c.parentId).reverse(), ...page.items, ...fresh.filter((c) => c.parentId)]
    : [...page.items, ...fresh];
  return { page: { ...page, items, thread: { ...page.thread, commentCount: page.thread.commentCount + fresh.length } }, added: fresh };
}

/** The next page read after this one; comments shown already (arrived live meanwhile) are not repeated. */
export const appendPage = (page: CommentPage, next: CommentPage): CommentPage => ({
  ...next,
  lastVisitAt: page.lastVisitAt,
  items: [...page.items, ...next.items.filter((c) => !page.items.some((x) => x.id === c.id))],
});

/** Moderators' count of comments waiting for approval, moved by `d` (never below zero). */
export const pending = (page: CommentPage, d: number): CommentPage => ({
  ...page,
  pendingCount: Math.max(0, (page.pendingCount ?? 0) + d),
});

/** A deleted comment's tombstone: it keeps its place (and its replies) without its text or author. */
export const tombstone = (c: Comment): Comment => ({ ...c, status: 'deleted', body: '', author: null, reactions: [], mentions: [] });

/** New reaction counts, the reader's own choices kept. */
export const recount = (c: Comment, counts: { kind: string; count: number }[]): Comment => ({
  ...c,
  reactions: counts.map((r) => ({ ...r, mine: !!c.reactions.find((x) => x.kind === r.kind)?.mine })),
});
