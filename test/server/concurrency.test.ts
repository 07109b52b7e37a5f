import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends, call, setup, token } from './support.js';

for (const backend of backends()) {
  describe(`concurrent writes between the same members (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      ctx = await setup(backend);
    });
    after(() => ctx.cleanup());

    it('answers every crossing reply, none lost to a deadlock', async () => {
      const alice = await token({ sub: 'alice', name: 'Alice' });
      const bob = await token({ sub: 'bob', name: 'Bob' });
      const post = (t: string, body: object) => call(ctx.app, 'POST', '/v1/sites/asso/comments', { token: t, body });
      const a = await post(alice, { thread: 'cross', body: 'Question d’Alice' });
      const b = await post(bob, { thread: 'cross', body: 'Question de Bob' });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      // Each reply credits its author and the author it answers: Alice→Bob and Bob→Alice at once.
      const replies = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 2
            ? post(alice, { thread: 'cross', body: `Réponse ${i} d’Alice`, parentId: b.body.id })
            : post(bob, { thread: 'cross', body: `Réponse ${i} de Bob`, parentId: a.body.id }),
        ),
      );
      assert.deepEqual(
        replies.map((r) => r.status),
        replies.map(() => 201),
        JSON.stringify(replies.find((r) => r.status !== 201)?.body),
      );
      const received = await ctx.store.db
        .selectFrom('activities')
        .select('member_pk')
        .where('site_id', '=', 'asso')
        .where('kind', '=', 'reply.received')
        .execute();
      assert.equal(received.length, 24);
    });
  });
}
