import type { SearchHit } from '../../../contract/search.js';
import { memberSummary } from '../../domain/mapping.js';
import { excerpt, plainText } from '../../domain/search.js';
import type { Viewer } from '../../http/viewer.js';
import type { MemberRow } from '../../store/schema.js';
import type { CommentHit } from '../../store/search.js';

/**
 * The thread audiences a reader may read, as `canSee` and the moderators' rule decide (domain/audience.ts,
 * features/discussion/access.ts), listed for SQL; null for every audience (admins, site moderators).
 */
export function readableAudiences(viewer: Viewer | null, publicRead: boolean): string[] | null {
  if (viewer && (viewer.roles.includes('admin') || viewer.roles.includes('moderator'))) return null;
  const out: string[] = [];
  if (publicRead || viewer) out.push('public');
  if (!viewer) return out;
  out.push('members');
  for (const c of new Set([...viewer.chapters, ...(viewer.moderates ?? [])])) out.push(`chapter:${c}`);
  for (const r of new Set(viewer.roles)) out.push(`role:${r}`);
  return out;
}

/** The page of a thread whose key is an http(s) address, pointing at the comment; null for a key the site chose. */
export function commentUrl(threadKey: string, commentId: string): string | null {
  if (!/^https?:\/\//i.test(threadKey)) return null;
  try {
    const u = new URL(threadKey);
    u.hash = `comment-${commentId}`;
    return u.href;
  } catch {
    return null;
  }
}

export function hitOut(r: CommentHit, terms: string[], authors: Map<string, MemberRow>): SearchHit {
  const author = r.author_pk ? authors.get(r.author_pk) : undefined;
  return {
    comment: r.id,
    thread: { key: r.thread_key, title: r.thread_title },
    url: commentUrl(r.thread_key, r.id),
    author: author ? memberSummary(author) : null,
    excerpt: excerpt(plainText(r.body), terms),
    createdAt: r.created_at,
    editedAt: r.edited_at,
  };
}
