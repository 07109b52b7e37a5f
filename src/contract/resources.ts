import { z } from 'zod/mini';
import { Audience, Cursor, Id, PictureUrl, Role, SiteId, Timestamp, page } from './common.js';

export const SitePublic = z.object({
  id: SiteId,
  name: z.string(),
  loginUrl: z.nullable(z.string()),
  publicRead: z.boolean(),
  reactions: z.array(z.string()),
  maxCommentLength: z.int(),
  editWindowSeconds: z.int(),
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
});
export type Comment = z.infer<typeof Comment>;

export const CommentPage = z.object({ thread: Thread, items: z.array(Comment), next: z.nullable(Cursor) });
export type CommentPage = z.infer<typeof CommentPage>;

export const RsvpStatus = z.enum(['going', 'maybe', 'declined', 'waitlist']);
export type RsvpStatus = z.infer<typeof RsvpStatus>;

export const Event = z.object({
  id: Id,
  chapter: z.nullable(Chapter),
  title: z.string(),
  description: z.string(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  timeZone: z.string(),
  place: z.nullable(z.string()),
  online: z.boolean(),
  capacity: z.nullable(z.int()),
  going: z.int(),
  audience: Audience,
  cancelled: z.boolean(),
  myRsvp: z.nullable(RsvpStatus),
});
export type Event = z.infer<typeof Event>;
export const EventPage = page(Event);
export type EventPage = z.infer<typeof EventPage>;

export const Rsvp = z.object({ eventId: Id, status: RsvpStatus, guests: z.int(), updatedAt: Timestamp });
export type Rsvp = z.infer<typeof Rsvp>;

// Engagement (levels, badges, awards) lives in engagement.ts.

export const Health = z.object({ ok: z.literal(true), database: z.enum(['sqlite', 'postgres']) });
