/**
 * Member cards, the directory, introductions and my data over the typed client: one function a remote
 * call, so that only the entries with member cards carry them.
 */
import type {
  ContactField,
  EraseRequest,
  EraseResult,
  Introduction,
  IntroductionPage,
  MemberCard,
  MemberExport,
  MemberPage,
  NewIntroduction,
  ProfilePatch,
} from '../contract/members.js';
import type { CercleClient } from './client.js';
import { seg, withQuery } from './path.js';

export interface DirectoryQuery {
  q?: string;
  chapter?: string;
  expertise?: string;
  cursor?: string | null;
}

/** One page of the directory: the members this reader may find, by name or by the fields they show. */
export const searchMembers = (c: CercleClient, q: DirectoryQuery = {}): Promise<MemberPage> =>
  c.read(withQuery('/members', { q: q.q, chapter: q.chapter, expertise: q.expertise, cursor: q.cursor }), 'members');

/** The cards of several members, in that order (unknown ids left out). */
export const membersById = (c: CercleClient, ids: string[]): Promise<MemberPage> =>
  c.read('/members?ids=' + ids.map(encodeURIComponent).join(','), 'members');

/** One member's card (`me`: the signed-in member's own). */
export const getMember = (c: CercleClient, id: string): Promise<MemberCard> => c.read('/members' + seg(id), 'member');

/** Changes my card: only the fields sent change. */
export const updateMyCard = (c: CercleClient, patch: ProfilePatch): Promise<MemberCard> => c.write('PATCH', '/members/me', patch, 'member');

/** Introductions I sent or received, newest first. */
export const listIntroductions = (c: CercleClient, limit = 50): Promise<IntroductionPage> =>
  c.read(withQuery('/introductions', { limit }), 'introductions');

/** Asks a member for an introduction, with my contact details they may see. */
export const requestIntroduction = (c: CercleClient, request: NewIntroduction): Promise<Introduction> =>
  c.write('POST', '/introductions', request, 'introduction');

/** Accepts a request addressed to me, sharing `share`; `null` declines it. */
export const answerIntroduction = (c: CercleClient, id: string, share: ContactField[] | null): Promise<Introduction> =>
  c.write('POST', '/introductions' + seg(id) + (share ? '/accept' : '/decline'), share ? { share } : {}, 'introduction');

/** Everything Cercle holds about me, as one document. */
export const exportMyData = (c: CercleClient): Promise<MemberExport> => c.read('/members/me/export', 'export');

/** Erases me: my card, answers and introductions; my comments anonymised or deleted. */
export const eraseMe = (c: CercleClient, comments: EraseRequest['comments']): Promise<EraseResult> =>
  c.write('POST', '/members/me/erase', { comments, confirm: true }, 'erased');
