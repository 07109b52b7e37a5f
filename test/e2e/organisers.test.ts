/**
 * End to end: an organiser runs a monthly breakfast from the demo's events page. The admin creates the
 * series in the feed's organiser tools, moves one meeting, two members answer, and at the door, on a
 * 375 px phone whose connection drops once, the organiser checks both in: the attendance is on the
 * server when the list is read again. Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { type E2EDemo, openDemo, signIn as signInOnSite } from './support.js';

const TITLE = 'Petit-déjeuner mensuel';
const HOUR = 3_600_000;
const DAY = 86_400_000;

let demo: RunningDemo;
let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('organisers');
  ({ demo } = e2e);
});

after(() => e2e?.close());

/** `YYYY-MM-DDTHH:mm` in Paris, as a `datetime-local` input takes it. */
function paris(ms: number): string {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

const signIn = (page: Page, name: RegExp) => signInOnSite(page, demo.url, name, '/evenements');
const feed = (page: Page) => page.locator('cercle-event-feed');
const meetings = (page: Page): Locator =>
  feed(page)
    .locator('[part="event"]')
    .filter({ has: page.getByRole('heading', { name: TITLE }) });

/** The first meeting starts within the hour, so that answers are open and the door too. */
const firstStart = Math.ceil((Date.now() + 50 * 60_000) / (5 * 60_000)) * 5 * 60_000;

test('an organiser creates a monthly series, moves a meeting, members answer, and two are checked in on a phone that loses its connection', async () => {
  const helene = await e2e.visit({ record: 'requests' });
  const camille = await e2e.visit();
  const olivier = await e2e.visit();
  // Which scripts each member's page fetched: the organiser chunk must not be among them.
  const chunks: string[] = [];
  for (const v of [camille, olivier]) v.page.on('request', (r) => /\/(event-)?organiser-[\w-]+\.js$/.test(r.url()) && chunks.push(r.url()));
  const organiserChunk: string[] = [];
  helene.page.on('request', (r) => /\/(event-)?organiser-[\w-]+\.js$/.test(r.url()) && organiserChunk.push(r.url()));
  try {
    // The admin opens the organiser tools, loaded for her only.
    await signIn(helene.page, /Hélène Marty/);
    const tools = feed(helene.page).locator('cercle-event-organiser').first();
    await tools.getByRole('button', { name: 'Nouvel événement', exact: true }).click();
    await tools.getByLabel('Titre', { exact: true }).fill(TITLE);
    await tools.getByLabel('Début', { exact: true }).fill(paris(firstStart));
    await tools.getByLabel('Fin', { exact: true }).fill(paris(firstStart + 1.5 * HOUR));
    assert.equal(await tools.getByLabel('Fuseau horaire du lieu', { exact: true }).inputValue(), 'Europe/Paris');
    await tools.getByLabel('Lieu', { exact: true }).fill('Café du Capitole, Toulouse');
    const repeat = tools.getByLabel('Répétition', { exact: true });
    const monthly = (await repeat.locator('option').allInnerTexts()).find(
      (o) => o.startsWith('Chaque mois le') && /[a-z]+ [a-z]+$/.test(o),
    );
    assert.ok(monthly, 'a monthly-by-weekday choice');
    await repeat.selectOption({ label: monthly });
    await tools.getByLabel('Dernière date', { exact: true }).fill(paris(firstStart + 150 * DAY).slice(0, 10));
    await tools.getByRole('button', { name: 'Créer', exact: true }).click();
    await tools.getByText(/\d+ rencontres créées\./).waitFor();
    assert.ok(helene.api.includes('POST /v1/sites/demo/series'));

    // The feed lists the meetings; the second one moves one day later.
    await meetings(helene.page).nth(1).waitFor();
    const second = meetings(helene.page).nth(1);
    const secondStart = Date.parse((await second.locator('time').first().getAttribute('datetime'))!);
    await second.getByRole('button', { name: 'Modifier', exact: true }).click();
    await second.getByLabel('Début', { exact: true }).fill(paris(secondStart + DAY));
    await second.getByLabel('Fin', { exact: true }).fill(paris(secondStart + DAY + 1.5 * HOUR));
    await second.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await second.getByText('Enregistré.').waitFor();
    await helene.page.reload();
    const moved = await meetings(helene.page).nth(1).locator('time').first().getAttribute('datetime');
    assert.equal(Date.parse(moved!), secondStart + DAY, 'the meeting moved, the others stayed');

    assert.ok(organiserChunk.length > 0, 'the organiser tools are fetched for the admin');

    // Two members answer the first meeting.
    for (const [v, name] of [
      [camille, /Camille Rouanet/],
      [olivier, /Olivier Puech/],
    ] as const) {
      await signIn(v.page, name);
      const first = meetings(v.page).first();
      await first.getByRole('group', { name: 'Votre réponse' }).getByRole('button', { name: 'Je viens', exact: true }).click();
      await first.getByText('Vous venez.').waitFor();
      assert.equal(await v.page.locator('cercle-event-organiser').count(), 0, 'no organiser tools on a member’s page');
    }
    assert.deepEqual(chunks, [], 'members’ pages never fetch the organiser chunk');

    // At the door, on a phone.
    const phone = await e2e.visit({ record: 'requests' });
    try {
      await phone.page.setViewportSize({ width: 375, height: 812 });
      await signIn(phone.page, /Hélène Marty/);
      const first = meetings(phone.page).first();
      await first.getByRole('button', { name: 'À l’accueil', exact: true }).click();
      const door = first.locator('[part="door"]');
      await door.getByText('Présence\u00a0: 0 sur 2').waitFor();
      const camilleButton = door.getByRole('button', { name: /^Camille Rouanet/ });
      const box = await camilleButton.boundingBox();
      assert.ok(box && box.height >= 44 && box.width <= 375, `a large target that fits: ${JSON.stringify(box)}`);
      await door.getByLabel('Chercher par nom', { exact: true }).fill('rouanet');
      assert.equal(await door.getByRole('button', { name: /^Olivier Puech/ }).count(), 0, 'the search narrows the list');

      // The connection drops: Camille's check-in waits on the phone.
      await phone.context.setOffline(true);
      await camilleButton.click();
      await door.getByText('1 arrivée en attente d’envoi', { exact: false }).waitFor();
      assert.equal(await camilleButton.getAttribute('aria-pressed'), 'true');
      await phone.context.setOffline(false);
      await door.getByText('Présence\u00a0: 1 sur 2').waitFor();
      assert.equal(await door.getByText(/en attente d’envoi/).count(), 0);

      await door.getByLabel('Chercher par nom', { exact: true }).fill('');
      await door.getByRole('button', { name: /^Olivier Puech/ }).click();
      await door.getByText('Présence\u00a0: 2 sur 2').waitFor();
      const sent = phone.api.filter((r) => /^PUT \/v1\/sites\/demo\/events\/[^/]+\/checkins\//.test(r));
      assert.ok(sent.length >= 2, sent.join('\n'));

      // Read again from the server: both attended, nobody twice.
      await phone.page.reload();
      await meetings(phone.page).first().getByRole('button', { name: 'À l’accueil', exact: true }).click();
      await meetings(phone.page).first().locator('[part="door"]').getByText('Présence\u00a0: 2 sur 2').waitFor();
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.context.close();
    }
    assert.deepEqual([...helene.errors, ...camille.errors, ...olivier.errors], []);
  } finally {
    await helene.context.close();
    await camille.context.close();
    await olivier.context.close();
  }
});
