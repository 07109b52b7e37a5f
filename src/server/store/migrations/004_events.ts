import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Events: organiser, guests, RSVP deadline, cancellation reason, revision (iCalendar SEQUENCE);
 * RSVPs: waitlist arrival order, promotion notice, attendance; chapter organisers; private
 * calendar feeds (only a hash of their secret is stored).
 */
export const m004: Migration = {
  async up(db: Kysely<any>) {
    // SQLite adds one column per ALTER TABLE.
    const addEvent = (name: string, type: 'text' | 'integer', notNullDefault?: number) =>
      db.schema
        .alterTable('events')
        .addColumn(name, type, (c) => (notNullDefault === undefined ? c : c.notNull().defaultTo(notNullDefault)))
        .execute();
    await addEvent('organiser_pk', 'text');
    await addEvent('max_guests', 'integer', 0);
    await addEvent('rsvp_deadline', 'text');
    await addEvent('cancel_reason', 'text');
    await addEvent('url', 'text');
    await addEvent('sequence', 'integer', 0);
    await addEvent('updated_at', 'text');
    await sql`update events set updated_at = created_at where updated_at is null`.execute(db);
    await db.schema.createIndex('events_site_chapter_start').on('events').columns(['site_id', 'chapter_id', 'starts_at']).execute();
    await db.schema.createIndex('events_site_organiser').on('events').columns(['site_id', 'organiser_pk']).execute();

    const addRsvp = (name: string, type: 'text' | 'integer') => db.schema.alterTable('rsvps').addColumn(name, type).execute();
    await addRsvp('waitlist_seq', 'integer');
    await addRsvp('promoted_at', 'text');
    await addRsvp('promotion_seen_at', 'text');
    await addRsvp('attended', 'integer');
    await db.schema.createIndex('rsvps_event_status').on('rsvps').columns(['event_id', 'status', 'waitlist_seq']).execute();
    await db.schema.createIndex('rsvps_member').on('rsvps').columns(['site_id', 'member_pk']).execute();

    await db.schema
      .createTable('chapter_organisers')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('chapter_id', 'text', (c) => c.notNull())
      .addColumn('host_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('chapter_organisers_pk', ['site_id', 'chapter_id', 'host_id'])
      .execute();
    await db.schema.createIndex('chapter_organisers_member').on('chapter_organisers').columns(['site_id', 'host_id']).execute();

    await db.schema
      .createTable('calendar_feeds')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('calendar_feeds_member', ['site_id', 'member_pk'])
      .execute();
  },
};
