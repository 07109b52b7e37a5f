import type { HandlerContext } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { problem } from '../../http/problem.js';
import { DiscussionStore, type Reader } from '../../store/discussion.js';
import type { Site } from '../../store/store.js';
import type { ThreadRow } from '../../store/schema.js';
import type { Viewer } from '../../http/viewer.js';

type Ctx = HandlerContext;

// ---- who may do what --------------------------------------------------------------

/** Site-wide moderators (role `moderator` or `admin`), or chapter moderators on their chapters' threads. */
export function moderates(viewer: Viewer | null, audience: string): boolean {
  if (!viewer) return false;
  if (viewer.roles.includes('moderator') || viewer.roles.includes('admin')) return true;
  return audience.startsWith('chapter:') && (viewer.moderates ?? []).includes(audience.slice(8));
}

export function readableThread(site: Site, thread: ThreadRow | undefined, viewer: Viewer | null) {
  const audience = thread?.audience ?? 'public';
  if (canSee(audience, viewer, site.settings.publicRead) || moderates(viewer, audience)) return;
  if (!viewer) throw problem(401, 'auth.missing', 'Sign in to read this discussion');
  throw problem(403, 'thread.forbidden', 'This discussion is not open to you', `Audience: ${audience}.`);
}

export const notFound = () => problem(404, 'comment.not_found', 'No such comment');

/** A comment, its thread, and the reader's rights on it; 404 when it is not theirs to see. */
export async function load(ctx: Ctx, id: string) {
  const { store, site, viewer } = ctx;
  const ds = new DiscussionStore(store);
  const row = await ds.comment(site.id, id);
  if (!row) throw notFound();
  const thread = await ds.threadByPk(site.id, row.thread_pk);
  readableThread(site, thread, viewer);
  const moderator = moderates(viewer, thread?.audience ?? 'public');
  const own = !!viewer && row.author_pk === viewer.pk;
  if ((row.status === 'pending' || row.status === 'hidden') && !moderator && !own) throw notFound();
  return { ds, row, thread: thread!, reader: { pk: viewer?.pk, moderator } satisfies Reader, own };
}

/** A comment members may react to or flag: published, readable, not the reader's own for reactions. */
export async function target(ctx: Ctx, id: string) {
  const loaded = await load(ctx, id);
  if (loaded.row.status === 'deleted') throw problem(409, 'comment.deleted', 'This comment was deleted');
  if (loaded.row.status !== 'published') throw problem(409, 'comment.not_published', 'This comment is not published');
  return loaded;
}
