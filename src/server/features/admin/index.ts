import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { Registrar } from '../../http/types.js';
import { adminRoutes as a } from '../../../contract/admin.js';
import * as h from './handlers.js';
import * as chapters from './chapters.js';

/** The site's administration: settings, signing keys, webhooks, the audit log, chapters. */
export function install(register: Registrar) {
  register(m.auditLog, h.auditLog, { site: 'allow' });
  register(m.auditExport, h.auditExport, { site: 'allow' });
  register(m.adminSettings, h.adminSettings, { site: 'allow' });
  register(m.updateSettings, h.updateSettings, { site: 'allow' });
  register(m.webhooks, h.webhooks, { site: 'allow' });
  register(a.testWebhook, chapters.testWebhook, { site: 'allow' });
  register(m.createWebhook, h.createWebhook, { site: 'allow' });
  register(m.updateWebhook, h.updateWebhook, { site: 'allow' });
  register(m.deleteWebhook, h.deleteWebhook, { site: 'allow' });
  register(m.webhookDeliveries, h.webhookDeliveries, { site: 'allow' });
  register(a.adminChapters, chapters.adminChapters, { site: 'allow' });
  register(a.updateChapter, chapters.updateChapter, { site: 'allow' });
}
