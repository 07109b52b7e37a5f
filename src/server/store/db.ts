import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type Driver, type LogEvent } from 'kysely';
import type { Database as SQLiteDatabase, Statement } from 'better-sqlite3';
import type { Database } from './schema.js';
import { migrate } from './migrations.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  kind: DatabaseKind;
  /**
   * Keeps the planner's statistics current: SQLite's `PRAGMA optimize` (analyses the tables whose size
   * changed much since their last analysis; cheap when nothing did), PostgreSQL's `ANALYZE` when `full`
   * (autovacuum keeps them otherwise).
   */
  optimize(opts?: { full?: boolean }): Promise<void>;
  close(): Promise<void>;
  /** SQLite: the prepared statements, and how many were prepared and run. */
  statements?: StatementCache;
}

export interface OpenOptions {
  /** PostgreSQL: the schema to use (created when missing). */
  schema?: string;
  /** Told of every statement run, with its parameters (tests record the queries of a request with it). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

/** Prepared statements kept by SQL text: the most recently used, at most this many. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * The subset of better-sqlite3's `Database` that Kysely's SQLite driver uses, with `prepare` remembered:
 * compiling a statement is most of what a small query costs (Kysely prepares each query anew). The driver
 * holds SQLite's one connection for a whole query (and a whole transaction), so a statement is never used
 * by two queries at once. SQLite re-prepares a cached statement by itself after a schema change.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();
  /** Statements prepared, and statements run, since the database opened (bench and tests count them). */
  prepared = 0;
  executed = 0;

  constructor(
    readonly database: SQLiteDatabase,
    private readonly size = STATEMENT_CACHE_SIZE,
  ) {}

  prepare(text: string): Statement {
    this.executed++;
    let stmt = this.statements.get(text);
    if (stmt) {
      // Most recently used last: the first key of the map is the one to drop.
      this.statements.delete(text);
    } else {
      stmt = this.database.prepare(text);
      this.prepared++;
      if (this.statements.size >= this.size) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(text, stmt);
    return stmt;
  }

  close() {
    this.statements.clear();
    this.database.close();
  }
}

export const DEFAULT_SQLITE_FILE = '.cercle/cercle.db';

/**
 * SQLite whose transactions start with `BEGIN IMMEDIATE`: a transaction takes the write lock before it
 * reads, so a second writer (the command line while the server runs) makes it wait for `busy_timeout`
 * instead of failing with "database is locked" when it then writes.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  private readonly database: SQLiteDatabase;

  constructor(cache: StatementCache) {
    super({ database: cache });
    this.database = cache.database;
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
export async function openDb(url?: string, opts: OpenOptions = {}): Promise<Db> {
  const log = opts.onQuery && ((e: LogEvent) => opts.onQuery!(e.query.sql, e.query.parameters));
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
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
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
      // 32 MB of pages kept (SQLite's default is 2 MB): a large site's hot threads and indexes stay in memory
      // instead of being read again from the file on every page view.
      database.pragma('cache_size = -32000');
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
    const statements = new StatementCache(database);
    kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(statements), log });
    kind = 'sqlite';
    try {
      await migrate(kysely);
      // SQLite's advice for a long-lived connection: analyse at open the tables that need it, within a
      // bounded effort (0x10002), so a new or grown database has statistics before its first read.
      database.pragma('optimize=0x10002');
    } catch (err) {
      await kysely.destroy();
      throw fileError(file, err);
    }
    const optimize = async (o: { full?: boolean } = {}) => void database.pragma(o.full ? 'optimize=0x10002' : 'optimize');
    return {
      kysely,
      kind,
      optimize,
      statements,
      async close() {
        // And at close, what the session's queries showed to be worth analysing.
        if (database.open) await optimize().catch(() => undefined);
        await kysely.destroy();
      },
    };
  }
  // PostgreSQL's autovacuum keeps statistics; tables a migration just created or changed get them now. Only the
  // store's own schema: other schemas of the database are not this server's to analyse.
  const pgKysely = kysely;
  const analyze = async () => {
    const tables = await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = current_schema()`.execute(pgKysely);
    if (tables.rows.length) await sql`analyze ${sql.join(tables.rows.map((r) => sql.id(r.t)))}`.execute(pgKysely);
  };
  if ((await migrate(kysely)) > 0) await analyze();
  return {
    kysely,
    kind,
    async optimize(o = {}) {
      if (o.full) await analyze();
    },
    close: () => kysely.destroy(),
  };
}
