import { routes } from '../../contract/routes.js';
import type { Registrar } from '../app.js';
import { memberSummary, sitePublic } from '../mapping.js';
import { problem } from '../problem.js';

/** The site's public settings, the signed-in member, a member's public summary. */
export function install(register: Registrar) {
  register(routes.site, async ({ site }) => ({ body: sitePublic(site) }));

  register(routes.me, async ({ viewer }) => {
    const v = viewer!;
    return { body: { ...memberSummary(v.row), roles: v.roles, since: v.row.created_at } };
  });

  register(routes.member, async ({ store, site, params, viewer }) => {
    if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see members');
    const m = await store.memberByHostId(site.id, params.member);
    if (!m) throw problem(404, 'member.unknown', 'No such member', params.member);
    return { body: memberSummary(m) };
  });
}
