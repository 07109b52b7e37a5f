import { type Kysely, type Migration } from 'kysely';

/**
 * Running counts of each member's ledger, kept in their engagement row: activities per kind, site-wide and per
 * chapter (`{ "": { "comment.posted": 4 }, "<chapter id>": { "event.attended": 2 } }`). They are written in the
 * transaction of every activity recorded, so a new activity is judged against the counts instead of the whole
 * ledger; the ledger is read only when a count says a level or badge may have been reached. Null until the
 * member's row is next computed from the ledger (a recompute, or their next activity), which fills it.
 */
export const m017: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('engagement_members').addColumn('tallies', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('engagement_members').dropColumn('tallies').execute();
  },
};
