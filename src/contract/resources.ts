import { z } from 'zod/mini';
import { CHAPTER_TERMS } from './defaults.js';
import { Audience, Cursor, Id, PictureUrl, Role, SiteId, Timestamp, page } from './common.js';

export const SitePublic = z.object({
  id: SiteId,
  name: z.string(),
  loginUrl: z.nullable(z.string()),
  publicRead: z.boolean(),
  reactions: z.array(z.string()),
  maxCommentLength: z.int(),
  editWindowSeconds: z.int(),
  /** Labels of reaction kinds beyond the defaults, by language (`{ fr: …, en: … }`). */
  reactionLabels: z.optional(z.record(z.string(), z.record(z.string(), z.string()))),
  /** What the association calls its local groups (`chapter` when absent), in every widget and language. */
  chapterTerm: z.optional(z.enum(CHAPTER_TERMS)),
});
export type SitePublic = z.infer<typeof SitePublic>;

export const Chapter = z.object({ id: Id, name: z.string() });
export type Chapter = z.infer<typeof Chapter>;

/** A member as anyone may see them next to their contributions. `id` is the host site's member id. */
export const MemberSummary = z.object({
  id: Id,
  name: z.string(),
  picture: z.nullable(PictureUrl),
  chapters: z.array(Id),
});
export type MemberSummary = z.infer<typeof MemberSummary>;

/** The signed-in member, as `GET /me` returns them. */
export const Me = z.extend(MemberSummary, {
  roles: z.array(Role),
  since: Timestamp,
  /** Chapters whose events the member organises (named by an admin); the organiser tools load for them. */
  organises: z.optional(z.array(Chapter)),
});
export type Me = z.infer<typeof Me>;

export const Thread = z.object({
  key: z.string(),
  title: z.nullable(z.string()),
  audience: Audience,
  locked: z.boolean(),
  commentCount: z.int(),
  createdAt: z.nullable(Timestamp),
});
export type Thread = z.infer<typeof Thread>;

export const ReactionCount = z.object({ kind: z.string(), count: z.int(), mine: z.boolean() });
export type ReactionCount = z.infer<typeof ReactionCount>;

export const CommentStatus = z.enum(['published', 'pending', 'hidden', 'deleted']);
export const Comment = z.object({
  id: Id,
  parentId: z.nullable(Id),
  author: z.nullable(MemberSummary),
  body: z.string(),
  status: CommentStatus,
  createdAt: Timestamp,
  editedAt: z.nullable(Timestamp),
  reactions: z.array(ReactionCount),
  /** Replies nest: 0 for a comment on the thread, 1 for a reply to it, and so on. */
  depth: z.optional(z.int()),
  /** Members mentioned as `@[Name](id)`, with their current names. */
  mentions: z.optional(z.array(MemberSummary)),
  /** The reader has flagged this comment. */
  flagged: z.optional(z.boolean()),
  /** Open flags (moderators only). */
  flagCount: z.optional(z.int()),
  /** Why a pending comment waits for review (its author and moderators only). */
  heldReason: z.optional(z.nullable(z.enum(['premoderation', 'first_post', 'word', 'spam']))),
});
export type Comment = z.infer<typeof Comment>;

/**
 * One page of a thread: top-level comments in the requested order, each followed by its replies
 * (oldest first). `next` pages through top-level comments.
 */
export const CommentPage = z.object({
  thread: Thread,
  items: z.array(Comment),
  next: z.nullable(Cursor),
  /** The reader may moderate this thread (hide, restore, approve, lock). */
  moderator: z.optional(z.boolean()),
  /** The reader's previous visit: comments after it are new to them. Null on a first visit. */
  lastVisitAt: z.optional(z.nullable(Timestamp)),
  /** Comments waiting for review (moderators only). */
  pendingCount: z.optional(z.int()),
});
export type CommentPage = z.infer<typeof CommentPage>;

export const RsvpStatus = z.enum(['going', 'maybe', 'declined', 'waitlist']);
export type RsvpStatus = z.infer<typeof RsvpStatus>;

/** The reader's own answer to an event. */
export const MyRsvp = z.object({
  status: RsvpStatus,
  /** Guests the member brings (counted in the places taken when going). */
  guests: z.int(),
  /** 1-based place in the waitlist; `null` unless waitlisted. */
  position: z.nullable(z.int()),
  /** When a place freed up and the member moved from the waitlist to going, until they acknowledge it. */
  promotedAt: z.nullable(Timestamp),
  updatedAt: Timestamp,
});
export type MyRsvp = z.infer<typeof MyRsvp>;

/**
 * An event as this reader may see it. Times are UTC instants; `timeZone` is the IANA zone the
 * event happens in. `onlineUrl` is revealed only to members going and to organisers.
 */
export const Event = z.object({
  id: Id,
  chapter: z.nullable(Chapter),
  title: z.string(),
  description: z.string(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  timeZone: z.string(),
  place: z.nullable(z.string()),
  /** The event's page on the host site, when the organiser gave one. */
  url: z.nullable(z.string()),
  online: z.boolean(),
  onlineUrl: z.nullable(z.string()),
  /** Places in all (members and their guests); `null` = no limit. */
  capacity: z.nullable(z.int()),
  /** Members going. */
  going: z.int(),
  /** Places taken: members going and their guests. */
  taken: z.int(),
  /** `capacity - taken`, never below 0; `null` without a limit. */
  placesLeft: z.nullable(z.int()),
  maybe: z.int(),
  waitlist: z.int(),
  /** Guests a member may bring (0 = none). */
  maxGuests: z.int(),
  rsvpDeadline: z.nullable(Timestamp),
  /** Whether answers are still taken now (not cancelled, not started, before the deadline). */
  rsvpOpen: z.boolean(),
  organiser: z.nullable(MemberSummary),
  audience: Audience,
  cancelled: z.boolean(),
  cancelledAt: z.nullable(Timestamp),
  cancelReason: z.nullable(z.string()),
  /** Revision number, as the calendar files' SEQUENCE. */
  sequence: z.int(),
  updatedAt: Timestamp,
  myRsvp: z.nullable(MyRsvp),
  /** Whether the reader may edit, cancel and mark attendance. */
  canManage: z.boolean(),
  /**
   * The series this event is one occurrence of: `occurrence` is the instant its rule gave it (the
   * calendars' RECURRENCE-ID), unchanged when the occurrence is moved. Absent or `null` for a one-off.
   */
  series: z.optional(z.nullable(z.object({ id: Id, occurrence: Timestamp }))),
});
export type Event = z.infer<typeof Event>;
export const EventPage = page(Event);
export type EventPage = z.infer<typeof EventPage>;

export const Rsvp = z.object({ eventId: Id, status: RsvpStatus, guests: z.int(), updatedAt: Timestamp });
export type Rsvp = z.infer<typeof Rsvp>;

// Engagement (levels, badges, awards) lives in engagement.ts.

export const Health = z.object({ ok: z.literal(true), database: z.enum(['sqlite', 'postgres']) });
