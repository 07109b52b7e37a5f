import type { Context } from 'hono';
import type { BadgeOut, LevelOut, Progress, Reason, RuleSet } from '../../../contract/engagement.js';
import type { HandlerContext } from '../../http/types.js';
import { evaluate, progress, type Act } from '../../engagement/engine.js';
import { type IssuerInfo } from '../../engagement/openbadges.js';
import { problem } from '../../http/problem.js';
import type { Site, Store } from '../../store/store.js';
import { MemberStore } from '../../store/members.js';
import { listedTo } from '../../domain/visibility.js';
import type { EngagementAwardRow, MemberRow } from '../../store/schema.js';

/** Where this server is reached from outside: CERCLE_PUBLIC_URL, else the request's own origin. */
function publicBase(c: Context): string {
  const configured = process.env.CERCLE_PUBLIC_URL?.replace(/\/+$/, '');
  return configured || new URL(c.req.url).origin;
}

export const issuerInfo = (c: Context, site: Site): IssuerInfo => ({
  base: publicBase(c),
  siteId: site.id,
  siteName: site.name,
  siteUrl: site.origins[0] ?? null,
});

export function levelOut(rules: RuleSet, rank: number, since: string | null): LevelOut {
  const r = Math.min(Math.max(rank, 0), rules.levels.length - 1);
  const l = rules.levels[r];
  return { id: l.id, name: l.name, rank: r, of: rules.levels.length, since: r === 0 ? null : since };
}

export function badgesOut(rules: RuleSet, awards: Pick<EngagementAwardRow, 'badge_id' | 'scope' | 'awarded_at'>[]): BadgeOut[] {
  const byId = new Map(rules.badges.map((b) => [b.id, b]));
  return awards.flatMap((a) => {
    const b = byId.get(a.badge_id);
    return b
      ? [{ id: b.id, name: b.name, description: b.description, icon: b.icon, chapter: a.scope || null, awardedAt: a.awarded_at }]
      : [];
  });
}

export function nextLevel(rules: RuleSet, acts: Act[], rank: number, ev: ReturnType<typeof evaluate>): Progress | null {
  const next = rules.levels[rank + 1];
  if (!next) return null;
  const p = next.requires ? progress(rules, acts, next.requires, ev) : { ratio: 1, requirements: [] };
  return { level: levelOut(rules, rank + 1, null), percent: Math.floor(p.ratio * 100), requirements: p.requirements };
}

/**
 * The member whose engagement is read: `me`, or one listed to this reader (an unlisted member is as unknown
 * as one who does not exist); signed-out readers only where the site made profiles public.
 */
export async function memberOrMe(store: Store, site: Site, viewer: HandlerContext['viewer'], member: string): Promise<MemberRow> {
  if (member === 'me') {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to see your own engagement');
    return viewer.row;
  }
  if (!viewer && !site.settings.publicProfiles)
    throw problem(401, 'auth.missing', 'Sign in to see members', 'This site shows members to signed-in members only.');
  const [m] = await new MemberStore(store.db).byHostIds(site.id, [member]);
  if (!m || !listedTo(m, viewer)) throw problem(404, 'member.unknown', 'No such member', member);
  return m;
}

export const reasonsOf = (acts: Act[], labels: Map<string, string>): Reason[] =>
  acts.map((a) => ({
    kind: a.kind as Reason['kind'],
    ref: a.ref,
    at: a.at,
    label: labels.get(a.ref.split(':')[0]) ?? null,
    chapter: a.chapter,
  }));

/** An Open Badges document: JSON-LD, public, cached a moment, readable from any origin. */
export const ld = (c: Context, doc: unknown) =>
  c.body(JSON.stringify(doc), 200, {
    'content-type': 'application/ld+json; charset=utf-8',
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  });
