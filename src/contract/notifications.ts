import { z } from 'zod/mini';
import { Cursor, Id, Limit, Line, SiteId, Timestamp } from './common.js';
import { ThreadKey } from './requests.js';
import { MemberSummary } from './resources.js';
import type { RouteSpec } from './route.js';

/**
 * Notifications: what a member is told, in the page (`<cercle-notifications>`, live), through the host
 * (signed webhooks `notification.created` and `notification.digest`), by mail when the site sends it
 * itself, and in feeds. Never "someone liked your comment": only what asks for the member's attention.
 *
 * - `comment.reply`: someone answered the member's comment;
 * - `comment.mention`: someone mentioned the member in a comment;
 * - `thread.comment`: a new comment in a thread the member follows (posting follows it);
 * - `introduction.requested` / `introduction.accepted` / `introduction.declined`;
 * - `waitlist.promoted`: the member moved from the waitlist to going;
 * - `event.changed` / `event.cancelled` / `event.reminder`: an event the member is going to changed, was
 *   cancelled, or starts tomorrow;
 * - `comment.approved` / `comment.refused`: a moderator published or refused the member's held comment;
 * - `badge.earned`: the member earned a badge.
 */
export const NOTIFICATION_KINDS = [
  'comment.reply',
  'comment.mention',
  'thread.comment',
  'introduction.requested',
  'introduction.accepted',
  'introduction.declined',
  'waitlist.promoted',
  'event.changed',
  'event.cancelled',
  'event.reminder',
  'comment.approved',
  'comment.refused',
  'badge.earned',
] as const;
export const NotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** How often the member hears beyond the page: each one at once, a daily or weekly digest, or never. */
export const DigestFrequency = z.enum(['immediate', 'daily', 'weekly', 'off']);
export type DigestFrequency = z.infer<typeof DigestFrequency>;

/** Languages notifications are written in beyond the page (the widget renders its own). */
export const NotificationLanguage = z.enum(['en', 'fr', 'de', 'es']);
export type NotificationLanguage = z.infer<typeof NotificationLanguage>;

/** What changed about an event, for `event.changed`. */
export const EventChange = z.enum(['time', 'place', 'online', 'title', 'details']);
export type EventChange = z.infer<typeof EventChange>;

/**
 * One notification, as its member reads it. The subject fields that apply to its kind are filled
 * (`thread` + `comment` for discussion kinds, `event` for event kinds, …), the others are `null`.
 * `thread.key` is the page's URL when the host keys threads by URL: the widget links to
 * `thread.url` (or the key) with `#comment-<id>`.
 */
export const Notification = z.object({
  id: Id,
  kind: NotificationKind,
  createdAt: Timestamp,
  /** When the member read it; `null` while unread. */
  readAt: z.nullable(Timestamp),
  /** Who did it (the replier, the requester, the organiser); `null` for the system or a moderator. */
  actor: z.nullable(MemberSummary),
  thread: z.nullable(z.object({ key: z.string(), title: z.nullable(z.string()), url: z.nullable(z.string()) })),
  /** The comment concerned (the reply, the mention, the approved one); a short plain-text excerpt of its text. */
  comment: z.nullable(z.object({ id: Id, excerpt: z.string() })),
  event: z.nullable(
    z.object({
      id: Id,
      title: z.string(),
      startsAt: z.string(),
      timeZone: z.string(),
      url: z.nullable(z.string()),
      /** For `event.changed`: what changed. */
      changes: z.array(EventChange),
    }),
  ),
  introduction: z.nullable(z.object({ id: Id })),
  badge: z.nullable(z.object({ id: z.string(), name: z.string() })),
  /** Where to go: the comment's page with its anchor, the event's page, the member's card…; `null` if none. */
  url: z.nullable(z.string()),
});
export type Notification = z.infer<typeof Notification>;

export const NotificationPage = z.object({
  items: z.array(Notification),
  next: z.nullable(Cursor),
  /** Unread notifications of the member in all (not only this page). */
  unread: z.int(),
});
export type NotificationPage = z.infer<typeof NotificationPage>;

export const NotificationListQuery = z.strictObject({
  /** `true`: unread ones only. */
  unread: z.optional(z.enum(['true', 'false', '1', '0'])),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationCount = z.object({ unread: z.int() });
export type NotificationCount = z.infer<typeof NotificationCount>;

/** Mark some notifications read (`ids`), or all of them (`all: true`, optionally only those up to `before`). */
export const MarkNotificationsRead = z.union([
  z.strictObject({ ids: z.array(Id).check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ all: z.literal(true), before: z.optional(Timestamp) }),
]);
export type MarkNotificationsRead = z.infer<typeof MarkNotificationsRead>;

/** For each kind: shown in the page, and delivered beyond it (webhook to the host, or mail). */
export const KindPreference = z.object({ page: z.boolean(), delivery: z.boolean() });
export type KindPreference = z.infer<typeof KindPreference>;

export const NotificationPreferences = z.object({
  /** Every kind, with its setting (defaults filled in). */
  kinds: z.record(NotificationKind, KindPreference),
  frequency: DigestFrequency,
  /** Language of what is delivered beyond the page; `null`: the site's default. */
  language: z.nullable(NotificationLanguage),
  /** How the site delivers beyond the page: through the host's webhooks, by its own mail server, or not at all. */
  channel: z.enum(['host', 'mail', 'none']),
  email: z.object({
    /** The site sends mail and the member's token carries an address: the member may opt in. */
    available: z.boolean(),
    /** The member opted in: Cercle keeps the address and mails them. */
    optedIn: z.boolean(),
    /** The address used while opted in (from the token), else `null`. */
    address: z.nullable(z.string()),
  }),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** Changes to the preferences: only what is given changes. Unknown kinds or frequencies are refused. */
export const NotificationPreferencesPatch = z.strictObject({
  kinds: z.optional(
    z.partialRecord(NotificationKind, z.strictObject({ page: z.optional(z.boolean()), delivery: z.optional(z.boolean()) })),
  ),
  frequency: z.optional(DigestFrequency),
  language: z.optional(z.nullable(NotificationLanguage)),
  /** `true`: mail me at the address my token carries (refused with 409 `notification.email_unavailable` when there is none or the site sends no mail); `false`: stop and forget it. */
  email: z.optional(z.boolean()),
});
export type NotificationPreferencesPatch = z.infer<typeof NotificationPreferencesPatch>;

export const FollowQuery = z.strictObject({ thread: ThreadKey });
export const FollowRequest = z.strictObject({ thread: ThreadKey, following: z.boolean() });
export type FollowRequest = z.infer<typeof FollowRequest>;
export const FollowState = z.object({ thread: z.string(), following: z.boolean() });
export type FollowState = z.infer<typeof FollowState>;

/** The member's private notification feed (Atom), shown once with its secret like the calendar feed. */
export const NotificationFeed = z.object({
  active: z.boolean(),
  createdAt: z.nullable(Timestamp),
  token: z.nullable(z.string()),
  /** Relative to the API base, e.g. `/v1/sites/asso/notifications/…/feed.atom`. */
  path: z.nullable(z.string()),
});
export type NotificationFeed = z.infer<typeof NotificationFeed>;

/** A feed secret: 32 random bytes, base64url. */
export const NotificationFeedToken = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'Not a notification feed address'));

/** The signed unsubscribe token of a mail's link (checked by the server; any text is accepted here so a bad one gets a readable page). */
export const UnsubscribeToken = Line.check(z.minLength(1), z.maxLength(1000));

// ---- live ------------------------------------------------------------------------------

/**
 * `data` of the live change of kind `notification` (topic `member:<host id>`, to that member only):
 * the unread count now, and the new notification (`null` when the change is a read or a removal, e.g.
 * marked read in another tab, or its comment was hidden). Every tab shows `unread`.
 */
export const NotificationLive = z.object({
  unread: z.int(),
  item: z.nullable(Notification),
  /** Notifications that disappeared (their comment was hidden or erased). */
  removed: z.optional(z.array(Id)),
});
export type NotificationLive = z.infer<typeof NotificationLive>;

// ---- webhooks --------------------------------------------------------------------------

/** The member a delivered notification is for, as the host knows them. */
export const NotificationRecipient = z.object({
  /** The host's member id (the token's `sub`). */
  id: Id,
  name: z.string(),
  /** Write to them in this language. */
  language: NotificationLanguage,
});

/** A notification rendered for delivery: its data, and a one-line `text` in the member's language. */
export const RenderedNotification = z.extend(Notification, { text: z.string() });
export type RenderedNotification = z.infer<typeof RenderedNotification>;

/**
 * `data` of the webhook `notification.created`: sent for each new notification of a member who wants
 * delivery of its kind `immediate`ly. `subject` and `text` are ready to mail in the member's language.
 */
export const NotificationCreatedData = z.object({
  member: NotificationRecipient,
  notification: RenderedNotification,
  subject: z.string(),
  text: z.string(),
  /** Where the member manages notifications on the host site (the site's `notificationsUrl`), or `null`. */
  preferencesUrl: z.nullable(z.string()),
});
export type NotificationCreatedData = z.infer<typeof NotificationCreatedData>;

/**
 * `data` of the webhook `notification.digest`: one per member and period (`daily` or `weekly`) with
 * what they have not read, grouped by thread (a thread answered five times is one group of five);
 * the group with `thread: null` holds the rest (events, introductions, badges).
 */
export const NotificationDigestData = z.object({
  member: NotificationRecipient,
  period: z.enum(['daily', 'weekly']),
  /** The period's key, e.g. `2026-12-07` (daily) or `2026-W50` (weekly): one digest per member and key. */
  key: z.string(),
  count: z.int(),
  groups: z.array(
    z.object({
      thread: z.nullable(z.object({ key: z.string(), title: z.nullable(z.string()), url: z.nullable(z.string()) })),
      items: z.array(RenderedNotification),
    }),
  ),
  subject: z.string(),
  text: z.string(),
  preferencesUrl: z.nullable(z.string()),
});
export type NotificationDigestData = z.infer<typeof NotificationDigestData>;

// ---- routes ----------------------------------------------------------------------------

const SiteParams = z.strictObject({ site: SiteId });
const ATOM = 'application/atom+xml';
const HTML = 'text/html';

/** The member's notifications, preferences, follows, feeds and the mail unsubscribe link. Spread into `routes`. */
export const notificationRoutes = {
  listNotifications: {
    method: 'get',
    path: '/v1/sites/{site}/me/notifications',
    summary: "The signed-in member's notifications, newest first",
    auth: 'required',
    params: SiteParams,
    query: NotificationListQuery,
    ok: { status: 200, schema: NotificationPage, description: 'One page of notifications and the unread count.' },
  },
  notificationCount: {
    method: 'get',
    path: '/v1/sites/{site}/me/notifications/count',
    summary: 'How many notifications the member has not read',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: NotificationCount, description: 'The unread count.' },
  },
  markNotificationsRead: {
    method: 'post',
    path: '/v1/sites/{site}/me/notifications/read',
    summary: 'Mark notifications read: some by id, or all',
    auth: 'required',
    params: SiteParams,
    body: MarkNotificationsRead,
    ok: { status: 200, schema: NotificationCount, description: 'The unread count after marking (every tab hears it live).' },
  },
  notificationPreferences: {
    method: 'get',
    path: '/v1/sites/{site}/me/notification-preferences',
    summary: "The member's notification preferences",
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: NotificationPreferences, description: 'Every kind with its setting, the frequency and mail.' },
  },
  updateNotificationPreferences: {
    method: 'patch',
    path: '/v1/sites/{site}/me/notification-preferences',
    summary: 'Change notification preferences (per kind, frequency, language, mail opt-in)',
    auth: 'required',
    params: SiteParams,
    body: NotificationPreferencesPatch,
    ok: { status: 200, schema: NotificationPreferences, description: 'The preferences as stored.' },
  },
  followState: {
    method: 'get',
    path: '/v1/sites/{site}/threads/follow',
    summary: 'Whether the member follows a thread',
    auth: 'required',
    params: SiteParams,
    query: FollowQuery,
    ok: { status: 200, schema: FollowState, description: 'The follow state (404 `thread.not_found` when the member may not read it).' },
  },
  follow: {
    method: 'put',
    path: '/v1/sites/{site}/threads/follow',
    summary: 'Follow or stop following a thread (posting in it follows it)',
    auth: 'required',
    params: SiteParams,
    body: FollowRequest,
    ok: { status: 200, schema: FollowState, description: 'The follow state.' },
  },
  threadFeed: {
    method: 'get',
    path: '/v1/sites/{site}/threads/feed.atom',
    summary: 'Atom feed of a public thread’s comments',
    auth: 'none',
    params: SiteParams,
    query: FollowQuery,
    contentType: ATOM,
    ok: {
      status: 200,
      schema: z.string(),
      description: 'Atom 1.0 with the newest 50 published comments (404 for threads that are not public).',
    },
  },
  memberNotificationFeed: {
    method: 'get',
    path: '/v1/sites/{site}/notifications/{token}/feed.atom',
    summary: "A member's private notification feed (secret address)",
    auth: 'none',
    params: z.strictObject({ site: SiteId, token: NotificationFeedToken }),
    contentType: ATOM,
    ok: { status: 200, schema: z.string(), description: "Atom 1.0 with the member's newest 50 notifications." },
  },
  notificationFeed: {
    method: 'get',
    path: '/v1/sites/{site}/me/notification-feed',
    summary: 'Whether the member has a private notification feed',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: NotificationFeed, description: 'The feed (its secret is not shown again).' },
  },
  resetNotificationFeed: {
    method: 'post',
    path: '/v1/sites/{site}/me/notification-feed',
    summary: 'Create the private notification feed, or replace its address',
    auth: 'required',
    params: SiteParams,
    ok: { status: 201, schema: NotificationFeed, description: 'The feed with its new secret address; the previous one stops working.' },
  },
  revokeNotificationFeed: {
    method: 'delete',
    path: '/v1/sites/{site}/me/notification-feed',
    summary: 'Revoke the private notification feed',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: NotificationFeed, description: 'The feed, now inactive.' },
  },
  unsubscribePage: {
    method: 'get',
    path: '/v1/sites/{site}/mail/unsubscribe/{token}',
    summary: "A mail's unsubscribe link: a page asking to confirm",
    auth: 'none',
    params: z.strictObject({ site: SiteId, token: UnsubscribeToken }),
    contentType: HTML,
    ok: {
      status: 200,
      schema: z.string(),
      description: 'HTML confirmation page (400 `unsubscribe.invalid`, 410 `unsubscribe.expired` pages otherwise).',
    },
  },
  unsubscribe: {
    method: 'post',
    path: '/v1/sites/{site}/mail/unsubscribe/{token}',
    summary: 'Stop mail (RFC 8058 one-click, or the confirmation page’s button)',
    auth: 'none',
    params: z.strictObject({ site: SiteId, token: UnsubscribeToken }),
    contentType: HTML,
    ok: {
      status: 200,
      schema: z.string(),
      description:
        'HTML page saying mail is off; the address is forgotten. A bad link: 400 `unsubscribe.invalid`, 410 `unsubscribe.expired`, as problem+json unless the request asks for HTML.',
    },
  },
} as const satisfies Record<string, RouteSpec>;

// ---- site settings ---------------------------------------------------------------------

/** The site's own mail server, when it sends mail itself (else notifications go through the host). */
export const SmtpSettings = z.strictObject({
  host: Line.check(z.trim(), z.minLength(1), z.maxLength(255)),
  port: z.int().check(z.gte(1), z.lte(65535)),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.optional(z.boolean()),
  user: z.optional(Line.check(z.trim(), z.minLength(1), z.maxLength(255))),
  /** Without it, the password already stored is kept. */
  password: z.optional(Line.check(z.minLength(1), z.maxLength(255))),
  /** The sender, e.g. `Asso <notifications@asso.example>`. */
  from: Line.check(
    z.trim(),
    z.minLength(3),
    z.maxLength(300),
    z.regex(/^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/, 'A mail address, optionally with a name: Asso <no-reply@asso.example>'),
  ),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

export const NotificationSettingsPatch = z.strictObject({
  /** `null`: no mail from Cercle (notifications go to the host's webhooks). */
  smtp: z.optional(z.nullable(SmtpSettings)),
  /** Read notifications are kept this many days, then pruned (default 90). */
  retentionDays: z.optional(z.int().check(z.gte(1), z.lte(3650))),
  /** Language of delivered notifications for members who chose none (default `en`). */
  language: z.optional(NotificationLanguage),
  /** The host page where members manage notifications; links in mail and webhooks point there. */
  preferencesUrl: z.optional(z.nullable(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048)))),
});
export type NotificationSettingsPatch = z.infer<typeof NotificationSettingsPatch>;

/** The site's notification settings as admins read them (the SMTP password is never sent back). */
export const NotificationSettings = z.object({
  smtp: z.nullable(
    z.object({
      host: z.string(),
      port: z.int(),
      secure: z.boolean(),
      user: z.nullable(z.string()),
      from: z.string(),
      passwordSet: z.boolean(),
    }),
  ),
  retentionDays: z.int(),
  language: NotificationLanguage,
  preferencesUrl: z.nullable(z.string()),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** The notification part of a member's data export. */
export const NotificationExport = z.object({
  items: z.array(Notification),
  preferences: NotificationPreferences,
  follows: z.array(z.object({ thread: z.string(), since: Timestamp })),
});
export type NotificationExport = z.infer<typeof NotificationExport>;
