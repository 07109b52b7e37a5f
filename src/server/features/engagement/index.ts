import type { Context } from 'hono';
import type { BadgeOut, LevelOut, Progress, Reason, RuleSet } from '../../../contract/engagement.js';
import { routes } from '../../../contract/routes.js';
import type { AppServices, HandlerContext, Registrar } from '../../http/types.js';
import { evaluate, progress, type Act } from '../../engagement/engine.js';
import {
  achievement, issueCredential, issuerKey, issuerProfile, keyDocument, publishedKeys, type IssuerInfo,
} from '../../engagement/openbadges.js';
import { newId, nowIso } from '../../domain/ids.js';
import { memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import {
  ensureFresh, labelsFor, memberLedger, memberState, recentlyActive, rulesFor, saveRules, setHidden,
} from '../../store/engagement.js';
import type { Site, Store } from '../../store/store.js';
import type { EngagementAwardRow, MemberRow } from '../../store/schema.js';

/** Where this server is reached from outside: CERCLE_PUBLIC_URL, else the request's own origin. */
function publicBase(c: Context): string {
  const configured = process.env.CERCLE_PUBLIC_URL?.replace(/\/+$/, '');
  return configured || new URL(c.req.url).origin;
}

const issuerInfo = (c: Context, site: Site): IssuerInfo => ({
  base: publicBase(c), siteId: site.id, siteName: site.name, siteUrl: site.origins[0] ?? null,
});

function levelOut(rules: RuleSet, rank: number, since: string | null): LevelOut {
  const r = Math.min(Math.max(rank, 0), rules.levels.length - 1);
  const l = rules.levels[r];
  return { id: l.id, name: l.name, rank: r, of: rules.levels.length, since: r === 0 ? null : since };
}

function badgesOut(rules: RuleSet, awards: Pick<EngagementAwardRow, 'badge_id' | 'scope' | 'awarded_at'>[]): BadgeOut[] {
  const byId = new Map(rules.badges.map((b) => [b.id, b]));
  return awards.flatMap((a) => {
    const b = byId.get(a.badge_id);
    return b ? [{ id: b.id, name: b.name, description: b.description, icon: b.icon, chapter: a.scope || null, awardedAt: a.awarded_at }] : [];
  });
}

function nextLevel(rules: RuleSet, acts: Act[], rank: number, ev: ReturnType<typeof evaluate>): Progress | null {
  const next = rules.levels[rank + 1];
  if (!next) return null;
  const p = next.requires ? progress(rules, acts, next.requires, ev) : { ratio: 1, requirements: [] };
  return { level: levelOut(rules, rank + 1, null), percent: Math.floor(p.ratio * 100), requirements: p.requirements };
}

async function memberOrMe(store: Store, site: Site, viewer: HandlerContext['viewer'], member: string): Promise<MemberRow> {
  if (member === 'me') {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to see your own engagement');
    return viewer.row;
  }
  const m = await store.memberByHostId(site.id, member);
  if (!m) throw problem(404, 'member.unknown', 'No such member', member);
  return m;
}

const reasonsOf = (acts: Act[], labels: Map<string, string>): Reason[] => acts.map((a) => ({
  kind: a.kind as Reason['kind'], ref: a.ref, at: a.at, label: labels.get(a.ref.split(':')[0]) ?? null, chapter: a.chapter,
}));

/**
 * Badges awarded by a request's transactions are told to each member alone on the live stream (topic
 * `member:<host id>`) once the request is done, if still there: a rolled-back award is not.
 */
export function subscribeBadges({ bus, store, live }: AppServices) {
  bus.on('badge.awarded', async (n) => {
    const row = await store.db.selectFrom('engagement_awards').innerJoin('members', 'members.pk', 'engagement_awards.member_pk')
      .select(['members.host_id'])
      .where('engagement_awards.site_id', '=', n.site).where('engagement_awards.member_pk', '=', n.memberPk)
      .where('badge_id', '=', n.badge).where('scope', '=', n.scope).where('awarded_at', '=', n.at)
      .executeTakeFirst();
    if (!row) return;
    const ref = (n.scope ? `${n.badge}:${n.scope}` : n.badge).replace(/[^A-Za-z0-9_.:@-]/g, '_').slice(0, 128);
    await live.publish(n.site, { topic: `member:${row.host_id}`, kind: 'badge.awarded', ref, audience: `member:${row.host_id}` });
  });
}

/** Levels and badges from the activity ledger, "why I have this", Open Badges 3.0 export. */
export function install(register: Registrar, app: AppServices) {
  subscribeBadges(app);
  register(routes.engagementRules, async ({ store, site }) => ({ body: await rulesFor(store.db, store.db, site.id) }));

  register(routes.setEngagementRules, async ({ store, site, viewer, body }) => {
    if (!viewer!.roles.includes('admin')) throw problem(403, 'engagement.admin_only', 'Only the site\'s admins may change the rules');
    const saved = await saveRules(store, site.id, body);
    if (!saved.ok) {
      throw problem(400, 'engagement.rules_invalid', 'The rules do not validate', saved.errors.map((e) => e.message).join(' '),
        saved.errors.map((e) => ({ path: `body.${e.path}`, message: e.message })));
    }
    return { body: saved.rules };
  });

  register(routes.memberEngagement, async ({ store, site, viewer, params, query }) => {
    if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see members');
    const m = await memberOrMe(store, site, viewer, params.member);
    await ensureFresh(store, site.id, m.pk);
    const [rules, state] = await Promise.all([rulesFor(store.db, store.db, site.id), memberState(store.db, m.pk)]);
    const self = viewer?.pk === m.pk;
    const hidden = !!state.member?.hidden;
    if (hidden && !self) return { body: { member: memberSummary(m), hidden: true, level: null, badges: [], next: null } };
    const rank = Number(state.member?.level_rank ?? 0);
    let next: Progress | null = null;
    if (query.view === 'full') {
      const acts = await memberLedger(store.db, site.id, m.pk);
      next = nextLevel(rules, acts, rank, evaluate(rules, acts));
    }
    return {
      body: {
        member: memberSummary(m), hidden,
        level: levelOut(rules, rank, state.member?.level_since ?? null),
        badges: badgesOut(rules, state.awards), next,
      },
    };
  });

  register(routes.myEngagement, async ({ store, site, viewer }) => {
    const v = viewer!;
    await ensureFresh(store, site.id, v.pk);
    const [rules, state, acts] = await Promise.all([
      rulesFor(store.db, store.db, site.id), memberState(store.db, v.pk), memberLedger(store.db, site.id, v.pk),
    ]);
    const ev = evaluate(rules, acts);
    const evidence = [...ev.level.evidence, ...[...ev.badges.values()].flatMap((b) => b.evidence)];
    const labels = await labelsFor(store.db, site.id, evidence);
    const held = new Set([...ev.badges.values()].map((b) => b.badge));
    const badges = badgesOut(rules, state.awards).map((b) => ({
      ...b, reasons: reasonsOf(ev.badges.get(`${b.id}|${b.chapter ?? ''}`)?.evidence ?? [], labels),
    }));
    const upcoming = rules.badges.filter((b) => !held.has(b.id)).map((b) => {
      const p = progress(rules, acts, b.requires, ev);
      return { id: b.id, name: b.name, description: b.description, icon: b.icon, percent: Math.floor(p.ratio * 100), requirements: p.requirements };
    });
    return {
      body: {
        member: memberSummary(v.row), hidden: !!state.member?.hidden,
        level: levelOut(rules, ev.level.rank, ev.level.since),
        badges, next: nextLevel(rules, acts, ev.level.rank, ev),
        levelReasons: reasonsOf(ev.level.evidence, labels), upcoming,
      },
    };
  });

  register(routes.setEngagementVisibility, async ({ store, site, viewer, body }) => {
    await setHidden(store.db, site.id, viewer!.pk, body.hidden);
    return { body: { hidden: body.hidden } };
  });

  register(routes.recentlyActive, async ({ store, site, viewer, query, now }) => {
    const rules = await rulesFor(store.db, store.db, site.id);
    const cfg = rules.recentlyActive;
    if (!cfg?.enabled) throw problem(404, 'engagement.recent_disabled', 'This site shows no "recently active" list');
    const v = viewer!;
    if (!v.chapters.includes(query.chapter) && !v.roles.some((r) => r === 'admin' || r === 'moderator')) {
      throw problem(403, 'engagement.chapter_forbidden', 'Only members of this chapter see who is active in it');
    }
    const rows = await recentlyActive(store.db, site.id, query.chapter, nowIso(now() - cfg.days * 86_400_000), cfg.size);
    return {
      body: {
        chapter: query.chapter, days: cfg.days,
        members: rows.map((r) => ({
          member: memberSummary({ host_id: r.host_id, name: r.name, picture: r.picture, chapters: r.chapters }),
          level: levelOut(rules, Number(r.level_rank), r.level_since), lastActiveAt: r.last_active_at!,
        })),
      },
    };
  });

  register(routes.exportBadge, async ({ c, store, site, viewer, params, body }) => {
    const v = viewer!;
    if (params.member !== 'me' && params.member !== v.hostId) {
      throw problem(403, 'engagement.not_your_badge', 'Only the member who holds a badge may export it');
    }
    const rules = await rulesFor(store.db, store.db, site.id);
    const rule = rules.badges.find((b) => b.id === params.badge);
    if (!rule) throw problem(404, 'engagement.badge_unknown', 'No such badge on this site', params.badge);
    await ensureFresh(store, site.id, v.pk);
    const { awards } = await memberState(store.db, v.pk);
    const mine = awards.filter((a) => a.badge_id === rule.id && (body.chapter === undefined || a.scope === body.chapter));
    if (!mine.length) throw problem(409, 'engagement.badge_not_held', 'You do not hold this badge', params.badge);
    const award = mine[0];
    const info = issuerInfo(c, site);
    const key = await issuerKey(store, site.id);
    const lang = body.lang ?? 'fr';
    const id = newId();
    await store.db.insertInto('ob_credentials').values({
      id, site_id: site.id, member_pk: v.pk, badge_id: rule.id, scope: award.scope, issued_at: nowIso(),
    }).execute();
    const credential = await issueCredential({
      issuer: info, key, credentialId: id, achievement: achievement(info, rules, rule, lang),
      name: rule.name[lang], awardedAt: award.awarded_at,
      subject: { name: body.name ?? 'none', memberName: v.row.name, subjectId: body.subjectId },
    });
    return { status: 201, body: credential };
  });

  const ld = (c: Context, doc: unknown) => c.body(JSON.stringify(doc), 200, {
    'content-type': 'application/ld+json; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*',
  });

  register(routes.obIssuer, async ({ c, store, site }) => {
    await issuerKey(store, site.id);
    return ld(c, issuerProfile(issuerInfo(c, site), await publishedKeys(store, site.id)));
  });

  register(routes.obKey, async ({ c, store, site, params }) => {
    const k = (await publishedKeys(store, site.id)).find((x) => x.kid === params.key);
    if (!k) throw problem(404, 'ob.key_unknown', 'No such issuer key', params.key);
    return ld(c, keyDocument(issuerInfo(c, site), k));
  });

  register(routes.obAchievement, async ({ c, store, site, params }) => {
    const rules = await rulesFor(store.db, store.db, site.id);
    const rule = rules.badges.find((b) => b.id === params.badge);
    if (!rule) throw problem(404, 'engagement.badge_unknown', 'No such badge on this site', params.badge);
    const lang = /^en\b/i.test(c.req.header('accept-language') ?? '') ? 'en' : 'fr';
    return ld(c, { '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], ...achievement(issuerInfo(c, site), rules, rule, lang) });
  });

  register(routes.obCredentialStatus, async ({ c, store, site, params }) => {
    const row = await store.db.selectFrom('ob_credentials').selectAll().where('site_id', '=', site.id).where('id', '=', params.credential).executeTakeFirst();
    if (!row) throw problem(404, 'ob.credential_unknown', 'This site issued no such credential', params.credential);
    const held = await store.db.selectFrom('engagement_awards').select('badge_id')
      .where('member_pk', '=', row.member_pk).where('badge_id', '=', row.badge_id).where('scope', '=', row.scope).executeTakeFirst();
    const info = issuerInfo(c, site);
    return {
      body: {
        id: `${info.base}/v1/sites/${site.id}/ob/credentials/${row.id}`,
        issuer: `${info.base}/v1/sites/${site.id}/ob/issuer`,
        achievement: `${info.base}/v1/sites/${site.id}/ob/achievements/${row.badge_id}`,
        issuedAt: row.issued_at, status: held ? 'active' : 'revoked',
      },
      headers: { 'access-control-allow-origin': '*' },
    };
  });
}
