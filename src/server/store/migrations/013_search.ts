import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';
import { PG_FOLDED_BODY } from '../../domain/search.js';
import type { Database } from '../schema.js';
import { rebuildMemberSearch } from '../search.js';

/**
 * Full-text search over the member directory and the discussions.
 *
 * `member_search`: a few rows a member, one for each kind of reader, each holding only the card fields
 * that kind of reader may see (domain/search.ts); the store rewrites them in the transaction that
 * changes the member or their card. Comments are indexed by the database itself, published ones only:
 *
 * - SQLite: FTS5 tables (`unicode61 remove_diacritics 2`, prefix indexes of 2 and 3 characters) over
 *   `member_search` and over `comment_search`, a copy of the published comments' text that triggers on
 *   `comments` keep: hiding, holding, deleting or erasing a comment takes its text out of the index in
 *   the same statement. The FTS5 tables are external-content ones kept by the usual three triggers;
 *   `secure-delete` makes a removed text leave the index's pages instead of lingering until a merge.
 * - PostgreSQL: GIN indexes on `to_tsvector('simple', …)` of accent-folded text, the comments' one
 *   partial (`status = 'published'`), so nothing else is ever in it; and the published comments by time,
 *   for a common word's newest matches.
 *
 * No stemming: FTS5 stems English only, and an association's pages mix languages; both databases match
 * word prefixes the same way, which also serves typing ("transmis" finds "transmissions").
 */
export const m013: Migration = {
  async up(db: Kysely<any>) {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    if (pg) {
      await db.schema
        .createTable('member_search')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('member_pk', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addColumn('sort_name', 'text', (c) => c.notNull())
        .execute();
      await sql`create index member_search_doc on member_search using gin (to_tsvector('simple'::regconfig, doc))`.execute(db);
      await sql`create index member_search_name on member_search using gin (to_tsvector('simple'::regconfig, name))`.execute(db);
      await sql
        .raw(
          `create index comments_search on comments using gin (to_tsvector('simple'::regconfig, ${PG_FOLDED_BODY})) where status = 'published'`,
        )
        .execute(db);
      // Newest first among a site's published comments: a search for a common word walks this index and
      // stops at its page, rather than sorting every match.
      await sql`create index comments_site_recent on comments (site_id, created_at, id) where status = 'published'`.execute(db);
    } else {
      await sql`create table member_search (
        id integer primary key, site_id text not null, member_pk text not null, scope text not null, name text not null, doc text not null,
        sort_name text not null
      )`.execute(db);
      await sql`create virtual table member_search_fts using fts5(
        name, doc, content = 'member_search', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
      )`.execute(db);
      await sql`create table comment_search (id integer primary key, comment_id text not null unique, site_id text not null, body text not null)`.execute(
        db,
      );
      await sql`create virtual table comment_search_fts using fts5(
        body, content = 'comment_search', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
      )`.execute(db);
      for (const [table, cols] of [
        ['member_search', ['name', 'doc']],
        ['comment_search', ['body']],
      ] as const) {
        const fts = `${table}_fts`;
        const list = cols.join(', ');
        const news = cols.map((c) => `new.${c}`).join(', ');
        const olds = cols.map((c) => `old.${c}`).join(', ');
        await sql.raw(`insert into ${fts}(${fts}, rank) values ('secure-delete', 1)`).execute(db);
        await sql
          .raw(`create trigger ${table}_ai after insert on ${table} begin insert into ${fts}(rowid, ${list}) values (new.id, ${news}); end`)
          .execute(db);
        await sql
          .raw(
            `create trigger ${table}_ad after delete on ${table} begin insert into ${fts}(${fts}, rowid, ${list}) values ('delete', old.id, ${olds}); end`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger ${table}_au after update on ${table} begin
              insert into ${fts}(${fts}, rowid, ${list}) values ('delete', old.id, ${olds});
              insert into ${fts}(rowid, ${list}) values (new.id, ${news});
            end`,
          )
          .execute(db);
      }
      // The index row's id orders by the comment's time (its millisecond × 1000, plus one for each other
      // comment of that millisecond), so that FTS5 hands the matches newest first and a search stops at its
      // page instead of sorting every match. A time SQLite cannot read leaves the id to SQLite (null).
      const slot = (t: string) => `cast(round(unixepoch(${t}, 'subsec') * 1000) as integer) * 1000`;
      const idOf = (t: string) =>
        `coalesce((select max(id) + 1 from comment_search where id >= ${slot(t)} and id < ${slot(t)} + 1000), ${slot(t)})`;
      await sql
        .raw(
          `create trigger comments_search_ai after insert on comments when new.status = 'published' begin
            insert into comment_search (id, comment_id, site_id, body) values (${idOf('new.created_at')}, new.id, new.site_id, new.body);
          end`,
        )
        .execute(db);
      await sql`create trigger comments_search_ad after delete on comments begin
        delete from comment_search where comment_id = old.id;
      end`.execute(db);
      await sql
        .raw(
          `create trigger comments_search_au after update of body, status on comments begin
            delete from comment_search where comment_id = old.id;
            insert into comment_search (id, comment_id, site_id, body)
              select ${idOf('new.created_at')}, new.id, new.site_id, new.body where new.status = 'published';
          end`,
        )
        .execute(db);
      await sql
        .raw(
          `insert into comment_search (id, comment_id, site_id, body)
            select ${slot('created_at')} + row_number() over (partition by ${slot('created_at')} order by id) - 1, id, site_id, body
            from comments where status = 'published'`,
        )
        .execute(db);
    }
    // By member only: with the site first, PostgreSQL would walk a site's index rows recomputing each one's
    // tsvector rather than ask the GIN index.
    await db.schema.createIndex('member_search_member').on('member_search').column('member_pk').execute();
    // The tables as they are now: this migration runs before any later one changes them.
    await rebuildMemberSearch(db as Kysely<Database>);
  },
  async down(db: Kysely<any>) {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    if (pg) {
      await sql`drop index comments_search`.execute(db);
      await sql`drop index comments_site_recent`.execute(db);
    } else {
      for (const t of ['comments_search_ai', 'comments_search_ad', 'comments_search_au']) await sql.raw(`drop trigger ${t}`).execute(db);
      await sql`drop table comment_search_fts`.execute(db);
      await sql`drop table comment_search`.execute(db);
      await sql`drop table member_search_fts`.execute(db);
    }
    await db.schema.dropTable('member_search').execute();
  },
};
