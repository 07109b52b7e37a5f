import { type Kysely, type Migration } from 'kysely';

/**
 * `comments.idempotency_hash`: the SHA-256 of the canonical request a comment was posted with, kept with
 * its idempotency key, so that the key reused with another text is refused instead of answered with the
 * first comment. Comments posted before it have none and replay as they did.
 */
export const m011: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('comments').addColumn('idempotency_hash', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('comments').dropColumn('idempotency_hash').execute();
  },
};
