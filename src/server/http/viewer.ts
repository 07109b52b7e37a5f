import type { MemberRow } from '../store/schema.js';

/** The signed-in member a request acts for, from a verified token. */
export interface Viewer {
  site: string;
  pk: string;
  hostId: string;
  name: string;
  roles: string[];
  chapters: string[];
  /** Chapters this member moderates (the token's `moderates` claim), besides a site-wide `moderator` role. */
  moderates?: string[];
  /**
   * `site`: the token acts for the site itself (`act: "site"` or a `sub` starting with `site:`). There is no member
   * row: `pk` is empty, `row` is a stand-in never stored, and writes are refused unless the route accepts the site.
   */
  actor: 'member' | 'site';
  /** The token's `email` claim, when the host passes one (kept only if the member opts in to mail). */
  email?: string;
  /** The token's `locale` claim. */
  locale?: string;
  row: MemberRow;
}

export const toViewer = (row: MemberRow): Viewer => ({
  site: row.site_id,
  pk: row.pk,
  hostId: row.host_id,
  name: row.name,
  roles: JSON.parse(row.roles),
  chapters: JSON.parse(row.chapters),
  actor: 'member',
  row,
});

/** The site acting through a token that names no member: nothing is stored for it. */
export function siteViewer(
  site: string,
  claims: { sub: string; name?: string; roles?: string[]; chapters?: string[]; iat: number },
): Viewer {
  const roles = claims.roles ?? [];
  const chapters = claims.chapters ?? [];
  const at = new Date(claims.iat * 1000).toISOString();
  return {
    site,
    pk: '',
    hostId: claims.sub,
    name: claims.name ?? site,
    roles,
    chapters,
    moderates: [],
    actor: 'site',
    row: {
      pk: '',
      site_id: site,
      host_id: claims.sub,
      name: claims.name ?? site,
      picture: null,
      roles: JSON.stringify(roles),
      chapters: JSON.stringify(chapters),
      claims_iat: claims.iat,
      member_since: null,
      created_at: at,
      updated_at: at,
    },
  };
}

/** Who an audit entry or a change is attributed to: a member's key, or none with `actor: 'site'`. */
export const actorOf = (v: Viewer): { moderator_pk: string | null; actor: 'site' | null } =>
  v.actor === 'site' ? { moderator_pk: null, actor: 'site' } : { moderator_pk: v.pk, actor: null };

/** The member's key, or null when the site acts (an organiser, an author: nobody). */
export const memberPkOf = (v: Viewer | null): string | null => (v && v.actor === 'member' ? v.pk : null);

/** A member the token names but Cercle has not met: for read-only checks that must not create them. */
export const unknownMember = (
  site: string,
  claims: { sub: string; name?: string; roles?: string[]; chapters?: string[]; iat: number },
): Viewer => ({
  ...siteViewer(site, claims),
  actor: 'member',
});
