import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrate } from './migrations.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_FILE = '.cercle/cercle.db';

/**
 * Opens the database: PostgreSQL when `url` is a postgres:// URL, otherwise a SQLite file
 * (created with its folder when missing, WAL mode). Migrations run before it is returned.
 */
export async function openDb(url?: string, opts: { schema?: string } = {}): Promise<Db> {
  let kysely: Kysely<Database>;
  let kind: DatabaseKind;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    const schema = opts.schema?.replace(/[^a-z0-9_]/g, '');
    if (schema) {
      const setup = new pg.Client({ connectionString: url });
      await setup.connect();
      try {
        await setup.query(`create schema if not exists ${schema}`);
      } finally {
        await setup.end();
      }
    }
    const pool = new pg.Pool({ connectionString: url, max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    const { default: SQLite } = await import('better-sqlite3');
    const file = resolve(url?.replace(/^sqlite:(\/\/)?/, '') || DEFAULT_SQLITE_FILE);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    database.pragma('synchronous = NORMAL');
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    kind = 'sqlite';
  }
  await migrate(kysely);
  return { kysely, kind, close: () => kysely.destroy() };
}
