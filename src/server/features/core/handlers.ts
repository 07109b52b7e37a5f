import { routes } from '../../../contract/routes.js';
import { chapterName, memberSummary, sitePublic } from '../../domain/mapping.js';
import { organisedChapterNames } from '../../store/events.js';
import type { HandlerContext } from '../../http/types.js';

/** Public settings of a site. */
export async function site({ site }: HandlerContext<typeof routes.site>) {
  return { body: sitePublic(site) };
}

/** The member the token names. */
export async function me({ viewer, store, site }: HandlerContext<typeof routes.me>) {
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
