import type { ActivityKind } from '../../contract/common.js';
import { plural } from '../../i18n/localize.js';
import type { Condition, Requirement, RuleSet } from '../../contract/engagement.js';

/**
 * The rules engine: a pure function from one member's ledger to their level and badges.
 * Incremental updates and the full recompute both call `evaluate`, so they cannot disagree; a new activity
 * skips it only when the running counts show it cannot change the outcome (`mayChange`). Award dates come
 * from the ledger (the activity that completed a rule), never from the clock.
 */

export interface Act {
  id: string;
  kind: string;
  ref: string;
  at: string;
  chapter: string | null;
}

export interface Outcome {
  /** When the condition was first met (ISO time of the completing activity); null if never. */
  at: string | null;
  /** The activities that met it. */
  evidence: Act[];
}

export interface Evaluation {
  level: { id: string; rank: number; since: string | null; evidence: Act[] };
  /** Key `${badgeId}|${scope}`, scope '' for site-wide badges. */
  badges: Map<string, { badge: string; scope: string; at: string; evidence: Act[] }>;
  lastActiveAt: string | null;
}

const DAY = 86_400_000;
const NEVER: Outcome = { at: null, evidence: [] };

const later = (a: string, b: string) => (a > b ? a : b);

/** Orders a ledger as the engine reads it: by time, then id. */
export const byTime = (a: Act, b: Act) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function kindsOf(c: Condition): ActivityKind[] {
  return c.count === undefined ? [] : Array.isArray(c.count) ? c.count : [c.count];
}

class Ledger {
  private readonly byKind = new Map<string, Act[]>();
  private readonly merged = new Map<string, Act[]>();

  constructor(acts: Act[]) {
    for (const a of acts) {
      let list = this.byKind.get(a.kind);
      if (!list) this.byKind.set(a.kind, (list = []));
      list.push(a);
    }
  }

  /** The activities of these kinds, in time order (acts arrive sorted). */
  of(kinds: string[]): Act[] {
    if (kinds.length === 1) return this.byKind.get(kinds[0]) ?? [];
    const key = [...kinds].sort().join(',');
    let out = this.merged.get(key);
    if (!out) {
      out = kinds.flatMap((k) => this.byKind.get(k) ?? []).sort(byTime);
      this.merged.set(key, out);
    }
    return out;
  }
}

/** First moment `atLeast` activities fall within `withinDays` (or ever), and which ones. */
function countOutcome(list: Act[], atLeast: number, withinDays: number | undefined): Outcome {
  if (list.length < atLeast) return NEVER;
  if (withinDays === undefined) return { at: list[atLeast - 1].at, evidence: list.slice(0, atLeast) };
  const span = withinDays * DAY;
  for (let i = atLeast - 1; i < list.length; i++) {
    const first = list[i - atLeast + 1];
    if (Date.parse(list[i].at) - Date.parse(first.at) <= span) return { at: list[i].at, evidence: list.slice(i - atLeast + 1, i + 1) };
  }
  return NEVER;
}

/** Largest number of activities within any span of `withinDays` (for progress). */
function bestWindow(list: Act[], withinDays: number): number {
  const span = withinDays * DAY;
  let best = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    while (Date.parse(list[i].at) - Date.parse(list[start].at) > span) start++;
    best = Math.max(best, i - start + 1);
  }
  return best;
}

interface Scope {
  ledger: Ledger;
  badgeAt(id: string): Outcome;
  levelAt(id: string): Outcome;
}

function outcome(c: Condition, s: Scope): Outcome {
  if (c.count !== undefined) return countOutcome(s.ledger.of(kindsOf(c)), c.atLeast ?? 1, c.withinDays);
  if (c.badge !== undefined) return s.badgeAt(c.badge);
  if (c.level !== undefined) return s.levelAt(c.level);
  if (c.all) {
    let at = '';
    const evidence: Act[] = [];
    for (const sub of c.all) {
      const o = outcome(sub, s);
      if (o.at === null) return NEVER;
      at = later(at, o.at);
      evidence.push(...o.evidence);
    }
    return { at, evidence: dedupe(evidence) };
  }
  if (c.any) {
    let best: Outcome = NEVER;
    for (const sub of c.any) {
      const o = outcome(sub, s);
      if (o.at !== null && (best.at === null || o.at < best.at)) best = o;
    }
    return best;
  }
  return NEVER;
}

function dedupe(acts: Act[]): Act[] {
  const seen = new Set<string>();
  return acts.filter((a) => !seen.has(a.id) && seen.add(a.id)).sort(byTime);
}

/** Evaluates every level and badge of `rules` over one member's ledger (`acts` sorted by time, then id). */
export function evaluate(rules: RuleSet, acts: Act[]): Evaluation {
  const all = new Ledger(acts);
  const chapters = new Map<string, Act[]>();
  for (const a of acts) if (a.chapter) (chapters.get(a.chapter) ?? chapters.set(a.chapter, []).get(a.chapter)!).push(a);
  const chapterLedgers = new Map([...chapters].map(([k, v]) => [k, new Ledger(v)]));

  const badgeRules = new Map(rules.badges.map((b) => [b.id, b]));
  const levelIndex = new Map(rules.levels.map((l, i) => [l.id, i]));
  const badgeMemo = new Map<string, Map<string, Outcome>>();
  const levelMemo = new Map<number, Outcome>();

  /** Per scope ('' = site, or a chapter id) for one badge. */
  const badgeByScope = (id: string): Map<string, Outcome> => {
    const hit = badgeMemo.get(id);
    if (hit) return hit;
    const rule = badgeRules.get(id);
    const out = new Map<string, Outcome>();
    badgeMemo.set(id, out); // rule sets are validated acyclic
    if (rule?.scope === 'chapter') {
      for (const [chapter, ledger] of chapterLedgers) {
        const o = outcome(rule.requires, { ...site, ledger });
        if (o.at !== null) out.set(chapter, o);
      }
    } else if (rule) {
      const o = outcome(rule.requires, site);
      if (o.at !== null) out.set('', o);
    }
    return out;
  };
  const levelOutcome = (i: number): Outcome => {
    const hit = levelMemo.get(i);
    if (hit) return hit;
    let o: Outcome;
    if (i === 0) o = { at: '', evidence: [] };
    else {
      const prev = levelOutcome(i - 1);
      const req = rules.levels[i].requires;
      const first = acts[0]?.at ?? null;
      const own = req ? outcome(req, site) : { at: first, evidence: acts.slice(0, 1) };
      o = prev.at !== null && own.at !== null ? { at: later(prev.at, own.at), evidence: own.evidence } : NEVER;
    }
    levelMemo.set(i, o);
    return o;
  };
  const site: Scope = {
    ledger: all,
    badgeAt(id) {
      let best: Outcome = NEVER;
      for (const o of badgeByScope(id).values()) if (o.at !== null && (best.at === null || o.at < best.at)) best = o;
      return best.at !== null ? { at: best.at, evidence: [] } : NEVER;
    },
    levelAt(id) {
      const o = levelOutcome(levelIndex.get(id) ?? 0);
      const at = o.at || (acts[0]?.at ?? null);
      return at === null ? NEVER : { at, evidence: [] };
    },
  };

  let rank = 0;
  for (let i = rules.levels.length - 1; i > 0; i--) {
    if (levelOutcome(i).at !== null) {
      rank = i;
      break;
    }
  }
  const top = levelOutcome(rank);
  const badges: Evaluation['badges'] = new Map();
  for (const b of rules.badges) {
    for (const [scope, o] of badgeByScope(b.id)) badges.set(`${b.id}|${scope}`, { badge: b.id, scope, at: o.at!, evidence: o.evidence });
  }
  return {
    level: { id: rules.levels[rank].id, rank, since: rank === 0 ? null : top.at, evidence: top.evidence },
    badges,
    lastActiveAt: acts.length ? acts[acts.length - 1].at : null,
  };
}

// ---- running counts ------------------------------------------------------------------

/** Activities per kind, site-wide (scope '') and per chapter (scope = chapter id): what count rules read. */
export type Tallies = Record<string, Record<string, number>>;

/** The counts of a ledger, from scratch. */
export function tally(acts: Act[]): Tallies {
  const out: Tallies = {};
  for (const a of acts) addTally(out, a.kind, a.chapter, 1);
  return out;
}

/** Tallies as stored: scopes and kinds in sorted order, so equal counts give equal text. */
export function tallyText(t: Tallies): string {
  const sorted = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  return JSON.stringify(sorted(Object.fromEntries(Object.entries(t).map(([scope, counts]) => [scope, sorted(counts)]))));
}

/** Adds `delta` activities of `kind` (in `chapter`, if any) to `t`, in place. */
export function addTally(t: Tallies, kind: string, chapter: string | null, delta: number): Tallies {
  for (const scope of chapter ? ['', chapter] : ['']) {
    const counts = (t[scope] ??= {});
    const n = (counts[kind] ?? 0) + delta;
    if (n > 0) counts[kind] = n;
    else delete counts[kind];
    if (!Object.keys(counts).length) delete t[scope];
  }
  return t;
}

/** What a member holds, as stored: their level's rank and their awards as `${badgeId}|${scope}`. */
export interface Held {
  rank: number;
  badges: Set<string>;
}

/**
 * Whether appending one activity of `kind` (in `chapter`), later in time than every other activity of the
 * member, can change what `evaluate` gives, judged from the counts alone (`tallies` include the new activity;
 * `held` is what the ledger without it gave). When it cannot, the level and awards stay as they are, with
 * their dates: conditions only grow when activities are added at the end, and what was met was met by
 * earlier activities. It can when a level or badge not held depends on `kind` and its counts no longer rule
 * it out; a `withinDays` count with enough activities may or may not be met, and only the ledger tells.
 */
export function mayChange(rules: RuleSet, tallies: Tallies, held: Held, kind: string, chapter: string | null): boolean {
  const badgeRules = new Map(rules.badges.map((b) => [b.id, b]));
  const levelIndex = new Map(rules.levels.map((l, i) => [l.id, i]));
  const dependsMemo = new Map<string, boolean>();
  /** Whether a condition reads activities of `kind`, directly or through the badges and levels it names. */
  const depends = (c: Condition | undefined): boolean => {
    if (!c) return true; // a level without requirement is reached by the first activity of any kind
    if (c.count !== undefined) return kindsOf(c).includes(kind as ActivityKind);
    if (c.badge !== undefined) return dependsOn(`badge:${c.badge}`, () => depends(badgeRules.get(c.badge!)?.requires));
    if (c.level !== undefined) {
      const i = levelIndex.get(c.level) ?? 0;
      return dependsOn(`level:${i}`, () => rules.levels.slice(1, i + 1).some((l) => depends(l.requires)));
    }
    return (c.all ?? c.any ?? []).some(depends);
  };
  const dependsOn = (key: string, f: () => boolean) => {
    let hit = dependsMemo.get(key);
    if (hit === undefined) dependsMemo.set(key, (hit = f()));
    return hit;
  };
  /** From the counts: 0 not met, 1 perhaps, 2 met. Badges and levels named count as what is held. */
  const met = (c: Condition, counts: Record<string, number>): 0 | 1 | 2 => {
    if (c.count !== undefined) {
      const n = kindsOf(c).reduce((s, k) => s + (counts[k] ?? 0), 0);
      return n < (c.atLeast ?? 1) ? 0 : c.withinDays === undefined ? 2 : 1;
    }
    if (c.badge !== undefined) return [...held.badges].some((b) => b.startsWith(`${c.badge}|`)) ? 2 : 0;
    if (c.level !== undefined) return held.rank >= (levelIndex.get(c.level) ?? 0) ? 2 : 0;
    if (c.all) return c.all.reduce<0 | 1 | 2>((m, x) => (m === 0 ? 0 : (Math.min(m, met(x, counts)) as 0 | 1 | 2)), 2);
    if (c.any) return c.any.reduce<0 | 1 | 2>((m, x) => (m === 2 ? 2 : (Math.max(m, met(x, counts)) as 0 | 1 | 2)), 0);
    return 0;
  };
  const site = tallies[''] ?? {};
  // Only the level after the one held can be reached next.
  const next = rules.levels[held.rank + 1];
  if (next && depends(next.requires) && (!next.requires || met(next.requires, site) !== 0)) return true;
  for (const b of rules.badges) {
    if (b.scope === 'chapter') {
      if (chapter === null) continue;
      const counts = tallies[chapter] ?? {};
      // A chapter's first activity opens a new scope, where badges that count nothing may apply.
      if (Object.values(counts).reduce((s, n) => s + n, 0) <= 1) return true;
      if (!held.badges.has(`${b.id}|${chapter}`) && depends(b.requires) && met(b.requires, counts) !== 0) return true;
    } else if (!held.badges.has(`${b.id}|`) && depends(b.requires) && met(b.requires, site) !== 0) return true;
  }
  return false;
}

// ---- progress ----------------------------------------------------------------------

export interface ProgressOut {
  ratio: number;
  requirements: Requirement[];
}

/** How far a member is towards a condition, as lines a person can read ("4 of 10"). */
export function progress(rules: RuleSet, acts: Act[], c: Condition, held: Evaluation): ProgressOut {
  const ledger = new Ledger(acts);
  const walk = (x: Condition): ProgressOut => {
    if (x.count !== undefined) {
      const list = ledger.of(kindsOf(x));
      const target = x.atLeast ?? 1;
      const have = x.withinDays === undefined ? list.length : bestWindow(list, x.withinDays);
      const current = Math.min(have, target);
      return {
        ratio: current / target,
        requirements: [
          { kinds: kindsOf(x), current, target, withinDays: x.withinDays ?? null, badge: null, level: null, met: current >= target },
        ],
      };
    }
    if (x.badge !== undefined) {
      const met = [...held.badges.values()].some((b) => b.badge === x.badge);
      return {
        ratio: met ? 1 : 0,
        requirements: [{ kinds: [], current: met ? 1 : 0, target: 1, withinDays: null, badge: x.badge, level: null, met }],
      };
    }
    if (x.level !== undefined) {
      const met = held.level.rank >= rules.levels.findIndex((l) => l.id === x.level);
      return {
        ratio: met ? 1 : 0,
        requirements: [{ kinds: [], current: met ? 1 : 0, target: 1, withinDays: null, badge: null, level: x.level, met }],
      };
    }
    if (x.all) {
      const parts = x.all.map(walk);
      return { ratio: parts.reduce((s, p) => s + p.ratio, 0) / parts.length, requirements: parts.flatMap((p) => p.requirements) };
    }
    if (x.any) {
      return x.any.map(walk).reduce((best, p) => (p.ratio > best.ratio ? p : best));
    }
    return { ratio: 0, requirements: [] };
  };
  return walk(c);
}

// ---- words -------------------------------------------------------------------------

const KIND_WORDS: Record<ActivityKind, { fr: (n: number) => string; en: (n: number) => string }> = {
  'comment.posted': {
    fr: plural('fr', 'contribution à une discussion', 'contributions à une discussion'),
    en: plural('en', 'contribution to a discussion', 'contributions to a discussion'),
  },
  'reply.received': { fr: plural('fr', 'réponse reçue', 'réponses reçues'), en: plural('en', 'reply received', 'replies received') },
  'useful.received': {
    fr: plural('fr', 'réaction « Utile » reçue', 'réactions « Utile » reçues'),
    en: plural('en', '"Useful" reaction received', '"Useful" reactions received'),
  },
  'event.attended': { fr: plural('fr', 'rencontre suivie', 'rencontres suivies'), en: plural('en', 'event attended', 'events attended') },
  'event.hosted': { fr: plural('fr', 'rencontre animée', 'rencontres animées'), en: plural('en', 'event hosted', 'events hosted') },
  'introduction.made': {
    fr: plural('fr', 'mise en relation faite', 'mises en relation faites'),
    en: plural('en', 'introduction made', 'introductions made'),
  },
  'introduction.accepted': {
    fr: plural('fr', 'mise en relation acceptée', 'mises en relation acceptées'),
    en: plural('en', 'introduction accepted', 'introductions accepted'),
  },
  'chapter.first_contribution': {
    fr: plural('fr', 'première contribution dans un chapitre', 'premières contributions dans un chapitre'),
    en: plural('en', 'first contribution in a chapter', 'first contributions in a chapter'),
  },
};

/** A condition in words, for the Open Badges criteria narrative and the command line. */
export function describe(rules: RuleSet, c: Condition, lang: 'fr' | 'en'): string {
  if (c.count !== undefined) {
    // The words agree with the number: "au moins 1 contribution", "at least 3 events attended".
    const n = c.atLeast!;
    const kinds = kindsOf(c)
      .map((k) => KIND_WORDS[k][lang](n))
      .join(lang === 'fr' ? ' ou ' : ' or ');
    const within = c.withinDays ? (lang === 'fr' ? ` en ${c.withinDays} jours` : ` within ${c.withinDays} days`) : '';
    return `${lang === 'fr' ? 'au moins' : 'at least'} ${n.toLocaleString(lang)} ${kinds}${within}`;
  }
  if (c.badge !== undefined) {
    const b = rules.badges.find((x) => x.id === c.badge);
    return lang === 'fr' ? `avoir le badge « ${b?.name.fr ?? c.badge} »` : `hold the "${b?.name.en ?? c.badge}" badge`;
  }
  if (c.level !== undefined) {
    const l = rules.levels.find((x) => x.id === c.level);
    return lang === 'fr' ? `avoir atteint le niveau « ${l?.name.fr ?? c.level} »` : `have reached the "${l?.name.en ?? c.level}" level`;
  }
  if (c.all) return c.all.map((x) => describe(rules, x, lang)).join(lang === 'fr' ? ' et ' : ' and ');
  if (c.any) return `(${c.any.map((x) => describe(rules, x, lang)).join(lang === 'fr' ? ' ou ' : ' or ')})`;
  return '';
}
