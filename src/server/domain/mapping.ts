import { DEFAULT_CHAPTER_TERM } from '../../contract/defaults.js';
import type { Comment, MemberSummary, SitePublic, Thread } from '../../contract/resources.js';
import { problem } from '../http/problem.js';
import type { CommentWithAuthor, Site } from '../store/store.js';
import type { MemberRow, ThreadRow } from '../store/schema.js';
// ---- cursors: base64url of [sort key, id] ----------------------------------------

export const encodeCursor = (t: string, id: string) => Buffer.from(JSON.stringify([t, id])).toString('base64url');

export function decodeCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      v[1].length <= 64
    )
      return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page.');
}

// ---- mapping rows to contract resources ------------------------------------------

/**
 * The name of a chapter as people read it: the one an admin gave, else one made from its id
 * ("toulouse" → "Toulouse", "saint-etienne" → "Saint-Etienne", "pays_basque" → "Pays Basque"),
 * so that no page, card or calendar shows a raw id.
 */
export function chapterName(id: string, name?: string | null): string {
  if (name && name.trim()) return name;
  return (
    id
      .split('_')
      .filter(Boolean)
      .map((word) =>
        word
          .split('-')
          .map((part) => part.charAt(0).toLocaleUpperCase('fr') + part.slice(1))
          .join('-'),
      )
      .join(' ') || id
  );
}

export const sitePublic = (s: Site): SitePublic => ({
  id: s.id,
  name: s.name,
  loginUrl: s.settings.loginUrl,
  publicRead: s.settings.publicRead,
  reactions: s.settings.reactions,
  maxCommentLength: s.settings.maxCommentLength,
  editWindowSeconds: s.settings.editWindowSeconds,
  ...(s.settings.reactionLabels ? { reactionLabels: s.settings.reactionLabels } : {}),
  chapterTerm: s.settings.chapterTerm ?? DEFAULT_CHAPTER_TERM,
});

export const memberSummary = (m: Pick<MemberRow, 'host_id' | 'name' | 'picture' | 'chapters'>): MemberSummary => ({
  id: m.host_id,
  name: m.name,
  picture: m.picture,
  chapters: JSON.parse(m.chapters),
});

export function commentOut(r: CommentWithAuthor): Comment {
  const gone = r.status === 'deleted';
  return {
    id: r.id,
    parentId: r.parent_id,
    author:
      gone || !r.author_host_id
        ? null
        : memberSummary({
            host_id: r.author_host_id,
            name: r.author_name ?? '',
            picture: r.author_picture,
            chapters: r.author_chapters ?? '[]',
          }),
    body: gone ? '' : r.body,
    status: r.status,
    createdAt: r.created_at,
    editedAt: r.edited_at,
    reactions: [],
  };
}

export const threadOut = (key: string, t: ThreadRow | undefined, count: number): Thread => ({
  key,
  title: t?.title ?? null,
  audience: (t?.audience ?? 'public') as Thread['audience'],
  locked: !!t?.locked,
  commentCount: count,
  createdAt: t?.created_at ?? null,
});
