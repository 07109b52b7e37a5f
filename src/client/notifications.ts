/**
 * The signed-in member's notifications over the typed client: one function a remote call, so that only
 * the entries with a notifications bell carry them.
 */
import type {
  MarkNotificationsRead,
  NotificationCount,
  NotificationFeed,
  NotificationPage,
  NotificationPreferences,
  NotificationPreferencesPatch,
} from '../contract/notifications.js';
import type { CercleClient } from './client.js';
import { withQuery } from './path.js';

/** One page of my notifications, newest first, with how many are unread in all. */
export const listNotifications = (c: CercleClient, cursor?: string): Promise<NotificationPage> =>
  c.read(withQuery('/me/notifications', { cursor }), 'notifications');

/** Marks some notifications read (`{ ids }`), or all (`{ all: true }`); answers the unread count left. */
export const markNotificationsRead = (c: CercleClient, which: MarkNotificationsRead): Promise<NotificationCount> =>
  c.write('POST', '/me/notifications/read', which, 'notificationCount');

/** Every kind with its setting, the digest frequency, and mail. */
export const notificationPreferences = (c: CercleClient): Promise<NotificationPreferences> =>
  c.read('/me/notification-preferences', 'notificationPreferences');

/** Changes what is given of the preferences; answers them as stored. */
export const updateNotificationPreferences = (c: CercleClient, patch: NotificationPreferencesPatch): Promise<NotificationPreferences> =>
  c.write('PATCH', '/me/notification-preferences', patch, 'notificationPreferences');

/** Whether I have a private feed (its address is shown only when made). */
export const notificationFeed = (c: CercleClient): Promise<NotificationFeed> => c.read('/me/notification-feed', 'notificationFeed');

/** Makes my private feed, or gives it a new address (the previous one stops working). */
export const resetNotificationFeed = (c: CercleClient): Promise<NotificationFeed> =>
  c.write('POST', '/me/notification-feed', undefined, 'notificationFeed');

/** Revokes my private feed. */
export const revokeNotificationFeed = (c: CercleClient): Promise<NotificationFeed> =>
  c.write('DELETE', '/me/notification-feed', undefined, 'notificationFeed');
