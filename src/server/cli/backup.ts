import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SQLITE_FILE, openDb } from '../store/db.js';
import { databaseUrl, type Out } from './shared.js';

export const BACKUP_USAGE = `  backup FILE                a consistent copy of the SQLite database, taken while the server runs
                             (PostgreSQL: prints the pg_dump line to run instead)
  restore FILE [--force]     replace the SQLite database with a backup, then run migrations; refuses
                             while the database is in use (a running server) unless --force
`;

type SQLite = typeof import('better-sqlite3');

async function sqlite(): Promise<SQLite> {
  return (await import('better-sqlite3')).default;
}

const isPostgres = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url);

/** The SQLite file the server uses, as `openDb` resolves it. */
function sqliteFile(url: string | undefined): string {
  return resolve(url?.replace(/^sqlite:(\/\/)?/, '') || DEFAULT_SQLITE_FILE);
}

/** Quotes a shell word for the printed PostgreSQL commands. */
const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Checks that `file` is a SQLite database holding Cercle's tables, with no damage;
 * throws a readable error otherwise.
 */
function checkCercleDatabase(SQLite: SQLite, file: string): void {
  if (!existsSync(file)) throw new Error(`${file} does not exist.`);
  let db: InstanceType<SQLite> | undefined;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
    const tables = new Set(db.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[]);
    if (!tables.has('kysely_migration') || !tables.has('sites'))
      throw new Error(`${file} is a SQLite database, but not a Cercle database (no Cercle tables in it).`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged (SQLite quick_check: ${String(check)}).`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
      throw new Error(`${file} is not a Cercle database (not a SQLite file).`, { cause: err });
    throw err;
  } finally {
    db?.close();
  }
}

/**
 * True when another connection holds the database open (a running server): SQLite in WAL mode
 * keeps a shared lock on the file for each open connection, so an exclusive lock cannot be had.
 */
function inUse(SQLite: SQLite, file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new SQLite(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive; commit');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    throw err;
  } finally {
    db.close();
  }
}

/** Copies `from` into a new file `to` with SQLite's online backup, in a single consistent step. */
async function copy(SQLite: SQLite, from: string, to: string): Promise<void> {
  const src = new SQLite(from, { readonly: true, fileMustExist: true });
  try {
    // Every remaining page in one step: the copy is one read transaction, hence one consistent
    // state even while the server writes (WAL mode lets it write meanwhile).
    await src.backup(to, { progress: () => 2 ** 30 });
  } finally {
    src.close();
  }
  // The copy keeps the source's WAL mode; a backup is one self-contained file instead.
  const dest = new SQLite(to, { fileMustExist: true });
  try {
    dest.pragma('journal_mode = DELETE');
  } finally {
    dest.close();
  }
}

/** Removes a file and what SQLite may have left beside it. */
function remove(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
}

/** `cercle backup FILE`. */
export async function backupCommand(args: string[], out: Out): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [target] = positionals;
  if (!target || positionals.length > 1) throw new Error('backup needs one argument: the file to write (e.g. cercle-2026-01-31.db).');
  const url = databaseUrl();
  if (isPostgres(url)) {
    out('The database is PostgreSQL: back it up with pg_dump (a consistent snapshot while the server runs):');
    out(`  pg_dump --format=custom --no-owner --file=${sh(target)} ${sh(url)}`);
    out(`Restore it into an empty database with: pg_restore --no-owner --dbname=URL ${sh(target)}`);
    return 2;
  }
  const SQLite = await sqlite();
  const from = sqliteFile(url);
  checkCercleDatabase(SQLite, from);
  const to = resolve(target);
  if (to === from) throw new Error('The backup cannot be written over the database itself.');
  if (existsSync(to)) throw new Error(`${to} already exists: choose a new file name (a backup never overwrites a file).`);
  if (!existsSync(dirname(to))) throw new Error(`The folder ${dirname(to)} does not exist.`);
  // Written under a temporary name, so a file with the final name is always a complete backup.
  const partial = `${to}.partial-${process.pid}`;
  try {
    await copy(SQLite, from, partial);
    checkCercleDatabase(SQLite, partial);
    renameSync(partial, to);
  } finally {
    remove(partial);
  }
  out(`Backed up ${from} to ${to}`);
  return 0;
}

/** `cercle restore FILE [--force]`. */
export async function restoreCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  const [source] = positionals;
  if (!source || positionals.length > 1) throw new Error('restore needs one argument: the backup file to restore.');
  const url = databaseUrl();
  if (isPostgres(url)) {
    out('The database is PostgreSQL: restore a pg_dump backup with pg_restore, server stopped, into an empty database:');
    out(`  pg_restore --no-owner --dbname=${sh(url)} ${sh(source)}`);
    out('Then start the server: it runs the migrations the backup lacks.');
    return 2;
  }
  const SQLite = await sqlite();
  const from = resolve(source);
  checkCercleDatabase(SQLite, from);
  const to = sqliteFile(url);
  if (from === to) throw new Error('That file is the database itself: nothing to restore.');
  if (inUse(SQLite, to) && !values.force) {
    throw new Error(`${to} is in use (is the server running?). Stop the server first, or pass --force and restart it right after.`);
  }
  // Copied beside the target first, so the database is replaced in one rename, never half-written.
  const partial = `${to}.partial-${process.pid}`;
  let kept: string | undefined;
  try {
    await copy(SQLite, from, partial);
    if (existsSync(to)) {
      // The database being replaced is kept, not lost.
      kept = `${to}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await copy(SQLite, to, kept);
    }
    // A write-ahead log left by the old database would be replayed onto the restored one.
    for (const f of [`${to}-wal`, `${to}-shm`, `${to}-journal`]) rmSync(f, { force: true });
    renameSync(partial, to);
  } finally {
    remove(partial);
  }
  const db = await openDb(to);
  await db.close();
  out(`Restored ${from} into ${to} (migrations run).`);
  if (kept) out(`The previous database is kept as ${kept}`);
  return 0;
}
