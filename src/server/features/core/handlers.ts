import { routes } from '../../../contract/routes.js';
import { chapterName, memberSummary, sitePublic } from '../../domain/mapping.js';
import { organisedChapterNames } from '../../store/events.js';
import { decodeJwt } from 'jose';
import type { Role } from '../../../contract/common.js';
import type { HandlerContext } from '../../http/types.js';

/** Public settings of a site. */
export async function site({ site }: HandlerContext<typeof routes.site>) {
  return { body: sitePublic(site) };
}

/** The member the token names. */
export async function me({ viewer, store, site }: HandlerContext<typeof routes.me>) {
  // Registered with `site: 'refuse'`: the site's own token names nobody.
  const v = viewer!;
  const organises = await organisedChapterNames(store, site.id, v.hostId);
  return {
    body: {
      ...memberSummary(v.row),
      roles: v.roles,
      since: v.row.created_at,
      organises: organises.map((c) => ({ id: c.id, name: chapterName(c.id, c.name) })),
    },
  };
}

/** Checks a token for the host's status page: it verifies, names someone, and nothing is stored. */
export async function tokenCheck({ c, viewer }: HandlerContext<typeof routes.tokenCheck>) {
  const v = viewer!;
  const exp = tokenExpiry(c.req.header('authorization'));
  return {
    body: {
      ok: true as const,
      sub: v.hostId,
      actor: v.actor,
      roles: v.roles as Role[],
      chapters: v.chapters,
      known: v.actor === 'member' && v.pk !== '',
      expiresAt: new Date(exp * 1000).toISOString(),
    },
  };
}

/** The `exp` of a token already verified by the registrar. */
function tokenExpiry(header: string | undefined): number {
  const token = header?.replace(/^Bearer +/i, '').trim() ?? '';
  return Number(decodeJwt(token).exp);
}
