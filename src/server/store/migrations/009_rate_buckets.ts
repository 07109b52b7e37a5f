import { type Kysely, type Migration } from 'kysely';

/**
 * Limits shared by every instance, and webhook deliveries that merge. `rate_buckets`: one token bucket
 * a row (`tokens` left at `at`, ms since epoch; `granted`: whether the last take was allowed), updated
 * by one UPSERT a check on PostgreSQL. `webhook_deliveries.coalesce_key`: a delivery not yet attempted
 * with the same key takes the newer event's payload instead of a second delivery being queued.
 */
export const m009: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rate_buckets')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('granted', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_buckets_at').on('rate_buckets').column('at').execute();
    await db.schema.alterTable('webhook_deliveries').addColumn('coalesce_key', 'text').execute();
    await db.schema.createIndex('webhook_deliveries_coalesce').on('webhook_deliveries').columns(['webhook_id', 'coalesce_key']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('webhook_deliveries_coalesce').execute();
    await db.schema.alterTable('webhook_deliveries').dropColumn('coalesce_key').execute();
    await db.schema.dropTable('rate_buckets').execute();
  },
};
