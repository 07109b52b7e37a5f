/**
 * The community team's insights and the admins' chapter and webhook tools over the typed client: one function a
 * remote call, so that only the team's entry carries them.
 */
import type { AdminChapter, AdminChapterList, ChapterUpdate, Insights, InsightsQuery, WebhookTestResult } from '../contract/admin.js';
import type { NewWebhook, Sanction, SanctionList, Webhook, WebhookDelivery, WebhookUpdate } from '../contract/moderation.js';
import type { CercleClient } from './client.js';
import { seg, withQuery } from './path.js';

/** Counts by week over a period (default: the last twelve weeks), for the site or one chapter. */
export const insights = (c: CercleClient, q: InsightsQuery = {}): Promise<Insights> =>
  c.read(withQuery('/insights', { from: q.from, to: q.to, chapter: q.chapter }), 'insights');

/** The site's chapters with their names, organisers and moderators (admins). */
export const adminChapters = (c: CercleClient): Promise<AdminChapterList> => c.read('/admin/chapters', 'adminChapters');

/** Names a chapter and sets its organisers and moderators (admins). */
export const updateChapter = (c: CercleClient, id: string, change: ChapterUpdate): Promise<AdminChapter> =>
  c.write('PUT', `/admin/chapters${seg(id)}`, change, 'adminChapter');

/** Sends a signed ping to a webhook and gives the receiver's answer (admins). */
export const testWebhook = (c: CercleClient, id: string): Promise<WebhookTestResult> =>
  c.write('POST', `/admin/webhooks${seg(id)}/test`, undefined, 'webhookTest');

/** Bans and mutes in force, with reason, author and end. */
export const sanctionsInForce = (c: CercleClient): Promise<SanctionList> => c.read('/moderation/sanctions', 'sanctions');

/** Lifts a sanction before its end (409 `sanction.over` when it is already over). */
export const liftSanction = (c: CercleClient, id: string): Promise<Sanction> =>
  c.write('DELETE', `/moderation/sanctions${seg(id)}`, undefined, 'sanction');

/** The site's webhooks (admins). */
export const webhookList = (c: CercleClient): Promise<{ items: Webhook[] }> => c.read('/admin/webhooks', 'webhooks');

/** Registers a webhook; its secret comes back this once. */
export const createWebhook = (c: CercleClient, w: NewWebhook): Promise<Webhook & { secret: string }> =>
  c.write('POST', '/admin/webhooks', w, 'webhookCreated');

/** Changes, pauses (`active: false`) or resumes a webhook. */
export const updateWebhook = (c: CercleClient, id: string, change: WebhookUpdate): Promise<Webhook> =>
  c.write('PATCH', `/admin/webhooks${seg(id)}`, change, 'webhook');

/** One webhook's delivery log, newest first. */
export const webhookDeliveries = (c: CercleClient, id: string): Promise<{ items: WebhookDelivery[]; next: string | null }> =>
  c.read(withQuery('/admin/webhooks/deliveries', { webhook: id }), 'deliveries');
