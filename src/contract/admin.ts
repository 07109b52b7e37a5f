import { z } from 'zod/mini';
import { Id, Line, SiteId, Timestamp } from './common.js';
import { CHAPTER_TERMS } from './defaults.js';
import type { RouteSpec } from './route.js';

// ---- chapters ---------------------------------------------------------------------------

/** A chapter id as audiences spell it (`chapter:<id>`). */
export const ChapterId = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/));
export const ChapterNameText = Line.check(z.trim(), z.minLength(1), z.maxLength(80));

export const AdminChapter = z.object({
  id: ChapterId,
  /** The name people read (the site's own language); made from the id until an admin names it. */
  name: z.string(),
  /** The English name, when the site's language is not English; null: the same as `name`. */
  nameEn: z.nullable(z.string()),
  /** Whether an admin named it (false: the name is made from the id). */
  named: z.boolean(),
  /** Host member ids who organise its events. */
  organisers: z.array(z.string()),
  /** Host member ids who moderate its threads (besides tokens carrying a `moderates` claim). */
  moderators: z.array(z.string()),
  updatedAt: z.nullable(Timestamp),
});
export type AdminChapter = z.infer<typeof AdminChapter>;

export const AdminChapterList = z.object({
  items: z.array(AdminChapter),
  /** The word the association uses for its chapters (the `chapterTerm` setting). */
  term: z.enum(CHAPTER_TERMS),
});
export type AdminChapterList = z.infer<typeof AdminChapterList>;

const HostIds = z.array(Id).check(
  z.maxLength(50),
  z.refine((a) => new Set(a).size === a.length, 'Each member once.'),
);

/** Name a chapter (creating it if needed) and set who organises and moderates it. Left out: unchanged. */
export const ChapterUpdate = z.strictObject({
  name: ChapterNameText,
  nameEn: z.optional(z.nullable(ChapterNameText)),
  organisers: z.optional(HostIds),
  moderators: z.optional(HostIds),
});
export type ChapterUpdate = z.infer<typeof ChapterUpdate>;

// ---- webhook test -----------------------------------------------------------------------

/** What the receiver answered a signed `ping` (it is in the delivery log too). */
export const WebhookTestResult = z.object({
  delivered: z.boolean(),
  /** The receiver's HTTP status; null when it could not be reached. */
  status: z.nullable(z.int()),
  /** Why it failed (network error, or the status and the start of the answer). */
  error: z.nullable(z.string()),
  /** How long the receiver took, in milliseconds. */
  ms: z.int(),
  delivery: Id,
});
export type WebhookTestResult = z.infer<typeof WebhookTestResult>;

// ---- insights -----------------------------------------------------------------------------

const Day = z.iso.date();

export const InsightsQuery = z.strictObject({
  /** First day of the period (ISO date); it starts on that week's Monday. Default: twelve weeks ago. */
  from: z.optional(Day),
  /**
   * Last day of the period (ISO date), included. Default: today. At most 53 weeks after `from`. Participation
   * counts whole weeks: the week holding this day counts whole.
   */
  to: z.optional(Day),
  /** One chapter: what happened in its threads and events. */
  chapter: z.optional(ChapterId),
});
export type InsightsQuery = z.infer<typeof InsightsQuery>;

/** One week of participation: distinct members, in all and by way of taking part. */
export const ParticipationWeek = z.object({
  /** The Monday the week starts on (ISO date, UTC). */
  week: Day,
  /** Members who took part in any way. */
  members: z.int(),
  posted: z.int(),
  /** Whose answer someone marked useful. */
  useful: z.int(),
  attended: z.int(),
  introduced: z.int(),
  /** Members who took part for the first time ever this week. */
  newcomers: z.int(),
});
export type ParticipationWeek = z.infer<typeof ParticipationWeek>;

export const UnansweredThread = z.object({
  key: z.string(),
  title: z.nullable(z.string()),
  /** The page it lives on, when the key is its address. */
  url: z.nullable(z.string()),
  openedAt: Timestamp,
  /** When another member first answered (after more than a week), or null. */
  answeredAt: z.nullable(Timestamp),
});

export const EventFill = z.object({
  id: Id,
  title: z.string(),
  startsAt: Timestamp,
  capacity: z.nullable(z.int()),
  /** Places taken by members going and their guests. */
  taken: z.int(),
  going: z.int(),
  /** Members marked present; null until attendance was taken. */
  attended: z.nullable(z.int()),
});
export type EventFill = z.infer<typeof EventFill>;

export const IntroductionWeek = z.object({ week: Day, requested: z.int(), accepted: z.int() });

export const Insights = z.object({
  from: Day,
  to: Day,
  chapter: z.nullable(z.object({ id: ChapterId, name: z.string() })),
  /** The site's chapters, to choose one. */
  chapters: z.array(z.object({ id: ChapterId, name: z.string() })),
  weeks: z.array(Day),
  participation: z.array(ParticipationWeek),
  unanswered: z.object({ count: z.int(), items: z.array(UnansweredThread) }),
  events: z.array(EventFill),
  /** Introductions between members (all chapters: an introduction belongs to none). */
  introductions: z.array(IntroductionWeek),
});
export type Insights = z.infer<typeof Insights>;

// ---- engagement rules preview ---------------------------------------------------------

/** Who would hold each badge under some rules, against who holds it today (counts only). */
export const RulesPreview = z.object({
  /** Members of the site, all counted. */
  members: z.int(),
  badges: z.array(
    z.object({
      id: z.string(),
      /** Members who would hold it (once each, whatever the chapters). */
      holders: z.int(),
      /** Members who hold it today. */
      holdersNow: z.int(),
    }),
  ),
});
export type RulesPreview = z.infer<typeof RulesPreview>;

// ---- routes -----------------------------------------------------------------------------

const SiteParams = z.strictObject({ site: SiteId });

export const adminRoutes = {
  adminChapters: {
    method: 'get',
    path: '/v1/sites/{site}/admin/chapters',
    summary: 'Chapters with their names, organisers and moderators (admins)',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: AdminChapterList, description: 'Every chapter named, organised or holding events.' },
  },
  updateChapter: {
    method: 'put',
    path: '/v1/sites/{site}/admin/chapters/{chapter}',
    summary: 'Name a chapter and set its organisers and moderators (admins)',
    auth: 'required',
    params: z.strictObject({ site: SiteId, chapter: ChapterId }),
    body: ChapterUpdate,
    ok: {
      status: 200,
      schema: AdminChapter,
      description: 'The chapter. A name another chapter bears (in either language) is 409 `chapter.name_taken`.',
    },
  },
  testWebhook: {
    method: 'post',
    path: '/v1/sites/{site}/admin/webhooks/{id}/test',
    summary: 'Send a signed ping to a webhook now and return the answer (admins)',
    auth: 'required',
    params: z.strictObject({ site: SiteId, id: Id }),
    ok: { status: 200, schema: WebhookTestResult, description: "The receiver's answer; the ping is in the delivery log." },
  },
  previewEngagementRules: {
    method: 'post',
    path: '/v1/sites/{site}/engagement/rules/preview',
    summary: 'Who would hold each badge under these rules, before saving them (admins)',
    auth: 'required',
    params: SiteParams,
    body: z.unknown(),
    ok: { status: 200, schema: RulesPreview, description: 'Counts by badge, under the rules sent and today. Nothing is saved.' },
  },
  insights: {
    method: 'get',
    path: '/v1/sites/{site}/insights',
    summary: 'Participation, newcomers, unanswered threads, events and introductions by week (community team)',
    auth: 'required',
    params: SiteParams,
    query: InsightsQuery,
    ok: { status: 200, schema: Insights, description: 'Counts only: nobody is named or ranked.' },
  },
} as const satisfies Record<string, RouteSpec>;
