import { z } from 'zod/mini';
import { Audience, Cursor, Id, Limit, PictureUrl, Role, Line, Text } from './common.js';
import { MAX_BATCH_READS } from './defaults.js';

/** Thread key: the page's canonical URL or an explicit id chosen by the site. */
export const ThreadKey = Line.check(z.minLength(1), z.maxLength(512), z.trim());

export const CommentListQuery = z.strictObject({
  thread: ThreadKey,
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
  /** `useful`: most "useful" reactions first. Replies always follow their parent, oldest first. */
  sort: z.optional(z.enum(['oldest', 'newest', 'useful'])),
});
export type CommentListQuery = z.infer<typeof CommentListQuery>;

/** Longest comment body any site may allow; a site's own limit is `SitePublic.maxCommentLength`. */
export const MAX_COMMENT_LENGTH = 10_000;

export const NewComment = z.strictObject({
  thread: ThreadKey,
  body: Text.check(z.trim(), z.minLength(1), z.maxLength(MAX_COMMENT_LENGTH)),
  parentId: z.optional(z.nullable(Id)),
  /** Title recorded when the thread is created by this comment (the page's title). */
  title: z.optional(Line.check(z.maxLength(300))),
  /** Honeypot: a form field people never see and leave empty; a comment that fills it is refused as automated. */
  website: z.optional(Text.check(z.maxLength(500))),
});
export type NewComment = z.infer<typeof NewComment>;

/** Header carrying a client-chosen key so that a retried post is stored once. */
export const IdempotencyKey = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));

/**
 * Events: upcoming by default (not yet ended, soonest first); `past` for ended ones, latest first;
 * `from`/`to` for those overlapping a range (a month view), soonest first. `chapter` takes several ids, comma-separated.
 */
export const EventListQuery = z.strictObject({
  chapter: z.optional(z.string().check(z.maxLength(1000), z.regex(/^[A-Za-z0-9_.:@,-]*$/))),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
  past: z.optional(z.enum(['0', '1', 'true', 'false'])),
  from: z.optional(z.iso.datetime()),
  to: z.optional(z.iso.datetime()),
});

/** Several GET paths read in one round trip (relative to `/v1/sites/{site}`). */
export const BatchRequest = z.strictObject({
  reads: z.array(Line.check(z.regex(/^\/[^\s]*$/), z.maxLength(2048))).check(z.minLength(1), z.maxLength(MAX_BATCH_READS)),
});
export type BatchRequest = z.infer<typeof BatchRequest>;
export const BatchResponse = z.object({
  results: z.array(z.object({ status: z.int(), body: z.unknown() })),
});
export type BatchResponse = z.infer<typeof BatchResponse>;

/** Claims of the token the host site signs for its signed-in member. */
export const TokenClaims = z.object({
  iss: z.string(),
  sub: Id,
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.int(),
  iat: z.int(),
  nbf: z.optional(z.int()),
  name: z.optional(Line.check(z.trim(), z.minLength(1), z.maxLength(120))),
  picture: z.optional(PictureUrl),
  roles: z.optional(z.array(Role).check(z.maxLength(4))),
  chapters: z.optional(z.array(Id).check(z.maxLength(50))),
  /** Chapters this member moderates (threads whose audience is `chapter:<id>`), short of the site-wide `moderator` role. */
  moderates: z.optional(z.array(Id).check(z.maxLength(50))),
  /** When the member joined the association, as an ISO date (`2019-09-01`): cards say "member since". */
  since: z.optional(z.iso.date()),
  /**
   * `site`: the token speaks for the site itself (its command line, a scheduled job, an administrator's tool without a
   * member account), not for a person. Such a token never creates a member; what it does is recorded "by the site".
   * A `sub` starting with `site:` means the same.
   */
  act: z.optional(z.literal('site')),
  /**
   * The member's mail address, only where the site lets Cercle send mail itself: kept only while the
   * member opts in to mail in their notification preferences.
   */
  email: z.optional(z.email().check(z.maxLength(254))),
  /** The member's language (`fr`, `en-GB`…): what notifications beyond the page are written in by default. */
  locale: z.optional(z.string().check(z.maxLength(35), z.regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$/))),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/** Whether a token speaks for the site itself rather than for one of its members. */
export const isSiteToken = (claims: Pick<TokenClaims, 'sub' | 'act'>) => claims.act === 'site' || claims.sub.startsWith('site:');

/** What `GET /auth/check` says of a token: it verifies, for whom, and whether Cercle has seen that member yet. */
export const TokenCheck = z.object({
  ok: z.literal(true),
  /** The host's member id (`sub`). */
  sub: z.string(),
  /** `site`: the token acts for the site and never creates a member. */
  actor: z.enum(['member', 'site']),
  roles: z.array(Role),
  chapters: z.array(z.string()),
  /** Whether a member with this id is already known (the check itself never creates one). */
  known: z.boolean(),
  expiresAt: z.iso.datetime(),
});
export type TokenCheck = z.infer<typeof TokenCheck>;

export { Audience };
