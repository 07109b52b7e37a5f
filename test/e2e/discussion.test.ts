/**
 * End to end: a discussion on the demo association's article, between members signed in by the
 * site in separate browsers, and a moderator. The real Cercle server on a temporary database, the
 * demo host beside it, a real Chromium. Every step checks what the member sees and what was stored.
 * Needs the browser bundle (`npm run build`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Locator, type Page } from 'playwright-core';
import type { RunningDemo } from '../../demo/start.js';
import { discussion, openDemo, type E2EDemo, type Visit } from './support.js';

const ARTICLE = '/articles/transmission-entreprise';
const THREAD = 'https://demo.cercle.example/articles/transmission-entreprise';

/** The two members who talk (Montpellier and Perpignan chapters), the moderator, and a first-time poster. */
const A = { id: 'adh-1003', name: 'Camille Rouanet' };
const B = { id: 'adh-1005', name: 'Sophie Delmas' };
const MOD = { id: 'adh-1002', name: 'Jean-Marc Castagné' };
const NEW = { id: 'adh-1007', name: 'Nathalie Roques' };

let demo: RunningDemo;

const visits: Visit[] = [];

let e2e: E2EDemo;

before(async () => {
  e2e = await openDemo('discussion');
  ({ demo } = e2e);
  // The site holds the first comment of a member for a moderator (set before any request, so no cached settings).
  await demo.store.updateSite('demo', { settings: { premoderation: 'first-time' } });
});

after(() => e2e?.close());

/** A browser of its own, signed in on the demo site as `name` through its login page, on the article; it records the page's API reads. */
async function signedIn(name: string): Promise<Visit> {
  const v = await e2e.visit({ as: name, path: ARTICLE });
  visits.push(v);
  await box(v.page).waitFor();
  return v;
}

/** The main box of the discussion. */
const box = (page: Page) => discussion(page).locator('#text');
/** The article of the comment whose text contains `text`. */
const comment = (page: Page, text: string) => discussion(page).locator('[part="comment"]').filter({ hasText: text });
const byId = (page: Page, id: string) => discussion(page).locator(`#c-${id}`);

/** Reloads and waits for the list and, for members, the box. */
async function reload(v: Visit) {
  await v.page.reload();
  await box(v.page).waitFor();
  await discussion(v.page).locator('[part="list"][aria-busy="false"]').waitFor();
}

/** The text of an element, spaces collapsed (hidden text included, as a screen reader reads it). */
const text = async (l: Locator) => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();

// ---- what the server stored ------------------------------------------------------------

/** The comment rows whose body is `body`, with their author's host id. */
async function rows(body: string) {
  return demo.store.db
    .selectFrom('comments as c')
    .leftJoin('members as m', 'm.pk', 'c.author_pk')
    .select(['c.id', 'c.parent_id', 'c.status', 'c.body', 'c.edited_at', 'c.deleted_at', 'c.held_reason', 'm.host_id'])
    .where('c.site_id', '=', 'demo')
    .where('c.body', '=', body)
    .execute();
}

async function row(body: string) {
  const r = await rows(body);
  assert.equal(r.length, 1, `one stored comment with the body "${body}", found ${r.length}`);
  return r[0];
}

async function rowById(id: string) {
  return demo.store.db.selectFrom('comments').selectAll().where('site_id', '=', 'demo').where('id', '=', id).executeTakeFirstOrThrow();
}

interface PublicComment {
  id: string;
  parentId: string | null;
  body: string;
  status: string;
  editedAt: string | null;
  author: { id: string } | null;
  reactions: { kind: string; count: number }[];
  mentions?: { id: string; name: string }[];
}

/** The thread as a signed-out visitor's API read returns it. */
async function publicThread() {
  const res = await fetch(`${demo.cercleUrl}/v1/sites/demo/comments?thread=${encodeURIComponent(THREAD)}&limit=100`);
  assert.equal(res.status, 200);
  return (await res.json()) as { thread: { commentCount: number }; items: PublicComment[] };
}

// ---- keyboard --------------------------------------------------------------------------

/** A short description of the focused element, through shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return '';
    const box = a.closest('.box, form');
    return [
      a.tagName.toLowerCase(),
      a.id ? `#${a.id}` : '',
      (a.textContent ?? '').trim().slice(0, 40),
      box?.id ? `in #${box.id}` : '',
    ].join(' ');
  });

/** Presses Tab until the focused element matches `want` (at most `max` times); returns its description. */
async function tabTo(page: Page, want: RegExp, max = 80) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want.test(f)) return f;
    seen.push(f);
  }
  assert.fail(`Tab never reached ${want}; went through: ${seen.join(' | ')}`);
}

// ---- the conversation -------------------------------------------------------------------

const stamp = Date.now().toString(36);
const T1 = `Nous avons fait évaluer l'entreprise par deux cabinets : les écarts de valorisation étaient énormes. (${stamp})`;
const T1_EDITED = `Nous avons fait évaluer l'entreprise par deux cabinets : les écarts de valorisation étaient de 30 %. (${stamp})`;
const R1 = `Trente pour cent, c'est courant : demandez-leur les hypothèses de chacun. (${stamp})`;
const R2 = `Bonne idée, je vais leur demander leurs hypothèses. (${stamp})`;

let a: Visit;
let b: Visit;
let t1 = '';
let r1 = '';

test('A posts; B, in another browser, sees it after a reload and replies under it', async () => {
  a = await signedIn(A.name);
  b = await signedIn(B.name);

  // A posts.
  await box(a.page).fill(T1);
  await discussion(a.page).getByRole('button', { name: 'Publier' }).click();
  await comment(a.page, T1).waitFor();
  assert.equal(await text(comment(a.page, T1).locator('[part="name"]')), A.name);
  assert.equal(await box(a.page).inputValue(), '', 'the box is emptied once the comment is stored');
  await discussion(a.page).getByRole('status').filter({ hasText: 'Votre commentaire a été publié.' }).waitFor({ state: 'attached' });
  const stored = await row(T1);
  assert.deepEqual([stored.host_id, stored.status, stored.parent_id], [A.id, 'published', null]);
  t1 = stored.id;

  // B had the page open: a reload brings A's comment, in one API read.
  assert.equal(await comment(b.page, T1).count(), 0);
  b.api.length = 0;
  await reload(b);
  await comment(b.page, T1).waitFor();
  assert.equal(b.api.length, 1, `one API read for the page, saw: ${b.api.join(', ')}`);
  assert.equal(await text(comment(b.page, T1).locator('[part="name"]')), A.name);

  // B replies.
  await comment(b.page, T1).getByRole('button', { name: 'Répondre', exact: true }).click();
  const reply = b.page.locator(`cercle-discussion #t-${t1}`);
  await reply.fill(R1);
  await b.page.locator(`cercle-discussion #box-${t1} button[type="submit"]`).click();
  await comment(b.page, R1).waitFor();
  const r = await row(R1);
  assert.deepEqual([r.host_id, r.status, r.parent_id], [B.id, 'published', t1]);
  r1 = r.id;
  assert.equal(await b.page.locator(`cercle-discussion #box-${t1}`).count(), 0, 'the reply box closes');

  // The reply is nested under A's comment, for B now and for A after a reload.
  const nested = (v: Visit) =>
    discussion(v.page).evaluate(
      (el, [p, c]) => !!el.shadowRoot!.querySelector(`#c-${p}`)?.parentElement?.querySelector(`:scope > .replies > .node > #c-${c}`),
      [t1, r1],
    );
  assert.ok(await nested(b));
  await reload(a);
  await comment(a.page, R1).waitFor();
  assert.ok(await nested(a));
  const api = await publicThread();
  assert.equal(api.items.find((c) => c.id === r1)?.parentId, t1);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test("A finds B's reply useful: the count shows for both, and B is credited in the engagement ledger", async () => {
  const useful = comment(a.page, R1).getByRole('button', { name: /^Utile/ });
  assert.equal(await useful.getAttribute('aria-pressed'), 'false');
  await useful.click();
  await comment(a.page, R1).locator('button[aria-pressed="true"]', { hasText: 'Utile' }).waitFor();
  assert.equal(await text(useful), 'Utile, 1');

  const reactions = await demo.store.db
    .selectFrom('reactions')
    .select('kind')
    .where('site_id', '=', 'demo')
    .where('comment_id', '=', r1)
    .execute();
  assert.deepEqual(
    reactions.map((x) => x.kind),
    ['useful'],
  );
  const api = await publicThread();
  assert.deepEqual(
    api.items.find((c) => c.id === r1)?.reactions.map((x) => [x.kind, x.count]),
    [['useful', 1]],
  );
  const bPk = (
    await demo.store.db
      .selectFrom('members')
      .select('pk')
      .where('site_id', '=', 'demo')
      .where('host_id', '=', B.id)
      .executeTakeFirstOrThrow()
  ).pk;
  const credit = await demo.store.db
    .selectFrom('activities')
    .select('ref')
    .where('site_id', '=', 'demo')
    .where('member_pk', '=', bPk)
    .where('kind', '=', 'useful.received')
    .where('ref', 'like', `${r1}:%`)
    .execute();
  assert.equal(credit.length, 1, 'B is credited once for A\'s "useful"');

  // B sees the count but cannot react to their own comment; the members who reacted are listed.
  await reload(b);
  const own = comment(b.page, R1);
  assert.equal(await own.getByRole('button', { name: /^Utile/ }).count(), 0);
  assert.equal(await text(own.locator('.reaction', { hasText: 'Utile' })), 'Utile, 1');
  await own.getByRole('button', { name: 'Qui a réagi' }).click();
  await own.locator('dd', { hasText: A.name }).waitFor();
});

test('A edits their comment: the new text shows « modifié » for both, and the server keeps the edit time', async () => {
  const mine = byId(a.page, t1);
  await mine.getByRole('button', { name: 'Modifier' }).click();
  const edit = a.page.locator(`cercle-discussion #t-${t1}`);
  assert.equal(await edit.inputValue(), T1, "the edit box starts from the comment's text");
  assert.ok(await edit.evaluate((el) => el.matches(':focus')), 'focus moves into the edit box');
  await edit.fill(T1_EDITED);
  await mine.getByRole('button', { name: 'Enregistrer' }).click();
  await mine.locator('[part="body"]', { hasText: T1_EDITED }).waitFor();
  assert.match(await text(mine.locator('[part="meta"]')), /modifié/);

  const stored = await rowById(t1);
  assert.equal(stored.body, T1_EDITED);
  assert.ok(stored.edited_at, 'edited_at is set');
  assert.equal((await rows(T1)).length, 0, 'the old text is gone');

  await reload(b);
  await byId(b.page, t1).locator('[part="body"]', { hasText: T1_EDITED }).waitFor();
  assert.match(await text(byId(b.page, t1).locator('[part="meta"]')), /modifié/);
  // Only the author is offered the edit.
  assert.equal(await byId(b.page, t1).getByRole('button', { name: 'Modifier' }).count(), 0);
});

test('keyboard only: A replies to B and posts a comment without the mouse', async () => {
  const { page } = a;
  // From B's reply (an article of the feed, where Page Down and Page Up land), on to its "Répondre" button.
  await byId(page, r1).focus();
  await tabTo(page, /^button\s+Répondre\s*$/);
  assert.equal(
    await byId(page, r1)
      .getByRole('button', { name: 'Répondre', exact: true })
      .evaluate((el) => el.matches(':focus')),
    true,
    'the first "Répondre" reached is B\'s',
  );
  await page.keyboard.press('Enter');
  assert.match(await focused(page), new RegExp(`^textarea #t-${r1}`), 'Enter opens the reply box with the focus in it');
  await page.keyboard.type(R2);
  await tabTo(page, new RegExp(`^button\\s+Répondre.*in #box-${r1}`), 3);
  await page.keyboard.press('Enter');
  await comment(page, R2).waitFor();
  const r2 = await row(R2);
  assert.deepEqual([r2.host_id, r2.parent_id], [A.id, r1]);
  assert.match(await focused(page), new RegExp(`^article #c-${r2.id}`), 'focus lands on the new reply');

  // Then a new comment: Tab down to the box, type, Tab to "Publier", Enter.
  const K = `Question au chapitre : qui a déjà fait appel à un cabinet de rapprochement cédant-repreneur ? (${stamp})`;
  await tabTo(page, /^textarea #text/, 200);
  await page.keyboard.type(K);
  await tabTo(page, /^button\s+Publier/, 5);
  await page.keyboard.press('Enter');
  await comment(page, K).waitFor();
  assert.equal(await box(page).inputValue(), '');
  const k = await row(K);
  assert.deepEqual([k.host_id, k.status, k.parent_id], [A.id, 'published', null]);
});

test("B deletes their reply: the text is erased on the server, a tombstone keeps A's answer in place", async () => {
  await reload(b);
  const mine = byId(b.page, r1);
  await mine.getByRole('button', { name: 'Supprimer' }).click();
  await mine.getByText('Supprimer ce commentaire ?').waitFor();
  await b.page.locator(`cercle-discussion #box-${r1} button.primary`).click();
  await mine.getByText('Ce commentaire a été supprimé.').waitFor();
  assert.equal(await mine.getByText(R1).count(), 0);

  const stored = await rowById(r1);
  assert.deepEqual([stored.status, stored.body], ['deleted', '']);
  assert.ok(stored.deleted_at);
  assert.equal((await rows(R1)).length, 0, 'the text is nowhere in the database');
  const api = await publicThread();
  const tomb = api.items.find((c) => c.id === r1)!;
  assert.deepEqual([tomb.status, tomb.body, tomb.author, tomb.reactions], ['deleted', '', null, []]);

  // A's answer to it stays, nested under the tombstone.
  await reload(a);
  await byId(a.page, r1).getByText('Ce commentaire a été supprimé.').waitFor();
  const r2 = await row(R2);
  assert.ok(
    await discussion(a.page).evaluate(
      (el, [p, c]) => !!el.shadowRoot!.querySelector(`#c-${p}`)?.parentElement?.querySelector(`:scope > .replies > .node > #c-${c}`),
      [r1, r2.id],
    ),
  );
  assert.equal(await byId(a.page, r1).locator('[part="name"]').count(), 0, 'the tombstone names nobody');
  assert.equal(await byId(a.page, r1).getByText('Ancien membre').count(), 0);
});

test("A mentions B with the keyboard (@, arrows, Enter); the comment names B and links to B's card", async () => {
  const { page } = a;
  await box(page).focus();
  await page.keyboard.type('Merci @S');
  const list = discussion(page).getByRole('listbox', { name: 'Membres à mentionner' });
  await list.getByRole('option', { name: B.name }).waitFor();
  // Members of the site whose name starts a word with "S", A left out, by name.
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['Antoine Sabatier', 'Sandrine Laffont', 'Sophie Delmas']);
  assert.equal(await text(list.locator('[aria-selected="true"]')), 'Antoine Sabatier');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await text(list.locator('[aria-selected="true"]')), B.name);
  assert.equal(await box(page).getAttribute('aria-activedescendant'), 'mentions-2');
  await page.keyboard.press('Enter');
  await list.waitFor({ state: 'hidden' });
  // The box reads naturally; the markup is what is posted.
  assert.equal(await box(page).inputValue(), `Merci @${B.name} `);
  await page.keyboard.type(`pour les hypothèses. (${stamp})`);
  const body = `Merci @[${B.name}](${B.id}) pour les hypothèses. (${stamp})`;
  await discussion(page).getByRole('button', { name: 'Publier' }).click();

  const posted = comment(page, `pour les hypothèses. (${stamp})`);
  await posted.waitFor();
  const mention = posted.locator('[part="body"] .mention');
  assert.equal(await text(mention), `@${B.name}`);
  const href = await mention.getAttribute('href');
  assert.ok(href, 'the mention is a link');
  assert.equal(new URL(href, page.url()).href, `${demo.url}/membres#${B.id}`);

  const stored = await row(body);
  const mentioned = await demo.store.db
    .selectFrom('comment_mentions as x')
    .innerJoin('members as m', 'm.pk', 'x.member_pk')
    .select('m.host_id')
    .where('x.site_id', '=', 'demo')
    .where('x.comment_id', '=', stored.id)
    .execute();
  assert.deepEqual(
    mentioned.map((m) => m.host_id),
    [B.id],
  );
  const api = await publicThread();
  assert.deepEqual(
    api.items.find((c) => c.id === stored.id)?.mentions?.map((m) => m.id),
    [B.id],
  );

  // The author's name links to their card too; following the mention opens B's entry in the directory.
  assert.equal(new URL((await posted.locator('[part="name"] a').getAttribute('href'))!, page.url()).href, `${demo.url}/membres#${A.id}`);
  await mention.click();
  await page.waitForURL(`${demo.url}/membres#${B.id}`);
  await page.locator(`[id="${B.id}"] cercle-member-card`).getByRole('button', { name: B.name, exact: true }).waitFor();
  await page.goto(demo.url + ARTICLE);
  await box(page).waitFor();
});

test('a post that cannot reach the server stays « Non envoyé — Réessayer », survives a reload, and is sent once when the server answers again', async () => {
  const { page } = a;
  const unsent = `Je reviens vers vous après notre rendez-vous chez le notaire. (${stamp})`;
  const posts = `${demo.cercleUrl}/v1/sites/demo/comments`;
  // The server is unreachable for this one request, and answers nothing else until the reload.
  let aborted = 0;
  await page.route(`${demo.cercleUrl}/**`, async (route) => {
    if (route.request().url() !== posts || route.request().method() !== 'POST' || aborted) return route.abort('internetdisconnected');
    aborted++;
    await route.abort('internetdisconnected');
  });
  await box(page).fill(unsent);
  await discussion(page).getByRole('button', { name: 'Publier' }).click();
  const failed = discussion(page).locator('.failed');
  await failed.waitFor();
  assert.match(await text(failed), /^Non envoyé — Réessayer$/);
  assert.equal(await box(page).inputValue(), unsent, 'the text stays in the box');
  assert.equal(aborted, 1);
  assert.equal((await rows(unsent)).length, 0, 'nothing reached the server');
  await page.unroute(`${demo.cercleUrl}/**`);

  // After a reload, the first answer of the server sends the kept post, once.
  await reload(a);
  await comment(page, unsent).waitFor();
  assert.equal(await failed.count(), 0);
  assert.equal(await box(page).inputValue(), '');
  await row(unsent);
  assert.equal((await rows(unsent)).length, 1, 'stored once');
  await reload(a);
  assert.equal(await comment(page, unsent).count(), 1);
  assert.equal(await box(page).inputValue(), '', 'the sent draft is gone');
});

test('an answer lost on the way back: the retry, with the same idempotency key, stores nothing twice', async () => {
  const { page } = a;
  const unsent = `Le notaire nous conseille une donation-partage avant la cession. (${stamp})`;
  const posts = `${demo.cercleUrl}/v1/sites/demo/comments`;
  const keys: string[] = [];
  await page.route(posts, async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    keys.push((await route.request().headerValue('idempotency-key')) ?? '');
    if (keys.length > 1) return route.fallback();
    await route.fetch(); // reaches the server, which stores the comment…
    await route.abort('connectionreset'); // …but the answer never comes back.
  });
  await box(page).fill(unsent);
  await discussion(page).getByRole('button', { name: 'Publier' }).click();
  await discussion(page).locator('.failed').waitFor();
  assert.equal((await rows(unsent)).length, 1, 'the server stored it');
  await discussion(page).getByRole('button', { name: 'Réessayer' }).click();
  await comment(page, unsent).waitFor();
  await page.unroute(posts);
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], 'the retry carries the same idempotency key');
  assert.equal((await rows(unsent)).length, 1, 'still one comment');
  assert.equal(await comment(page, unsent).count(), 1);
});

test('a draft survives a reload, in the main box and in a reply box', async () => {
  const { page } = a;
  const draft = `Brouillon : penser à parler du crédit-vendeur (${stamp})`;
  await box(page).fill(draft);
  await reload(a);
  assert.equal(await box(page).inputValue(), draft);
  assert.equal(await discussion(page).locator('.failed').count(), 0, 'a draft is not an unsent post');
  assert.equal((await rows(draft)).length, 0);
  await box(page).fill('');

  const replyDraft = `Réponse en cours (${stamp})`;
  await byId(page, t1).getByRole('button', { name: 'Répondre', exact: true }).click();
  await page.locator(`cercle-discussion #t-${t1}`).fill(replyDraft);
  await reload(a);
  await byId(page, t1).getByRole('button', { name: 'Répondre', exact: true }).click();
  assert.equal(await page.locator(`cercle-discussion #t-${t1}`).inputValue(), replyDraft);
  await byId(page, t1).getByRole('button', { name: 'Annuler' }).click();
});

test('a first-time poster is held for review; a moderator approves it and hides another comment', async () => {
  const newcomer = await signedIn(NEW.name);
  const FIRST = `Premier message : nous commençons tout juste à réfléchir à une transmission familiale. (${stamp})`;
  await box(newcomer.page).fill(FIRST);
  await discussion(newcomer.page).getByRole('button', { name: 'Publier' }).click();
  const held = comment(newcomer.page, FIRST);
  await held.waitFor();
  assert.match(await text(held.locator('[part="meta"]')), /en attente de modération/);
  await held.getByText('Votre commentaire attend l’approbation d’un modérateur.').waitFor();
  const pending = await row(FIRST);
  assert.deepEqual([pending.status, pending.held_reason], ['pending', 'first_post']);
  assert.equal(
    (await publicThread()).items.some((c) => c.id === pending.id),
    false,
    'visitors do not see it',
  );
  await reload(b);
  assert.equal(await comment(b.page, FIRST).count(), 0, 'other members do not see it');

  // The moderator sees it, with the count of comments waiting, and approves it.
  const mod = await signedIn(MOD.name);
  await discussion(mod.page).getByText('1 commentaire attend une approbation').waitFor();
  const toApprove = byId(mod.page, pending.id);
  assert.match(await text(toApprove.locator('[part="meta"]')), /en attente de modération/);
  await toApprove.getByRole('button', { name: 'Approuver' }).click();
  await toApprove.getByRole('button', { name: 'Approuver' }).waitFor({ state: 'detached' });
  assert.doesNotMatch(await text(toApprove.locator('[part="meta"]')), /en attente/);
  assert.equal(
    await discussion(mod.page)
      .getByText(/attend une approbation/)
      .count(),
    0,
  );
  assert.equal((await rowById(pending.id)).status, 'published');
  assert.equal((await publicThread()).items.find((c) => c.id === pending.id)?.body, FIRST);
  await reload(b);
  await comment(b.page, FIRST).waitFor();

  // The moderator hides A's edited comment: visitors and members get a tombstone, A a note.
  const target = byId(mod.page, t1);
  await target.getByRole('button', { name: 'Masquer' }).click();
  await target.getByRole('button', { name: 'Rétablir' }).waitFor();
  await target.getByText('Un modérateur a masqué ce commentaire.').waitFor();
  assert.equal((await rowById(t1)).status, 'hidden');
  const log = await demo.store.db
    .selectFrom('moderation_log')
    .select('action')
    .where('site_id', '=', 'demo')
    .where('comment_id', '=', t1)
    .execute();
  assert.deepEqual(
    log.map((l) => l.action),
    ['hide'],
  );
  const api = (await publicThread()).items.find((c) => c.id === t1)!;
  assert.deepEqual([api.status, api.body, api.author], ['hidden', '', null]);

  await reload(b);
  await byId(b.page, t1).getByText('Un modérateur a masqué ce commentaire.').waitFor();
  assert.equal(await byId(b.page, t1).getByText(T1_EDITED).count(), 0, 'members no longer read it');
  await reload(a);
  await byId(a.page, t1).getByText('seuls vous et les modérateurs le voyez').waitFor();
  assert.equal(await byId(a.page, t1).getByText(T1_EDITED).count(), 1, 'its author still reads it');
  for (const v of visits) assert.deepEqual(v.errors, []);
});
