import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The discussion beyond posting: where a comment sits in its tree (`root_id`, `depth`), its
 * "useful" count for the "most useful" order, why it is held, who it mentions; reactions, flags,
 * read markers and the moderators' log.
 */
export const m002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('comments').addColumn('root_id', 'text').execute();
    await db.schema
      .alterTable('comments')
      .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('comments')
      .addColumn('useful_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('comments').addColumn('held_reason', 'text').execute();
    // Comments stored before this migration: roots are their own root; replies take their parent's, level by level.
    await sql`update comments set root_id = id where parent_id is null`.execute(db);
    for (let level = 1; level < 1000; level++) {
      const r = await sql`update comments set
          root_id = (select p.root_id from comments p where p.id = comments.parent_id),
          depth = (select p.depth + 1 from comments p where p.id = comments.parent_id)
        where root_id is null and parent_id is not null
          and exists (select 1 from comments p where p.id = comments.parent_id and p.root_id is not null)`.execute(db);
      if (!Number(r.numAffectedRows ?? 0)) break;
    }
    await db.schema.createIndex('comments_thread_root').on('comments').columns(['thread_pk', 'root_id', 'created_at']).execute();
    await db.schema.createIndex('comments_thread_useful').on('comments').columns(['thread_pk', 'useful_count', 'created_at']).execute();
    await db.schema.createIndex('comments_parent').on('comments').column('parent_id').execute();
    await db.schema.createIndex('comments_site_author').on('comments').columns(['site_id', 'author_pk', 'status']).execute();

    await db.schema
      .createTable('comment_mentions')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addPrimaryKeyConstraint('comment_mentions_pk', ['comment_id', 'member_pk'])
      .execute();
    await db.schema.createIndex('comment_mentions_member').on('comment_mentions').columns(['site_id', 'member_pk']).execute();

    await db.schema
      .createTable('reactions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('reactions_once', ['comment_id', 'member_pk', 'kind'])
      .execute();
    await db.schema.createIndex('reactions_site_comment').on('reactions').columns(['site_id', 'comment_id']).execute();

    await db.schema
      .createTable('flags')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addUniqueConstraint('flags_once', ['comment_id', 'member_pk'])
      .execute();
    await db.schema.createIndex('flags_site_open').on('flags').columns(['site_id', 'resolved_at']).execute();

    await db.schema
      .createTable('thread_reads')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('thread_pk', 'text', (c) => c.notNull().references('threads.pk').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('read_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('thread_reads_pk', ['thread_pk', 'member_pk'])
      .execute();

    await db.schema
      .createTable('moderation_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('moderator_pk', 'text', (c) => c.references('members.pk').onDelete('set null'))
      .addColumn('comment_id', 'text')
      .addColumn('thread_pk', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('moderation_log_site_time').on('moderation_log').columns(['site_id', 'created_at']).execute();
  },
};
