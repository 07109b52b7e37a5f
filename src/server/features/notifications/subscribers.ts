import type { NotificationLive } from '../../../contract/notifications.js';
import type { AppServices } from '../../http/types.js';
import { toViewer } from '../../http/viewer.js';
import type { LiveRecord } from '../../live/bus.js';
import type { Site, Store } from '../../store/store.js';
import type { RuleSet } from '../../../contract/engagement.js';
import { DEFAULT_RULES } from '../../engagement/defaults.js';
import { notificationOut } from '../../notifications/present.js';
import { siteLanguage, type Notifier } from '../../notifications/service.js';
import { autoFollow, insertNotifications, unreadCount, viewsByIds } from '../../notifications/store.js';
import { nowIso } from '../../domain/ids.js';

/**
 * The live change `notification` (to one member): the unread count now, and the notification `ref` names
 * when it still exists and may be read; otherwise `ref` went away (or was a read in another tab).
 */
export async function hydrateNotification(store: Store, rec: LiveRecord): Promise<NotificationLive | undefined> {
  if (!rec.audience.startsWith('member:')) return undefined;
  const m = await store.db
    .selectFrom('members')
    .selectAll()
    .where('site_id', '=', rec.site)
    .where('host_id', '=', rec.audience.slice(7))
    .executeTakeFirst();
  if (!m) return undefined;
  const site = await store.site(rec.site);
  const [view] = rec.ref.startsWith('read-') ? [] : await viewsByIds(store.db, rec.site, [rec.ref]);
  const item = view && view.member_pk === m.pk && site ? notificationOut(view, toViewer(m), site.settings.publicRead) : null;
  return {
    unread: await unreadCount(store.db, rec.site, m.pk),
    item,
    ...(!item && !rec.ref.startsWith('read-') ? { removed: [rec.ref] } : {}),
  };
}

/**
 * Each domain event that tells someone something hands the work to the notifier, which does it once the
 * request has answered. Only the author's following of a thread they posted in is done at once (one
 * row), so the thread shows "following" as soon as the post returns.
 */
export function subscribeNotifications({ bus, store, now }: AppServices, n: Notifier) {
  const follow = async (site: string, comment: string) => {
    const c = await store.db
      .selectFrom('comments')
      .select(['author_pk', 'thread_pk'])
      .where('site_id', '=', site)
      .where('id', '=', comment)
      .executeTakeFirst();
    if (c?.author_pk) await autoFollow(store.db, site, c.thread_pk, c.author_pk, nowIso(now()));
  };
  bus.on('comment.posted', async (e) => {
    await autoFollow(store.db, e.site, e.threadPk, e.authorPk, nowIso(now()));
    n.later('comment.posted', () => n.commentReadable(e.site, e.comment, false));
  });
  bus.on('comment.held', (e) =>
    e.via === 'post' ? autoFollow(store.db, e.site, e.threadPk, e.authorPk, nowIso(now())) : follow(e.site, e.comment),
  );
  bus.on('comment.approved', (e) => n.later('comment.approved', () => n.commentReadable(e.site, e.comment, true)));
  bus.on('comment.hidden', (e) => n.later('comment.hidden', () => n.commentGone(e.site, e.comment, e.was === 'pending')));
  bus.on('comment.erased', (e) =>
    n.later('comment.erased', () => n.commentGone(e.site, e.comment, e.by === 'moderator' && e.was === 'pending')),
  );
  bus.on('comment.held', (e) => {
    if (e.via === 'edit' && e.withdrawn) n.later('comment.withdrawn', () => n.commentGone(e.site, e.comment, false));
  });

  bus.on('introduction.requested', (e) =>
    n.later('introduction.requested', async () => {
      const actor = await n.actorPk(e.site, e.from.id);
      await n.toHostMember(e.site, e.to.id, {
        id: () => `ir:${e.introduction.id}`,
        kind: 'introduction.requested',
        actor_pk: actor,
        thread_pk: null,
        comment_id: null,
        event_id: null,
        introduction_id: e.introduction.id,
        data: null,
      });
    }),
  );
  bus.on('introduction.answered', (e) =>
    n.later('introduction.answered', async () => {
      const actor = await n.actorPk(e.site, e.to.id);
      await n.toHostMember(e.site, e.from.id, {
        id: () => `ia:${e.introduction.id}`,
        kind: e.accepted ? 'introduction.accepted' : 'introduction.declined',
        actor_pk: actor,
        thread_pk: null,
        comment_id: null,
        event_id: null,
        introduction_id: e.introduction.id,
        data: null,
      });
    }),
  );

  bus.on('waitlist.promoted', (e) =>
    n.later('waitlist.promoted', () =>
      n.toEventMembers(e.site, e.eventId, ['going'], 'waitlist.promoted', (pk) => `wp:${e.eventId}:${pk}:${now()}`, { only: e.members }),
    ),
  );
  bus.on('event.changed', (e) =>
    n.later('event.changed', () =>
      n.toEventMembers(e.site, e.eventId, ['going', 'waitlist'], 'event.changed', (pk) => `ec:${e.eventId}:${now()}:${pk}`, {
        actorPk: e.by,
        data: { changes: e.what },
      }),
    ),
  );
  bus.on('event.cancelled', (e) =>
    n.later('event.cancelled', () =>
      n.toEventMembers(e.site, e.eventId, ['going', 'maybe', 'waitlist'], 'event.cancelled', (pk) => `ex:${e.eventId}:${pk}`, {
        actorPk: e.by,
        data: e.reason ? { reason: e.reason } : undefined,
      }),
    ),
  );

  bus.on('badge.awarded', (e) =>
    n.later('badge.awarded', async () => {
      const award = await store.db
        .selectFrom('engagement_awards')
        .select('badge_id')
        .where('site_id', '=', e.site)
        .where('member_pk', '=', e.memberPk)
        .where('badge_id', '=', e.badge)
        .where('scope', '=', e.scope)
        .where('awarded_at', '=', e.at)
        .executeTakeFirst();
      const site = await store.site(e.site);
      if (!award || !site) return;
      const name = await badgeName(store, site, e.badge);
      const stored = await insertNotifications(
        store.db,
        e.site,
        [
          {
            id: `be:${n.badgeId(e.badge)}:${n.badgeId(e.scope)}:${e.memberPk}`.slice(0, 128),
            member_pk: e.memberPk,
            kind: 'badge.earned',
            actor_pk: null,
            thread_pk: null,
            comment_id: null,
            event_id: null,
            introduction_id: null,
            data: JSON.stringify({ badge: { id: e.badge, name } }),
          },
        ],
        nowIso(now()),
      );
      await n.created(site, stored);
    }),
  );
}

/** The badge's (or level's) name in the site's language, from the site's rules (or the defaults). */
async function badgeName(store: Store, site: Site, badge: string): Promise<string> {
  const row = await store.db.selectFrom('engagement_rules').select('rules').where('site_id', '=', site.id).executeTakeFirst();
  let rules: RuleSet = DEFAULT_RULES;
  try {
    if (row) rules = JSON.parse(row.rules) as RuleSet;
  } catch {
    // Rules that do not parse: the defaults name it, or its id does.
  }
  const lang = siteLanguage(site);
  const all = [...((rules as { badges?: Named[] }).badges ?? []), ...((rules as { levels?: Named[] }).levels ?? [])];
  const name = all.find((b) => b.id === badge)?.name;
  if (!name) return badge;
  return typeof name === 'string' ? name : (name[lang] ?? name.en ?? Object.values(name)[0] ?? badge);
}

type Named = { id: string; name?: string | Record<string, string> };
