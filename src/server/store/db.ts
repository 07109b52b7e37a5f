import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type Driver } from 'kysely';
import type { Database as SQLiteDatabase } from 'better-sqlite3';
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
 * SQLite whose transactions start with `BEGIN IMMEDIATE`: a transaction takes the write lock before it
 * reads, so a second writer (the command line while the server runs) makes it wait for `busy_timeout`
 * instead of failing with "database is locked" when it then writes.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SQLiteDatabase) {
    super({ database });
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    // SQLite rolls a transaction back itself on some errors (a full disk): the error that did it is the one
    // to report, not "cannot rollback - no transaction is active".
    driver.rollbackTransaction = async (connection) => {
      if (this.database.inTransaction) await rollback(connection);
    };
    return driver;
  }
}

/** An error opening the SQLite file, naming it and saying what to check. */
function fileError(file: string, err: unknown): Error {
  const code = String((err as { code?: unknown })?.code ?? '');
  const why = String((err as Error)?.message ?? err);
  const hint = /EACCES|EPERM|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM/.test(code + why)
    ? 'check that the server may read and write the file and its folder'
    : /SQLITE_NOTADB|SQLITE_CORRUPT/.test(code)
      ? 'the file is not a healthy SQLite database; restore it from a backup'
      : 'check the path and the disk';
  return Object.assign(new Error(`Cannot open the SQLite database ${file}: ${why} (${hint}).`), { code, cause: err });
}

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
    let database: SQLiteDatabase;
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      database = new SQLite(file);
      database.pragma('busy_timeout = 5000');
      database.pragma('journal_mode = WAL');
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
    } catch (err) {
      throw fileError(file, err);
    }
    // A damaged file refuses to start rather than losing more.
    let check: unknown;
    try {
      check = database.pragma('quick_check', { simple: true });
    } catch (err) {
      database.close();
      throw fileError(file, err);
    }
    if (check !== 'ok') {
      database.close();
      throw Object.assign(
        new Error(`The SQLite database ${file} is damaged (quick_check: ${String(check).slice(0, 300)}); restore it from a backup.`),
        { code: 'SQLITE_CORRUPT' },
      );
    }
    kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
    kind = 'sqlite';
    try {
      await migrate(kysely);
    } catch (err) {
      await kysely.destroy();
      throw fileError(file, err);
    }
    return { kysely, kind, close: () => kysely.destroy() };
  }
  await migrate(kysely);
  return { kysely, kind, close: () => kysely.destroy() };
}
