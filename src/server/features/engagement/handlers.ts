import { adminRoutes } from '../../../contract/admin.js';
import { validateRuleSet, type Progress } from '../../../contract/engagement.js';
import { routes } from '../../../contract/routes.js';
import type { HandlerContext } from '../../http/types.js';
import { evaluate, progress } from '../../engagement/engine.js';
import { achievement, issueCredential, issuerKey, issuerProfile, keyDocument, publishedKeys } from '../../engagement/openbadges.js';
import { newId, nowIso } from '../../domain/ids.js';
import { memberSummary } from '../../domain/mapping.js';
import { problem, ProblemError } from '../../http/problem.js';
import { actorOf } from '../../http/viewer.js';
import { ModerationStore } from '../../store/moderation.js';
import { previewRules } from '../../store/rules-preview.js';
import {
  ensureFresh,
  labelsFor,
  memberLedger,
  memberState,
  rulesFor,
  saveRules,
  setHidden,
  recentlyActive as activeMembers,
} from '../../store/engagement.js';
import { issuerInfo, levelOut, badgesOut, nextLevel, memberOrMe, reasonsOf, ld } from './present.js';

/** The rules levels and badges are computed by. */
export async function engagementRules({ store, site }: HandlerContext<typeof routes.engagementRules>) {
  return { body: await rulesFor(store.db, store.db, site.id) };
}

/** Replace the rules (admins); every award is recomputed. A change that would take every badge away must be confirmed. */
export async function setEngagementRules(ctx: HandlerContext<typeof routes.setEngagementRules>) {
  const { store, site, viewer } = ctx;
  if (!viewer!.roles.includes('admin')) throw problem(403, 'engagement.admin_only', "Only the site's admins may change the rules");
  // `confirm: true` travels beside the rules; the rules themselves are validated without it.
  const { confirm, rules: input } = splitConfirm(ctx.body);
  const v = checkedRules(input);
  const preview = await previewRules(store, site.id, v);
  const heldNow = preview.badges.some((b) => b.holdersNow > 0);
  const heldAfter = preview.badges.some((b) => b.holders > 0);
  if (heldNow && !heldAfter && confirm !== true) {
    throw new ProblemError(
      409,
      'rules.confirm_required',
      'These rules would take every badge away',
      'Nobody would hold any badge any more. Send the rules again with "confirm": true to apply them.',
      undefined,
      undefined,
      { preview },
    );
  }
  const saved = await saveRules(store, site.id, v);
  if (!saved.ok) throw invalidRules(saved.errors);
  await new ModerationStore(store).audit(
    store.db,
    {
      site_id: site.id,
      ...actorOf(viewer!),
      action: 'engagement.rules',
      details: { badges: preview.badges, members: preview.members, confirmed: confirm === true },
    },
    nowIso(ctx.now()),
  );
  return { body: saved.rules };
}

/** Who would hold each badge under these rules, before saving them (admins). */
export async function previewEngagementRules({ store, site, viewer, body }: HandlerContext<typeof adminRoutes.previewEngagementRules>) {
  if (!viewer!.roles.includes('admin')) throw problem(403, 'engagement.admin_only', "Only the site's admins may change the rules");
  return { body: await previewRules(store, site.id, checkedRules(splitConfirm(body).rules)) };
}

function splitConfirm(body: unknown): { confirm: unknown; rules: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('confirm' in body)) return { confirm: undefined, rules: body };
  const { confirm, ...rules } = body as Record<string, unknown>;
  return { confirm, rules };
}

function checkedRules(input: unknown) {
  const v = validateRuleSet(input);
  if (!v.ok) throw invalidRules(v.errors);
  return v.rules;
}

const invalidRules = (errors: { path: string; message: string }[]) =>
  problem(
    400,
    'engagement.rules_invalid',
    'The rules do not validate',
    errors.map((e) => e.message).join(' '),
    errors.map((e) => ({ path: `body.${e.path}`, message: e.message })),
  );

/** A member's level and badges. */
export async function memberEngagement({ store, site, viewer, params, query }: HandlerContext<typeof routes.memberEngagement>) {
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
      member: memberSummary(m),
      hidden,
      level: levelOut(rules, rank, state.member?.level_since ?? null),
      badges: badgesOut(rules, state.awards),
      next,
    },
  };
}

/** My level, badges, progress and why I hold each. */
export async function myEngagement({ store, site, viewer }: HandlerContext<typeof routes.myEngagement>) {
  const v = viewer!;
  await ensureFresh(store, site.id, v.pk);
  const [rules, state, acts] = await Promise.all([
    rulesFor(store.db, store.db, site.id),
    memberState(store.db, v.pk),
    memberLedger(store.db, site.id, v.pk),
  ]);
  const ev = evaluate(rules, acts);
  const evidence = [...ev.level.evidence, ...[...ev.badges.values()].flatMap((b) => b.evidence)];
  const labels = await labelsFor(store.db, site.id, evidence);
  const held = new Set([...ev.badges.values()].map((b) => b.badge));
  const badges = badgesOut(rules, state.awards).map((b) => ({
    ...b,
    reasons: reasonsOf(ev.badges.get(`${b.id}|${b.chapter ?? ''}`)?.evidence ?? [], labels),
  }));
  const upcoming = rules.badges
    .filter((b) => !held.has(b.id))
    .map((b) => {
      const p = progress(rules, acts, b.requires, ev);
      return {
        id: b.id,
        name: b.name,
        description: b.description,
        icon: b.icon,
        percent: Math.floor(p.ratio * 100),
        requirements: p.requirements,
      };
    });
  return {
    body: {
      member: memberSummary(v.row),
      hidden: !!state.member?.hidden,
      level: levelOut(rules, ev.level.rank, ev.level.since),
      badges,
      next: nextLevel(rules, acts, ev.level.rank, ev),
      levelReasons: reasonsOf(ev.level.evidence, labels),
      upcoming,
    },
  };
}

/** Hide or show my badges to others. */
export async function setEngagementVisibility({ store, site, viewer, body }: HandlerContext<typeof routes.setEngagementVisibility>) {
  await setHidden(store.db, site.id, viewer!.pk, body.hidden);
  return { body: { hidden: body.hidden } };
}

/** Members of a chapter recently active (when the site enabled it). */
export async function recentlyActive({ store, site, viewer, query, now }: HandlerContext<typeof routes.recentlyActive>) {
  const rules = await rulesFor(store.db, store.db, site.id);
  const cfg = rules.recentlyActive;
  if (!cfg?.enabled) throw problem(404, 'engagement.recent_disabled', 'This site shows no "recently active" list');
  const v = viewer!;
  if (!v.chapters.includes(query.chapter) && !v.roles.some((r) => r === 'admin' || r === 'moderator')) {
    throw problem(403, 'engagement.chapter_forbidden', 'Only members of this chapter see who is active in it');
  }
  const rows = await activeMembers(store.db, site.id, query.chapter, nowIso(now() - cfg.days * 86_400_000), cfg.size);
  return {
    body: {
      chapter: query.chapter,
      days: cfg.days,
      members: rows.map((r) => ({
        member: memberSummary({ host_id: r.host_id, name: r.name, picture: r.picture, chapters: r.chapters }),
        level: levelOut(rules, Number(r.level_rank), r.level_since),
        lastActiveAt: r.last_active_at!,
      })),
    },
  };
}

/** Export one of my badges as an Open Badges 3.0 credential. */
export async function exportBadge({ c, store, site, viewer, params, body }: HandlerContext<typeof routes.exportBadge>) {
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
  await store.db
    .insertInto('ob_credentials')
    .values({
      id,
      site_id: site.id,
      member_pk: v.pk,
      badge_id: rule.id,
      scope: award.scope,
      issued_at: nowIso(),
    })
    .execute();
  const credential = await issueCredential({
    issuer: info,
    key,
    credentialId: id,
    achievement: achievement(info, rules, rule, lang),
    name: rule.name[lang],
    awardedAt: award.awarded_at,
    subject: { name: body.name ?? 'none', memberName: v.row.name, subjectId: body.subjectId },
  });
  return { status: 201, body: credential };
}

/** Open Badges issuer profile (also the controller document of its keys). */
export async function obIssuer({ c, store, site }: HandlerContext<typeof routes.obIssuer>) {
  await issuerKey(store, site.id);
  return ld(c, issuerProfile(issuerInfo(c, site), await publishedKeys(store, site.id)));
}

/** An issuer verification key (Multikey). */
export async function obKey({ c, store, site, params }: HandlerContext<typeof routes.obKey>) {
  const k = (await publishedKeys(store, site.id)).find((x) => x.kid === params.key);
  if (!k) throw problem(404, 'ob.key_unknown', 'No such issuer key', params.key);
  return ld(c, keyDocument(issuerInfo(c, site), k));
}

/** An Open Badges achievement (badge definition). */
export async function obAchievement({ c, store, site, params }: HandlerContext<typeof routes.obAchievement>) {
  const rules = await rulesFor(store.db, store.db, site.id);
  const rule = rules.badges.find((b) => b.id === params.badge);
  if (!rule) throw problem(404, 'engagement.badge_unknown', 'No such badge on this site', params.badge);
  const lang = /^en\b/i.test(c.req.header('accept-language') ?? '') ? 'en' : 'fr';
  return ld(c, {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    ...achievement(issuerInfo(c, site), rules, rule, lang),
  });
}

/** Whether a credential this site issued still stands. */
export async function obCredentialStatus({ c, store, site, params }: HandlerContext<typeof routes.obCredentialStatus>) {
  const row = await store.db
    .selectFrom('ob_credentials')
    .selectAll()
    .where('site_id', '=', site.id)
    .where('id', '=', params.credential)
    .executeTakeFirst();
  if (!row) throw problem(404, 'ob.credential_unknown', 'This site issued no such credential', params.credential);
  const held = await store.db
    .selectFrom('engagement_awards')
    .select('badge_id')
    .where('member_pk', '=', row.member_pk)
    .where('badge_id', '=', row.badge_id)
    .where('scope', '=', row.scope)
    .executeTakeFirst();
  const info = issuerInfo(c, site);
  return {
    body: {
      id: `${info.base}/v1/sites/${site.id}/ob/credentials/${row.id}`,
      issuer: `${info.base}/v1/sites/${site.id}/ob/issuer`,
      achievement: `${info.base}/v1/sites/${site.id}/ob/achievements/${row.badge_id}`,
      issuedAt: row.issued_at,
      status: held ? 'active' : 'revoked',
    },
    headers: { 'access-control-allow-origin': '*' },
  };
}
