import { routes } from '../../../contract/routes.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/**
 * Search across the discussions. The index follows the comments by itself (migration 013: triggers on
 * SQLite, a partial expression index on PostgreSQL), so nothing here listens to comment events.
 */
export function install(register: Registrar) {
  register(routes.searchDiscussions, h.searchDiscussions);
}
