import type { NotificationSettings, NotificationSettingsPatch } from '../../contract/notifications.js';
import type { SiteNotificationSettings } from '../store/store.js';

/** Read notifications are kept this long unless the site says otherwise. */
export const DEFAULT_RETENTION_DAYS = 90;

/** The mail server a site sends through: its own settings, else the server-wide `CERCLE_SMTP_URL` (with `CERCLE_SMTP_FROM`). */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
  from: string;
}

export function smtpFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpConfig | null {
  const raw = env.CERCLE_SMTP_URL;
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return null;
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    user: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
    from: env.CERCLE_SMTP_FROM || `notifications@${u.hostname}`,
  };
}

export function smtpOf(s: SiteNotificationSettings | undefined): SmtpConfig | null {
  return s?.smtp ?? smtpFromEnv();
}

/** The site's notification settings after a patch, and whether anything changed (the password never appears in `shown`). */
export function applyNotificationPatch(before: SiteNotificationSettings | undefined, patch: NotificationSettingsPatch) {
  const next: SiteNotificationSettings = { ...before };
  if (patch.smtp !== undefined) {
    next.smtp =
      patch.smtp === null
        ? null
        : {
            host: patch.smtp.host,
            port: patch.smtp.port,
            secure: patch.smtp.secure ?? patch.smtp.port === 465,
            user: patch.smtp.user ?? null,
            password: patch.smtp.password ?? (before?.smtp && before.smtp.user === (patch.smtp.user ?? null) ? before.smtp.password : null),
            from: patch.smtp.from,
          };
  }
  if (patch.retentionDays !== undefined) next.retentionDays = patch.retentionDays;
  if (patch.language !== undefined) next.language = patch.language;
  if (patch.preferencesUrl !== undefined) next.preferencesUrl = patch.preferencesUrl;
  return next;
}

/** As admins read them: the password only as "set or not". */
export function notificationSettingsOut(s: SiteNotificationSettings | undefined): NotificationSettings {
  const smtp = s?.smtp ?? null;
  return {
    smtp: smtp
      ? { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user, from: smtp.from, passwordSet: !!smtp.password }
      : null,
    retentionDays: s?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    language: s?.language ?? 'en',
    preferencesUrl: s?.preferencesUrl ?? null,
  };
}
