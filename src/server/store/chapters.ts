import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../domain/ids.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

type Exec = Kysely<Database> | Transaction<Database>;

export interface ChapterRecord {
  id: string;
  name: string | null;
  nameEn: string | null;
  updatedAt: string | null;
  organisers: string[];
  moderators: string[];
}

/** Every chapter the site knows of: named ones, and those with organisers, moderators or events. */
export async function siteChapters(store: Store, siteId: string): Promise<ChapterRecord[]> {
  const db = store.db;
  const [named, organisers, moderators, events] = await Promise.all([
    db.selectFrom('chapters').select(['id', 'name', 'name_en', 'updated_at']).where('site_id', '=', siteId).execute(),
    db.selectFrom('chapter_organisers').select(['chapter_id', 'host_id']).where('site_id', '=', siteId).orderBy('host_id').execute(),
    db.selectFrom('chapter_moderators').select(['chapter_id', 'host_id']).where('site_id', '=', siteId).orderBy('host_id').execute(),
    db.selectFrom('events').select('chapter_id').distinct().where('site_id', '=', siteId).where('chapter_id', 'is not', null).execute(),
  ]);
  const out = new Map<string, ChapterRecord>();
  const get = (id: string) => {
    let c = out.get(id);
    if (!c) out.set(id, (c = { id, name: null, nameEn: null, updatedAt: null, organisers: [], moderators: [] }));
    return c;
  };
  for (const r of named) Object.assign(get(r.id), { name: r.name || null, nameEn: r.name_en, updatedAt: r.updated_at });
  for (const r of organisers) get(r.chapter_id).organisers.push(r.host_id);
  for (const r of moderators) get(r.chapter_id).moderators.push(r.host_id);
  for (const r of events) if (r.chapter_id) get(r.chapter_id);
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Names a chapter and replaces its organisers and moderators (when given), in one transaction. */
export async function saveChapter(
  tx: Exec,
  siteId: string,
  id: string,
  change: { name: string; nameEn: string | null; organisers?: string[]; moderators?: string[] },
  at = nowIso(),
) {
  await tx
    .insertInto('chapters')
    .values({ site_id: siteId, id, name: change.name, name_en: change.nameEn, updated_at: at })
    .onConflict((oc) => oc.columns(['site_id', 'id']).doUpdateSet({ name: change.name, name_en: change.nameEn, updated_at: at }))
    .execute();
  for (const [table, hosts] of [
    ['chapter_organisers', change.organisers],
    ['chapter_moderators', change.moderators],
  ] as const) {
    if (!hosts) continue;
    await tx.deleteFrom(table).where('site_id', '=', siteId).where('chapter_id', '=', id).execute();
    if (hosts.length)
      await tx
        .insertInto(table)
        .values(hosts.map((host_id) => ({ site_id: siteId, chapter_id: id, host_id, created_at: at })))
        .execute();
  }
}

/** The chapters a member (host id) moderates by the admins' choice. */
export async function moderatedChapters(store: Store, siteId: string, hostId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('chapter_moderators')
    .select('chapter_id')
    .where('site_id', '=', siteId)
    .where('host_id', '=', hostId)
    .execute();
  return rows.map((r) => r.chapter_id);
}
