import type { NotificationExport, NotificationPreferences } from '../../contract/notifications.js';
import type { Viewer } from '../http/viewer.js';
import { webhooksOf } from '../webhooks/webhooks.js';
import type { Site, Store } from '../store/store.js';
import { notificationOut } from './present.js';
import { languageOf } from './render.js';
import { smtpOf } from './settings.js';
import { followsOf, listViews, prefsOf, prefsRow, type Prefs } from './store.js';

/** The notification part of a member's export: the notifications kept (as they may read them), preferences, follows. */
export async function notificationExport(store: Store, site: Site, v: Viewer): Promise<NotificationExport> {
  const rows = await listViews(store.db, site.id, v.pk, { limit: 100_000 });
  const p = prefsOf(await prefsRow(store.db, site.id, v.pk));
  return {
    items: rows.map((r) => notificationOut(r, v, site.settings.publicRead)).filter((n) => n !== null),
    preferences: await preferencesOut(store, site, v, p),
    follows: (await followsOf(store.db, site.id, v.pk)).map((f) => ({ thread: f.key, since: f.created_at })),
  };
}

/** The preferences as the member reads them: with the site's channel and whether mail may be turned on. */
export async function preferencesOut(store: Store, site: Site, v: Viewer, p: Prefs): Promise<NotificationPreferences> {
  const mail = !!smtpOf(site.settings.notifications);
  const hooks = webhooksOf(store);
  const host = (await hooks.listens(site.id, 'notification.created')) || (await hooks.listens(site.id, 'notification.digest'));
  return {
    kinds: p.kinds,
    frequency: p.frequency,
    language: p.language ?? languageOf(v.locale),
    channel: mail ? 'mail' : host ? 'host' : 'none',
    email: { available: mail && !!v.email, optedIn: !!p.email, address: p.email },
  };
}
