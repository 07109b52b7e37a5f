import type { AppServices } from '../../http/types.js';

/**
 * Badges awarded by a request's transactions are told to each member alone on the live stream (topic
 * `member:<host id>`) once the request is done, if still there: a rolled-back award is not.
 */
export function subscribeBadges({ bus, store, live }: AppServices) {
  bus.on('badge.awarded', async (n) => {
    const row = await store.db
      .selectFrom('engagement_awards')
      .innerJoin('members', 'members.pk', 'engagement_awards.member_pk')
      .select(['members.host_id'])
      .where('engagement_awards.site_id', '=', n.site)
      .where('engagement_awards.member_pk', '=', n.memberPk)
      .where('badge_id', '=', n.badge)
      .where('scope', '=', n.scope)
      .where('awarded_at', '=', n.at)
      .executeTakeFirst();
    if (!row) return;
    const ref = (n.scope ? `${n.badge}:${n.scope}` : n.badge).replace(/[^A-Za-z0-9_.:@-]/g, '_').slice(0, 128);
    await live.publish(n.site, { topic: `member:${row.host_id}`, kind: 'badge.awarded', ref, audience: `member:${row.host_id}` });
  });
}
