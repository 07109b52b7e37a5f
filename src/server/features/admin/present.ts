import { notificationSettingsOut } from '../../notifications/settings.js';
import type { AdminSettings, AuditEntry, Webhook } from '../../../contract/moderation.js';
import { memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { Viewer } from '../../http/viewer.js';
import { type AuditRow } from '../../store/moderation.js';
import type { Site, Store } from '../../store/store.js';

export function requireAdmin(v: Viewer | null) {
  if (!v?.roles.includes('admin'))
    throw problem(403, 'admin.forbidden', "Only the site's administrators can do this", 'The token does not carry the admin role.');
}

// ---- presenting -------------------------------------------------------------------------

export function auditOut(r: AuditRow): AuditEntry {
  const person = (p: 'actor' | 'member') =>
    r[`${p}_host_id`]
      ? memberSummary({
          host_id: r[`${p}_host_id`]!,
          name: r[`${p}_name`] ?? '',
          picture: r[`${p}_picture`],
          chapters: r[`${p}_chapters`] ?? '[]',
        })
      : null;
  return {
    id: r.id,
    at: r.created_at,
    actor: person('actor'),
    actorKind: r.actor === 'cli' || r.actor === 'system' || r.actor === 'site' ? r.actor : 'member',
    action: r.action,
    comment: r.comment_id,
    thread: r.thread_key,
    member: person('member'),
    chapter: r.chapter_id,
    note: r.note,
    details: r.details ? JSON.parse(r.details) : null,
  };
}

export async function settingsOut(store: Store, site: Site): Promise<AdminSettings> {
  const s = site.settings;
  const keys = await store.activeKeys(site.id);
  return {
    name: site.name,
    origins: site.origins,
    loginUrl: s.loginUrl,
    publicRead: s.publicRead,
    publicProfiles: s.publicProfiles,
    reactions: s.reactions,
    maxCommentLength: s.maxCommentLength,
    editWindowSeconds: s.editWindowSeconds,
    premoderation: s.premoderation,
    chapterTerm: s.chapterTerm ?? 'chapter',
    heldWords: s.heldWords,
    blockedWords: s.blockedWords ?? [],
    rateLimits: s.rateLimits || null,
    spamCheck: s.spamCheck
      ? { provider: s.spamCheck.provider, endpoint: s.spamCheck.endpoint, blog: s.spamCheck.blog, apiKeySet: !!s.spamCheck.apiKey }
      : null,
    keys: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: k.created_at, retiresAt: k.retires_at })),
    notifications: notificationSettingsOut(s.notifications),
  };
}

export const webhookOut = (w: {
  id: string;
  url: string;
  events: string;
  description: string | null;
  active: number;
  created_at: string;
}): Webhook => ({
  id: w.id,
  url: w.url,
  events: JSON.parse(w.events),
  description: w.description,
  active: !!w.active,
  createdAt: w.created_at,
});
