import { type Kysely, type Migration } from 'kysely';

/** Sites, keys, chapters, members, threads, comments, events, RSVPs and the activity ledger. */
export const m001: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('origins', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('public_jwk', 'text')
      .addColumn('jwks_url', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retires_at', 'text')
      .execute();
    await db.schema.createIndex('site_keys_site').on('site_keys').column('site_id').execute();
    await db.schema
      .createTable('chapters')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('chapters_pk', ['site_id', 'id'])
      .execute();
    await db.schema
      .createTable('members')
      .addColumn('pk', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('host_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('picture', 'text')
      .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('chapters', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('claims_iat', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('members_site_host', ['site_id', 'host_id'])
      .execute();
    await db.schema
      .createTable('threads')
      .addColumn('pk', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('audience', 'text', (c) => c.notNull().defaultTo('public'))
      .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('threads_site_key', ['site_id', 'key'])
      .execute();
    await db.schema
      .createTable('comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('thread_pk', 'text', (c) => c.notNull().references('threads.pk').onDelete('cascade'))
      .addColumn('parent_id', 'text')
      .addColumn('author_pk', 'text', (c) => c.references('members.pk').onDelete('set null'))
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('edited_at', 'text')
      .addColumn('deleted_at', 'text')
      .execute();
    await db.schema.createIndex('comments_thread_time').on('comments').columns(['thread_pk', 'created_at', 'id']).execute();
    await db.schema
      .createIndex('comments_idempotency')
      .unique()
      .on('comments')
      .columns(['site_id', 'author_pk', 'idempotency_key'])
      .execute();
    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('chapter_id', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('ends_at', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('place', 'text')
      .addColumn('online_url', 'text')
      .addColumn('capacity', 'integer')
      .addColumn('audience', 'text', (c) => c.notNull().defaultTo('public'))
      .addColumn('cancelled_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_site_start').on('events').columns(['site_id', 'starts_at']).execute();
    await db.schema
      .createTable('rsvps')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('guests', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rsvps_pk', ['event_id', 'member_pk'])
      .execute();
    await db.schema
      .createTable('activities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('activities_once', ['site_id', 'member_pk', 'kind', 'ref'])
      .execute();
  },
};
