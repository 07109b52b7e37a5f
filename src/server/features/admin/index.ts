import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/** The site's administration: settings, signing keys, webhooks, the audit log. */
export function install(register: Registrar) {
  register(m.auditLog, h.auditLog, { site: 'allow' });
  register(m.auditExport, h.auditExport, { site: 'allow' });
  register(m.adminSettings, h.adminSettings, { site: 'allow' });
  register(m.updateSettings, h.updateSettings, { site: 'allow' });
  register(m.webhooks, h.webhooks, { site: 'allow' });
  register(m.createWebhook, h.createWebhook, { site: 'allow' });
  register(m.updateWebhook, h.updateWebhook, { site: 'allow' });
  register(m.deleteWebhook, h.deleteWebhook, { site: 'allow' });
  register(m.webhookDeliveries, h.webhookDeliveries, { site: 'allow' });
}
