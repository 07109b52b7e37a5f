import { Comment, CommentPage, Event, EventPage, Me, SitePublic } from '../contract/resources.js';
import { BatchResponse } from '../contract/requests.js';
import { EraseResult, Introduction, IntroductionPage, MemberCard, MemberExport, MemberPage } from '../contract/members.js';
import { Engagement, EngagementVisibility, MyEngagement, OpenBadgeCredential } from '../contract/engagement.js';
import { CommentCounts, CommentReactions, Flag, MemberList, ReadMarkerOut, Reactors } from '../contract/discussion.js';
import { Thread } from '../contract/resources.js';
import { AttendeeList, CalendarFeed, CheckIn, CheckInList, Series } from '../contract/events.js';
import {
  AdminSettings,
  AuditPage,
  BulkResult,
  DeliveryPage,
  QueuePage,
  Sanction,
  SanctionList,
  Webhook,
  WebhookCreated,
  WebhookList,
} from '../contract/moderation.js';
import { AdminChapter, AdminChapterList, Insights, WebhookTestResult } from '../contract/admin.js';
import { SearchPage } from '../contract/search.js';
import { NotificationCount, NotificationFeed, NotificationPage, NotificationPreferences } from '../contract/notifications.js';
import type { Kind, Parser } from './parse.js';

const schemas = {
  site: SitePublic,
  me: Me,
  member: MemberCard,
  comments: CommentPage,
  comment: Comment,
  events: EventPage,
  batch: BatchResponse,
  reactions: CommentReactions,
  reactors: Reactors,
  flag: Flag,
  thread: Thread,
  readMarker: ReadMarkerOut,
  memberList: MemberList,
  commentCounts: CommentCounts,
  members: MemberPage,
  introductions: IntroductionPage,
  introduction: Introduction,
  export: MemberExport,
  erased: EraseResult,
  engagement: Engagement,
  myEngagement: MyEngagement,
  visibility: EngagementVisibility,
  credential: OpenBadgeCredential,
  event: Event,
  attendees: AttendeeList,
  calendarFeed: CalendarFeed,
  series: Series,
  checkIn: CheckIn,
  checkIns: CheckInList,
  moderationQueue: QueuePage,
  bulkResult: BulkResult,
  sanction: Sanction,
  sanctions: SanctionList,
  adminSettings: AdminSettings,
  auditPage: AuditPage,
  searchResults: SearchPage,
  insights: Insights,
  adminChapters: AdminChapterList,
  adminChapter: AdminChapter,
  webhookTest: WebhookTestResult,
  webhooks: WebhookList,
  webhook: Webhook,
  webhookCreated: WebhookCreated,
  deliveries: DeliveryPage,
  notifications: NotificationPage,
  notificationCount: NotificationCount,
  notificationPreferences: NotificationPreferences,
  notificationFeed: NotificationFeed,
} satisfies Record<Kind, { parse(v: unknown): unknown }>;

/**
 * Parses every response with the contract's own schemas (zod/mini): a server
 * that drifts from the contract is reported as `response.invalid` instead of
 * reaching a widget. Costs the schema library in the bundle (about 10 KB
 * min+gzip), so it is opt-in: `community.parse = strict`.
 */
export const strict: Parser = (kind, body) => schemas[kind].parse(body);
