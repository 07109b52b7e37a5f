/**
 * End to end: the demo association's events page with <cercle-event-feed>, the real Cercle server on a
 * temporary database, and a real Chromium. Two members fill the last place of a visit, one waits, and
 * is promoted when the other withdraws; the calendar file is read back by a real iCalendar parser.
 * Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import ICAL from 'ical.js';
import { type Locator, type Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { type E2EDemo, openDemo, signIn as signInOnSite } from './support.js';

/** The members-only visit the seed leaves with one place (capacity 8, 7 going). */
const VISIT = "Visite d'entreprise : une conserverie artisanale";
/** The seeded event that is already full. */
const DINNER = 'Dîner des nouveaux membres';

let demo: RunningDemo;
let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('events');
  ({ demo } = e2e);
});

after(() => e2e?.close());

/** A browser of its own that records every request its page sends to the Cercle API. */
const visitor = (locale = 'fr-FR') => e2e.visit({ locale, record: 'requests', acceptDownloads: true });

/** Signs in on the association's own site as `name`, and comes back to its events page. */
const signIn = (page: Page, name: RegExp) => signInOnSite(page, demo.url, name, '/evenements');

const feed = (page: Page) => page.locator('cercle-event-feed');
const event = (page: Page, title: string): Locator =>
  feed(page)
    .locator('[part="event"]')
    .filter({ has: page.getByRole('heading', { name: title }) });
const answer = (e: Locator, name: string | RegExp) => e.getByRole('group', { name: 'Votre réponse' }).getByRole('button', { name });

test("a signed-out visitor reads the public events, without the members-only ones, and is offered the site's sign-in", async () => {
  const { context, page, api, errors } = await visitor();
  try {
    await page.goto(`${demo.url}/evenements`);
    await event(page, DINNER).waitFor();
    assert.equal(await event(page, VISIT).count(), 0, 'a members-only event stays hidden');
    const dinner = event(page, DINNER);
    assert.match(
      await dinner
        .locator('[part~="meta"]')
        .allInnerTexts()
        .then((t) => t.join(' ')),
      /6 participants · Complet/,
    );
    const link = dinner.getByRole('link', { name: 'Connectez-vous sur ce site pour participer' });
    assert.equal(new URL((await link.getAttribute('href'))!, page.url()).href, `${demo.url}/login`);
    assert.equal(await feed(page).locator('[aria-pressed]').count(), 0);
    // The events come with the page's first request to the Cercle server.
    assert.equal(api[0], 'GET /v1/sites/demo/events');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('members answer, fill the last place, wait, and the one waiting is promoted when a place frees up', async () => {
  const camille = await visitor();
  const olivier = await visitor();
  try {
    await signIn(camille.page, /Camille Rouanet/);
    await signIn(olivier.page, /Olivier Puech/);

    // Camille takes the last place of the visit.
    const visitC = event(camille.page, VISIT);
    await answer(visitC, 'Je viens').click();
    await visitC.getByText('Vous venez.').waitFor();
    assert.equal(await answer(visitC, 'Je viens').getAttribute('aria-pressed'), 'true');
    assert.match(await visitC.innerText(), /8 participants · Complet/);

    // Olivier finds it full: going means joining the waitlist.
    await olivier.page.reload();
    const visitO = event(olivier.page, VISIT);
    await visitO.getByText(/8 participants · Complet/).waitFor();
    await answer(visitO, 'M’inscrire en liste d’attente').click();
    await visitO.getByText('Vous êtes n° 1 sur la liste d’attente.').waitFor();
    assert.match(await visitO.innerText(), /1 en liste d’attente/);

    // Camille withdraws: her place goes to Olivier.
    await answer(visitC, 'Je ne viens pas').click();
    await visitC.locator('[aria-pressed="true"]', { hasText: 'Je ne viens pas' }).waitFor();
    assert.match(await visitC.innerText(), /8 participants · Complet/, 'the freed place is taken from the waitlist at once');

    // Olivier sees it the next time he comes, and acknowledges it.
    await olivier.page.reload();
    const banner = event(olivier.page, VISIT).locator('[part="banner"]');
    await banner.getByText('Une place s’est libérée : vous venez !').waitFor();
    assert.equal(await answer(event(olivier.page, VISIT), 'Je viens').getAttribute('aria-pressed'), 'true');
    await banner.getByRole('button', { name: 'Compris' }).click();
    await banner.waitFor({ state: 'detached' });
    await olivier.page.reload();
    await answer(event(olivier.page, VISIT), 'Je viens').waitFor();
    assert.equal(await event(olivier.page, VISIT).locator('[part="banner"]').count(), 0, 'acknowledged for good');
    assert.match(await event(olivier.page, VISIT).innerText(), /Vous venez\./);

    // Who is going, for members.
    const who = event(olivier.page, VISIT).locator('[part="attendees"]');
    await who.locator('summary').click();
    await who.getByText('Olivier Puech').waitFor();
    assert.equal(await who.getByText('Camille Rouanet').count(), 0);

    // The full dinner takes Camille on its waitlist.
    const dinner = event(camille.page, DINNER);
    await answer(dinner, 'M’inscrire en liste d’attente').click();
    await dinner.getByText('Vous êtes n° 1 sur la liste d’attente.').waitFor();

    assert.deepEqual([...camille.errors, ...olivier.errors], []);
  } finally {
    await camille.context.close();
    await olivier.context.close();
  }
});

test('a member downloads the calendar file of a members-only event; a real parser reads it back with the right times', async () => {
  const { context, page, errors } = await visitor();
  try {
    await signIn(page, /Thomas Vidal/);
    const visit = event(page, VISIT);
    const startsAt = await visit.locator('time').getAttribute('datetime');
    assert.ok(startsAt);
    // Shown in the reader's zone (Paris, the event's own): 14:00 – 17:00, three hours.
    assert.match(await visit.locator('[part="meta"]').first().innerText(), /14:00\s*–\s*17:00\s·\s3\sh/);

    await visit.locator('[part="calendar-links"] summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      visit.getByRole('button', { name: 'Télécharger (.ics)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'visite-d-entreprise-une-conserverie-artisanale.ics');
    const text = await readFile((await download.path())!, 'utf8');

    const cal = new ICAL.Component(ICAL.parse(text));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    const [vevent] = cal.getAllSubcomponents('vevent');
    const e = new ICAL.Event(vevent);
    assert.equal(e.summary, VISIT);
    assert.equal(e.location, 'Rivesaltes');
    assert.equal(e.startDate.zone?.tzid, 'Europe/Paris');
    assert.equal(e.startDate.hour, 14);
    assert.equal(e.startDate.toJSDate().toISOString(), startsAt);
    assert.equal(e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime(), 3 * 3600_000);
    assert.equal(vevent.getFirstPropertyValue('status'), 'CONFIRMED');

    // Google and Outlook get the same instants.
    const google = new URL((await visit.getByRole('link', { name: /Google Calendar/ }).getAttribute('href'))!);
    assert.equal(google.searchParams.get('dates')!.split('/')[0], startsAt.replace(/[-:]|\.\d+/g, ''));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the English page shows the feed in English', async () => {
  const { context, page, errors } = await visitor('en-GB');
  try {
    await page.goto(`${demo.url}/en/events`);
    const dinner = event(page, DINNER);
    await dinner.waitFor();
    assert.match(await dinner.innerText(), /6 going · Full/);
    await dinner.getByRole('link', { name: 'Sign in on this site to take part' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
