import { problem } from '../../http/problem.js';
import { type ListCursor, type Sort } from '../../store/discussion.js';
import type { CommentWithAuthor } from '../../store/store.js';

// ---- cursors: base64url JSON, bound to their sort -------------------------------------

const SORT_TAG: Record<Sort, string> = { oldest: 'o', newest: 'n', useful: 'u' };

export function encodeCursor(sort: Sort, r: CommentWithAuthor): string {
  const v = sort === 'useful' ? ['u', Number(r.useful_count), r.created_at, r.id] : [SORT_TAG[sort], r.created_at, r.id];
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, sort: Sort): ListCursor | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v)) {
      // [t, id] is the first cursor format; it reads as a time-ordered cursor.
      const [tag, ...rest] = v.length === 2 ? [sort === 'useful' ? '?' : SORT_TAG[sort], ...v] : v;
      const [n, t, id] = tag === 'u' ? rest : [undefined, ...rest];
      if (
        tag === SORT_TAG[sort] &&
        typeof t === 'string' &&
        !Number.isNaN(Date.parse(t)) &&
        typeof id === 'string' &&
        id.length <= 64 &&
        (tag !== 'u' || (Number.isInteger(n) && n >= 0))
      )
        return { sort, t, id, n };
    }
  } catch {
    /* fall through */
  }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page, with the same sort.');
}
