import { ProblemError } from '../http/problem.js';
import type { Viewer } from '../http/viewer.js';
import { ModerationStore } from '../store/moderation.js';
import type { Store } from '../store/store.js';
import { nowIso } from './ids.js';

/**
 * Refuses a write by a sanctioned member. A ban covers every write; a mute only the discussion's. A
 * sanction given in a chapter covers the discussion's writes on that chapter's threads only, so for
 * those the caller passes the thread's audience.
 */
export async function assertMayWrite(store: Store, siteId: string, viewer: Viewer, now: number, discussion?: { audience: string }) {
  const active = await new ModerationStore(store).activeSanctions(siteId, [viewer.pk], nowIso(now));
  for (const s of active) {
    if (s.kind === 'mute' && !discussion) continue;
    if (s.chapter_id && discussion?.audience !== `chapter:${s.chapter_id}`) continue;
    const until = s.ends_at ? `until ${s.ends_at}` : 'until a moderator lifts it';
    throw new ProblemError(
      403,
      s.kind === 'ban' ? 'member.banned' : 'member.muted',
      s.kind === 'ban' ? 'You are banned from taking part here' : 'You cannot write in the discussion for now',
      `${s.chapter_id ? `In chapter ${s.chapter_id}, ` : ''}${until}. Reason: ${s.reason}`,
      undefined,
      undefined,
      { sanction: { kind: s.kind === 'ban' ? 'ban' : 'mute', reason: s.reason, endsAt: s.ends_at ?? null, chapter: s.chapter_id || null } },
    );
  }
}
