import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { Registrar } from '../../http/types.js';
import * as h from './handlers.js';

/** The site's administration: settings, signing keys, webhooks, the audit log. */
export function install(register: Registrar) {
  register(m.auditLog, h.auditLog);
  register(m.auditExport, h.auditExport);
  register(m.adminSettings, h.adminSettings);
  register(m.updateSettings, h.updateSettings);
  register(m.webhooks, h.webhooks);
  register(m.createWebhook, h.createWebhook);
  register(m.updateWebhook, h.updateWebhook);
  register(m.deleteWebhook, h.deleteWebhook);
  register(m.webhookDeliveries, h.webhookDeliveries);
}
