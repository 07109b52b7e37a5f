import { type Kysely, type Migration, PostgresAdapter } from 'kysely';

/**
 * The live event log: one row per published change, read back by `Last-Event-ID` when a stream
 * reconnects (possibly to another instance). Ids increase in commit order within a site (publishers
 * take a per-site lock on PostgreSQL; SQLite has one writer). Rows older than the retention window are
 * pruned; `live_meta.pruned_through` remembers the highest id pruned, so that a client older than the
 * window is told to reload instead of silently missing changes.
 */
export const m007: Migration = {
  async up(db: Kysely<any>) {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('live_events')
      .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull().defaultTo('public'))
      .addColumn('version', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('live_events_site_id').on('live_events').columns(['site_id', 'id']).execute();
    await db.schema.createIndex('live_events_created').on('live_events').column('created_at').execute();
    await db.schema
      .createTable('live_meta')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull())
      .execute();
    await db.insertInto('live_meta').values({ name: 'pruned_through', value: 0 }).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('live_meta').execute();
    await db.schema.dropTable('live_events').execute();
  },
};
