import { z } from 'zod/mini';

/**
 * The rule every string a request carries obeys: no C0 control character (NUL cannot be stored by
 * PostgreSQL, the others are invisible tricks), no DEL, no lone UTF-16 surrogate (not Unicode: it would
 * be stored as U+FFFD). `multiLine` lets tab and line breaks through, for text written in a text area.
 * Regexes with the `u` flag see a surrogate pair as one code point, so emoji and other astral
 * characters pass and only unpaired halves match the `\uD800-\uDFFF` range.
 */
export const oneLine = z.regex(/^[^\u0000-\u001F\u007F\uD800-\uDFFF]*$/u, 'Control characters (NUL, line breaks, …) are not allowed here.');
export const multiLine = z.regex(
  /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF]*$/u,
  'Control characters (such as NUL) are not allowed.',
);
/** A string on one line: add length and trimming checks with `Line.check(…)`. */
export const Line = z.string().check(oneLine);
/** A string that may span lines (tab, CR and LF allowed). */
export const Text = z.string().check(multiLine);

/** Identifier chosen by Cercle or by the host site: letters, digits, `_`, `-`, `.`, `:`, `@`. */
export const Id = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:@-]+$/));
export const SiteId = z.string().check(z.minLength(2), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/));
export const Timestamp = z.iso.datetime();
export const HttpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).check(z.maxLength(2048), oneLine);
/** Looser URL check for pictures, which may live on localhost during development. */
export const PictureUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048), oneLine);

/**
 * Roles a token may carry. `community`: the community team, who read the insights (as admins and moderators do)
 * without moderating or administering anything.
 */
export const Role = z.enum(['member', 'moderator', 'admin', 'community']);
export type Role = z.infer<typeof Role>;

/**
 * Who may see a thread or an event: everyone, signed-in members, members of a
 * chapter, or holders of a role.
 */
export const Audience = z.union([
  z.literal('public'),
  z.literal('members'),
  z.templateLiteral(['chapter:', z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/))]),
  z.templateLiteral(['role:', Role]),
]);
export type Audience = z.infer<typeof Audience>;

/** Opaque pagination cursor (base64url); `null` when there is nothing more. */
export const Cursor = z.string().check(z.maxLength(256), z.regex(/^[A-Za-z0-9_-]+$/));

export const Limit = z
  .pipe(z.union([z.number(), z.string().check(z.regex(/^\d{1,4}$/))]), z.transform(Number))
  .check(z.int(), z.gte(1), z.lte(100));

/** RFC 9457 problem details with a stable machine-readable `code`. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  code: z.string(),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  /** For `member.muted` and `member.banned`: the sanction that refuses the write, so a widget can say why and until when. */
  sanction: z.optional(
    z.object({
      kind: z.enum(['mute', 'ban']),
      reason: z.string(),
      /** When it ends; `null` until a moderator lifts it. */
      endsAt: z.nullable(z.string()),
      chapter: z.nullable(z.string()),
    }),
  ),
  /** For `rules.confirm_required`: who would hold each badge under the rules sent, against today. */
  preview: z.optional(
    z.object({
      members: z.int(),
      badges: z.array(z.object({ id: z.string(), holders: z.int(), holdersNow: z.int() })),
    }),
  ),
});
export type Problem = z.infer<typeof Problem>;

export const page = <T extends z.ZodMiniType>(item: T) => z.object({ items: z.array(item), next: z.nullable(Cursor) });

/**
 * What the engagement ledger records: contributions, never mere clicks. Each (member, kind, ref)
 * is recorded once, so a retry or a replay never counts twice.
 */
export const ActivityKind = z.enum([
  'comment.posted',
  'reply.received',
  'useful.received',
  'event.attended',
  'event.hosted',
  'introduction.made',
  'introduction.accepted',
  'chapter.first_contribution',
]);
export type ActivityKind = z.infer<typeof ActivityKind>;
