import { type Kysely, type Migration } from 'kysely';

/**
 * Chapters named by the admins in both languages (`chapters.name` is the site's own language, `name_en` the English
 * one), chapter moderators kept by the server (`chapter_moderators`, besides the token's `moderates` claim), and the
 * indexes the community team's insights read by: the ledger by site and time with kind and member (and by chapter),
 * introductions and threads by site and time; the counts of weeks that are over (`insight_weeks`).
 */
export const m016: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('chapters').addColumn('name_en', 'text').execute();
    await db.schema.alterTable('chapters').addColumn('updated_at', 'text').execute();
    await db.schema
      .createTable('chapter_moderators')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('chapter_id', 'text', (c) => c.notNull())
      .addColumn('host_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('chapter_moderators_pk', ['site_id', 'chapter_id', 'host_id'])
      .execute();
    await db.schema.createIndex('chapter_moderators_member').on('chapter_moderators').columns(['site_id', 'host_id']).execute();
    // Covering: a week's distinct members by kind are read from the index alone.
    await db.schema.createIndex('activities_insights').on('activities').columns(['site_id', 'created_at', 'kind', 'member_pk']).execute();
    await db.schema
      .createIndex('activities_insights_chapter')
      .on('activities')
      .columns(['site_id', 'chapter_id', 'created_at', 'kind', 'member_pk'])
      .execute();
    await db.schema.createIndex('introductions_site_time').on('introductions').columns(['site_id', 'created_at', 'status']).execute();
    await db.schema.createIndex('threads_site_time').on('threads').columns(['site_id', 'created_at']).execute();
    // Counts of weeks that are over, kept a day: a year of insights reads 53 rows, not the ledger.
    await db.schema
      .createTable('insight_weeks')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      /** '' for the whole site. */
      .addColumn('chapter_id', 'text', (c) => c.notNull())
      /** The Monday the week starts on (ISO date). */
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('counts', 'text', (c) => c.notNull())
      .addColumn('computed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('insight_weeks_pk', ['site_id', 'chapter_id', 'week'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('insight_weeks').execute();
    await db.schema.dropIndex('threads_site_time').execute();
    await db.schema.dropIndex('introductions_site_time').execute();
    await db.schema.dropIndex('activities_insights_chapter').execute();
    await db.schema.dropIndex('activities_insights').execute();
    await db.schema.dropTable('chapter_moderators').execute();
    await db.schema.alterTable('chapters').dropColumn('updated_at').execute();
    await db.schema.alterTable('chapters').dropColumn('name_en').execute();
  },
};
