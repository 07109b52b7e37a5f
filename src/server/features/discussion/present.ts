import type { Comment } from '../../../contract/resources.js';
import { commentOut } from '../../domain/mapping.js';
import { DiscussionStore, type Reader } from '../../store/discussion.js';
import type { CommentWithAuthor, Site } from '../../store/store.js';

// ---- presenting ----------------------------------------------------------------------------

export interface Extras {
  reactions?: Map<string, Comment['reactions']>;
  mentions?: Map<string, NonNullable<Comment['mentions']>>;
  flagged?: Set<string>;
  flagCounts?: Map<string, number>;
}

/** A comment as this reader may see it: others' hidden comments and every deleted one are tombstones. */
export function present(r: CommentWithAuthor, reader: Reader, x: Extras = {}): Comment {
  const own = !!reader.pk && r.author_pk === reader.pk;
  const erased = r.status === 'deleted' || (r.status === 'hidden' && !reader.moderator && !own);
  const base = commentOut(r);
  return {
    ...base,
    author: erased ? null : base.author,
    body: erased ? '' : r.body,
    reactions: erased ? [] : (x.reactions?.get(r.id) ?? []),
    depth: Number(r.depth ?? 0),
    mentions: erased ? [] : (x.mentions?.get(r.id) ?? []),
    ...(reader.pk ? { flagged: x.flagged?.has(r.id) ?? false } : {}),
    ...(reader.moderator ? { flagCount: x.flagCounts?.get(r.id) ?? 0 } : {}),
    ...(r.status === 'pending' && (reader.moderator || own) ? { heldReason: r.held_reason as Comment['heldReason'] } : {}),
  };
}

/**
 * One comment as this reader sees it. `fresh`: it was just posted, so it has no reaction or flag yet, and
 * mentions only when the post named someone.
 */
export async function presentOne(
  ds: DiscussionStore,
  site: Site,
  id: string,
  reader: Reader,
  fresh?: { mentions: boolean },
): Promise<Comment> {
  const row = await ds.comment(site.id, id);
  const [reactions, mentions, flagged, flagCounts] = await Promise.all([
    fresh ? undefined : ds.reactionCounts(site.id, [id], reader.pk),
    !fresh || fresh.mentions ? ds.mentions(site.id, [id]) : undefined,
    reader.pk ? (fresh ? new Set<string>() : ds.flaggedBy(site.id, [id], reader.pk)) : undefined,
    reader.moderator ? (fresh ? new Map<string, number>() : ds.openFlagCounts(site.id, [id])) : undefined,
  ]);
  return present(row!, reader, { reactions, mentions, flagged, flagCounts });
}
