import { routes } from '../../../contract/routes.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/** The site's public settings and the signed-in member. Member cards live in `members.ts`. */
export function install(register: Registrar) {
  register(routes.site, h.site);
  register(routes.me, h.me, { site: 'refuse' });
  register(routes.tokenCheck, h.tokenCheck, { identity: 'verify' });
}
