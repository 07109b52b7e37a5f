import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely';
import { m001 } from './migrations/001_foundation.js';
import { m002 } from './migrations/002_discussion.js';
import { m004 } from './migrations/004_events.js';
import { m007 } from './migrations/007_live.js';
import { m003 } from './migrations/003_members.js';
import { m005 } from './migrations/005_engagement.js';
import { m006 } from './migrations/006_moderation.js';
import { m008 } from './migrations/008_keys.js';
import { m009 } from './migrations/009_rate_buckets.js';
import { m010 } from './migrations/010_member_trust.js';
import { m011 } from './migrations/011_idempotency.js';
import { m012 } from './migrations/012_thread_counters.js';
import { m013 } from './migrations/013_search.js';
import { m015 } from './migrations/015_event_series.js';
import { m016 } from './migrations/016_chapters_insights.js';
import { m014 } from './migrations/014_notifications.js';
import { m017 } from './migrations/017_engagement_tallies.js';
import { m018 } from './migrations/018_insight_counts.js';

/**
 * Migrations are code, shipped with the package, and run unchanged on SQLite and PostgreSQL:
 * only portable column types (text, integer), ids chosen by the application, times as ISO text.
 * They run in the order of their names; a feature adds its file under migrations/ and one line here.
 */
const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_discussion': m002,
  '004_events': m004,
  '007_live': m007,
  '003_members': m003,
  '005_engagement': m005,
  '006_moderation': m006,
  '008_keys': m008,
  '009_rate_buckets': m009,
  '010_member_trust': m010,
  '011_idempotency': m011,
  '012_thread_counters': m012,
  '013_search': m013,
  '015_event_series': m015,
  '016_chapters_insights': m016,
  '014_notifications': m014,
  '017_engagement_tallies': m017,
  '018_insight_counts': m018,
};

class CodeProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** Brings the schema up to date; returns how many migrations ran. */
export async function migrate(db: Kysely<any>): Promise<number> {
  // On PostgreSQL the bookkeeping tables live in the store's own schema: without this, Kysely finds
  // another schema's kysely_migration_lock, skips creating its own, and the migration fails.
  const migrationTableSchema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  // Feature migrations create their own tables, independent of each other: a database that has a later
  // one may take an earlier one added since.
  const migrator = new Migrator({ db, provider: new CodeProvider(), migrationTableSchema, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
  return results?.length ?? 0;
}
