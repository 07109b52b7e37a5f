/**
 * End to end, the site's administration and the community team's insights: the real Cercle server on a
 * temporary database, the demo association's site, a real Chromium. Needs the browser bundles (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { type E2EDemo, openDemo } from './support.js';

const SITE = 'demo';
let e2e: E2EDemo;
let demo: RunningDemo;

before(async () => {
  e2e = await openDemo('admin');
  ({ demo } = e2e);
});
after(() => e2e?.close());

const tokenOf = async (page: Page) => (await page.evaluate(() => fetch('/cercle-token').then((r) => r.json()))).token as string;

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${demo.cercleUrl}/v1/sites/${SITE}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test('an admin names a chapter: the event feed and the calendar then show the name', async () => {
  const v = await e2e.visit({ as: /Hélène Marty/, path: '/administration' });
  const admin = v.page.locator('cercle-admin');
  const form = admin.locator('form[part=chapter]', { hasText: '(montpellier' });
  await form.getByLabel('Nom', { exact: true }).fill('Montpellier Méditerranée');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await admin.locator('form[part=chapter] h2', { hasText: 'Montpellier Méditerranée' }).waitFor();
  // A name another chapter bears is refused, and the form keeps it.
  const other = admin.locator('form[part=chapter]', { hasText: '(nimes' });
  await other.getByLabel('Nom', { exact: true }).fill('Montpellier Méditerranée');
  await other.getByRole('button', { name: 'Enregistrer' }).click();
  await other.getByRole('alert').filter({ hasText: 'déjà pris' }).waitFor();
  assert.equal(await other.getByLabel('Nom', { exact: true }).inputValue(), 'Montpellier Méditerranée');

  await v.page.goto(`${demo.url}/evenements`);
  await v.page.locator('cercle-event-feed').locator('.tag', { hasText: 'Montpellier Méditerranée' }).first().waitFor();
  const ics = await (await fetch(`${demo.cercleUrl}/v1/sites/${SITE}/calendar.ics?chapter=montpellier`)).text();
  assert.match(ics, /Montpellier Méditerranée/);
  assert.deepEqual(v.errors, []);
  await v.context.close();
});

test('an admin lifts a sanction: the member can post again', async () => {
  const member = await e2e.visit({ as: /Laure Bousquet/, path: '/' });
  const memberToken = await tokenOf(member.page);
  const adminVisit = await e2e.visit({ as: /Hélène Marty/, path: '/administration' });
  const adminToken = await tokenOf(adminVisit.page);
  const muted = await api('POST', '/moderation/sanctions', adminToken, {
    member: 'adh-1011',
    kind: 'mute',
    reason: 'Messages hors sujet',
    days: 7,
  });
  assert.equal(muted.status, 201, JSON.stringify(muted.body));
  const refused = await api('POST', '/comments', memberToken, { thread: 'e2e-admin-thread', body: 'Bonjour' });
  assert.equal(refused.body.code, 'member.muted');

  const admin = adminVisit.page.locator('cercle-admin');
  await admin.getByRole('button', { name: 'Sanctions' }).click();
  const row = admin.locator('[part=sanctions] tbody tr', { hasText: 'Laure Bousquet' });
  await row.getByText('Messages hors sujet').waitFor();
  await row.getByRole('button', { name: /^Lever/ }).click();
  await admin.getByRole('status').filter({ hasText: 'La sanction de Laure Bousquet est levée.' }).waitFor();

  const again = await api('POST', '/comments', memberToken, { thread: 'e2e-admin-thread', body: 'Bonjour à nouveau' });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  const audit = await api('GET', '/admin/audit?action=lift', adminToken);
  assert.equal(audit.body.items[0].member.id, 'adh-1011');
  await member.context.close();
  await adminVisit.context.close();
});

test('the insights page shows the counts of a seeded scenario', async () => {
  const v = await e2e.visit({ as: /Hélène Marty/, path: '/equipe' });
  const token = await tokenOf(v.page);
  // A chapter of its own, so that the demo's other activity does not count: three members take part this week.
  await api('PUT', '/admin/chapters/e2e-lab', token, { name: 'Laboratoire' });
  const at = new Date().toISOString();
  for (const [i, kind] of (['comment.posted', 'event.attended', 'comment.posted'] as const).entries()) {
    const m = await demo.store.upsertMember(SITE, { sub: `e2e-lab-${i}`, iat: Math.floor(Date.now() / 1000), name: `Labo ${i}` });
    await demo.store.recordActivity(SITE, m.pk, kind, `e2e-lab-ref-${i}`, { at, chapter: 'e2e-lab' });
  }
  // The chapters to choose from come with the insights: read them again.
  await v.page.reload();
  const insights = v.page.locator('cercle-insights');
  await insights.locator('section').first().waitFor();
  await insights.getByLabel('Chapitre').selectOption('e2e-lab');
  await insights.getByRole('button', { name: 'Afficher' }).click();
  await insights.getByRole('status').filter({ hasText: 'Laboratoire' }).waitFor();
  const first = insights.locator('section').first();
  await first.getByText('Voir les données').click();
  const lastWeek = first.locator('tbody tr').last();
  // Week, took part, newcomers, posted, useful, came, introduced.
  assert.deepEqual(
    (await lastWeek.locator('td').allInnerTexts()).map((t) => t.trim()),
    ['3', '3', '2', '0', '1', '0'],
  );
  assert.equal(await first.locator('svg[role=img]').count(), 1);
  assert.deepEqual(v.errors, []);
  await v.context.close();
});
