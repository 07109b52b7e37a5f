/** The kinds of resource the client reads; each maps to a contract schema. */
/** Answers of the discussion's writes and lookups. */
export type DiscussionKind = 'reactions' | 'reactors' | 'flag' | 'thread' | 'readMarker' | 'memberList' | 'commentCounts';

/** Answers of moderation and administration. */
export type ModerationKind = 'moderationQueue' | 'bulkResult' | 'sanction' | 'sanctions' | 'adminSettings' | 'auditPage';

/** Answers of the community team's and the admins' tools. */
export type TeamKind =
  'insights' | 'adminChapters' | 'adminChapter' | 'webhookTest' | 'webhooks' | 'webhook' | 'webhookCreated' | 'deliveries';

export type Kind =
  | DiscussionKind
  | ModerationKind
  | TeamKind
  | 'site'
  | 'me'
  | 'member'
  | 'comments'
  | 'comment'
  | 'events'
  | 'batch'
  | 'engagement'
  | 'myEngagement'
  | 'visibility'
  | 'credential'
  | 'members'
  | 'introductions'
  | 'introduction'
  | 'export'
  | 'erased'
  | 'event'
  | 'attendees'
  | 'calendarFeed'
  | 'series'
  | 'checkIn'
  | 'checkIns'
  | 'searchResults'
  | NotificationKind;

/** Answers of the notifications bell. */
export type NotificationKind = 'notifications' | 'notificationCount' | 'notificationPreferences' | 'notificationFeed';

/**
 * Checks (and may transform) a response body of a given kind; throws when it
 * does not fit. `strict` (in `./strict.js`) parses with the contract schemas;
 * the default, `shallow`, only checks that the answer is an object and its
 * list an array, which
 * keeps the schema library out of the page's bundle.
 */
export type Parser = (kind: Kind, body: unknown) => unknown;

/** Lists (comment pages, event pages, batch results) are where a malformed answer would break a widget. */
const lists: Partial<Record<Kind, string>> = {
  moderationQueue: 'items',
  auditPage: 'items',
  sanctions: 'items',
  insights: 'participation',
  adminChapters: 'items',
  webhooks: 'items',
  deliveries: 'items',
  bulkResult: 'results',
  reactions: 'reactions',
  reactors: 'kinds',
  memberList: 'items',
  commentCounts: 'counts',
  engagement: 'badges',
  myEngagement: 'badges',
  comments: 'items',
  events: 'items',
  batch: 'results',
  members: 'items',
  introductions: 'items',
  attendees: 'items',
  series: 'occurrences',
  checkIns: 'items',
  searchResults: 'items',
  notifications: 'items',
};

export const shallow: Parser = (kind, body) => {
  const list = lists[kind];
  if (!body || typeof body !== 'object' || (list && !Array.isArray((body as Record<string, unknown>)[list]))) throw new TypeError(kind);
  return body;
};
