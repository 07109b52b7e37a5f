import type { AdminChapter } from '../../../contract/admin.js';
import { adminRoutes as a } from '../../../contract/admin.js';
import { DEFAULT_CHAPTER_TERM } from '../../../contract/defaults.js';
import { nowIso } from '../../domain/ids.js';
import { chapterName } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import { actorOf } from '../../http/viewer.js';
import { saveChapter, siteChapters, type ChapterRecord } from '../../store/chapters.js';
import { ModerationStore } from '../../store/moderation.js';
import { webhooksOf } from '../../webhooks/webhooks.js';
import { requireAdmin } from './present.js';

const chapterOut = (c: ChapterRecord): AdminChapter => ({
  id: c.id,
  name: chapterName(c.id, c.name),
  nameEn: c.nameEn,
  named: !!c.name,
  organisers: c.organisers,
  moderators: c.moderators,
  updatedAt: c.updatedAt,
});

/** Names compared as people read them: case, accents and spacing aside. */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleLowerCase('fr');

/** Chapters with their names, organisers and moderators (admins). */
export async function adminChapters({ store, site, viewer }: HandlerContext<typeof a.adminChapters>) {
  requireAdmin(viewer);
  const items = await siteChapters(store, site.id);
  return { body: { items: items.map(chapterOut), term: site.settings.chapterTerm ?? DEFAULT_CHAPTER_TERM } };
}

/** Name a chapter and set its organisers and moderators (admins). */
export async function updateChapter(ctx: HandlerContext<typeof a.updateChapter>) {
  const { store, site, viewer, params, body } = ctx;
  requireAdmin(viewer);
  const all = await siteChapters(store, site.id);
  const nameEn = body.nameEn === undefined ? (all.find((c) => c.id === params.chapter)?.nameEn ?? null) : body.nameEn;
  // Two chapters one name (in either language) would make the calendars and feeds ambiguous.
  for (const [field, wanted] of [
    ['name', body.name],
    ['nameEn', nameEn],
  ] as const) {
    if (!wanted) continue;
    const clash = all.find(
      (c) => c.id !== params.chapter && [chapterName(c.id, c.name), c.nameEn].some((n) => n !== null && fold(n) === fold(wanted)),
    );
    if (clash) {
      throw problem(409, 'chapter.name_taken', 'Another chapter already bears this name', `"${wanted}" is the name of ${clash.id}.`, [
        { path: `body.${field}`, message: `Already the name of ${clash.id}.` },
      ]);
    }
  }
  const before = all.find((c) => c.id === params.chapter);
  const at = nowIso(ctx.now());
  await store.db.transaction().execute(async (tx) => {
    await saveChapter(
      tx,
      site.id,
      params.chapter,
      { name: body.name, nameEn, organisers: body.organisers, moderators: body.moderators },
      at,
    );
    await new ModerationStore(store).audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        chapter_id: params.chapter,
        action: 'chapter.update',
        details: {
          name: body.name,
          ...(before?.name !== body.name ? { previousName: before?.name ?? null } : {}),
          nameEn,
          ...(body.organisers ? { organisers: body.organisers } : {}),
          ...(body.moderators ? { moderators: body.moderators } : {}),
        },
      },
      at,
    );
  });
  const saved = (await siteChapters(store, site.id)).find((c) => c.id === params.chapter)!;
  return { body: chapterOut(saved) };
}

/** Send a signed ping to a webhook now and return the answer (admins). */
export async function testWebhook(ctx: HandlerContext<typeof a.testWebhook>) {
  const { store, site, viewer, params } = ctx;
  requireAdmin(viewer);
  const w = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', params.id).executeTakeFirst();
  if (!w) throw problem(404, 'webhook.not_found', 'No such webhook');
  const r = await webhooksOf(store).ping(w);
  await new ModerationStore(store).audit(
    store.db,
    {
      site_id: site.id,
      ...actorOf(viewer!),
      action: 'webhook.test',
      details: { webhook: w.id, url: w.url, status: r.status, delivered: r.ok },
    },
    nowIso(ctx.now()),
  );
  return { body: { delivered: r.ok, status: r.status, error: r.error, ms: r.ms, delivery: r.delivery } };
}
