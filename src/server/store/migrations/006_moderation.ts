import { type Kysely, type Migration } from 'kysely';

/**
 * Moderation and site administration: the discussion's moderation log becomes the site's audit log
 * (who acted on which member, in which chapter, with which details); sanctions (bans and mutes for a
 * period); webhooks and their delivery log; the map of imported records that makes imports idempotent.
 */
export const m006: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('moderation_log').addColumn('member_pk', 'text').execute();
    await db.schema.alterTable('moderation_log').addColumn('chapter_id', 'text').execute();
    /** JSON object: what changed (settings before/after, counts, sanction period…). Never a secret. */
    await db.schema.alterTable('moderation_log').addColumn('details', 'text').execute();
    /** Who acted when no member did: `cli`, `system`. Null for a member (moderator_pk). */
    await db.schema.alterTable('moderation_log').addColumn('actor', 'text').execute();
    await db.schema.createIndex('moderation_log_site_action').on('moderation_log').columns(['site_id', 'action', 'created_at']).execute();

    await db.schema
      .createTable('sanctions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      /** '' for the whole site, else the chapter whose threads it covers. */
      .addColumn('chapter_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('moderator_pk', 'text', (c) => c.references('members.pk').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('ends_at', 'text')
      .addColumn('lifted_at', 'text')
      .addColumn('lifted_by', 'text')
      .execute();
    await db.schema.createIndex('sanctions_site_member').on('sanctions').columns(['site_id', 'member_pk', 'lifted_at']).execute();

    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_site').on('webhooks').column('site_id').execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      /** pending → sending → delivered | failed (pending again between attempts). */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addUniqueConstraint('webhook_deliveries_once', ['webhook_id', 'event_id'])
      .execute();
    await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_deliveries_site').on('webhook_deliveries').columns(['site_id', 'created_at']).execute();

    await db.schema
      .createTable('import_map')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('import_map_pk', ['site_id', 'source', 'kind', 'external_id'])
      .execute();
  },
};
