import { z } from 'zod/mini';
import { Cursor, HttpUrl, Id, Limit, PictureUrl, Role, SiteId, Timestamp, page, Line, Text, oneLine } from './common.js';
import { Chapter, MemberSummary, RsvpStatus } from './resources.js';
import { NotificationExport } from './notifications.js';
import type { RouteSpec } from './route.js';

/**
 * Who may see one field of a member's card: anyone who may read the site,
 * signed-in members, members who share one of the member's chapters, or the
 * member alone. The server leaves out of every answer what the reader may not see.
 */
export const Visibility = z.enum(['public', 'members', 'chapter', 'private']);
export type Visibility = z.infer<typeof Visibility>;

/** The fields a member writes on their card, each with its own visibility. */
export const PROFILE_FIELDS = [
  'headline',
  'company',
  'associationRole',
  'expertise',
  'bio',
  'website',
  'linkedin',
  'phone',
  'email',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Fields that can be shared with one member through an accepted introduction. */
export const CONTACT_FIELDS = ['email', 'phone', 'website', 'linkedin'] as const;
export const ContactField = z.enum(CONTACT_FIELDS);
export type ContactField = z.infer<typeof ContactField>;

/** Fields the host site owns (from its token): shown on the card, edited on the host site, never here. */
export const HOST_FIELDS = ['name', 'picture', 'chapters'] as const;

/**
 * Visibility of each field, plus `listed`: who finds the member in the directory
 * (`GET /members?q=`). A member set to `private` everywhere is listed to no one.
 */
export const VisibilitySettings = z.object({
  headline: Visibility,
  company: Visibility,
  associationRole: Visibility,
  expertise: Visibility,
  bio: Visibility,
  website: Visibility,
  linkedin: Visibility,
  phone: Visibility,
  email: Visibility,
  listed: Visibility,
});
export type VisibilitySettings = z.infer<typeof VisibilitySettings>;

/** Privacy first: work details to members, contact details to no one until the member says otherwise. */
export const DEFAULT_VISIBILITY: VisibilitySettings = {
  headline: 'members',
  company: 'members',
  associationRole: 'members',
  expertise: 'members',
  bio: 'members',
  website: 'members',
  linkedin: 'members',
  phone: 'private',
  email: 'private',
  listed: 'members',
};

export const LIMITS = {
  headline: 120,
  company: 120,
  associationRole: 120,
  bio: 1000,
  tag: 40,
  tags: 12,
  phone: 30,
  email: 254,
  message: 500,
  query: 100,
} as const;

const text = (max: number) => Line.check(z.trim(), z.maxLength(max));
const paragraphs = (max: number) => Text.check(z.trim(), z.maxLength(max));
/** An optional text field: `null` or an empty string clears it. */
const clearable = <T extends z.ZodMiniType>(s: T) => z.nullable(s);

export const ExpertiseTag = Line.check(z.trim(), z.minLength(1), z.maxLength(LIMITS.tag), z.regex(/^[^<>\n\r\t]+$/));
export const Phone = z
  .string()
  .check(z.trim(), z.maxLength(LIMITS.phone), z.regex(/^\+?[0-9][0-9 ().-]{4,28}[0-9]$/, 'Digits, spaces and + ( ) . - only.'));
export const Email = z.email().check(z.maxLength(LIMITS.email));
/** A LinkedIn profile or company page (https://…linkedin.com/…). */
export const LinkedInUrl = z.url({ protocol: /^https$/, hostname: /^([a-z0-9-]+\.)*linkedin\.com$/ }).check(z.maxLength(500), oneLine);

/** What the reader may see of a member's own fields; a field left out is empty or not shared with this reader. */
export const Profile = z.object({
  headline: z.optional(z.string()),
  company: z.optional(z.string()),
  associationRole: z.optional(z.string()),
  expertise: z.optional(z.array(z.string())),
  bio: z.optional(z.string()),
  website: z.optional(HttpUrl),
  linkedin: z.optional(HttpUrl),
  phone: z.optional(z.string()),
  email: z.optional(z.string()),
});
export type Profile = z.infer<typeof Profile>;

export const IntroductionStatus = z.enum(['pending', 'accepted', 'declined']);
export type IntroductionStatus = z.infer<typeof IntroductionStatus>;

/** Where the reader stands with this member: no request, or the latest one between them. */
export const IntroductionState = z.object({
  id: Id,
  status: IntroductionStatus,
  /** `sent`: the reader asked; `received`: the member asked the reader. */
  direction: z.enum(['sent', 'received']),
});
export type IntroductionState = z.infer<typeof IntroductionState>;

/**
 * A member's card as this reader may see it. `id` is the host site's member id.
 * Name, picture and chapters come from the host site's token (`HOST_FIELDS`).
 */
export const MemberCard = z.extend(MemberSummary, {
  chapterDetails: z.array(Chapter),
  roles: z.array(Role),
  /** When the member first signed in here. */
  since: Timestamp,
  /** When the member joined the association (ISO date), from the host site's token; null when it never said. */
  memberSince: z.nullable(z.iso.date()),
  profile: Profile,
  /** Fields present in `profile` only because the member shared them with the reader in an introduction. */
  sharedWithYou: z.array(ContactField),
  /** True when the reader is this member. */
  self: z.boolean(),
  /** The member's visibility settings: present only for the member themself. */
  visibility: z.optional(VisibilitySettings),
  introduction: z.nullable(IntroductionState),
});
export type MemberCard = z.infer<typeof MemberCard>;

export const MemberPage = page(MemberCard);
export type MemberPage = z.infer<typeof MemberPage>;

/** `me` names the signed-in member. */
export const MemberRef = z.union([z.literal('me'), Id]);

export const MAX_IDS = 50;
export const MemberIds = z.string().check(
  z.maxLength(MAX_IDS * 129),
  z.regex(/^[A-Za-z0-9_.:@-]{1,128}(,[A-Za-z0-9_.:@-]{1,128})*$/, 'Comma-separated member ids.'),
  z.refine((s) => s.split(',').length <= MAX_IDS, `At most ${MAX_IDS} ids.`),
);

/**
 * Directory search, or a batch of cards by id. `q` matches the name and the fields
 * this reader may see (accents and case ignored); `chapter` and `expertise` filter.
 * With `ids`, the cards of those members in that order (unknown ids left out) and no other filter.
 */
export const MemberListQuery = z.strictObject({
  q: z.optional(Line.check(z.trim(), z.maxLength(LIMITS.query))),
  chapter: z.optional(Id),
  expertise: z.optional(Line.check(z.trim(), z.maxLength(LIMITS.tag))),
  ids: z.optional(MemberIds),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
});
export type MemberListQuery = z.infer<typeof MemberListQuery>;

/**
 * Changes to my card: only the fields sent change. `null` or `""` clears a field.
 * `visibility` may name only some fields.
 */
export const ProfilePatch = z.strictObject({
  headline: z.optional(clearable(text(LIMITS.headline))),
  company: z.optional(clearable(text(LIMITS.company))),
  associationRole: z.optional(clearable(text(LIMITS.associationRole))),
  expertise: z.optional(z.array(ExpertiseTag).check(z.maxLength(LIMITS.tags))),
  bio: z.optional(clearable(paragraphs(LIMITS.bio))),
  website: z.optional(clearable(z.union([z.literal(''), HttpUrl]))),
  linkedin: z.optional(clearable(z.union([z.literal(''), LinkedInUrl]))),
  phone: z.optional(clearable(z.union([z.literal(''), Phone]))),
  email: z.optional(clearable(z.union([z.literal(''), Email]))),
  visibility: z.optional(z.partial(z.strictObject(VisibilitySettings.shape))),
});
export type ProfilePatch = z.infer<typeof ProfilePatch>;

// ---- introductions -------------------------------------------------------------

/** Contact details one member shared with the other through an introduction. */
export const ContactDetails = z.object({
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  website: z.optional(z.string()),
  linkedin: z.optional(z.string()),
});
export type ContactDetails = z.infer<typeof ContactDetails>;

export const Introduction = z.object({
  id: Id,
  /** `sent`: the reader asked; `received`: the reader is asked. */
  direction: z.enum(['sent', 'received']),
  from: MemberSummary,
  to: MemberSummary,
  message: z.string(),
  status: IntroductionStatus,
  createdAt: Timestamp,
  answeredAt: z.nullable(Timestamp),
  /**
   * The other member's details shared with the reader: for a request received, what the
   * requester offered; for a request sent, what the recipient chose on accepting (empty before).
   */
  contact: ContactDetails,
});
export type Introduction = z.infer<typeof Introduction>;

export const IntroductionPage = page(Introduction);
export type IntroductionPage = z.infer<typeof IntroductionPage>;

export const IntroductionListQuery = z.strictObject({
  status: z.optional(IntroductionStatus),
  cursor: z.optional(Cursor),
  limit: z.optional(Limit),
});

const Share = z.array(ContactField).check(
  z.maxLength(CONTACT_FIELDS.length),
  z.refine((a) => new Set(a).size === a.length, 'Each field once.'),
);

export const NewIntroduction = z.strictObject({
  to: Id,
  message: Text.check(z.trim(), z.minLength(1), z.maxLength(LIMITS.message)),
  /** My contact details the recipient may see with my request. */
  share: z.optional(Share),
});
export type NewIntroduction = z.infer<typeof NewIntroduction>;

export const IntroductionAnswer = z.strictObject({
  /** My contact details the requester may see from now on (at least one). */
  share: Share.check(z.minLength(1)),
});
export type IntroductionAnswer = z.infer<typeof IntroductionAnswer>;

/** The most requests a member may have waiting for an answer at once. */
export const MAX_PENDING_INTRODUCTIONS = 20;

// ---- my data -------------------------------------------------------------------

/** Everything Cercle holds about the signed-in member, as a download. */
export const MemberExport = z.object({
  exportedAt: Timestamp,
  site: SiteId,
  member: z.object({
    id: Id,
    name: z.string(),
    picture: z.nullable(PictureUrl),
    roles: z.array(Role),
    chapters: z.array(Id),
    since: Timestamp,
  }),
  profile: z.object({
    headline: z.nullable(z.string()),
    company: z.nullable(z.string()),
    associationRole: z.nullable(z.string()),
    expertise: z.array(z.string()),
    bio: z.nullable(z.string()),
    website: z.nullable(z.string()),
    linkedin: z.nullable(z.string()),
    phone: z.nullable(z.string()),
    email: z.nullable(z.string()),
    visibility: VisibilitySettings,
  }),
  comments: z.array(
    z.object({
      id: Id,
      thread: z.string(),
      parentId: z.nullable(Id),
      body: z.string(),
      status: z.string(),
      createdAt: Timestamp,
      editedAt: z.nullable(Timestamp),
      deletedAt: z.nullable(Timestamp),
    }),
  ),
  rsvps: z.array(z.object({ eventId: Id, event: z.string(), status: RsvpStatus, guests: z.int(), updatedAt: Timestamp })),
  introductions: z.array(
    z.object({
      id: Id,
      direction: z.enum(['sent', 'received']),
      with: Id,
      message: z.string(),
      status: IntroductionStatus,
      sharedByMe: z.array(ContactField),
      createdAt: Timestamp,
      answeredAt: z.nullable(Timestamp),
    }),
  ),
  activities: z.array(z.object({ kind: z.string(), ref: z.string(), at: Timestamp })),
  /** Notifications kept for me, my preferences (with the mail address while opted in) and the threads I follow. */
  notifications: z.optional(NotificationExport),
});
export type MemberExport = z.infer<typeof MemberExport>;

export const EraseRequest = z.strictObject({
  /** `anonymize`: my comments stay as anonymous tombstones without their text; `delete`: they are removed. */
  comments: z.enum(['anonymize', 'delete']),
  /** Must be `true`: erasing cannot be undone. */
  confirm: z.literal(true),
});
export type EraseRequest = z.infer<typeof EraseRequest>;

export const EraseResult = z.object({
  erased: z.literal(true),
  comments: z.object({ anonymized: z.int(), deleted: z.int() }),
  rsvps: z.int(),
  introductions: z.int(),
  /** Notifications, preferences and follows removed. */
  notifications: z.optional(z.int()),
});
export type EraseResult = z.infer<typeof EraseResult>;

// ---- routes --------------------------------------------------------------------

const SiteParams = z.strictObject({ site: SiteId });
const MemberParams = z.strictObject({ site: SiteId, member: MemberRef });
const IntroParams = z.strictObject({ site: SiteId, id: Id });

/** Member cards, the directory, introductions and my data. Spread into `routes`. */
export const memberRoutes = {
  member: {
    method: 'get',
    path: '/v1/sites/{site}/members/{member}',
    summary: "A member's card as this reader may see it (`me`: the signed-in member)",
    auth: 'optional',
    params: MemberParams,
    ok: { status: 200, schema: MemberCard, description: 'The card, holding only the fields this reader may see.' },
  },
  listMembers: {
    method: 'get',
    path: '/v1/sites/{site}/members',
    summary: 'Search the member directory, or read several cards by id',
    auth: 'optional',
    params: SiteParams,
    query: MemberListQuery,
    ok: { status: 200, schema: MemberPage, description: 'Cards in name order (or in the order of `ids`).' },
  },
  updateMember: {
    method: 'patch',
    path: '/v1/sites/{site}/members/{member}',
    summary: 'Edit my card: fields and their visibility',
    auth: 'required',
    params: MemberParams,
    body: ProfilePatch,
    ok: { status: 200, schema: MemberCard, description: 'My card as stored.' },
  },
  exportMember: {
    method: 'get',
    path: '/v1/sites/{site}/members/me/export',
    summary: 'Everything Cercle holds about me, as JSON',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: MemberExport, description: 'My data (sent as an attachment).' },
  },
  eraseMember: {
    method: 'post',
    path: '/v1/sites/{site}/members/me/erase',
    summary: 'Erase my data: card, RSVPs, introductions, ledger; comments anonymized or deleted',
    auth: 'required',
    params: SiteParams,
    body: EraseRequest,
    ok: { status: 200, schema: EraseResult, description: 'What was erased.' },
  },
  listIntroductions: {
    method: 'get',
    path: '/v1/sites/{site}/introductions',
    summary: 'Introductions I asked for or was asked for, newest first',
    auth: 'required',
    params: SiteParams,
    query: IntroductionListQuery,
    ok: { status: 200, schema: IntroductionPage, description: 'One page of introductions.' },
  },
  requestIntroduction: {
    method: 'post',
    path: '/v1/sites/{site}/introductions',
    summary: 'Ask to be introduced to a member, with a message',
    auth: 'required',
    params: SiteParams,
    body: NewIntroduction,
    ok: { status: 201, schema: Introduction, description: 'The request, waiting for an answer.' },
  },
  acceptIntroduction: {
    method: 'post',
    path: '/v1/sites/{site}/introductions/{id}/accept',
    summary: 'Accept a request addressed to me, choosing the details to share',
    auth: 'required',
    params: IntroParams,
    body: IntroductionAnswer,
    ok: { status: 200, schema: Introduction, description: 'The accepted introduction.' },
  },
  declineIntroduction: {
    method: 'post',
    path: '/v1/sites/{site}/introductions/{id}/decline',
    summary: 'Decline a request addressed to me',
    auth: 'required',
    params: IntroParams,
    body: z.strictObject({}),
    ok: { status: 200, schema: Introduction, description: 'The declined request.' },
  },
} as const satisfies Record<string, RouteSpec>;
