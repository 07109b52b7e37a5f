import { z } from 'zod/mini';
import { Cursor, Id, Limit, SiteId, Timestamp, page, Line, Text, oneLine } from './common.js';
import { FlagReason, ReactionKind } from './discussion.js';
import { CHAPTER_TERMS } from './defaults.js';
import { MAX_COMMENT_LENGTH } from './requests.js';
import { Comment, CommentStatus, MemberSummary, Thread } from './resources.js';
import { NotificationSettings, NotificationSettingsPatch } from './notifications.js';
import type { RouteSpec } from './route.js';

// ---- the moderation queue -------------------------------------------------------------

/** `pending`: every comment waiting for review; `word` / `spam`: those held by the word list or the spam check; `flagged`: published comments members flagged. */
export const QueueFilter = z.enum(['all', 'pending', 'flagged', 'word', 'spam']);
export type QueueFilter = z.infer<typeof QueueFilter>;

export const QueueQuery = z.strictObject({
  filter: z.optional(QueueFilter),
  /** Only this chapter's threads (a chapter moderator may name only their own chapters). */
  chapter: z.optional(Id),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

export const SanctionKind = z.enum(['ban', 'mute']);
export type SanctionKind = z.infer<typeof SanctionKind>;

export const SanctionBrief = z.object({ id: Id, kind: SanctionKind, chapter: z.nullable(Id), endsAt: z.nullable(Timestamp) });
export type SanctionBrief = z.infer<typeof SanctionBrief>;

export const QueueItem = z.object({
  comment: Comment,
  thread: Thread,
  /** Why it is in the queue. */
  reasons: z.array(z.enum(['pending', 'flagged'])),
  /** Open flags, by reason, most frequent first. */
  flags: z.array(z.object({ reason: FlagReason, count: z.int() })),
  /** The flaggers' notes (the latest few). */
  flagNotes: z.array(z.string()),
  /** The author, their sanctions in force and how many of their comments are published. */
  author: z.nullable(
    z.object({
      member: MemberSummary,
      sanctions: z.array(SanctionBrief),
      publishedCount: z.int(),
    }),
  ),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const QueueCounts = z.object({ pending: z.int(), flagged: z.int(), word: z.int(), spam: z.int() });
export type QueueCounts = z.infer<typeof QueueCounts>;

export const QueuePage = z.object({
  items: z.array(QueueItem),
  next: z.nullable(Cursor),
  counts: QueueCounts,
  /** What the reader moderates: the whole site, or these chapters. */
  scope: z.object({ siteWide: z.boolean(), chapters: z.array(Id) }),
  /** The reader administers the site (settings, audit log, webhooks). */
  admin: z.boolean(),
});
export type QueuePage = z.infer<typeof QueuePage>;

export const MAX_BULK = 100;
export const BulkAction = z.enum(['approve', 'hide', 'restore', 'delete']);
export type BulkAction = z.infer<typeof BulkAction>;
export const BulkModerate = z.strictObject({
  action: BulkAction,
  comments: z.array(Id).check(z.minLength(1), z.maxLength(MAX_BULK)),
  note: z.optional(Text.check(z.trim(), z.maxLength(500))),
});
export type BulkModerate = z.infer<typeof BulkModerate>;
export const BulkResult = z.object({
  results: z.array(
    z.object({
      id: Id,
      /** Whether the action changed the comment (false: it was already in that state, e.g. another moderator acted first). */
      changed: z.boolean(),
      status: CommentStatus,
    }),
  ),
});
export type BulkResult = z.infer<typeof BulkResult>;

// ---- sanctions ----------------------------------------------------------------------

export const NewSanction = z.strictObject({
  /** The host site's member id. */
  member: Id,
  /** `mute`: may not write in the discussion; `ban`: may not write anything in Cercle. */
  kind: SanctionKind,
  reason: Text.check(z.trim(), z.minLength(1), z.maxLength(500)),
  /** How long, in days; `null` until lifted. */
  days: z.nullable(z.int().check(z.gte(1), z.lte(3650))),
  /** Confined to this chapter's threads (a chapter moderator must name one of theirs). */
  chapter: z.optional(Id),
});
export type NewSanction = z.infer<typeof NewSanction>;

export const Sanction = z.object({
  id: Id,
  member: MemberSummary,
  kind: SanctionKind,
  chapter: z.nullable(Id),
  reason: z.string(),
  createdAt: Timestamp,
  endsAt: z.nullable(Timestamp),
  moderator: z.nullable(MemberSummary),
  liftedAt: z.nullable(Timestamp),
});
export type Sanction = z.infer<typeof Sanction>;
export const SanctionList = z.object({ items: z.array(Sanction) });
export type SanctionList = z.infer<typeof SanctionList>;
export const SanctionQuery = z.strictObject({ member: z.optional(Id) });

// ---- audit log ----------------------------------------------------------------------

export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  /** The member who acted; null when it was the command line, the server itself or the site's own token (`actorKind`). */
  actor: z.nullable(MemberSummary),
  actorKind: z.enum(['member', 'cli', 'system', 'site']),
  /** `approve`, `hide`, `restore`, `delete`, `lock`, `unlock`, `ban`, `mute`, `lift`, `settings.update`, `key.rotate`, `webhook.create`, `webhook.update`, `webhook.delete`, `import`. */
  action: z.string(),
  comment: z.nullable(Id),
  thread: z.nullable(z.string()),
  member: z.nullable(MemberSummary),
  chapter: z.nullable(Id),
  note: z.nullable(z.string()),
  details: z.nullable(z.record(z.string(), z.unknown())),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = page(AuditEntry);
export type AuditPage = z.infer<typeof AuditPage>;
export const AuditQuery = z.strictObject({
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
  action: z.optional(z.string().check(z.regex(/^[a-z.]{2,40}$/))),
  since: z.optional(Timestamp),
  until: z.optional(Timestamp),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
export const AuditExportQuery = z.strictObject({
  format: z.optional(z.enum(['csv', 'jsonl'])),
  since: z.optional(Timestamp),
  until: z.optional(Timestamp),
});

// ---- site settings ------------------------------------------------------------------

/** An origin exactly as browsers send it: scheme, host, optional port; nothing after. */
export const Origin = z
  .string()
  .check(z.maxLength(300), z.regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'An origin: https://host or https://host:port, nothing after.'));
const Word = Line.check(z.trim(), z.minLength(1), z.maxLength(100));
const WordList = z.array(Word).check(z.maxLength(500));

export const RateLimitSettings = z.strictObject({
  commentBurst: z.int().check(z.gte(1), z.lte(1000)),
  commentsPerMinute: z.int().check(z.gte(1), z.lte(1000)),
  writeBurst: z.int().check(z.gte(1), z.lte(10000)),
  writesPerMinute: z.int().check(z.gte(1), z.lte(10000)),
});
export const Premoderation = z.enum(['off', 'first-time', 'everyone']);

export const SiteKey = z.object({
  kid: z.string(),
  alg: z.enum(['HS256', 'EdDSA', 'RS256']),
  createdAt: Timestamp,
  retiresAt: z.nullable(Timestamp),
});
export type SiteKey = z.infer<typeof SiteKey>;

export const AdminSettings = z.object({
  name: z.string(),
  origins: z.array(z.string()),
  loginUrl: z.nullable(z.string()),
  publicRead: z.boolean(),
  /** Member cards readable without signing in (only members listed publicly); default false. */
  publicProfiles: z.boolean(),
  reactions: z.array(z.string()),
  maxCommentLength: z.int(),
  editWindowSeconds: z.int(),
  premoderation: Premoderation,
  /** What the association calls its local groups. */
  chapterTerm: z.optional(z.enum(CHAPTER_TERMS)),
  heldWords: z.array(z.string()),
  blockedWords: z.array(z.string()),
  /** Null: no limits. */
  rateLimits: z.nullable(z.object({ commentBurst: z.int(), commentsPerMinute: z.int(), writeBurst: z.int(), writesPerMinute: z.int() })),
  /** The spam check, when one is configured; its key is never sent back. */
  spamCheck: z.nullable(z.object({ provider: z.literal('akismet'), endpoint: z.string(), blog: z.string(), apiKeySet: z.boolean() })),
  /** Keys that verify the site's tokens now (retiring ones with their end). */
  keys: z.array(SiteKey),
  /** Delivery of notifications beyond the page (mail server, retention, language). */
  notifications: z.optional(NotificationSettings),
});
export type AdminSettings = z.infer<typeof AdminSettings>;

export const SettingsPatch = z.strictObject({
  name: z.optional(Line.check(z.trim(), z.minLength(1), z.maxLength(120))),
  origins: z.optional(z.array(Origin).check(z.minLength(1), z.maxLength(20))),
  loginUrl: z.optional(z.nullable(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048), oneLine))),
  publicRead: z.optional(z.boolean()),
  publicProfiles: z.optional(z.boolean()),
  reactions: z.optional(z.array(ReactionKind).check(z.minLength(1), z.maxLength(12))),
  maxCommentLength: z.optional(z.int().check(z.gte(100), z.lte(MAX_COMMENT_LENGTH))),
  /** 0: comments cannot be edited; at most a day. */
  editWindowSeconds: z.optional(z.int().check(z.gte(0), z.lte(86400))),
  premoderation: z.optional(Premoderation),
  /** What the association calls its local groups: `chapter`, `branch`, `delegation`, `club` or `section`. */
  chapterTerm: z.optional(z.enum(CHAPTER_TERMS)),
  heldWords: z.optional(WordList),
  blockedWords: z.optional(WordList),
  rateLimits: z.optional(z.nullable(RateLimitSettings)),
  /** Null turns the check off. Without `apiKey`, the key already stored is kept. */
  spamCheck: z.optional(
    z.nullable(
      z.strictObject({
        provider: z.literal('akismet'),
        endpoint: z.optional(z.url({ protocol: /^https$/ }).check(z.maxLength(300), oneLine)),
        apiKey: z.optional(Line.check(z.trim(), z.minLength(4), z.maxLength(200))),
        blog: z.url({ protocol: /^https?$/ }).check(z.maxLength(2048), oneLine),
      }),
    ),
  ),
  notifications: z.optional(NotificationSettingsPatch),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

// ---- webhooks -------------------------------------------------------------------------

/**
 * Events a webhook may receive. `comment.created`: a comment became readable (posted, or approved);
 * `comment.reply`: a member's comment got an answer (one per reply, to its parent's author);
 * `rsvp.changed`: a member answered an event; `introduction.requested`: a member asked to be introduced to another.
 */
export const WebhookEventType = z.enum([
  'comment.created',
  'comment.reply',
  'rsvp.changed',
  'introduction.requested',
  'notification.created',
  'notification.digest',
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

const EventTypes = z.array(WebhookEventType).check(
  z.minLength(1),
  z.maxLength(6),
  z.refine((a) => new Set(a).size === a.length, 'Each event once.'),
);

export const NewWebhook = z.strictObject({
  /** Where events are POSTed: http(s); in production, not a loopback or private address. */
  url: Line.check(z.trim(), z.minLength(1), z.maxLength(2048)),
  events: EventTypes,
  description: z.optional(Line.check(z.trim(), z.maxLength(200))),
});
export type NewWebhook = z.infer<typeof NewWebhook>;
export const WebhookUpdate = z.strictObject({
  url: z.optional(Line.check(z.trim(), z.minLength(1), z.maxLength(2048))),
  events: z.optional(EventTypes),
  description: z.optional(Line.check(z.trim(), z.maxLength(200))),
  active: z.optional(z.boolean()),
});
export type WebhookUpdate = z.infer<typeof WebhookUpdate>;

export const Webhook = z.object({
  id: Id,
  url: z.string(),
  events: z.array(WebhookEventType),
  description: z.nullable(z.string()),
  active: z.boolean(),
  createdAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;
export const WebhookCreated = z.extend(Webhook, {
  /** The signing secret, shown this once. */
  secret: z.string(),
});
export const WebhookList = z.object({ items: z.array(Webhook) });

export const WebhookDelivery = z.object({
  id: Id,
  webhook: Id,
  event: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'sending', 'delivered', 'failed']),
  attempts: z.int(),
  nextAttemptAt: z.nullable(Timestamp),
  lastStatus: z.nullable(z.int()),
  lastError: z.nullable(z.string()),
  createdAt: Timestamp,
  deliveredAt: z.nullable(Timestamp),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const DeliveryPage = page(WebhookDelivery);
export const DeliveryQuery = z.strictObject({ webhook: z.optional(Id), cursor: z.optional(Cursor), limit: z.optional(Limit) });

/**
 * What a receiver gets: `POST` with this JSON body and the headers `Cercle-Event` (the type),
 * `Cercle-Delivery` (the event id: the same on every retry, use it to drop duplicates) and
 * `Cercle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the webhook's secret>`.
 * Refuse a signature older than five minutes.
 */
export const WebhookPayload = z.object({
  id: z.string(),
  type: WebhookEventType,
  site: SiteId,
  createdAt: Timestamp,
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

// ---- routes ---------------------------------------------------------------------------

const SiteParams = z.strictObject({ site: SiteId });
const IdParams = z.strictObject({ site: SiteId, id: Id });

/** Moderation (moderators: site-wide role, or chapter moderators on their chapters) and administration (admins). */
export const moderationRoutes = {
  moderationQueue: {
    method: 'get',
    path: '/v1/sites/{site}/moderation/queue',
    summary: 'Comments waiting for review and flagged comments (moderators)',
    auth: 'required',
    params: SiteParams,
    query: QueueQuery,
    ok: { status: 200, schema: QueuePage, description: 'One page of the queue, oldest first, with counts by kind.' },
  },
  moderationActions: {
    method: 'post',
    path: '/v1/sites/{site}/moderation/actions',
    summary: 'Approve, hide, restore or delete comments, one or many at once (moderators)',
    auth: 'required',
    params: SiteParams,
    body: BulkModerate,
    ok: {
      status: 200,
      schema: BulkResult,
      description: 'Each comment after the action. All or nothing: one comment out of reach refuses them all.',
    },
  },
  sanctions: {
    method: 'get',
    path: '/v1/sites/{site}/moderation/sanctions',
    summary: 'Bans and mutes in force (moderators see those in their reach)',
    auth: 'required',
    params: SiteParams,
    query: SanctionQuery,
    ok: { status: 200, schema: SanctionList, description: 'Sanctions in force, newest first.' },
  },
  addSanction: {
    method: 'post',
    path: '/v1/sites/{site}/moderation/sanctions',
    summary: 'Ban or mute a member for a period, with a reason (moderators)',
    auth: 'required',
    params: SiteParams,
    body: NewSanction,
    ok: { status: 201, schema: Sanction, description: 'The sanction.' },
  },
  liftSanction: {
    method: 'delete',
    path: '/v1/sites/{site}/moderation/sanctions/{id}',
    summary: 'Lift a ban or a mute before its end (moderators)',
    auth: 'required',
    params: IdParams,
    ok: { status: 200, schema: Sanction, description: 'The sanction, lifted.' },
  },
  auditLog: {
    method: 'get',
    path: '/v1/sites/{site}/admin/audit',
    summary: 'Every moderation and administration action, newest first (admins)',
    auth: 'required',
    params: SiteParams,
    query: AuditQuery,
    ok: { status: 200, schema: AuditPage, description: 'One page of the audit log.' },
  },
  auditExport: {
    method: 'get',
    path: '/v1/sites/{site}/admin/audit/export',
    summary: 'The audit log as CSV or JSON lines (admins)',
    auth: 'required',
    params: SiteParams,
    query: AuditExportQuery,
    contentType: 'text/csv',
    ok: { status: 200, schema: z.string(), description: 'The whole log (or the given period), oldest first.' },
  },
  adminSettings: {
    method: 'get',
    path: '/v1/sites/{site}/admin/settings',
    summary: "The site's settings and keys (admins)",
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: AdminSettings, description: 'Settings; secrets are never included.' },
  },
  updateSettings: {
    method: 'patch',
    path: '/v1/sites/{site}/admin/settings',
    summary: "Change the site's settings (admins)",
    auth: 'required',
    params: SiteParams,
    body: SettingsPatch,
    ok: { status: 200, schema: AdminSettings, description: 'The settings after the change (recorded in the audit log).' },
  },
  webhooks: {
    method: 'get',
    path: '/v1/sites/{site}/admin/webhooks',
    summary: "The site's webhooks (admins)",
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: WebhookList, description: 'Webhooks, without their secrets.' },
  },
  createWebhook: {
    method: 'post',
    path: '/v1/sites/{site}/admin/webhooks',
    summary: 'Register a URL that receives signed events (admins)',
    auth: 'required',
    params: SiteParams,
    body: NewWebhook,
    ok: { status: 201, schema: WebhookCreated, description: 'The webhook and its signing secret, shown once.' },
  },
  updateWebhook: {
    method: 'patch',
    path: '/v1/sites/{site}/admin/webhooks/{id}',
    summary: 'Change or pause a webhook (admins)',
    auth: 'required',
    params: IdParams,
    body: WebhookUpdate,
    ok: { status: 200, schema: Webhook, description: 'The webhook.' },
  },
  deleteWebhook: {
    method: 'delete',
    path: '/v1/sites/{site}/admin/webhooks/{id}',
    summary: 'Remove a webhook and its delivery log (admins)',
    auth: 'required',
    params: IdParams,
    ok: { status: 200, schema: Webhook, description: 'The webhook removed.' },
  },
  webhookDeliveries: {
    method: 'get',
    path: '/v1/sites/{site}/admin/webhooks/deliveries',
    summary: 'The delivery log, newest first (admins)',
    auth: 'required',
    params: SiteParams,
    query: DeliveryQuery,
    ok: { status: 200, schema: DeliveryPage, description: 'Deliveries with their attempts and last answer.' },
  },
} as const satisfies Record<string, RouteSpec>;
