import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends, call, setup, token } from './support.js';

/**
 * Inline moderation (`POST /comments/{id}/moderation`) and the queue's bulk actions
 * (`POST /moderation/actions`) move a comment through one state machine: the same audit entries,
 * ledger entries, live events, webhook deliveries and status, whichever route a moderator uses.
 */
for (const backend of backends()) {
  describe(`comment lifecycle: inline and bulk moderation agree (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let alice: string;
    let mod: string;
    const site = '/v1/sites/asso';
    before(async () => {
      ctx = await setup(backend);
      alice = await token({ sub: 'alice', name: 'Alice Durand' });
      mod = await token({ sub: 'modo', name: 'Mona Modère', roles: ['member', 'moderator'] });
      const admin = await token({ sub: 'boss', name: 'Ada Admin', roles: ['member', 'admin'] });
      // Every member's comment waits for a moderator; a webhook hears of comments and replies (no one answers it).
      assert.equal(
        (await call(ctx.app, 'PATCH', `${site}/admin/settings`, { token: admin, body: { premoderation: 'everyone' } })).status,
        200,
      );
      const hook = await call(ctx.app, 'POST', `${site}/admin/webhooks`, {
        token: admin,
        body: { url: 'http://127.0.0.1:9/hook', events: ['comment.created', 'comment.reply'] },
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
    });
    after(() => ctx.cleanup());

    /** A held reply by Alice to a moderator's comment, in a thread of its own. */
    async function heldReply(thread: string): Promise<string> {
      const parent = await call(ctx.app, 'POST', `${site}/comments`, {
        token: mod,
        body: { thread, body: 'Bienvenue à toutes et à tous' },
      });
      assert.equal(parent.body.status, 'published');
      const reply = await call(ctx.app, 'POST', `${site}/comments`, {
        token: alice,
        body: { thread, body: 'Merci, ravie d’être là', parentId: parent.body.id },
      });
      assert.equal(reply.body.status, 'pending');
      return reply.body.id;
    }

    /** Everything a change of state leaves behind for one comment, with its own ids and times taken out. */
    async function effects(id: string, thread: string) {
      const db = ctx.store.db;
      const same = (v: unknown) =>
        String(v ?? '')
          .split(id)
          .join('<comment>')
          .split(thread)
          .join('<thread>');
      const audit = await db
        .selectFrom('moderation_log')
        .select(['action', 'moderator_pk', 'note', 'chapter_id', 'details', 'thread_pk', 'created_at', 'id'])
        .where('site_id', '=', 'asso')
        .where('comment_id', '=', id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const ledger = await db
        .selectFrom('activities')
        .select(['member_pk', 'kind', 'ref'])
        .where('site_id', '=', 'asso')
        .where('ref', 'like', `${id}%`)
        .orderBy('kind')
        .execute();
      const liveEvents = await db
        .selectFrom('live_events')
        .select(['topic', 'kind', 'audience', 'id'])
        .where('site_id', '=', 'asso')
        .where('ref', '=', id)
        .orderBy('id')
        .execute();
      const deliveries = await db
        .selectFrom('webhook_deliveries')
        .select(['event_type', 'payload', 'created_at', 'id'])
        .where('site_id', '=', 'asso')
        .where('payload', 'like', `%${id}%`)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const comment = await db
        .selectFrom('comments')
        .select(['status', 'held_reason', 'useful_count'])
        .where('site_id', '=', 'asso')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const listed = await call(ctx.app, 'GET', `${site}/comments?thread=${encodeURIComponent(thread)}`, { token: mod });
      return {
        audit: audit.map((r) => ({
          action: r.action,
          moderator: r.moderator_pk,
          note: r.note,
          chapter: r.chapter_id,
          details: r.details,
          inThread: r.thread_pk !== null,
        })),
        ledger: ledger.map((r) => ({ member: r.member_pk, kind: r.kind, ref: same(r.ref) })),
        live: liveEvents.map((r) => ({ topic: same(r.topic), kind: r.kind, audience: r.audience })),
        webhooks: deliveries.map((r) => ({ type: r.event_type, payload: same(JSON.parse(r.payload).data?.comment?.id) })),
        comment: { ...comment, useful_count: Number(comment.useful_count) },
        thread: { published: listed.body.thread.count, pending: listed.body.pendingCount },
      };
    }

    it('approve, hide and restore have the same effects inline and in bulk, step by step', async () => {
      const inline = await heldReply('inline-thread');
      const bulk = await heldReply('bulk-thread');
      assert.deepEqual(await effects(inline, 'inline-thread'), await effects(bulk, 'bulk-thread'), 'held alike');
      for (const action of ['approve', 'hide', 'restore'] as const) {
        const a = await call(ctx.app, 'POST', `${site}/comments/${inline}/moderation`, { token: mod, body: { action, note: 'vu' } });
        assert.equal(a.status, 200, JSON.stringify(a.body));
        const b = await call(ctx.app, 'POST', `${site}/moderation/actions`, { token: mod, body: { action, comments: [bulk], note: 'vu' } });
        assert.equal(b.status, 200, JSON.stringify(b.body));
        assert.deepEqual(b.body.results, [{ id: bulk, changed: true, status: a.body.status }]);
        const [x, y] = [await effects(inline, 'inline-thread'), await effects(bulk, 'bulk-thread')];
        assert.deepEqual(x, y, `after ${action}`);
        assert.equal(x.audit.at(-1)?.action, action, `${action} is audited`);
      }
      const final = await effects(inline, 'inline-thread');
      // What the sequence left: readable again, the author and the one answered credited once, each readable moment told to the webhook.
      assert.equal(final.comment.status, 'published');
      assert.deepEqual(
        final.audit.map((r) => r.action),
        ['approve', 'hide', 'restore'],
      );
      assert.deepEqual(
        final.ledger.map((r) => r.kind),
        ['comment.posted', 'reply.received'],
      );
      assert.deepEqual(
        final.live.map((r) => r.kind),
        [
          'comment.created',
          'moderation.changed',
          'comment.created',
          'moderation.changed',
          'comment.hidden',
          'moderation.changed',
          'comment.restored',
          'moderation.changed',
        ],
      );
      assert.deepEqual(
        final.webhooks.map((r) => r.type),
        ['comment.created', 'comment.reply', 'comment.created', 'comment.reply'],
      );
    });

    it('a move the comment cannot make: 409 inline, unchanged in bulk, and no effect either way', async () => {
      const inline = await heldReply('inline-refused');
      const bulk = await heldReply('bulk-refused');
      const before = [await effects(inline, 'inline-refused'), await effects(bulk, 'bulk-refused')];
      const a = await call(ctx.app, 'POST', `${site}/comments/${inline}/moderation`, { token: mod, body: { action: 'restore' } });
      assert.equal(a.status, 409);
      assert.equal(a.body.code, 'comment.bad_transition');
      const b = await call(ctx.app, 'POST', `${site}/moderation/actions`, { token: mod, body: { action: 'restore', comments: [bulk] } });
      assert.deepEqual(b.body.results, [{ id: bulk, changed: false, status: 'pending' }]);
      assert.deepEqual([await effects(inline, 'inline-refused'), await effects(bulk, 'bulk-refused')], before);
    });
  });
}
