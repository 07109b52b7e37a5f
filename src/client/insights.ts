/**
 * The community team's insights and the admins' chapter and webhook tools over the typed client: one function a
 * remote call, so that only the team's entry carries them.
 */
import type { AdminChapter, AdminChapterList, ChapterUpdate, Insights, InsightsQuery, WebhookTestResult } from '../contract/admin.js';
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
