import { routes } from '../../../contract/routes.js';
import { memberSummary, sitePublic } from '../../domain/mapping.js';
import type { HandlerContext } from '../../http/types.js';

/** Public settings of a site. */
export async function site({ site }: HandlerContext<typeof routes.site>) {
  return { body: sitePublic(site) };
}

/** The member the token names. */
export async function me({ viewer }: HandlerContext<typeof routes.me>) {
  const v = viewer!;
  return { body: { ...memberSummary(v.row), roles: v.roles, since: v.row.created_at } };
}
