import { z } from 'zod/mini';
import { ActivityKind, Id, SiteId, Timestamp, Line, Text } from './common.js';
import { MemberSummary } from './resources.js';
import type { RouteSpec } from './route.js';

/**
 * Engagement: levels and badges computed from the activity ledger by declarative, per-site rules.
 *
 * A rule set is JSON the association may tune. Each level and badge has a `requires` condition:
 * - `{ "count": "useful.received", "atLeast": 10 }` — at least 10 such activities, ever;
 * - `{ "count": ["comment.posted", "event.hosted"], "atLeast": 3, "withinDays": 90 }` — 3 of them
 *   within some span of 90 days;
 * - `{ "all": [ … ] }`, `{ "any": [ … ] }` — combinations;
 * - `{ "badge": "hote" }`, `{ "level": "pilier" }` — holding another badge or level.
 * Levels are ordered: reaching one also needs the one before. A badge with `"scope": "chapter"`
 * counts only the activities of one chapter and is awarded once per chapter.
 * Everything is "earned once, kept while the ledger supports it": recomputing from the ledger
 * always gives the same awards and the same dates.
 */

/** Text in both languages of the kit. */
export const LocalizedText = z.strictObject({
  fr: Line.check(z.trim(), z.minLength(1), z.maxLength(200)),
  en: Line.check(z.trim(), z.minLength(1), z.maxLength(200)),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

export const LongLocalizedText = z.strictObject({
  fr: Text.check(z.trim(), z.maxLength(1000)),
  en: Text.check(z.trim(), z.maxLength(1000)),
});

/** Icons the widget draws itself (no image URLs: nothing to fetch, nothing to inject). */
export const BadgeIcon = z.enum([
  'spark',
  'lightbulb',
  'calendar',
  'handshake',
  'home',
  'star',
  'pin',
  'chat',
  'medal',
  'heart',
  'compass',
]);
export type BadgeIcon = z.infer<typeof BadgeIcon>;

/** Rule and level ids: lower-case words joined by `-`. */
export const RuleId = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and "-".'));

export interface Condition {
  count?: ActivityKind | ActivityKind[];
  atLeast?: number;
  withinDays?: number;
  all?: Condition[];
  any?: Condition[];
  badge?: string;
  level?: string;
}

const SHAPES = ['count', 'all', 'any', 'badge', 'level'] as const;

/** One condition: exactly one of `count` (with `atLeast`), `all`, `any`, `badge`, `level`. */
export const Condition: z.ZodMiniType<Condition> = z
  .strictObject({
    count: z.optional(z.union([ActivityKind, z.array(ActivityKind).check(z.minLength(1), z.maxLength(8))])),
    atLeast: z.optional(z.int().check(z.gte(1, 'Must be at least 1.'), z.lte(1_000_000))),
    withinDays: z.optional(z.int().check(z.gte(1, 'Must be at least 1 day.'), z.lte(3660))),
    get all() {
      return z.optional(z.array(z.lazy(() => Condition)).check(z.minLength(1), z.maxLength(20)));
    },
    get any() {
      return z.optional(z.array(z.lazy(() => Condition)).check(z.minLength(1), z.maxLength(20)));
    },
    badge: z.optional(RuleId),
    level: z.optional(RuleId),
  })
  .check(
    z.refine(
      (c) => SHAPES.filter((k) => c[k] !== undefined).length === 1,
      'A condition has exactly one of "count", "all", "any", "badge" or "level".',
    ),
  )
  .check(z.refine((c) => (c.count === undefined) === (c.atLeast === undefined), '"count" goes with "atLeast" (how many).'))
  .check(z.refine((c) => c.withinDays === undefined || c.count !== undefined, '"withinDays" only applies to a "count".'));
// Named, so that the API description calls the recursive definition by its name.
z.globalRegistry.add(Condition, { id: 'EngagementCondition' });

export const LevelRule = z.strictObject({
  id: RuleId,
  name: LocalizedText,
  description: z.optional(LongLocalizedText),
  /** The first level has none: every member starts there. */
  requires: z.optional(Condition),
});
export type LevelRule = z.infer<typeof LevelRule>;

export const BadgeRule = z.strictObject({
  id: RuleId,
  name: LocalizedText,
  description: LongLocalizedText,
  icon: BadgeIcon,
  /** `chapter`: counts activities chapter by chapter; awarded once per chapter. */
  scope: z.optional(z.enum(['site', 'chapter'])),
  requires: Condition,
});
export type BadgeRule = z.infer<typeof BadgeRule>;

export const RuleSet = z.strictObject({
  /** From the lowest to the highest. */
  levels: z.array(LevelRule).check(z.minLength(1), z.maxLength(12)),
  badges: z.array(BadgeRule).check(z.maxLength(100)),
  /** Leaderboards are off unless the site turns on a chapter "recently active" list. */
  recentlyActive: z.optional(
    z.strictObject({
      enabled: z.boolean(),
      days: z.int().check(z.gte(1), z.lte(365)),
      size: z.int().check(z.gte(1), z.lte(50)),
    }),
  ),
});
export type RuleSet = z.infer<typeof RuleSet>;

export interface RuleError {
  path: string;
  message: string;
}

/**
 * Validates a rule set: its shape (through the schema), then what a schema cannot say — unknown
 * references, duplicate ids, requirements that go round in a circle. Every message names the rule.
 */
export function validateRuleSet(input: unknown): { ok: true; rules: RuleSet } | { ok: false; errors: RuleError[] } {
  const raw = input as { levels?: { id?: unknown }[]; badges?: { id?: unknown }[] } | null;
  const label = (path: PropertyKey[]) => {
    const [list, index] = path;
    if ((list === 'levels' || list === 'badges') && typeof index === 'number') {
      const id = (raw?.[list]?.[index] as { id?: unknown } | undefined)?.id;
      return `${list === 'levels' ? 'Level' : 'Badge'} ${typeof id === 'string' ? `"${id}"` : `n°${index + 1}`}`;
    }
    return 'Rules';
  };
  const parsed = RuleSet.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.slice(0, 20).map((i) => {
        const inRule = (i.path[0] === 'levels' || i.path[0] === 'badges') && typeof i.path[1] === 'number';
        const where = (inRule ? i.path.slice(2) : i.path).map(String).join('.');
        let message = explain(i);
        if ((i.code === 'invalid_value' || i.code === 'invalid_union') && i.path.includes('count')) {
          let value: unknown = input;
          for (const k of i.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k];
          message = `unknown activity kind ${JSON.stringify(value)} (known: ${ActivityKind.options.join(', ')})`;
        } else if (i.code === 'unrecognized_keys') {
          message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
        }
        return { path: i.path.map(String).join('.'), message: `${label(i.path)}: ${where ? `${where}: ` : ''}${message}` };
      }),
    };
  }
  const rules = parsed.data;
  const errors: RuleError[] = [];
  const levelIds = new Set<string>();
  const badgeIds = new Set<string>();
  rules.levels.forEach((l, i) => {
    if (levelIds.has(l.id)) errors.push({ path: `levels.${i}.id`, message: `Level "${l.id}": the id is used twice.` });
    levelIds.add(l.id);
  });
  rules.badges.forEach((b, i) => {
    if (badgeIds.has(b.id)) errors.push({ path: `badges.${i}.id`, message: `Badge "${b.id}": the id is used twice.` });
    badgeIds.add(b.id);
  });
  if (rules.levels[0]?.requires) {
    errors.push({
      path: 'levels.0.requires',
      message: `Level "${rules.levels[0].id}": the first level is where every member starts; it has no "requires".`,
    });
  }
  // References, and the graph of "needs" for cycle detection.
  const needs = new Map<string, string[]>();
  const walk = (c: Condition, owner: string, path: string, out: string[]) => {
    if (c.badge !== undefined) {
      if (!badgeIds.has(c.badge)) errors.push({ path, message: `${owner}: unknown badge "${c.badge}".` });
      out.push(`badge:${c.badge}`);
    }
    if (c.level !== undefined) {
      if (!levelIds.has(c.level)) errors.push({ path, message: `${owner}: unknown level "${c.level}".` });
      out.push(`level:${c.level}`);
    }
    c.all?.forEach((x, i) => walk(x, owner, `${path}.all.${i}`, out));
    c.any?.forEach((x, i) => walk(x, owner, `${path}.any.${i}`, out));
  };
  rules.levels.forEach((l, i) => {
    const out: string[] = i > 0 ? [`level:${rules.levels[i - 1].id}`] : [];
    if (l.requires) walk(l.requires, `Level "${l.id}"`, `levels.${i}.requires`, out);
    needs.set(`level:${l.id}`, out);
  });
  rules.badges.forEach((b, i) => {
    const out: string[] = [];
    walk(b.requires, `Badge "${b.id}"`, `badges.${i}.requires`, out);
    needs.set(`badge:${b.id}`, out);
  });
  if (!errors.length) {
    const cycle = findCycle(needs);
    if (cycle) {
      const [kind, id] = cycle[0].split(':');
      const list = kind === 'level' ? 'levels' : 'badges';
      const index = (rules[list] as { id: string }[]).findIndex((r) => r.id === id);
      errors.push({
        path: `${list}.${index}.requires`,
        message: `${kind === 'level' ? 'Level' : 'Badge'} "${id}": its requirements go round in a circle (${cycle.map((n) => n.replace(':', ' ')).join(' → ')}).`,
      });
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, rules };
}

/** Readable words for a schema issue (zod/mini carries no message catalogue). */
function explain(i: z.core.$ZodIssue): string {
  if (i.message && i.message !== 'Invalid input') return i.message;
  const what = (o: string) => (o === 'array' ? 'items' : o === 'string' ? 'characters' : '');
  switch (i.code) {
    case 'too_small':
      return `must be at least ${String(i.minimum)}${what(i.origin) ? ` ${what(i.origin)}` : ''}.`;
    case 'too_big':
      return `must be at most ${String(i.maximum)}${what(i.origin) ? ` ${what(i.origin)}` : ''}.`;
    case 'invalid_type':
      return `expected ${i.expected}.`;
    case 'invalid_value':
      return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'invalid_format':
      return `not a valid ${i.format}.`;
    default:
      return i.message || 'not valid.';
  }
}

/** The first cycle found in a dependency graph, as the list of nodes from a node back to itself. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const found = visit(m);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const found = visit(n);
      if (found) return found;
    }
  }
  return null;
}

// ---- what the API answers ----------------------------------------------------------

export const LevelOut = z.object({
  id: RuleId,
  name: LocalizedText,
  /** 0 for the first level. */
  rank: z.int(),
  /** How many levels the site's rules have: "level 2 of 4". */
  of: z.int(),
  /** When the member reached it (the time of the activity that completed it); null for the first level. */
  since: z.nullable(Timestamp),
});
export type LevelOut = z.infer<typeof LevelOut>;

export const BadgeOut = z.object({
  id: RuleId,
  name: LocalizedText,
  description: LongLocalizedText,
  icon: BadgeIcon,
  /** The chapter a chapter-scoped badge was earned in. */
  chapter: z.nullable(Id),
  awardedAt: Timestamp,
});
export type BadgeOut = z.infer<typeof BadgeOut>;

/** One line of progress: "useful answers received: 4 of 10". Progress is told in numbers, not colour. */
export const Requirement = z.object({
  kinds: z.array(ActivityKind),
  current: z.int(),
  target: z.int(),
  withinDays: z.nullable(z.int()),
  /** Set when the line is "hold badge X" or "reach level Y". */
  badge: z.nullable(RuleId),
  level: z.nullable(RuleId),
  met: z.boolean(),
});
export type Requirement = z.infer<typeof Requirement>;

export const Progress = z.object({
  level: LevelOut,
  /** 0–100, the share of the next level's requirements already met. */
  percent: z.int(),
  requirements: z.array(Requirement),
});
export type Progress = z.infer<typeof Progress>;

export const Engagement = z.object({
  member: MemberSummary,
  /** The member hid their badges from others: level and badges are then empty for everyone else. */
  hidden: z.boolean(),
  level: z.nullable(LevelOut),
  badges: z.array(BadgeOut),
  /** Towards the next level; null at the top or when hidden. */
  next: z.nullable(Progress),
});
export type Engagement = z.infer<typeof Engagement>;

/** An activity that earned something, for "why I have this". */
export const Reason = z.object({
  kind: ActivityKind,
  ref: z.string(),
  at: Timestamp,
  /** What it was about when known: an event's title, a discussion's title. */
  label: z.nullable(z.string()),
  chapter: z.nullable(Id),
});
export type Reason = z.infer<typeof Reason>;

export const MyBadge = z.extend(BadgeOut, { reasons: z.array(Reason) });
export const MyEngagement = z.extend(Engagement, {
  level: LevelOut,
  badges: z.array(MyBadge),
  levelReasons: z.array(Reason),
  /** Badges not held yet, with how far along the member is. */
  upcoming: z.array(
    z.object({
      id: RuleId,
      name: LocalizedText,
      description: LongLocalizedText,
      icon: BadgeIcon,
      percent: z.int(),
      requirements: z.array(Requirement),
    }),
  ),
});
export type MyEngagement = z.infer<typeof MyEngagement>;

export const EngagementVisibility = z.strictObject({ hidden: z.boolean() });
export type EngagementVisibility = z.infer<typeof EngagementVisibility>;

export const RecentlyActive = z.object({
  chapter: Id,
  days: z.int(),
  members: z.array(z.object({ member: MemberSummary, level: LevelOut, lastActiveAt: Timestamp })),
});
export type RecentlyActive = z.infer<typeof RecentlyActive>;

/** `compact` (default): level and badges, for a chip next to a name; `full` adds progress. */
export const EngagementQuery = z.strictObject({ view: z.optional(z.enum(['compact', 'full'])) });

export const RecentlyActiveQuery = z.strictObject({ chapter: Id });

/** What the member chooses to put in an exported credential about themselves. */
export const CredentialRequest = z.strictObject({
  /** `none` (default): nothing; `hashed`: a salted hash of the name; `plain`: the name as shown here. */
  name: z.optional(z.enum(['none', 'hashed', 'plain'])),
  /** The member's own identifier (a DID or a URL of theirs) to bind the credential to. */
  subjectId: z.optional(
    Line.check(z.maxLength(512), z.regex(/^(did:[a-z0-9]+:[A-Za-z0-9._:%-]+|https:\/\/[^\s]+)$/, 'A DID or an https URL.')),
  ),
  /** The chapter of a chapter-scoped badge. */
  chapter: z.optional(Id),
  lang: z.optional(z.enum(['fr', 'en'])),
});
export type CredentialRequest = z.infer<typeof CredentialRequest>;

/** An Open Badges 3.0 credential (JSON-LD, W3C VC 2.0, eddsa-rdfc-2022 proof). */
export const OpenBadgeCredential = z.looseObject({
  '@context': z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  issuer: z.looseObject({ id: z.string(), type: z.array(z.string()), name: z.string() }),
  validFrom: Timestamp,
  name: z.string(),
  credentialSubject: z.looseObject({ type: z.array(z.string()), achievement: z.looseObject({ id: z.string() }) }),
  proof: z.looseObject({ type: z.literal('DataIntegrityProof'), cryptosuite: z.literal('eddsa-rdfc-2022'), proofValue: z.string() }),
});

/** Verification result for a credential id this site issued. */
export const CredentialStatus = z.object({
  id: z.string(),
  issuer: z.string(),
  achievement: z.string(),
  issuedAt: Timestamp,
  /** `revoked` once the member no longer holds the badge (the ledger no longer supports it). */
  status: z.enum(['active', 'revoked']),
});

export const JsonLd = z.record(z.string(), z.unknown());

const SiteParams = z.strictObject({ site: SiteId });
const MemberParams = z.strictObject({ site: SiteId, member: Id });

/** Routes of the engagement feature, spread into the contract's route table. */
export const engagementRoutes = {
  engagementRules: {
    method: 'get',
    path: '/v1/sites/{site}/engagement/rules',
    summary: 'The rules levels and badges are computed by',
    auth: 'none',
    params: SiteParams,
    ok: { status: 200, schema: RuleSet, description: "The site's rule set (the defaults unless the site set its own)." },
  },
  setEngagementRules: {
    method: 'put',
    path: '/v1/sites/{site}/engagement/rules',
    summary: 'Replace the rules (admins); every award is recomputed',
    auth: 'required',
    params: SiteParams,
    body: z.unknown(),
    ok: { status: 200, schema: RuleSet, description: 'The rules as stored.' },
  },
  myEngagement: {
    method: 'get',
    path: '/v1/sites/{site}/engagement/me',
    summary: 'My level, badges, progress and why I hold each',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: MyEngagement, description: "The signed-in member's engagement with its reasons." },
  },
  setEngagementVisibility: {
    method: 'put',
    path: '/v1/sites/{site}/engagement/me/visibility',
    summary: 'Hide or show my badges to others',
    auth: 'required',
    params: SiteParams,
    body: EngagementVisibility,
    ok: { status: 200, schema: EngagementVisibility, description: 'The setting as stored.' },
  },
  memberEngagement: {
    method: 'get',
    path: '/v1/sites/{site}/engagement/members/{member}',
    summary: "A member's level and badges",
    auth: 'optional',
    params: MemberParams,
    query: EngagementQuery,
    ok: {
      status: 200,
      schema: Engagement,
      description: 'Level and badges; with `view=full`, progress towards the next level (empty when the member hid them).',
    },
  },
  recentlyActive: {
    method: 'get',
    path: '/v1/sites/{site}/engagement/recent',
    summary: 'Members of a chapter recently active (when the site enabled it)',
    auth: 'required',
    params: SiteParams,
    query: RecentlyActiveQuery,
    ok: { status: 200, schema: RecentlyActive, description: 'Most recently active first; no counts, no ranking.' },
  },
  exportBadge: {
    method: 'post',
    path: '/v1/sites/{site}/engagement/members/{member}/badges/{badge}/credential',
    summary: 'Export one of my badges as an Open Badges 3.0 credential',
    auth: 'required',
    params: z.strictObject({ site: SiteId, member: Id, badge: RuleId }),
    body: CredentialRequest,
    ok: { status: 201, schema: OpenBadgeCredential, description: 'The signed credential (eddsa-rdfc-2022 Data Integrity proof).' },
  },
  obIssuer: {
    method: 'get',
    path: '/v1/sites/{site}/ob/issuer',
    summary: 'Open Badges issuer profile (also the controller document of its keys)',
    auth: 'none',
    params: SiteParams,
    ok: { status: 200, schema: JsonLd, description: 'The issuer Profile.' },
    contentType: 'application/ld+json',
  },
  obKey: {
    method: 'get',
    path: '/v1/sites/{site}/ob/keys/{key}',
    summary: 'An issuer verification key (Multikey)',
    auth: 'none',
    params: z.strictObject({ site: SiteId, key: Id }),
    ok: { status: 200, schema: JsonLd, description: 'The public key as a Multikey verification method.' },
    contentType: 'application/ld+json',
  },
  obAchievement: {
    method: 'get',
    path: '/v1/sites/{site}/ob/achievements/{badge}',
    summary: 'An Open Badges achievement (badge definition)',
    auth: 'none',
    params: z.strictObject({ site: SiteId, badge: RuleId }),
    ok: { status: 200, schema: JsonLd, description: 'The Achievement.' },
    contentType: 'application/ld+json',
  },
  obCredentialStatus: {
    method: 'get',
    path: '/v1/sites/{site}/ob/credentials/{credential}',
    summary: 'Whether a credential this site issued still stands',
    auth: 'none',
    params: z.strictObject({ site: SiteId, credential: Id }),
    ok: { status: 200, schema: CredentialStatus, description: "The credential's status." },
  },
} as const satisfies Record<string, RouteSpec>;
