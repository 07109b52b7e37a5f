import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Series } from '../../src/contract/events.js';
import { Event } from '../../src/contract/resources.js';
import { AuditPage, Sanction } from '../../src/contract/moderation.js';
import { TokenCheck } from '../../src/contract/requests.js';
import { backends, call, setup, token } from './support.js';

const SITE = '/v1/sites/asso';
const inAWeek = (h: number) => new Date(Date.now() + 7 * 86_400_000 + h * 3_600_000).toISOString().slice(0, 16);

for (const backend of backends()) {
  describe(`the site acting for itself (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let siteAdmin: string;
    before(async () => {
      ctx = await setup(backend);
      siteAdmin = await token({ sub: 'site:cli', name: 'Webmaster', roles: ['admin'], act: 'site' });
    });
    after(() => ctx?.cleanup());

    const memberCount = async () =>
      Number(
        (
          await ctx.store.db
            .selectFrom('members')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('site_id', '=', 'asso')
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('creates an event organised by nobody, and leaves no member behind', async () => {
      const before = await memberCount();
      const r = await call(ctx.app, 'POST', `${SITE}/events`, {
        token: siteAdmin,
        body: { title: 'Assemblée générale', startsAt: inAWeek(18), endsAt: inAWeek(20), timeZone: 'Europe/Paris' },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(Event.parse(r.body).organiser, null);
      assert.equal(await memberCount(), before);
      const directory = await call(ctx.app, 'GET', `${SITE}/members?limit=50`, { token: await token({ sub: 'reader' }) });
      assert.equal(directory.status, 200);
      assert.ok(!JSON.stringify(directory.body).includes('Webmaster'), 'the site is not in the directory');
    });

    it('creates a series organised by nobody, and leaves no member behind', async () => {
      const before = await memberCount();
      const r = await call(ctx.app, 'POST', `${SITE}/series`, {
        token: siteAdmin,
        body: {
          title: 'Petit-déjeuner mensuel',
          startsAt: inAWeek(8),
          endsAt: inAWeek(9),
          timeZone: 'Europe/Paris',
          recurrence: { freq: 'monthly', byDay: ['TU'], setPos: 1, count: 3 },
        },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const series = Series.parse(r.body);
      assert.equal(series.occurrences.length, 3);
      assert.ok(series.occurrences.every((o) => o.organiser === null));
      assert.equal(await memberCount(), before);
    });

    it('a sub starting with "site:" acts for the site even without the act claim', async () => {
      const before = await memberCount();
      const t = await token({ sub: 'site:cron', name: 'Cron', roles: ['admin'] });
      const r = await call(ctx.app, 'PATCH', `${SITE}/admin/settings`, { token: t, body: { name: 'Asso du site' } });
      assert.equal(r.status, 200);
      assert.equal(await memberCount(), before);
    });

    it('is recorded "by the site" in the audit log when it sanctions and lifts', async () => {
      const member = await token({ sub: 'noisy', name: 'Noisy Member' });
      await call(ctx.app, 'GET', `${SITE}/me`, { token: member });
      const s = await call(ctx.app, 'POST', `${SITE}/moderation/sanctions`, {
        token: siteAdmin,
        body: { member: 'noisy', kind: 'mute', reason: 'Off topic again', days: 3 },
      });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      assert.equal(Sanction.parse(s.body).moderator, null);
      const lifted = await call(ctx.app, 'DELETE', `${SITE}/moderation/sanctions/${s.body.id}`, { token: siteAdmin });
      assert.equal(lifted.status, 200);
      const again = await call(ctx.app, 'DELETE', `${SITE}/moderation/sanctions/${s.body.id}`, { token: siteAdmin });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'sanction.over');
      const audit = AuditPage.parse((await call(ctx.app, 'GET', `${SITE}/admin/audit`, { token: siteAdmin })).body);
      const mine = audit.items.filter((e) => e.action === 'mute' || e.action === 'lift');
      assert.equal(mine.length, 2);
      for (const e of mine) {
        assert.equal(e.actorKind, 'site');
        assert.equal(e.actor, null);
      }
      const settings = audit.items.find((e) => e.action === 'settings.update');
      assert.equal(settings?.actorKind, 'site');
    });

    it('may not act as a member: posting or reading "me" is refused with auth.site_actor', async () => {
      const post = await call(ctx.app, 'POST', `${SITE}/comments`, { token: siteAdmin, body: { thread: 'page-1', body: 'Hello' } });
      assert.equal(post.status, 403);
      assert.equal(post.body.code, 'auth.site_actor');
      const me = await call(ctx.app, 'GET', `${SITE}/me`, { token: siteAdmin });
      assert.equal(me.status, 403);
      assert.equal(me.body.code, 'auth.site_actor');
    });

    it('checks a token without creating its member (the host status page)', async () => {
      const before = await memberCount();
      const fresh = await token({ sub: 'wp-admin-1', name: 'WordPress Admin', roles: ['member', 'admin'] });
      const r = await call(ctx.app, 'GET', `${SITE}/auth/check`, { token: fresh });
      assert.equal(r.status, 200);
      const check = TokenCheck.parse(r.body);
      assert.equal(check.sub, 'wp-admin-1');
      assert.equal(check.actor, 'member');
      assert.equal(check.known, false);
      assert.equal(await memberCount(), before);
      const site = TokenCheck.parse((await call(ctx.app, 'GET', `${SITE}/auth/check`, { token: siteAdmin })).body);
      assert.equal(site.actor, 'site');
      const refused = await call(ctx.app, 'GET', `${SITE}/auth/check`, { token: fresh.slice(0, -3) + 'abc' });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'auth.bad_signature');
    });
  });
}
