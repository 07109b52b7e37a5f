import type { RuleSet } from '../../contract/engagement.js';
import { byTime, evaluate, type Act } from '../engagement/engine.js';
import type { Store } from './store.js';

export interface RulesPreviewCounts {
  members: number;
  badges: { id: string; holders: number; holdersNow: number }[];
}

/**
 * Evaluates rules over every member's ledger without saving anything, in chunks of members (memory stays
 * bounded), and counts who would hold each badge against who holds it now.
 */
export async function previewRules(store: Store, siteId: string, rules: RuleSet, chunk = 1000): Promise<RulesPreviewCounts> {
  const would = new Map<string, number>(rules.badges.map((b) => [b.id, 0]));
  let members = 0;
  let after = '';
  for (;;) {
    const pks = (
      await store.db
        .selectFrom('members')
        .select('pk')
        .where('site_id', '=', siteId)
        .where('pk', '>', after)
        .orderBy('pk')
        .limit(chunk)
        .execute()
    ).map((r) => r.pk);
    if (!pks.length) break;
    after = pks[pks.length - 1];
    members += pks.length;
    const rows = await store.db
      .selectFrom('activities')
      .select(['id', 'member_pk', 'kind', 'ref', 'created_at', 'chapter_id'])
      .where('site_id', '=', siteId)
      .where('member_pk', 'in', pks)
      .execute();
    const byMember = new Map<string, Act[]>();
    for (const r of rows) {
      let list = byMember.get(r.member_pk);
      if (!list) byMember.set(r.member_pk, (list = []));
      list.push({ id: r.id, kind: r.kind, ref: r.ref, at: r.created_at, chapter: r.chapter_id });
    }
    for (const acts of byMember.values()) {
      const held = new Set([...evaluate(rules, acts.sort(byTime)).badges.values()].map((b) => b.badge));
      for (const id of held) would.set(id, (would.get(id) ?? 0) + 1);
    }
  }
  const now = await store.db
    .selectFrom('engagement_awards')
    .select('badge_id')
    .select((eb) => eb.fn.count<number | string>('member_pk').distinct().as('n'))
    .where('site_id', '=', siteId)
    .groupBy('badge_id')
    .execute();
  const nowBy = new Map(now.map((r) => [r.badge_id, Number(r.n)]));
  const ids = [...new Set([...rules.badges.map((b) => b.id), ...nowBy.keys()])];
  return { members, badges: ids.map((id) => ({ id, holders: would.get(id) ?? 0, holdersNow: nowBy.get(id) ?? 0 })) };
}
