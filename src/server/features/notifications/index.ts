import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import { Notifier, setNotifier } from '../../notifications/service.js';
import * as h from './handlers.js';
import { hydrateNotification, subscribeNotifications } from './subscribers.js';

/** What members are told: the list, preferences, follows, feeds, the mail unsubscribe link; fan-out from domain events. */
export function install(register: Registrar, app: AppServices) {
  const notifier = new Notifier({ store: app.store, live: app.live, logger: app.logger, now: app.now, site: app.site });
  setNotifier(app.store, notifier);
  app.live.hydrate(['notification'], hydrateNotification);
  subscribeNotifications(app, notifier);

  register(routes.listNotifications, h.listNotifications, { sanctions: 'open' });
  register(routes.notificationCount, h.notificationCount, { sanctions: 'open' });
  register(routes.markNotificationsRead, h.markNotificationsRead, { sanctions: 'open' });
  register(routes.notificationPreferences, h.notificationPreferences, { sanctions: 'open' });
  register(routes.updateNotificationPreferences, h.updateNotificationPreferences, { sanctions: 'open', invalidBody: h.preferencesProblem });
  register(routes.followState, h.followState, { sanctions: 'open' });
  register(routes.follow, h.follow, { sanctions: 'open' });
  register(routes.threadFeed, h.threadFeed);
  register(routes.memberNotificationFeed, h.memberNotificationFeed);
  register(routes.notificationFeed, h.notificationFeed, { sanctions: 'open' });
  register(routes.resetNotificationFeed, h.resetNotificationFeed, { sanctions: 'open' });
  register(routes.revokeNotificationFeed, h.revokeNotificationFeed, { sanctions: 'open' });
  register(routes.unsubscribePage, h.unsubscribePage);
  register(routes.unsubscribe, h.unsubscribe);
}
