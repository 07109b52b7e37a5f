import { type Kysely, type Migration } from 'kysely';

/**
 * Members, second cut. `member_since`: the date the member joined the association, as the host
 * site's token says (its optional `since` claim); null until a token says it. `member_erasures`:
 * a hash of the host id of each member who erased their data, so that when their host
 * session brings them back they return unlisted instead of reappearing in the directory.
 */
export const m010: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('members').addColumn('member_since', 'text').execute();
    await db.schema
      .createTable('member_erasures')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('host_key', 'text', (c) => c.notNull())
      .addColumn('erased_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('member_erasures_pk', ['site_id', 'host_key'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('member_erasures').execute();
    await db.schema.alterTable('members').dropColumn('member_since').execute();
  },
};
