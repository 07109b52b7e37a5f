/**
 * End to end, member cards: the real Cercle server on a temporary database, the demo association's
 * site beside it, and a real Chromium. Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type Locator, type Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { type E2EDemo, openDemo, type Visit } from './support.js';

/** Hélène Marty (Toulouse) shows her phone to her chapter only, her email to no one. */
const HELENE_PHONE = '+33 5 61 00 10 01';
const HELENE_BIO = 'Trente ans dans la menuiserie industrielle';

let demo: RunningDemo;
let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('members');
  ({ demo } = e2e);
});

after(() => e2e?.close());

/**
 * A browser signed in on the demo site as `name` (or signed out), on the French members page; it records
 * every request sent to the Cercle API, with its query and, for a batch, the reads it carries.
 */
const visit = (name?: string): Promise<Visit> => e2e.visit({ as: name, path: '/membres', record: 'detailed', acceptDownloads: true });

/** The first hovercard chip of a member in the site's own directory. */
const chip = (page: Page, name: string) => page.locator('.member-grid cercle-member-card').filter({ hasText: name }).first();
const myCard = (page: Page) => page.locator('cercle-member-card[member="me"]');

/** Opens a member's hovercard with the keyboard, as a keyboard-only member would; returns its panel. */
async function openCard(page: Page, name: string): Promise<Locator> {
  const card = chip(page, name);
  const trigger = card.getByRole('button', { name, exact: true });
  await trigger.focus();
  await page.keyboard.press('Enter');
  const panel = card.getByRole('dialog', { name });
  await panel.waitFor();
  return panel;
}

test('two members of different chapters see different fields of the same card; a page of cards is one API read', async () => {
  const toulouse = await visit('Jean-Marc Castagné');
  const montpellier = await visit('Camille Rouanet');
  const out = await visit();
  try {
    for (const v of [toulouse, montpellier, out]) {
      await chip(v.page, 'Hélène Marty').getByRole('button', { name: 'Hélène Marty', exact: true }).waitFor();
      // Every card on the page (twenty chips, my own card and my introductions, the directory) comes in one request.
      const cardReads = v.api.filter((x) => /( |\/demo)\/(members|introductions)/.test(x));
      assert.equal(cardReads.length, 1, `member cards read in one request, saw: ${v.api.join(' | ')}`);
      assert.match(cardReads[0], /\/members\?ids=adh-1001,/);
    }
    const seen = async (v: Visit) => (await openCard(v.page, 'Hélène Marty')).innerText();
    const a = await seen(toulouse);
    const b = await seen(montpellier);
    const c = await seen(out);
    assert.ok(a.includes(HELENE_PHONE), 'her chapter sees her phone');
    assert.ok(a.includes(HELENE_BIO), 'members see her presentation');
    assert.ok(!b.includes(HELENE_PHONE), 'another chapter does not');
    assert.ok(b.includes(HELENE_BIO));
    assert.ok(!c.includes(HELENE_PHONE) && !c.includes(HELENE_BIO), 'a signed-out reader sees only public fields');
    assert.ok(c.includes('Présidente du club'), 'public fields show to everyone');
    for (const text of [a, b, c]) assert.ok(!text.includes('helene.marty@'), 'an "only me" field shows to no one');

    // Escape closes the card and gives focus back to the chip.
    await toulouse.page.keyboard.press('Escape');
    await chip(toulouse.page, 'Hélène Marty').getByRole('dialog').waitFor({ state: 'hidden' });
    for (const v of [toulouse, montpellier, out]) assert.deepEqual(v.errors, []);
  } finally {
    await Promise.all([toulouse, montpellier, out].map((v) => v.context.close()));
  }
});

test('the members page, in French and in English, signed in or out, reads everything in one batch request', async () => {
  for (const [as, path] of [
    [undefined, '/membres'],
    ['Jean-Marc Castagné', '/membres'],
    [undefined, '/en/members'],
    ['Camille Rouanet', '/en/members'],
  ] as const) {
    const v = await e2e.visit({ as, path, record: 'requests' });
    try {
      const name = 'Hélène Marty';
      await chip(v.page, name).getByRole('button', { name, exact: true }).waitFor();
      await v.page.locator('cercle-member-directory').getByRole('list').first().waitFor();
      // Everything the page shows is read by now; a later batch would still be recorded below.
      await v.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      const reads = v.api.filter((x) => x.startsWith('GET ') || x.endsWith('/batch'));
      assert.deepEqual(reads, ['POST /v1/sites/demo/batch'], `${as ?? 'signed out'} on ${path}: ${v.api.join(' | ')}`);
    } finally {
      await v.context.close();
    }
  }
});

test('an introduction goes from request to accepted, and only then reveals the chosen details', async () => {
  const camille = await visit('Camille Rouanet');
  try {
    const panel = await openCard(camille.page, 'Hélène Marty');
    assert.ok(!(await panel.innerText()).includes(HELENE_PHONE));
    await panel.getByRole('button', { name: 'Demander une mise en relation' }).click();
    await panel
      .getByRole('textbox', { name: 'Votre message' })
      .fill('Bonjour Hélène, je prépare la transmission de mon agence : un café ?');
    await panel.getByRole('button', { name: 'Envoyer la demande' }).click();
    await panel.getByText('Mise en relation demandée, en attente de réponse.').waitFor();
    assert.ok(!(await panel.innerText()).includes(HELENE_PHONE), 'nothing revealed while the request waits');
  } finally {
    await camille.context.close();
  }

  const helene = await visit('Hélène Marty');
  try {
    const mine = myCard(helene.page);
    const request = mine.getByRole('listitem').filter({ hasText: 'Camille Rouanet demande une mise en relation avec vous.' });
    await request.waitFor();
    await request.getByText('je prépare la transmission de mon agence').waitFor();
    await request.getByRole('checkbox', { name: 'Téléphone' }).check();
    await request.getByRole('checkbox', { name: 'Site web' }).uncheck();
    await request.getByRole('button', { name: 'Accepter' }).click();
    await mine.getByRole('listitem').filter({ hasText: 'Camille Rouanet — Vous avez été mis en relation.' }).waitFor();
  } finally {
    await helene.context.close();
  }

  const back = await visit('Camille Rouanet');
  try {
    const panel = await openCard(back.page, 'Hélène Marty');
    await panel.getByText(HELENE_PHONE).waitFor();
    assert.match(await panel.innerText(), /partagé avec vous/);
    assert.ok(!(await panel.innerText()).includes('helene.marty@'), 'only the chosen details');
    await panel.getByText('Vous avez été mis en relation.').waitFor();
  } finally {
    await back.context.close();
  }
  // Counted in the engagement ledger, once each: both took part; the accepted introduction is credited to who asked for it.
  const rows = await demo.store.db
    .selectFrom('activities as a')
    .innerJoin('members as m', 'm.pk', 'a.member_pk')
    .select(['a.kind', 'm.name'])
    .where('a.kind', 'like', 'introduction.%')
    .execute();
  assert.deepEqual(rows.map((r) => `${r.name}: ${r.kind}`).sort(), [
    'Camille Rouanet: introduction.accepted',
    'Camille Rouanet: introduction.made',
    'Hélène Marty: introduction.made',
  ]);
});

test('a member edits their card, exports their data and erases it', async () => {
  const v = await visit('Thomas Vidal');
  try {
    const mine = myCard(v.page);
    await mine.getByRole('button', { name: 'Modifier ma fiche' }).click();
    await mine.getByRole('textbox', { name: 'Accroche' }).fill('Conserverie artisanale, anchois de Collioure');
    await mine.getByRole('textbox', { name: 'Site web' }).fill('javascript:alert(1)');
    await mine.getByRole('button', { name: 'Enregistrer' }).click();
    await mine.getByText('Saisissez une adresse commençant par http:// ou https://.').waitFor();
    await mine.getByRole('textbox', { name: 'Site web' }).fill('https://conserverie-vidal.example.fr');
    await mine.getByRole('button', { name: 'Enregistrer' }).click();
    await mine.getByText('Conserverie artisanale, anchois de Collioure').waitFor();
    await mine.getByText('Votre fiche a été enregistrée.').waitFor({ state: 'attached' });

    const [download] = await Promise.all([
      v.page.waitForEvent('download'),
      mine.getByRole('button', { name: 'Télécharger mes données (JSON)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^cercle-demo-\d{4}-\d\d-\d\d\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, 'utf8'));
    assert.equal(data.member.id, 'adh-1008');
    assert.equal(data.profile.headline, 'Conserverie artisanale, anchois de Collioure');
    assert.ok(data.rsvps.length + data.comments.length > 0, 'the seeded RSVPs or comments are in the export');

    await mine.getByRole('button', { name: 'Effacer mes données…' }).click();
    const confirm = mine.getByRole('group', { name: 'Effacer tout ce que Cercle conserve sur vous ?' });
    await confirm.getByRole('radio', { name: /Garder mes commentaires/ }).check();
    await mine.getByRole('button', { name: 'Effacer définitivement' }).click();
    await mine.getByText('Vos données ont été effacées.').first().waitFor();
    // The card shrinks to its one line: no blank room is left where the form was.
    const gap = await mine.evaluate((el) => {
      const card = el.shadowRoot!.querySelector('[part=base]')!;
      const content = [...card.children].reduce((h, c) => h + c.getBoundingClientRect().height, 0);
      const style = getComputedStyle(card);
      return (
        card.getBoundingClientRect().height -
        content -
        parseFloat(style.paddingBlockStart) -
        parseFloat(style.paddingBlockEnd) -
        parseFloat(style.borderTopWidth) -
        parseFloat(style.borderBottomWidth)
      );
    });
    assert.ok(gap < 24, `blank room left in the erased card: ${gap} px`);
    assert.deepEqual(v.errors, []);
  } finally {
    await v.context.close();
  }
  const pk = (await demo.store.memberByHostId('demo', 'adh-1008'))?.pk;
  assert.equal(pk, undefined, 'the member row is gone');
  const left = await demo.store.db.selectFrom('member_profiles').selectAll().where('headline', 'like', '%Collioure%').execute();
  assert.deepEqual(left, []);
});

test('a directory search with few results leaves no blank room under them', async () => {
  const v = await e2e.visit({ path: '/membres' });
  try {
    const directory = v.page.locator('cercle-member-directory');
    await directory.getByRole('list').first().waitFor();
    await directory.getByRole('searchbox').first().fill('Marty');
    await directory.getByRole('listitem').filter({ hasText: 'Hélène Marty' }).waitFor();
    await v.page.waitForFunction(() => {
      const list = document.querySelector('cercle-member-directory')!.shadowRoot!.querySelector('[part=list]')!;
      return list.getAttribute('aria-busy') === 'false' && list.children.length === 1;
    });
    const gap = await directory.evaluate((el) => {
      const list = el.shadowRoot!.querySelector('[part=list]')!;
      // What the results' own content takes (a grid row may stretch to fill a reserved height).
      const content = [...list.children].reduce((h, li) => {
        const boxes = [...li.children].map((c) => c.getBoundingClientRect());
        return h + Math.max(...boxes.map((r) => r.bottom)) - Math.min(...boxes.map((r) => r.top));
      }, 0);
      return list.getBoundingClientRect().height - content;
    });
    assert.ok(gap < 16, `blank room under the results: ${gap} px`);
  } finally {
    await v.context.close();
  }
});
