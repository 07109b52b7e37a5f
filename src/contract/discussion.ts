import { z } from 'zod/mini';
import { Id, SiteId, Timestamp, Line, Text } from './common.js';
import { MAX_COMMENT_LENGTH, ThreadKey } from './requests.js';
import { MAX_COUNT_THREADS } from './defaults.js';
import { Comment, CommentPage, MemberSummary, ReactionCount, Thread } from './resources.js';
import type { RouteSpec } from './route.js';

/** A reaction kind: one of the site's configured set (`SitePublic.reactions`). */
export const ReactionKind = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[a-z][a-z0-9_-]*$/));

export { DEFAULT_REACTIONS } from './defaults.js';
/** The reaction kind that credits the comment's author with `useful.received`. */
export const USEFUL = 'useful';

/** Most members one comment may mention. */
export const MAX_MENTIONS = 10;

export const CommentBody = Text.check(z.trim(), z.minLength(1), z.maxLength(MAX_COMMENT_LENGTH));

export const EditComment = z.strictObject({ body: CommentBody });
export type EditComment = z.infer<typeof EditComment>;

export const NewReaction = z.strictObject({ kind: ReactionKind });
export type NewReaction = z.infer<typeof NewReaction>;

export const FlagReason = z.enum(['spam', 'abuse', 'off_topic', 'personal_data', 'other']);
export type FlagReason = z.infer<typeof FlagReason>;
export const NewFlag = z.strictObject({
  reason: FlagReason,
  /** A few words for the moderators. */
  note: z.optional(Text.check(z.trim(), z.maxLength(500))),
});
export type NewFlag = z.infer<typeof NewFlag>;

export const ModerationAction = z.enum(['hide', 'restore', 'approve']);
export type ModerationAction = z.infer<typeof ModerationAction>;
export const Moderate = z.strictObject({
  action: ModerationAction,
  note: z.optional(Text.check(z.trim(), z.maxLength(500))),
});
export type Moderate = z.infer<typeof Moderate>;

export const ThreadUpdate = z.strictObject({ thread: ThreadKey, locked: z.boolean() });
export type ThreadUpdate = z.infer<typeof ThreadUpdate>;

export const ReadMarker = z.strictObject({
  thread: ThreadKey,
  /** The newest comment time the member has seen; the server's clock when absent. */
  at: z.optional(Timestamp),
});
export type ReadMarker = z.infer<typeof ReadMarker>;
export const ReadMarkerOut = z.object({ thread: z.string(), readAt: Timestamp });
export type ReadMarkerOut = z.infer<typeof ReadMarkerOut>;

export const MentionQuery = z.strictObject({
  thread: ThreadKey,
  q: Line.check(z.trim(), z.minLength(1), z.maxLength(60)),
});
export type MentionQuery = z.infer<typeof MentionQuery>;
export const MemberList = z.object({ items: z.array(MemberSummary) });
export type MemberList = z.infer<typeof MemberList>;

export const CommentReactions = z.object({ comment: Id, reactions: z.array(ReactionCount) });
export type CommentReactions = z.infer<typeof CommentReactions>;

/** Who reacted to a comment, kind by kind (members only). */
export const Reactors = z.object({
  comment: Id,
  kinds: z.array(z.object({ kind: z.string(), members: z.array(MemberSummary) })),
});
export type Reactors = z.infer<typeof Reactors>;

export const Flag = z.object({ comment: Id, reason: FlagReason, createdAt: Timestamp });
export type Flag = z.infer<typeof Flag>;

export { MAX_COUNT_THREADS };

/** `?threads=a&threads=b…`: one thread key, or several by repeating the parameter. */
export const ThreadKeys = z.array(ThreadKey).check(z.minLength(1), z.maxLength(MAX_COUNT_THREADS));
export const CommentCountQuery = z.strictObject({ threads: z.union([ThreadKey, ThreadKeys]) });
export type CommentCountQuery = z.infer<typeof CommentCountQuery>;

/**
 * Published comments of each thread the reader may read (a thread never commented on counts 0);
 * threads the reader may not read are left out.
 */
export const CommentCounts = z.object({ counts: z.array(z.object({ thread: z.string(), count: z.number() })) });
export type CommentCounts = z.infer<typeof CommentCounts>;

const CommentParams = z.strictObject({ site: SiteId, comment: Id });
const SiteParams = z.strictObject({ site: SiteId });

/** The discussion's routes beyond listing and posting (which are in `routes.ts`). */
export const discussionRoutes = {
  editComment: {
    method: 'patch',
    path: '/v1/sites/{site}/comments/{comment}',
    summary: "Edit one's own comment within the site's edit window",
    auth: 'required',
    params: CommentParams,
    body: EditComment,
    ok: { status: 200, schema: Comment, description: 'The comment as stored, with `editedAt`.' },
  },
  deleteComment: {
    method: 'delete',
    path: '/v1/sites/{site}/comments/{comment}',
    summary: "Delete one's own comment: its text is erased, a tombstone keeps replies in place",
    auth: 'required',
    params: CommentParams,
    ok: { status: 200, schema: Comment, description: 'The tombstone.' },
  },
  react: {
    method: 'post',
    path: '/v1/sites/{site}/comments/{comment}/reactions',
    summary: 'React to a comment (once per kind and member)',
    auth: 'required',
    params: CommentParams,
    body: NewReaction,
    ok: { status: 200, schema: CommentReactions, description: "The comment's reaction counts." },
  },
  unreact: {
    method: 'delete',
    path: '/v1/sites/{site}/comments/{comment}/reactions/{kind}',
    summary: "Withdraw one's reaction",
    auth: 'required',
    params: z.strictObject({ site: SiteId, comment: Id, kind: ReactionKind }),
    ok: { status: 200, schema: CommentReactions, description: "The comment's reaction counts." },
  },
  reactors: {
    method: 'get',
    path: '/v1/sites/{site}/comments/{comment}/reactions',
    summary: 'Who reacted to a comment (members only)',
    auth: 'required',
    params: CommentParams,
    ok: { status: 200, schema: Reactors, description: 'The members who reacted, kind by kind.' },
  },
  flagComment: {
    method: 'post',
    path: '/v1/sites/{site}/comments/{comment}/flags',
    summary: 'Flag a comment for the moderators, with a reason',
    auth: 'required',
    params: CommentParams,
    body: NewFlag,
    ok: { status: 201, schema: Flag, description: 'The flag (a member flags a comment once).' },
  },
  moderateComment: {
    method: 'post',
    path: '/v1/sites/{site}/comments/{comment}/moderation',
    summary: 'Hide, restore or approve a comment (moderators)',
    auth: 'required',
    params: CommentParams,
    body: Moderate,
    ok: { status: 200, schema: Comment, description: 'The comment after the action.' },
  },
  updateThread: {
    method: 'patch',
    path: '/v1/sites/{site}/threads',
    summary: 'Lock or unlock a thread (moderators)',
    auth: 'required',
    params: SiteParams,
    body: ThreadUpdate,
    ok: { status: 200, schema: Thread, description: 'The thread.' },
  },
  markRead: {
    method: 'put',
    path: '/v1/sites/{site}/threads/read',
    summary: 'Remember how far the member has read a thread ("new since last visit")',
    auth: 'required',
    params: SiteParams,
    body: ReadMarker,
    ok: { status: 200, schema: ReadMarkerOut, description: 'The stored marker (it never moves back).' },
  },
  commentCounts: {
    method: 'get',
    path: '/v1/sites/{site}/threads/count',
    summary: 'How many published comments each of several threads has, for listing pages',
    auth: 'optional',
    params: SiteParams,
    query: CommentCountQuery,
    ok: {
      status: 200,
      schema: CommentCounts,
      description:
        'One count a thread the reader may read (repeat `threads` for several, up to 100), in the order asked; hidden, held and deleted comments are not counted.',
    },
  },
  mentionCandidates: {
    method: 'get',
    path: '/v1/sites/{site}/mentions',
    summary: 'Members the writer may mention in a thread, by name prefix',
    auth: 'required',
    params: SiteParams,
    query: MentionQuery,
    ok: { status: 200, schema: MemberList, description: 'Up to 8 members who can read the thread.' },
  },
} as const satisfies Record<string, RouteSpec>;

export { Comment, CommentPage };
