import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminSettings } from '../../src/contract/moderation.js';
import { SitePublic } from '../../src/contract/resources.js';
import { settingsCommand } from '../../src/server/cli/settings.js';
import { backends, call, setup, token } from './support.js';

for (const backend of backends()) {
  describe(`the site's word for its local groups (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let admin: string;
    before(async () => {
      ctx = await setup(backend);
      admin = await token({ sub: 'boss', name: 'Ada Admin', roles: ['member', 'admin'] });
    });
    after(() => ctx?.cleanup());

    const site = async () => SitePublic.parse((await call(ctx.app, 'GET', '/v1/sites/asso')).body);

    it('is "chapter" by default, and the widgets read it with the site', async () => {
      assert.equal((await site()).chapterTerm, 'chapter');
    });

    it('is set from the command line, and only to a known term', async () => {
      const out: string[] = [];
      assert.equal(await settingsCommand(ctx.store, ['set', 'asso', 'chapterTerm=branch'], (s) => out.push(s)), 0);
      assert.deepEqual(out, ['chapterTerm: "chapter" → "branch"']);
      // The server reads it within its short site cache; the store has it at once.
      const stored = async () => (await ctx.store.site('asso'))!.settings.chapterTerm;
      assert.equal(await stored(), 'branch');
      const bad: string[] = [];
      assert.equal(await settingsCommand(ctx.store, ['set', 'asso', 'chapterTerm=antenne'], (s) => bad.push(s)), 1);
      assert.match(bad.join('\n'), /chapterTerm/);
      assert.equal(await stored(), 'branch');
    });

    it('is changed by an administrator through the settings, a wrong term refused with request.invalid', async () => {
      const r = await call(ctx.app, 'PATCH', '/v1/sites/asso/admin/settings', { token: admin, body: { chapterTerm: 'delegation' } });
      assert.equal(r.status, 200);
      assert.equal(AdminSettings.parse(r.body).chapterTerm, 'delegation');
      assert.equal((await site()).chapterTerm, 'delegation');
      const bad = await call(ctx.app, 'PATCH', '/v1/sites/asso/admin/settings', { token: admin, body: { chapterTerm: 'lodge' } });
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { code: string }).code, 'request.invalid');
      assert.equal((await site()).chapterTerm, 'delegation');
    });
  });
}
