import { MAX_MENTIONS } from '../../../contract/discussion.js';
import { checkMarkup } from '../../../contract/markup.js';
import type { HandlerContext } from '../../http/types.js';
import { canSee } from '../../domain/audience.js';
import { problem } from '../../http/problem.js';
import { DiscussionStore } from '../../store/discussion.js';
import { MemberStore } from '../../store/members.js';
import { listedTo } from '../../domain/visibility.js';
import type { Viewer } from '../../http/viewer.js';

type Ctx = HandlerContext;

// ---- checking what a member writes ------------------------------------------------------

/** Length, markup and mentions of a body; returns the mentioned members' keys. */
export async function checkBody(ctx: Ctx, ds: DiscussionStore, body: string, audience: string): Promise<string[]> {
  const { site } = ctx;
  const max = site.settings.maxCommentLength;
  if (body.length > max) {
    throw problem(400, 'comment.too_long', 'The comment is too long', `At most ${max} characters; this one has ${body.length}.`, [
      { path: 'body.body', message: `At most ${max} characters.` },
    ]);
  }
  const check = checkMarkup(body);
  const issue = check.issues[0];
  if (issue) {
    throw problem(
      400,
      issue.code,
      issue.code === 'comment.link_scheme' ? 'A link in the comment is not allowed' : 'The comment contains HTML',
      issue.message,
      check.issues.slice(0, 5).map((i) => ({ path: 'body.body', message: i.message })),
    );
  }
  if (check.mentions.length > MAX_MENTIONS) {
    throw problem(
      400,
      'comment.too_many_mentions',
      'The comment mentions too many members',
      `At most ${MAX_MENTIONS} members; this one mentions ${check.mentions.length}.`,
      [{ path: 'body.body', message: `At most ${MAX_MENTIONS} mentions.` }],
    );
  }
  const found = await new MemberStore(ds.db).byHostIds(site.id, check.mentions);
  const byId = new Map(found.map((m) => [m.host_id, m]));
  for (const id of check.mentions) {
    const m = byId.get(id);
    const reader = m && ({ roles: JSON.parse(m.roles), chapters: JSON.parse(m.chapters) } as Viewer);
    // A member the writer could not find (unlisted to them) is as unknown as one who does not exist.
    if (!m || !canSee(audience, reader!, true) || !listedTo(m, ctx.viewer)) {
      throw problem(
        400,
        'comment.mention_unknown',
        'A mentioned member cannot be found in this discussion',
        `"${id.slice(0, 64)}" is not a member who can read this discussion.`,
        [{ path: 'body.body', message: `Unknown member: ${id.slice(0, 64)}` }],
      );
    }
  }
  return found.map((m) => m.pk);
}

export const isUniqueViolation = (err: unknown) => /unique|duplicate key/i.test(String((err as Error)?.message ?? err));
