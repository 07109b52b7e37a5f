import { adminRoutes as a } from '../../../contract/admin.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/** What the community team reads from the ledger: counts by week, never a ranking of people. */
export function install(register: Registrar) {
  register(a.insights, h.insights);
}
