import { type Kysely, type Migration } from 'kysely';

/**
 * Recurring events and check-in at the door.
 * - `event_series`: a recurrence rule (RRULE without DTSTART, UNTIL or COUNT) read in its time zone. Each
 *   occurrence is an ordinary event row (its own answers, capacity, attendance) carrying `series_id` and
 *   `occurrence_at`, the instant the rule gave it (the iCalendar RECURRENCE-ID), kept when it is moved.
 * - `checkins`: one row per person let in, keyed by the key the organiser's device chose (a retried
 *   check-in replays), at most one per member and occurrence; walk-ins have a name and maybe a member.
 */
export const m015: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event_series')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('recurrence', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('events').addColumn('series_id', 'text').execute();
    await db.schema.alterTable('events').addColumn('occurrence_at', 'text').execute();
    await db.schema.createIndex('events_series').on('events').columns(['series_id', 'occurrence_at']).execute();

    await db.schema
      .createTable('checkins')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('walk_in', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('by_pk', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('checkins_pk', ['event_id', 'key'])
      .execute();
    // NULLs are distinct in both databases: any number of walk-ins without a member.
    await db.schema.createIndex('checkins_member').on('checkins').columns(['event_id', 'member_pk']).unique().execute();
    await db.schema.createIndex('checkins_site').on('checkins').columns(['site_id', 'event_id', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('checkins').execute();
    await db.schema.dropIndex('events_series').execute();
    await db.schema.alterTable('events').dropColumn('occurrence_at').execute();
    await db.schema.alterTable('events').dropColumn('series_id').execute();
    await db.schema.dropTable('event_series').execute();
  },
};
