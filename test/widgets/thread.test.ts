import { expect } from '@open-wc/testing';
import type { Comment, CommentPage } from '../../src/contract/resources.js';
import { addFresh, addReply, appendPage, patch, pending, recount, tombstone } from '../../src/widgets/discussion/thread.js';
import { comment, commentPage } from './fixtures.js';

/** The thread's reducers, without a DOM: a page in, the next page out, the page given left as it was. */
const ids = (p: CommentPage) => p.items.map((c) => c.id);
const c = (id: string, o: Partial<Comment> = {}) => comment({ id, ...o });

describe('thread reducers', () => {
  it('put a reply right under its parent, once, and count it if published', () => {
    const page = commentPage([c('a'), c('b')]);
    const next = addReply(page, c('r', { parentId: 'a' }));
    expect(ids(next)).to.deep.equal(['a', 'r', 'b']);
    expect(next.thread.commentCount).to.equal(page.thread.commentCount + 1);
    expect(ids(page)).to.deep.equal(['a', 'b']);
    expect(addReply(next, c('r', { parentId: 'a' }))).to.equal(next);
    expect(addReply(page, c('p', { parentId: 'a', status: 'pending' })).thread.commentCount).to.equal(page.thread.commentCount);
  });

  it('count a comment that stops being published', () => {
    const page = commentPage([c('a'), c('b')]);
    const next = patch(page, page.items[0], tombstone(page.items[0]));
    expect(next.items[0]).to.include({ status: 'deleted', body: '', author: null });
    expect(next.thread.commentCount).to.equal(page.thread.commentCount - 1);
  });

  it('show held comments where they belong, without repeats or those already shown', () => {
    const page = commentPage([c('a'), c('b')]);
    const held = [c('n1'), c('r1', { parentId: 'a' }), c('n2'), c('n1'), c('a'), undefined];
    expect(ids(addFresh(page, held, false).page)).to.deep.equal(['a', 'b', 'n1', 'r1', 'n2']);
    const newest = addFresh(page, held, true);
    expect(ids(newest.page)).to.deep.equal(['n2', 'n1', 'a', 'b', 'r1']);
    expect(newest.added).to.have.length(3);
    expect(newest.page.thread.commentCount).to.equal(page.thread.commentCount + 3);
  });

  it('append the next page without the comments that arrived live meanwhile', () => {
    const page = { ...commentPage([c('a'), c('b')]), lastVisitAt: '2026-01-01T00:00:00.000Z' };
    const next = appendPage(page, commentPage([c('b'), c('c')]));
    expect(ids(next)).to.deep.equal(['a', 'b', 'c']);
    expect(next.lastVisitAt).to.equal('2026-01-01T00:00:00.000Z');
  });

  it('keep the reader’s own reactions when the counts change, and never count pending below zero', () => {
    const mine = c('a', { reactions: [{ kind: 'thanks', count: 1, mine: true }] });
    expect(
      recount(mine, [
        { kind: 'thanks', count: 4 },
        { kind: 'useful', count: 1 },
      ]).reactions,
    ).to.deep.equal([
      { kind: 'thanks', count: 4, mine: true },
      { kind: 'useful', count: 1, mine: false },
    ]);
    expect(pending({ ...commentPage([]), pendingCount: 0 }, -1).pendingCount).to.equal(0);
  });
});
