/**
 * Levels, badges and credentials over the typed client: one function a remote call, so that only the
 * entries with an engagement badge carry them.
 */
import type { CredentialRequest, Engagement, EngagementVisibility, MyEngagement } from '../contract/engagement.js';
import type { CercleClient } from './client.js';
import { seg, withQuery } from './path.js';

/** The signed-in member's level and badges, with the reasons and what comes next. */
export const myEngagement = (c: CercleClient): Promise<MyEngagement> => c.read('/engagement/me', 'myEngagement');

/** A member's level and badges; `full` adds their progress. */
export const memberEngagement = (c: CercleClient, member: string, view?: 'full'): Promise<Engagement> =>
  c.read(withQuery('/engagement/members' + seg(member), { view }), 'engagement');

/** Shows or hides my level and badges to others. */
export const setEngagementHidden = (c: CercleClient, hidden: boolean): Promise<EngagementVisibility> =>
  c.write('PUT', '/engagement/me/visibility', { hidden }, 'visibility');

/** One of my badges as a signed Open Badges credential (a JSON-LD document to keep or share). */
export const badgeCredential = (c: CercleClient, badge: string, request: CredentialRequest): Promise<{ name: string }> =>
  c.write('POST', '/engagement/members/me/badges' + seg(badge) + '/credential', request, 'credential');
