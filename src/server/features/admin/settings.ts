import type { SettingsPatch } from '../../../contract/moderation.js';
import { problem } from '../../http/problem.js';
import type { Site } from '../../store/store.js';
import { applyNotificationPatch, notificationSettingsOut } from '../../notifications/settings.js';

/** The settings after a patch, and what changed (`field → { from, to }`; the spam key never appears). */
export function applyPatch(site: Site, patch: SettingsPatch) {
  const settings = { ...site.settings };
  const changes: [string, { from: unknown; to: unknown }][] = [];
  const set = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push([field, { from, to }]);
  };
  const name = patch.name ?? site.name;
  set('name', site.name, name);
  const origins = patch.origins ? [...new Set(patch.origins.map((o) => new URL(o).origin))] : site.origins;
  set('origins', site.origins, origins);
  const simple = [
    'loginUrl',
    'publicRead',
    'publicProfiles',
    'reactions',
    'maxCommentLength',
    'editWindowSeconds',
    'premoderation',
    'chapterTerm',
    'heldWords',
    'blockedWords',
  ] as const;
  for (const k of simple) {
    if (patch[k] === undefined) continue;
    const value = Array.isArray(patch[k]) && k !== 'reactions' ? [...new Set(patch[k] as string[])] : patch[k];
    set(k, settings[k] ?? null, value);
    (settings as Record<string, unknown>)[k] = value;
  }
  if (patch.rateLimits !== undefined) {
    set('rateLimits', settings.rateLimits || null, patch.rateLimits);
    settings.rateLimits = patch.rateLimits ?? false;
  }
  if (patch.spamCheck !== undefined) {
    const before = settings.spamCheck ?? null;
    if (patch.spamCheck === null) settings.spamCheck = null;
    else {
      const apiKey = patch.spamCheck.apiKey ?? before?.apiKey;
      if (!apiKey) {
        throw problem(400, 'settings.spam_key_required', 'The spam check needs its API key', undefined, [
          { path: 'body.spamCheck.apiKey', message: 'Required the first time.' },
        ]);
      }
      settings.spamCheck = {
        provider: 'akismet',
        endpoint: patch.spamCheck.endpoint ?? before?.endpoint ?? 'https://rest.akismet.com',
        apiKey,
        blog: patch.spamCheck.blog,
      };
    }
    const shown = (s: typeof before) =>
      s ? { provider: s.provider, endpoint: s.endpoint, blog: s.blog, apiKey: s.apiKey ? 'set' : 'none' } : null;
    const keyChanged = !!before && !!settings.spamCheck && before.apiKey !== settings.spamCheck.apiKey;
    set(
      'spamCheck',
      shown(before),
      keyChanged ? { ...shown(settings.spamCheck ?? null), apiKey: 'replaced' } : shown(settings.spamCheck ?? null),
    );
  }
  if (patch.notifications !== undefined) {
    const before = settings.notifications;
    settings.notifications = applyNotificationPatch(before, patch.notifications);
    set('notifications', notificationSettingsOut(before), notificationSettingsOut(settings.notifications));
  }
  return { changes, update: { name, origins, settings } };
}
