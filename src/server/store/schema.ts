import type { ColumnType, Generated, Kysely } from 'kysely';

/** Row types. Times are ISO-8601 UTC strings (sortable, identical on SQLite and PostgreSQL); booleans are 0/1. */
export interface SiteRow {
  id: string;
  name: string;
  origins: string; // JSON string[]
  settings: string; // JSON SiteSettings
  created_at: string;
}

export interface SiteKeyRow {
  kid: string;
  site_id: string;
  alg: 'HS256' | 'EdDSA' | 'RS256';
  /** HS256 secret, as printed to the site. */
  secret: string | null;
  /** How `secret` becomes the HMAC key: its UTF-8 bytes (`text`) or the bytes it encodes (`base64url`, older keys). */
  secret_encoding: 'text' | 'base64url';
  /** Public key as a JWK (JSON). */
  public_jwk: string | null;
  /** The `kid` the public JWK carries itself, matched as well as `kid`. */
  jwk_kid: string | null;
  jwks_url: string | null;
  created_at: string;
  /** After this time the key no longer verifies (rotation overlap); null = no end. */
  retires_at: string | null;
}

export interface ChapterRow {
  site_id: string;
  id: string;
  /** The name in the site's own language (migration 016 adds the English one). */
  name: string;
  name_en: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Insights of one week that is over, for the site ('' chapter) or a chapter, kept a day (migration 016). */
/** A member took part in a week (a Monday, ISO date), in a scope ('' the site, or a chapter id), in a way ('*' any). */
export interface InsightPresenceRow {
  site_id: string;
  scope: string;
  week: string;
  kind: string;
  member_pk: string;
}

/** The week a member first took part, for each scope they took part in that week. */
export interface InsightNewcomerRow {
  site_id: string;
  member_pk: string;
  scope: string;
  week: string;
}

/** Counts of a week in a scope: rows of `insight_presence` and `insight_newcomers`, kept as they change. */
export interface InsightCountRow {
  site_id: string;
  scope: string;
  week: string;
  members: number;
  posted: number;
  useful: number;
  attended: number;
  introduced: number;
  newcomers: number;
}

/** Members (by host id) who moderate a chapter's threads, kept by the admins (migration 016). */
export interface ChapterModeratorRow {
  site_id: string;
  chapter_id: string;
  host_id: string;
  created_at: string;
}

export interface MemberRow {
  pk: string;
  site_id: string;
  host_id: string;
  name: string;
  picture: string | null;
  roles: string; // JSON Role[]
  chapters: string; // JSON string[]
  claims_iat: number;
  /** When the member joined the association (ISO date), from the token's `since` claim; null if never said. */
  member_since: string | null;
  created_at: string;
  updated_at: string;
}

/** One member who erased their data: a hash of their host id (`hostKey` in domain/ids.ts), never the id. */
export interface MemberErasureRow {
  site_id: string;
  host_key: string;
  erased_at: string;
}

export interface ThreadRow {
  pk: string;
  site_id: string;
  key: string;
  title: string | null;
  audience: string;
  locked: number;
  created_at: string;
  /** Comments of the thread by status, kept by triggers on `comments` (migration 012). */
  published_count: number;
  pending_count: number;
}

export interface CommentRow {
  id: string;
  site_id: string;
  thread_pk: string;
  parent_id: string | null;
  author_pk: string | null;
  body: string;
  status: 'published' | 'pending' | 'hidden' | 'deleted';
  idempotency_key: string | null;
  /** SHA-256 (hex) of the canonical request posted with `idempotency_key`; null before it was kept. */
  idempotency_hash: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** The top-level comment this one answers (its own id for a top-level comment). */
  root_id: string | null;
  /** 0 for a top-level comment, 1 for a reply to it… */
  depth: number;
  /** Number of "useful" reactions, kept with them (for the "most useful" order). */
  useful_count: number;
  /** Why a pending comment waits: 'premoderation' | 'first_post' | 'word'. */
  held_reason: string | null;
}

export interface CommentMentionRow {
  site_id: string;
  comment_id: string;
  member_pk: string;
}

export interface ReactionRow {
  id: string;
  site_id: string;
  comment_id: string;
  member_pk: string;
  kind: string;
  created_at: string;
}

export interface FlagRow {
  id: string;
  site_id: string;
  comment_id: string;
  member_pk: string;
  reason: string;
  note: string | null;
  created_at: string;
  resolved_at: string | null;
}

export interface ThreadReadRow {
  site_id: string;
  thread_pk: string;
  member_pk: string;
  read_at: string;
}

export interface ModerationLogRow {
  id: string;
  site_id: string;
  moderator_pk: string | null;
  comment_id: string | null;
  thread_pk: string | null;
  action: string;
  note: string | null;
  created_at: string;
  /** The member acted upon (sanctions), migration 006. */
  member_pk: ColumnType<string | null, string | null | undefined, string | null>;
  /** The chapter the action was confined to. */
  chapter_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON object of what changed; never a secret. */
  details: ColumnType<string | null, string | null | undefined, string | null>;
  /** `cli` or `system` when no member acted. */
  actor: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A ban or a mute (migration 006). */
export interface SanctionRow {
  id: string;
  site_id: string;
  member_pk: string;
  kind: 'ban' | 'mute';
  /** '' for the whole site, else a chapter id. */
  chapter_id: string;
  reason: string;
  moderator_pk: string | null;
  created_at: string;
  ends_at: string | null;
  lifted_at: string | null;
  lifted_by: string | null;
}

export interface WebhookRow {
  id: string;
  site_id: string;
  url: string;
  secret: string;
  events: string; // JSON WebhookEventType[]
  description: string | null;
  active: number;
  created_at: string;
}

export interface WebhookDeliveryRow {
  id: string;
  site_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  /** Deliveries not yet attempted with the same key merge: the newer payload replaces the older. */
  coalesce_key: string | null;
}

/** One thing a member is told. `id` is made from the kind, its subject and the member: a repeated fan-out adds nothing. */
export interface NotificationRow {
  site_id: string;
  id: string;
  member_pk: string;
  kind: string;
  actor_pk: string | null;
  thread_pk: string | null;
  comment_id: string | null;
  event_id: string | null;
  introduction_id: string | null;
  data: string | null; // JSON
  created_at: string;
  read_at: string | null;
  delivered_at: string | null;
}

export interface NotificationPrefsRow {
  site_id: string;
  member_pk: string;
  kinds: string; // JSON Partial<Record<kind, { page, delivery }>>
  /** `,kind,kind,`: kinds with `page: false`. */
  muted: string;
  frequency: 'immediate' | 'daily' | 'weekly' | 'off';
  language: string | null;
  email: string | null;
  feed_token_hash: string | null;
  feed_created_at: string | null;
  updated_at: string;
}

export interface ThreadFollowRow {
  site_id: string;
  thread_pk: string;
  member_pk: string;
  following: number;
  created_at: string;
}

export interface MailOutboxRow {
  id: string;
  site_id: string;
  member_pk: string | null;
  dedupe_key: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: string; // JSON Record<string, string>
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  claimed_at: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface NotificationJobRow {
  site_id: string;
  member_pk: string;
  period_key: string;
  status: 'pending' | 'running' | 'done';
  lease_until: string | null;
  claimed_by: string | null;
  attempts: number;
  created_at: string;
  done_at: string | null;
}

export interface NotificationSiteRow {
  site_id: string;
  unsubscribe_secret: string;
  sweep_until: string | null;
  created_at: string;
}

/** A token bucket shared by every instance (PostgreSQL); `at` in ms since epoch. */
export interface RateBucketRow {
  key: string;
  tokens: number;
  at: number;
  granted: number;
}

/** What an import created for each record of the source file (idempotent re-imports). */
export interface ImportMapRow {
  site_id: string;
  source: string;
  kind: 'thread' | 'comment' | 'member';
  external_id: string;
  local_id: string;
  created_at: string;
}

export interface EventRow {
  id: string;
  site_id: string;
  chapter_id: string | null;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  place: string | null;
  online_url: string | null;
  capacity: number | null;
  audience: string;
  cancelled_at: string | null;
  created_at: string;
  /** The member who organises (hosts) the event. */
  organiser_pk: string | null;
  /** Guests a member may bring. */
  max_guests: number;
  rsvp_deadline: string | null;
  cancel_reason: string | null;
  /** The event's page on the host site. */
  url: string | null;
  /** Revision, as iCalendar SEQUENCE: incremented on every change. */
  sequence: number;
  updated_at: string;
  /** The series this event is an occurrence of. */
  series_id: string | null;
  /** The instant the series' rule gave this occurrence (its RECURRENCE-ID), kept when it is moved. */
  occurrence_at: string | null;
}

export interface RsvpRow {
  site_id: string;
  event_id: string;
  member_pk: string;
  status: 'going' | 'maybe' | 'declined' | 'waitlist';
  guests: number;
  created_at: string;
  updated_at: string;
  /** Arrival order in the waitlist (per event, increasing); null unless waitlisted. */
  waitlist_seq: number | null;
  /** When the member moved from the waitlist to going. */
  promoted_at: string | null;
  /** When the member acknowledged that move. */
  promotion_seen_at: string | null;
  /** Attendance marked by an organiser: 1 attended, 0 absent, null not marked. */
  attended: number | null;
}

/** Members (by host id) who may organise a chapter's events. */
export interface ChapterOrganiserRow {
  site_id: string;
  chapter_id: string;
  host_id: string;
  created_at: string;
}

/** A member's private calendar feed: only the SHA-256 of its secret is kept. */
export interface CalendarFeedRow {
  token_hash: string;
  site_id: string;
  member_pk: string;
  created_at: string;
}

export interface ActivityRow {
  id: Generated<string>;
  site_id: string;
  member_pk: string;
  kind: string;
  ref: string;
  created_at: string;
  /** The chapter the activity belongs to (chapter-scoped badges); optional on insert. */
  chapter_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EngagementRulesRow {
  site_id: string;
  rules: string; // JSON RuleSet
  updated_at: string;
}

export interface EngagementMemberRow {
  member_pk: string;
  site_id: string;
  level_id: string;
  level_rank: number;
  level_since: string | null;
  hidden: number;
  last_active_at: string | null;
  ledger_count: number;
  ledger_max_id: string | null;
  /** JSON `Tallies` (engine.ts) of the ledger the row was computed from; null until first computed. */
  tallies: string | null;
}

export interface EngagementAwardRow {
  member_pk: string;
  site_id: string;
  badge_id: string;
  /** '' for a site-wide badge, else the chapter id. */
  scope: string;
  awarded_at: string;
}

export interface ObIssuerKeyRow {
  kid: string;
  site_id: string;
  public_multibase: string;
  private_jwk: string;
  created_at: string;
  retired_at: string | null;
}

export interface ObCredentialRow {
  id: string;
  site_id: string;
  member_pk: string;
  badge_id: string;
  scope: string;
  issued_at: string;
}

export interface MemberProfileRow {
  member_pk: string;
  site_id: string;
  headline: string | null;
  company: string | null;
  association_role: string | null;
  expertise: string; // JSON string[]
  bio: string | null;
  website: string | null;
  linkedin: string | null;
  phone: string | null;
  email: string | null;
  visibility: string; // JSON VisibilitySettings (partial; defaults fill the rest)
  updated_at: string;
}

export interface IntroductionRow {
  id: string;
  site_id: string;
  from_pk: string;
  to_pk: string;
  message: string;
  status: 'pending' | 'accepted' | 'declined';
  from_share: string; // JSON ContactField[]: the requester's details offered to the recipient
  to_share: string; // JSON ContactField[]: the recipient's details given on accepting
  created_at: string;
  answered_at: string | null;
}

/** The live event log (migration 007): `id` is the stream's Last-Event-ID. */
export interface LiveEventRow {
  id: Generated<number>;
  site_id: string;
  topic: string;
  kind: string;
  ref: string;
  audience: string;
  version: number | null;
  created_at: string;
}

export interface LiveMetaRow {
  name: string;
  value: number;
}

/** A recurring event: the rule its occurrences (rows of `events`) were made from. */
export interface EventSeriesRow {
  id: string;
  site_id: string;
  /** RRULE parts without DTSTART, UNTIL or COUNT, e.g. `FREQ=MONTHLY;BYDAY=1TU`. */
  rule: string;
  /** The recurrence as the organiser gave it (JSON, the contract's `Recurrence`). */
  recurrence: string;
  time_zone: string;
  created_at: string;
}

/** Someone let in at the door: a member (at most once per occurrence) or a walk-in. */
export interface CheckinRow {
  site_id: string;
  event_id: string;
  /** Chosen by the organiser's device: a retried check-in replays. */
  key: string;
  member_pk: string | null;
  name: string;
  walk_in: number;
  request_hash: string;
  by_pk: string | null;
  created_at: string;
}

/**
 * The directory's full-text index (migration 013): a few rows a member, each with the folded text one kind
 * of reader (`scope`) may find them by (domain/search.ts). On SQLite an FTS5 table indexes it.
 */
export interface MemberSearchRow {
  id: Generated<number>;
  site_id: string;
  member_pk: string;
  /** `public` | `members` | `chapter:<id>` | `self:<member pk>`. */
  scope: string;
  name: string;
  doc: string;
  /** The member's name as \`members.name\` holds it: the directory's order, without reading every match's member row. */
  sort_name: string;
}

export interface Database {
  member_search: MemberSearchRow;
  live_events: LiveEventRow;
  live_meta: LiveMetaRow;
  sites: SiteRow;
  site_keys: SiteKeyRow;
  chapters: ChapterRow;
  members: MemberRow;
  member_erasures: MemberErasureRow;
  threads: ThreadRow;
  comments: CommentRow;
  events: EventRow;
  event_series: EventSeriesRow;
  checkins: CheckinRow;
  rsvps: RsvpRow;
  chapter_organisers: ChapterOrganiserRow;
  chapter_moderators: ChapterModeratorRow;
  insight_presence: InsightPresenceRow;
  insight_newcomers: InsightNewcomerRow;
  insight_counts: InsightCountRow;
  calendar_feeds: CalendarFeedRow;
  activities: ActivityRow;
  comment_mentions: CommentMentionRow;
  reactions: ReactionRow;
  flags: FlagRow;
  thread_reads: ThreadReadRow;
  moderation_log: ModerationLogRow;
  engagement_rules: EngagementRulesRow;
  engagement_members: EngagementMemberRow;
  engagement_awards: EngagementAwardRow;
  ob_issuer_keys: ObIssuerKeyRow;
  ob_credentials: ObCredentialRow;
  member_profiles: MemberProfileRow;
  introductions: IntroductionRow;
  sanctions: SanctionRow;
  webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  rate_buckets: RateBucketRow;
  import_map: ImportMapRow;
  notifications: NotificationRow;
  notification_prefs: NotificationPrefsRow;
  thread_follows: ThreadFollowRow;
  mail_outbox: MailOutboxRow;
  notification_jobs: NotificationJobRow;
  notification_sites: NotificationSiteRow;
}

/** What the per-feature query modules need of the store: its Kysely instance and the database kind. */
export interface DbHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'sqlite' | 'postgres';
}
