import { type Kysely, type Migration } from 'kysely';

/**
 * Engagement: the chapter an activity belongs to, per-site rules, each member's level and
 * visibility, badge awards, the Open Badges issuer keys and the credentials exported.
 */
export const m005: Migration = {
  async up(db: Kysely<any>) {
    // Chapter of an activity (for chapter-scoped badges); null when it belongs to none.
    await db.schema.alterTable('activities').addColumn('chapter_id', 'text').execute();
    // Removing what a deleted comment earned finds its activities by (kind, ref).
    await db.schema.createIndex('activities_site_kind_ref').on('activities').columns(['site_id', 'kind', 'ref']).execute();
    // Full recompute and "recently active" read the ledger member by member, in time order.
    await db.schema.createIndex('activities_member_time').on('activities').columns(['member_pk', 'created_at', 'id']).execute();
    await db.schema.createIndex('activities_site_time').on('activities').columns(['site_id', 'created_at']).execute();

    await db.schema
      .createTable('engagement_rules')
      .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('engagement_members')
      .addColumn('member_pk', 'text', (c) => c.primaryKey().references('members.pk').onDelete('cascade'))
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('level_id', 'text', (c) => c.notNull())
      .addColumn('level_rank', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('level_since', 'text')
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_active_at', 'text')
      // Fingerprint of the ledger the row was computed from (ids only grow): a reader that finds
      // the ledger changed behind the store's back (a direct insert) brings the row up to date.
      .addColumn('ledger_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ledger_max_id', 'text')
      .execute();
    await db.schema.createIndex('engagement_members_site_active').on('engagement_members').columns(['site_id', 'last_active_at']).execute();

    await db.schema
      .createTable('engagement_awards')
      .addColumn('member_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('badge_id', 'text', (c) => c.notNull())
      // '' for a site-wide badge, else the chapter id.
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('awarded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('engagement_awards_pk', ['member_pk', 'badge_id', 'scope'])
      .execute();

    await db.schema
      .createTable('ob_issuer_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      // Ed25519, multibase (base58btc) multikey encodings.
      .addColumn('public_multibase', 'text', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute();
    await db.schema.createIndex('ob_issuer_keys_site').on('ob_issuer_keys').column('site_id').execute();

    await db.schema
      .createTable('ob_credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      // Kept when the member is erased (the credential is then revoked), hence no foreign key.
      .addColumn('member_pk', 'text', (c) => c.notNull())
      .addColumn('badge_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .execute();
  },
};
