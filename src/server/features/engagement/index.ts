import { adminRoutes } from '../../../contract/admin.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import * as h from './handlers.js';
import { subscribeBadges } from './badges.js';

/** Levels and badges from the activity ledger, "why I have this", Open Badges 3.0 export. */
export function install(register: Registrar, app: AppServices) {
  subscribeBadges(app);

  register(routes.engagementRules, h.engagementRules);
  register(routes.setEngagementRules, h.setEngagementRules, { site: 'allow' });
  register(adminRoutes.previewEngagementRules, h.previewEngagementRules, { site: 'allow' });
  register(routes.memberEngagement, h.memberEngagement);
  register(routes.myEngagement, h.myEngagement);
  register(routes.setEngagementVisibility, h.setEngagementVisibility);
  register(routes.recentlyActive, h.recentlyActive);
  register(routes.exportBadge, h.exportBadge);
  register(routes.obIssuer, h.obIssuer);
  register(routes.obKey, h.obKey);
  register(routes.obAchievement, h.obAchievement);
  register(routes.obCredentialStatus, h.obCredentialStatus);
}
