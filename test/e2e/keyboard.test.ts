/**
 * End to end, with the keyboard only: read, sort, react, write with a mention, open a member's
 * hovercard, answer an event, moderate. Each step is reached with Tab (or the widget's own keys) from
 * where the last one left focus, and where focus lands is checked after every action. The real Cercle
 * server on a temporary database, the demo site, a real Chromium. Needs the bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { discussion, openDemo, type E2EDemo, type Visit } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';
const SITE = 'demo';

let e2e: E2EDemo;
let demo: RunningDemo;

before(async () => {
  e2e = await openDemo('keyboard');
  ({ demo } = e2e);
  // Every new comment waits for a moderator, so that the moderation step has the one written here.
  await demo.store.updateSite(SITE, { settings: { premoderation: 'everyone' } });
});

after(() => e2e?.close());

/** What has focus, across shadow roots: the innermost element, and the widget it is in. */
interface Focus {
  tag: string;
  id: string;
  text: string;
  classes: string;
  widget: string | null;
  pressed: string | null;
  expanded: string | null;
  posinset: string | null;
  part: string | null;
  /** The id of the article (comment, event, queue item) it is in. */
  within: string | null;
}

const focus = (page: Page): Promise<Focus | null> =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    let widget: string | null = null;
    while (el?.shadowRoot?.activeElement) {
      widget = el.localName;
      el = el.shadowRoot.activeElement;
    }
    if (!el || el === document.body) return null;
    return {
      tag: el.localName,
      id: el.id,
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      classes: el.getAttribute('class') ?? '',
      widget,
      pressed: el.getAttribute('aria-pressed'),
      expanded: el.getAttribute('aria-expanded'),
      posinset: el.getAttribute('aria-posinset'),
      part: el.getAttribute('part'),
      within: ((a) => (a ? a.id || `item ${a.getAttribute('data-index')}` : null))(el.closest('article')),
    };
  });

/** Presses Tab until focus is on what `wanted` accepts; fails after `max` presses. */
async function tabTo(page: Page, what: string, wanted: (f: Focus) => boolean, max = 200): Promise<Focus> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focus(page);
    if (f && wanted(f)) return f;
  }
  throw new Error(`Tab never reached ${what}`);
}

/** Waits until focus is on what `wanted` accepts (after an action that renders again). */
async function focusSettles(page: Page, what: string, wanted: (f: Focus) => boolean): Promise<Focus> {
  const end = Date.now() + 5000;
  let f: Focus | null = null;
  while (Date.now() < end) {
    f = await focus(page);
    if (f && wanted(f)) return f;
    await page.waitForTimeout(50);
  }
  throw new Error(`focus is not on ${what}: ${JSON.stringify(f)}`);
}

const inDiscussion = (f: Focus) => f.widget === 'cercle-discussion';

async function signedIn(name: string, path: string): Promise<Visit> {
  return e2e.visit({ as: name, path });
}

test('a member reads, sorts, reacts and writes with a mention, keyboard only', async () => {
  const { context, page, errors } = await signedIn('Sophie Delmas', ARTICLE);
  try {
    const feed = discussion(page).locator('[part="list"][role="feed"][aria-busy="false"]');
    await feed.waitFor();
    await discussion(page).locator('#text').waitFor();

    // Read: into the comments with Tab, then from comment to comment with Page Down / Page Up.
    const first = await tabTo(
      page,
      'a button of the first comment',
      (f) => inDiscussion(f) && f.tag === 'button' && f.classes.includes('reaction'),
    );
    assert.ok(first);
    await page.keyboard.press('PageDown');
    const next = await focusSettles(page, 'the next comment', (f) => f.tag === 'article' && f.part === 'comment');
    await page.keyboard.press('PageDown');
    const third = await focusSettles(page, 'the comment after it', (f) => f.tag === 'article' && f.id !== next.id);
    assert.equal(Number(third.posinset), Number(next.posinset) + 1, 'the feed numbers its comments in reading order');
    await page.keyboard.press('PageUp');
    await focusSettles(page, 'the comment before', (f) => f.id === next.id);

    // Sort: Shift+Tab back to the sort buttons; an arrow does nothing, Enter sorts and focus stays.
    await page.keyboard.down('Shift');
    let sort: Focus | undefined;
    for (let i = 0; i < 200 && !sort; i++) {
      await page.keyboard.press('Tab');
      const f = await focus(page);
      if (f && inDiscussion(f) && f.text === 'Les plus utiles') sort = f;
    }
    await page.keyboard.up('Shift');
    assert.ok(sort, 'Shift+Tab reaches the sort buttons');
    assert.equal(sort.pressed, 'false');
    const reads = await page.evaluate(() => performance.getEntriesByType('resource').length);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').length), reads, 'an arrow key reloads nothing');
    await page.keyboard.press('Enter');
    await discussion(page).getByRole('button', { name: 'Les plus utiles', pressed: true }).waitFor();
    await feed.waitFor();
    const sorted = await focusSettles(page, 'the sort button pressed', (f) => inDiscussion(f) && f.text === 'Les plus utiles');
    assert.equal(sorted.pressed, 'true');

    // React: Tab to a reaction, Enter presses it and focus stays on it, named "label, count".
    const reaction = await tabTo(
      page,
      'a reaction not yet pressed',
      (f) => inDiscussion(f) && f.classes.includes('reaction') && f.pressed === 'false',
    );
    await page.keyboard.press('Enter');
    const reacted = await focusSettles(page, 'the reaction pressed', (f) => f.classes.includes('reaction') && f.pressed === 'true');
    assert.match(reacted.text, /^\S.*, \d+$/, `a reaction is named "label, count" (${reacted.text}, was ${reaction.text})`);

    // Write: Tab to the box, a mention picked with the arrows and Enter, Tab to Publish, Enter.
    await tabTo(page, 'the comment box', (f) => inDiscussion(f) && f.id === 'text');
    const stamp = Date.now();
    await page.keyboard.type('Au clavier, merci @Cam');
    await discussion(page).locator('[role="option"]').first().waitFor();
    assert.match(
      await discussion(page)
        .locator('.mentions')
        .evaluate((l) => l.previousElementSibling!.textContent!),
      /membres? trouvés?/,
    );
    await page.keyboard.press('Enter');
    await focusSettles(page, 'the box again, the mention in it', (f) => f.id === 'text');
    assert.match(await discussion(page).locator('#text').inputValue(), /^Au clavier, merci @Camille Rouanet $/);
    await page.keyboard.type(`pour ce fil (${stamp})`);
    await tabTo(page, 'the Publish button', (f) => inDiscussion(f) && f.text === 'Publier');
    await page.keyboard.press('Enter');
    await discussion(page)
      .locator('[part="comment"]')
      .filter({ hasText: String(stamp) })
      .waitFor();
    await focusSettles(page, 'the Publish button still', (f) => inDiscussion(f) && f.text === 'Publier');
    assert.equal(await discussion(page).locator('#text').inputValue(), '');

    // Delete my comment? Escape on its confirmation closes it and gives focus back to Delete.
    const mine = discussion(page)
      .locator('[part="comment"]')
      .filter({ hasText: String(stamp) });
    const mineId = await mine.getAttribute('id');
    await tabTo(page, 'Delete on my comment', (f) => inDiscussion(f) && f.text === 'Supprimer' && f.within === mineId);
    await page.keyboard.press('Enter');
    await mine.locator('.box[role="group"]').waitFor();
    await page.keyboard.press('Escape');
    await mine.locator('.box').waitFor({ state: 'detached' });
    await focusSettles(
      page,
      'the Delete button',
      (f) => inDiscussion(f) && f.text === 'Supprimer' && f.within === mineId && f.expanded === 'false',
    );
    const stored = await demo.store.db
      .selectFrom('comments')
      .select(['status', 'body'])
      .where('body', 'like', `%(${stamp})`)
      .executeTakeFirstOrThrow();
    assert.equal(stored.status, 'pending');
    assert.match(stored.body, /@\[Camille Rouanet\]\(adh-1003\)/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a member's hovercard opens on keyboard focus, closes with Escape and stays closed", async () => {
  const { context, page, errors } = await signedIn('Camille Rouanet', '/membres');
  try {
    await page.locator('cercle-member-card[variant="hovercard"]').first().locator('[part="trigger"]').waitFor();
    const chip = await tabTo(page, 'a hovercard chip', (f) => f.widget === 'cercle-member-card' && f.part === 'trigger');
    await focusSettles(page, 'the chip, open', (f) => f.part === 'trigger' && f.expanded === 'true');
    await page.keyboard.press('Tab');
    await focusSettles(page, 'something inside the card', (f) => f.widget === 'cercle-member-card' && f.part !== 'trigger');
    await page.keyboard.press('Escape');
    await focusSettles(page, 'the chip, closed', (f) => f.part === 'trigger' && f.expanded === 'false' && f.text === chip.text);
    await page.waitForTimeout(400);
    const after = await focus(page);
    assert.equal(after?.expanded, 'false', 'focus given back does not open the card again');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a member answers an event, keyboard only', async () => {
  const { context, page, errors } = await signedIn('Camille Rouanet', '/evenements');
  try {
    const feed = page.locator('cercle-event-feed');
    await feed.getByRole('button', { name: 'Peut-être' }).first().waitFor();
    await tabTo(
      page,
      'an answer not given yet',
      (f) => f.widget === 'cercle-event-feed' && f.text === 'Peut-être' && f.pressed === 'false',
    );
    await page.keyboard.press('Enter');
    await focusSettles(
      page,
      'the answer given, pressed',
      (f) => f.widget === 'cercle-event-feed' && f.text === 'Peut-être' && f.pressed === 'true',
    );
    const stored = await demo.store.db.selectFrom('rsvps').select('status').where('status', '=', 'maybe').execute();
    assert.ok(stored.length >= 1, 'the answer is stored');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a moderator approves a waiting comment and opens and closes the sanction form, keyboard only, focus kept in the queue', async () => {
  const { context, page, errors } = await signedIn('Jean-Marc Castagné', '/moderation');
  try {
    const items = page.locator('cercle-moderation article');
    await items.first().waitFor();
    const before = await items.count();
    assert.ok(before >= 2, `the queue holds the seeded reports and the comment written above (${before})`);
    const item = await tabTo(page, 'the current item of the queue', (f) => f.widget === 'cercle-moderation' && f.tag === 'article');
    assert.ok(item);
    await page.keyboard.press('a');
    await page.waitForFunction(
      (left) => document.querySelector('cercle-moderation')!.shadowRoot!.querySelectorAll('article').length === left,
      before - 1,
    );
    const next = await focusSettles(page, 'the next item', (f) => f.widget === 'cercle-moderation' && f.tag === 'article');
    // The sanction form: m opens it on the item, Escape closes it and focus returns to the item's Mute button.
    await page.keyboard.press('m');
    await page.locator('cercle-moderation form.dialog').waitFor();
    await focusSettles(page, 'the sanction form', (f) => f.widget === 'cercle-moderation' && (f.tag === 'select' || f.tag === 'textarea'));
    await page.keyboard.press('Escape');
    await page.locator('cercle-moderation form.dialog').waitFor({ state: 'detached' });
    const mute = await focusSettles(page, 'the Mute button of the item', (f) => f.tag === 'button' && f.text === 'Réduire au silence…');
    assert.equal(mute.within, next.within, 'the Mute button of the item the form was opened on');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
