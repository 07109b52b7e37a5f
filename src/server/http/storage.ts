import { ProblemError } from './problem.js';

/** The database's own error code: SQLite's (`SQLITE_FULL`), PostgreSQL's SQLSTATE (`53100`) or the system's (`ECONNREFUSED`). */
const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');

const FULL = new Set(['SQLITE_FULL', '53100']);
const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '55P03']);
const UNAVAILABLE =
  /^(SQLITE_(CANTOPEN|IOERR|READONLY|CORRUPT|NOTADB)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EACCES|EROFS|ENOSPC|57P0[1-3]|08\d{3}|53\d{3}$)/;

/**
 * What a storage failure means for the client: a 503 with a stable code (the disk is full, the database is
 * busy or cannot be reached), and what the log should say. Null for any other error.
 */
export function storageProblem(err: unknown): { problem: ProblemError; cause: string; code: string } | null {
  const code = codeOf(err);
  const cause = String((err as Error)?.message ?? err);
  const retry = { 'retry-after': '5' };
  if (FULL.has(code) || code === 'ENOSPC') {
    return {
      code,
      cause,
      problem: new ProblemError(
        503,
        'storage.full',
        'The server cannot store anything right now',
        'Its storage is full; nothing was saved. Try again later; your text is kept.',
        undefined,
        retry,
      ),
    };
  }
  if (BUSY.has(code)) {
    return {
      code,
      cause,
      problem: new ProblemError(
        503,
        'storage.busy',
        'The server is busy',
        'The database stayed locked by another writer; nothing was saved. Try again.',
        undefined,
        { 'retry-after': '1' },
      ),
    };
  }
  if (UNAVAILABLE.test(code)) {
    return {
      code,
      cause,
      problem: new ProblemError(
        503,
        'storage.unavailable',
        'The server cannot reach its database',
        'Nothing was saved. Try again later.',
        undefined,
        retry,
      ),
    };
  }
  return null;
}
