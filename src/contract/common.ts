import { z } from 'zod/mini';

/** Identifier chosen by Cercle or by the host site: letters, digits, `_`, `-`, `.`, `:`, `@`. */
export const Id = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:@-]+$/));
export const SiteId = z.string().check(z.minLength(2), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/));
export const Timestamp = z.iso.datetime();
export const HttpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).check(z.maxLength(2048));
/** Looser URL check for pictures, which may live on localhost during development. */
export const PictureUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048));

export const Role = z.enum(['member', 'moderator', 'admin']);
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

export const Limit = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\d{1,4}$/))]),
  z.transform(Number),
).check(z.int(), z.gte(1), z.lte(100));

/** RFC 9457 problem details with a stable machine-readable `code`. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  code: z.string(),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});
export type Problem = z.infer<typeof Problem>;

export const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), next: z.nullable(Cursor) });

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
