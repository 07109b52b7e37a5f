/**
 * End to end: a member of the demo association posts through <cercle-discussion>, is found useful by
 * ten other members, attends events, and sees their level and new badges with the reasons, in the
 * header chip and in the full <cercle-engagement-badge> of the members page. Needs `npm run build`.
 *
 * The "useful" reactions and the attendance marks are recorded through the store (the same
 * `store.recordActivity` the reactions and attendance routes call), so this test depends only on
 * the discussion widget's posting and on engagement itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { type E2EDemo, eager, openDemo } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';

let demo: RunningDemo;
let browser: Browser;

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('eng');
  ({ demo, browser } = e2e);
});

after(() => e2e?.close());

test('a member posts, is found useful, attends events, and sees their level and new badges with the reasons', async () => {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  // Widgets below the fold load at once: the test waits for them without scrolling.
  await context.addInitScript(eager);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    // Sign in on the association's site as a member who has done nothing yet.
    await page.goto(demo.url + ARTICLE);
    await page.locator('cercle-discussion').getByRole('link', { name: 'Connectez-vous sur ce site pour participer' }).click();
    const who = page.getByRole('radio').nth(5);
    const name = (await page.locator('label.member-choice').nth(5).locator('.member-name').textContent())!.trim();
    await who.check();
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(demo.url + ARTICLE);

    // The header chip: a new member, no badge yet.
    const chip = page.locator('.site-header cercle-engagement-badge [part="base"]');
    await chip.and(page.locator('[role="img"]')).waitFor();
    const member = await demo.store.db
      .selectFrom('members')
      .selectAll()
      .where('site_id', '=', 'demo')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const before = await demo.store.db.selectFrom('activities').select('kind').where('member_pk', '=', member.pk).execute();
    assert.equal(before.filter((a) => a.kind === 'comment.posted').length, 0, `${name} has not posted yet`);

    // Post through the discussion widget: the chip updates without a reload.
    const text = `Retour d'expérience sur la transmission, merci à tous (${Date.now()})`;
    await page.locator('cercle-discussion').getByRole('textbox', { name: 'Votre commentaire' }).fill(text);
    await page.locator('cercle-discussion').getByRole('button', { name: 'Publier' }).click();
    await page.locator('cercle-discussion [part="comment"]').filter({ hasText: text }).waitFor();
    await page.waitForFunction(() => {
      const c = document.querySelector('.site-header cercle-engagement-badge')?.shadowRoot?.querySelector('[part="base"]');
      return c?.getAttribute('aria-label')?.includes('Première contribution');
    });

    // Ten other members find it useful; the member attends three events of the club.
    const comment = await demo.store.db.selectFrom('comments').select('id').where('body', '=', text).executeTakeFirstOrThrow();
    const others = await demo.store.db
      .selectFrom('members')
      .select('pk')
      .where('site_id', '=', 'demo')
      .where('pk', '!=', member.pk)
      .limit(10)
      .execute();
    assert.equal(others.length, 10, 'the demo has enough members');
    for (const o of others) await demo.store.recordActivity('demo', member.pk, 'useful.received', `${comment.id}:${o.pk}`);
    const events = await demo.store.db
      .selectFrom('events')
      .select(['id', 'title'])
      .where('site_id', '=', 'demo')
      .orderBy('starts_at')
      .limit(3)
      .execute();
    assert.equal(events.length, 3, 'the demo has three events');
    for (const e of events) await demo.store.recordActivity('demo', member.pk, 'event.attended', e.id);

    // The members page: level, new badges, and why.
    await page.goto(demo.url + '/membres');
    const full = page.locator('main cercle-engagement-badge[view="full"]');
    await full.locator('[part="level"]').filter({ hasText: 'Contributeur' }).waitFor();
    const badges = full.locator('[part="badge"]');
    await badges.first().waitFor();
    const names = await badges.locator('h3').allTextContents();
    assert.deepEqual(names.sort(), ['Fidèle aux rencontres', 'Première contribution', 'Réponse utile ×10']);

    const useful = badges.filter({ hasText: 'Réponse utile ×10' });
    await useful.getByText('Pourquoi j’ai ce badge').click();
    const reasons = useful.locator('.reasons li');
    assert.equal(await reasons.count(), 10);
    assert.match((await reasons.first().textContent())!, /Jugé «\s*utile\s*»\s+—\s+Transmettre son entreprise/);

    const loyal = badges.filter({ hasText: 'Fidèle aux rencontres' });
    await loyal.getByText('Pourquoi j’ai ce badge').click();
    const attended = await loyal.locator('.reasons li').allTextContents();
    assert.equal(attended.length, 3);
    for (const e of events)
      assert.ok(
        attended.some((r) => r.includes(e.title)),
        `"${e.title}" is given as a reason`,
      );

    // Progress towards the next level is told in numbers, not by colour alone.
    const next = full.locator('[part="progress"]');
    assert.match((await next.locator('h3').textContent())!, /Vers le niveau «\s*Pilier\s*»/);
    assert.match(
      (await next.locator('.req').allTextContents()).join(' | '),
      /réactions «\s*utile\s*» reçues\s*10 sur 10.*rencontres suivies\s*3 sur 5/,
    );

    // The header chip says the same to assistive technologies.
    const label = await page.locator('.site-header cercle-engagement-badge [part="base"]').getAttribute('aria-label');
    assert.match(label!, /^Niveau Contributeur\. Badges\s: .*Réponse utile ×10/);

    // Hiding: other members then see nothing, the member still sees everything.
    await full.getByRole('checkbox', { name: 'Masquer mon niveau et mes badges aux autres membres' }).check();
    await page.waitForFunction(async (id) => {
      const r = await fetch(
        `${(document.querySelector('cercle-community') as HTMLElement).getAttribute('api')}/v1/sites/demo/engagement/members/${id}`,
      );
      return (await r.json()).hidden === true;
    }, member.host_id);
    assert.equal(await full.locator('[part="badge"]').count(), 3);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
