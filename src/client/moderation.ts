/**
 * The moderation queue, sanctions, site settings and audit log over the typed client: one function a
 * remote call, so that only the back office's entry carries them.
 */
import type {
  AdminSettings,
  AuditPage,
  BulkModerate,
  BulkResult,
  NewSanction,
  QueuePage,
  QueueQuery,
  Sanction,
  SettingsPatch,
} from '../contract/moderation.js';
import type { CercleClient } from './client.js';
import { withQuery } from './path.js';

/** One page of the queue (`all` is the default filter and goes unsaid). */
export const moderationQueue = (c: CercleClient, q: QueueQuery = {}): Promise<QueuePage> =>
  c.read(
    withQuery('/moderation/queue', { filter: q.filter === 'all' ? undefined : q.filter, chapter: q.chapter, cursor: q.cursor }),
    'moderationQueue',
  );

/** Approves, hides, restores or deletes several comments at once. */
export const moderateMany = (c: CercleClient, action: BulkModerate['action'], comments: string[]): Promise<BulkResult> =>
  c.write('POST', '/moderation/actions', { action, comments }, 'bulkResult');

/** Mutes or bans a member, for some days or until lifted. */
export const sanction = (c: CercleClient, s: NewSanction): Promise<Sanction> => c.write('POST', '/moderation/sanctions', s, 'sanction');

/** The site's settings (administrators). */
export const adminSettings = (c: CercleClient): Promise<AdminSettings> => c.read('/admin/settings', 'adminSettings');

export const updateSettings = (c: CercleClient, patch: SettingsPatch): Promise<AdminSettings> =>
  c.write('PATCH', '/admin/settings', patch, 'adminSettings');

/** One page of the audit log, newest first. */
export const auditLog = (c: CercleClient, cursor?: string | null): Promise<AuditPage> =>
  c.read(withQuery('/admin/audit', { cursor }), 'auditPage');

/** The whole audit log as a CSV file. */
export const auditCsv = (c: CercleClient): Promise<Blob> => c.download('/admin/audit/export?format=csv');
