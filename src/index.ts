/**
 * Cercle: every element registered, and the classes and types for those who
 * build on them.
 */
import './context/define.js';
import './widgets/discussion/define.js';
import './widgets/comment-count/define.js';
import './widgets/member-card/define.js';
import './widgets/member-directory/define.js';
import './widgets/engagement-badge/define.js';
import './widgets/event-feed/define.js';
import './widgets/moderation/define.js';
import './widgets/search/define.js';
import './widgets/notifications/define.js';

export { CercleClient, CercleError, Outbox, TokenKeeper, shallow } from './client/index.js';
export type { ClientOptions, Draft, EventListQuery, Kind, OutboxListener, Parser } from './client/index.js';
export { CercleCommunity, communityContext, type Community, type Session } from './context/index.js';
export { CercleElement } from './internal/element.js';
export { CercleConnected } from './internal/widget.js';
export { CercleDiscussion, type CommentPostedDetail, type CommentSubmitDetail } from './widgets/discussion/discussion.js';
export { CercleCommentCount } from './widgets/comment-count/comment-count.js';
export { CercleEngagementBadge } from './widgets/engagement-badge/engagement-badge.js';
export {
  CercleMemberCard,
  type IntroductionRequestDetail,
  type MemberCardChangeDetail,
  type MemberEraseDetail,
} from './widgets/member-card/member-card.js';
export { CercleMemberDirectory } from './widgets/member-directory/member-directory.js';
export { CercleEventFeed, type RsvpChangeDetail, type RsvpSubmitDetail } from './widgets/event-feed/event-feed.js';
// The organiser tools load on demand (the event feed imports them for organisers): their type only, no code here.
export type { CercleEventOrganiser, EventSavedDetail } from './widgets/event-organiser/event-organiser.js';
export * as events from './client/events.js';
/** Recurring events, check-in and the attendee export, for an association's own organiser pages. */
export * as organisers from './client/organisers.js';
export { cap, fmt, plural, registerLocale, term, warnMissingStrings, type Dictionaries, type TermWords } from './i18n/localize.js';
// Each widget's dictionary, as `registerLocale` takes it (these modules also add the widget to `Dictionaries`).
export type { DiscussionStrings } from './widgets/discussion/strings.js';
export type { CardStrings } from './widgets/member-card/strings.js';
export type { DirectoryStrings } from './widgets/member-directory/strings.js';
export type { EngagementStrings } from './widgets/engagement-badge/strings.js';
export type { FeedStrings } from './widgets/event-feed/strings.js';
export type { ModerationStrings } from './widgets/moderation/strings.js';
export type { SearchStrings } from './widgets/search/strings.js';
export { CercleSearch } from './widgets/search/search.js';
export { CercleModeration, type ModerationActionDetail } from './widgets/moderation/moderation.js';
// <cercle-insights> and <cercle-admin> are not registered here: only the team's pages load them (`insights.js`,
// `admin.js`). Their types are.
export type { CercleInsights } from './widgets/insights/insights.js';
export type { InsightsStrings } from './widgets/insights/strings.js';
export type { CercleAdmin } from './widgets/admin/admin.js';
export type { AdminStrings } from './widgets/admin/strings.js';
export type { NotificationStrings } from './widgets/notifications/strings.js';
export { CercleNotifications } from './widgets/notifications/notifications.js';
