import { routes } from '../../../contract/routes.js';
import type { Registrar } from '../../http/types.js';
import { memberSummary, sitePublic } from '../../domain/mapping.js';

/** The site's public settings and the signed-in member. Member cards live in `members.ts`. */
export function install(register: Registrar) {
  register(routes.site, async ({ site }) => ({ body: sitePublic(site) }));

  register(routes.me, async ({ viewer }) => {
    const v = viewer!;
    return { body: { ...memberSummary(v.row), roles: v.roles, since: v.row.created_at } };
  });
}
