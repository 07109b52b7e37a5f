import { type Kysely, type Migration } from 'kysely';

/**
 * Keys, second cut. `secret_encoding`: how an HS256 secret's text becomes the HMAC key (`base64url` for
 * the keys made so far, which were decoded; `text` for new ones, used as printed). `jwk_kid`: the `kid`
 * a public JWK carries itself, which standard signers put in the token's header.
 */
export const m008: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('site_keys')
      .addColumn('secret_encoding', 'text', (c) => c.notNull().defaultTo('base64url'))
      .execute();
    await db.schema.alterTable('site_keys').addColumn('jwk_kid', 'text').execute();
    const rows = await db.selectFrom('site_keys').select(['kid', 'public_jwk']).where('public_jwk', 'is not', null).execute();
    for (const r of rows) {
      let kid: unknown;
      try {
        kid = JSON.parse(r.public_jwk).kid;
      } catch {
        continue;
      }
      if (typeof kid === 'string') await db.updateTable('site_keys').set({ jwk_kid: kid }).where('kid', '=', r.kid).execute();
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('site_keys').dropColumn('jwk_kid').execute();
    await db.schema.alterTable('site_keys').dropColumn('secret_encoding').execute();
  },
};
