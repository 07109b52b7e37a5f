import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Comment } from '../../src/contract/resources.js';
import { CommentCounts } from '../../src/contract/discussion.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Problem } from '../../src/contract/common.js';
import { backends, call, setup, token } from './support.js';

for (const backend of backends()) {
  describe(`comment counts (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let alice: string;
    let bob: string;
    let mod: string;
    before(async () => {
      ctx = await setup(backend);
      alice = await token({ sub: 'alice', name: 'Alice Durand', chapters: ['toulouse'] });
      bob = await token({ sub: 'bob', name: 'Bob Leroy', chapters: ['montpellier'] });
      mod = await token({ sub: 'modo', name: 'Mona Modère', roles: ['member', 'moderator'] });
      const post = async (thread: string, body: string, t = alice) => {
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body: { thread, body } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return Comment.parse(r.body);
      };
      await post('article-1', 'Premier');
      const reply = await post('article-1', 'Deuxième', bob);
      await post('article-1', 'Troisième', bob);
      const hidden = await post('article-1', 'Masqué', bob);
      const deleted = await post('article-1', 'Effacé');
      await call(ctx.app, 'POST', `/v1/sites/asso/comments/${hidden.id}/moderation`, { token: mod, body: { action: 'hide' } });
      await call(ctx.app, 'DELETE', `/v1/sites/asso/comments/${deleted.id}`, { token: alice });
      assert.ok(reply.id);
      await ctx.store.setThread('asso', 'members-only', { audience: 'members' });
      await post('members-only', 'Entre nous');
      await ctx.store.setThread('asso', 'toulouse', { audience: 'chapter:toulouse' });
      await post('toulouse', 'Salut Toulouse');
      await post('toulouse', 'Rendez-vous jeudi');
      // A held comment: written on the thread, awaiting approval.
      await ctx.store.db
        .updateTable('comments')
        .set({ status: 'pending' })
        .where('id', '=', (await post('toulouse', 'En attente')).id)
        .execute();
    });
    after(() => ctx.cleanup());

    const counts = async (threads: string[], t?: string) => {
      const q = threads.map((k) => 'threads=' + encodeURIComponent(k)).join('&');
      const r = await call(ctx.app, 'GET', `/v1/sites/asso/threads/count?${q}`, { token: t });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return Object.fromEntries(CommentCounts.parse(r.body).counts.map((c) => [c.thread, c.count]));
    };

    it('counts published comments only: hidden, held and deleted ones are left out', async () => {
      assert.deepEqual(await counts(['article-1', 'never-commented']), { 'article-1': 3, 'never-commented': 0 });
    });

    it('counts a members-only thread for members only', async () => {
      assert.deepEqual(await counts(['members-only', 'article-1']), { 'article-1': 3 });
      assert.deepEqual(await counts(['members-only'], bob), { 'members-only': 1 });
    });

    it("counts a chapter's thread for that chapter and its moderators", async () => {
      assert.deepEqual(await counts(['toulouse'], alice), { toulouse: 2 });
      assert.deepEqual(await counts(['toulouse'], bob), {});
      assert.deepEqual(await counts(['toulouse'], mod), { toulouse: 2 });
    });

    it('answers in the order asked, each key once, also inside a batch', async () => {
      const r = await call(ctx.app, 'GET', '/v1/sites/asso/threads/count?threads=toulouse&threads=article-1&threads=toulouse', {
        token: alice,
      });
      assert.deepEqual(CommentCounts.parse(r.body).counts, [
        { thread: 'toulouse', count: 2 },
        { thread: 'article-1', count: 3 },
      ]);
      const b = await call(ctx.app, 'POST', '/v1/sites/asso/batch', { body: { reads: ['/threads/count?threads=article-1&threads=x'] } });
      assert.equal(b.status, 200, JSON.stringify(b.body));
      const [one] = BatchResponse.parse(b.body).results;
      assert.equal(one!.status, 200);
      assert.deepEqual(CommentCounts.parse(one!.body).counts, [
        { thread: 'article-1', count: 3 },
        { thread: 'x', count: 0 },
      ]);
    });

    it('refuses a request without thread, or naming too many', async () => {
      for (const q of ['', `?${Array.from({ length: 101 }, (_, i) => `threads=t${i}`).join('&')}`]) {
        const r = await call(ctx.app, 'GET', `/v1/sites/asso/threads/count${q}`);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(Problem.parse(r.body).code, 'request.invalid');
      }
    });
  });
}
