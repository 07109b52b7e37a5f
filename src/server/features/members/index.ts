import { routes } from '../../../contract/routes.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/** Member cards, the directory, introductions and my data. */
export function install(register: Registrar) {
  register(routes.member, h.member);
  register(routes.listMembers, h.listMembers);
  register(routes.updateMember, h.updateMember);
  register(routes.exportMember, h.exportMember, { sanctions: 'open' });
  register(routes.eraseMember, h.eraseMember, { sanctions: 'open' });
  register(routes.listIntroductions, h.listIntroductions);
  register(routes.requestIntroduction, h.requestIntroduction);
  register(routes.acceptIntroduction, h.acceptIntroduction);
  register(routes.declineIntroduction, h.declineIntroduction);
}
