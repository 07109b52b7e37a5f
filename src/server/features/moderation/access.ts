import type { Sanction } from '../../../contract/moderation.js';
import { chapterOf } from '../../comments/lifecycle.js';
import { memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { Viewer } from '../../http/viewer.js';
import { ModerationStore, type ModScope } from '../../store/moderation.js';

// ---- who may do what ------------------------------------------------------------------

export const isAdmin = (v: Viewer | null) => !!v?.roles.includes('admin');

/** What the viewer moderates: the whole site (role moderator or admin), or the chapters of their `moderates` claim. */
function scopeOf(v: Viewer | null): ModScope {
  if (!v) return { siteWide: false, chapters: [] };
  const siteWide = v.roles.includes('moderator') || v.roles.includes('admin');
  return { siteWide, chapters: siteWide ? [] : [...new Set(v.moderates ?? [])] };
}

export function requireModerator(v: Viewer | null): ModScope {
  const scope = scopeOf(v);
  if (!scope.siteWide && !scope.chapters.length) {
    throw problem(
      403,
      'moderation.forbidden',
      'Only moderators can do this',
      'The token carries neither the moderator role nor chapters to moderate.',
    );
  }
  return scope;
}

export function covers(scope: ModScope, audience: string) {
  if (scope.siteWide) return true;
  const ch = chapterOf(audience);
  return !!ch && scope.chapters.includes(ch);
}

const chapterForbidden = (what: string) =>
  problem(403, 'moderation.chapter_forbidden', 'You moderate other chapters', `${what} Your token lets you moderate: ${'{chapters}'}.`);

export function outOfReach(scope: ModScope, what: string) {
  const p = chapterForbidden(what);
  return problem(403, p.code, p.title, p.detail!.replace('{chapters}', scope.chapters.join(', ') || 'none'));
}

// ---- presenting -------------------------------------------------------------------------

type SanctionJoin = NonNullable<Awaited<ReturnType<ModerationStore['sanctionById']>>>;
export function sanctionOut(r: SanctionJoin): Sanction {
  return {
    id: r.id,
    kind: r.kind,
    chapter: r.chapter_id || null,
    reason: r.reason,
    createdAt: r.created_at,
    endsAt: r.ends_at,
    liftedAt: r.lifted_at,
    member: memberSummary(r),
    moderator: r.by_host_id
      ? memberSummary({ host_id: r.by_host_id, name: r.by_name ?? '', picture: r.by_picture, chapters: r.by_chapters ?? '[]' })
      : null,
  };
}
