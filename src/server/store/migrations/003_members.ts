import { type Kysely, type Migration } from 'kysely';

/**
 * Member cards: the fields a member writes about themself, each with a visibility (a JSON map,
 * so a new field needs no migration), and introductions between members.
 */
export const m003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('member_profiles')
      .addColumn('member_pk', 'text', (c) => c.primaryKey().references('members.pk').onDelete('cascade'))
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('headline', 'text')
      .addColumn('company', 'text')
      .addColumn('association_role', 'text')
      .addColumn('expertise', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('bio', 'text')
      .addColumn('website', 'text')
      .addColumn('linkedin', 'text')
      .addColumn('phone', 'text')
      .addColumn('email', 'text')
      .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('member_profiles_site').on('member_profiles').column('site_id').execute();
    // Directory pages walk members by name within a site.
    await db.schema.createIndex('members_site_name').on('members').columns(['site_id', 'name', 'pk']).execute();

    await db.schema
      .createTable('introductions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('from_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('to_pk', 'text', (c) => c.notNull().references('members.pk').onDelete('cascade'))
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('from_share', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('to_share', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'text')
      // One request from a member to another, ever: a declined request is not asked again.
      .addUniqueConstraint('introductions_once', ['site_id', 'from_pk', 'to_pk'])
      .execute();
    await db.schema.createIndex('introductions_to').on('introductions').columns(['site_id', 'to_pk', 'created_at']).execute();
    await db.schema.createIndex('introductions_from').on('introductions').columns(['site_id', 'from_pk', 'created_at']).execute();
  },
};
