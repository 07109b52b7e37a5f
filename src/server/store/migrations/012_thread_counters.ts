import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/**
 * Reading a thread costs what the thread holds, not what the site holds.
 *
 * - `threads.published_count` and `threads.pending_count`: kept by triggers on `comments`, in the transaction
 *   of whatever changes a comment (a post, an edit sent back to the queue, moderation, an author's erasure,
 *   an import, a member's erasure), so no read counts the thread's rows again.
 * - Indexes whose leading columns are the ones each per-thread read fixes (site, thread, then parent or root):
 *   even without statistics SQLite prefers them to the site-wide indexes, which only fix `site_id`. The same
 *   for mentions and open flags by comment. `comments_thread_root` is covered by `comments_thread_replies`.
 */
export const m012: Migration = {
  async up(db: Kysely<any>) {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .alterTable('threads')
      .addColumn('published_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('threads')
      .addColumn('pending_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update threads set
        published_count = (select count(*) from comments c where c.thread_pk = threads.pk and c.status = 'published'),
        pending_count = (select count(*) from comments c where c.thread_pk = threads.pk and c.status = 'pending')`.execute(db);

    if (pg) {
      await sql`create or replace function cercle_thread_counts() returns trigger language plpgsql as $$
        begin
          if tg_op <> 'INSERT' and old.status in ('published', 'pending') then
            update threads set
              published_count = published_count - (case when old.status = 'published' then 1 else 0 end),
              pending_count = pending_count - (case when old.status = 'pending' then 1 else 0 end)
            where pk = old.thread_pk;
          end if;
          if tg_op <> 'DELETE' and new.status in ('published', 'pending') then
            update threads set
              published_count = published_count + (case when new.status = 'published' then 1 else 0 end),
              pending_count = pending_count + (case when new.status = 'pending' then 1 else 0 end)
            where pk = new.thread_pk;
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger comments_count_insert after insert on comments
        for each row execute function cercle_thread_counts()`.execute(db);
      await sql`create trigger comments_count_delete after delete on comments
        for each row execute function cercle_thread_counts()`.execute(db);
      await sql`create trigger comments_count_update after update of status, thread_pk on comments
        for each row when (old.status is distinct from new.status or old.thread_pk is distinct from new.thread_pk)
        execute function cercle_thread_counts()`.execute(db);
    } else {
      const add = (row: 'new' | 'old', sign: '+' | '-') =>
        sql.raw(`update threads set
            published_count = published_count ${sign} (${row}.status = 'published'),
            pending_count = pending_count ${sign} (${row}.status = 'pending')
          where pk = ${row}.thread_pk and ${row}.status in ('published', 'pending');`);
      await sql`create trigger comments_count_insert after insert on comments begin ${add('new', '+')} end`.execute(db);
      await sql`create trigger comments_count_delete after delete on comments begin ${add('old', '-')} end`.execute(db);
      await sql`create trigger comments_count_update after update of status, thread_pk on comments
        when old.status is not new.status or old.thread_pk is not new.thread_pk
        begin ${add('old', '-')} ${add('new', '+')} end`.execute(db);
    }

    await db.schema
      .createIndex('comments_thread_page')
      .on('comments')
      .columns(['site_id', 'thread_pk', 'parent_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('comments_thread_replies')
      .on('comments')
      .columns(['site_id', 'thread_pk', 'root_id', 'created_at', 'id'])
      .execute();
    await db.schema.dropIndex('comments_thread_root').execute();
    await db.schema
      .createIndex('comment_mentions_comment')
      .on('comment_mentions')
      .columns(['site_id', 'comment_id', 'member_pk'])
      .execute();
    await db.schema.createIndex('flags_comment_open').on('flags').columns(['site_id', 'comment_id', 'resolved_at']).execute();
  },

  async down(db: Kysely<any>) {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema.dropIndex('flags_comment_open').execute();
    await db.schema.dropIndex('comment_mentions_comment').execute();
    await db.schema.createIndex('comments_thread_root').on('comments').columns(['thread_pk', 'root_id', 'created_at']).execute();
    await db.schema.dropIndex('comments_thread_replies').execute();
    await db.schema.dropIndex('comments_thread_page').execute();
    for (const t of ['comments_count_insert', 'comments_count_delete', 'comments_count_update']) {
      await sql.raw(pg ? `drop trigger if exists ${t} on comments` : `drop trigger if exists ${t}`).execute(db);
    }
    if (pg) await sql`drop function if exists cercle_thread_counts()`.execute(db);
    await db.schema.alterTable('threads').dropColumn('pending_count').execute();
    await db.schema.alterTable('threads').dropColumn('published_count').execute();
  },
};
