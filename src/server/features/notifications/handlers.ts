import { createHash, randomBytes } from 'node:crypto';
import type { routes } from '../../../contract/routes.js';
import { DigestFrequency, NotificationKind, type NotificationFeed } from '../../../contract/notifications.js';
import { canSee } from '../../domain/audience.js';
import { decodeCursor, encodeCursor } from '../../domain/mapping.js';
import { nowIso } from '../../domain/ids.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import type { Viewer } from '../../http/viewer.js';
import { toViewer } from '../../http/viewer.js';
import type { Site } from '../../store/store.js';
import { preferencesOut } from '../../notifications/export.js';
import { atomFeed, tagUri } from '../../notifications/atom.js';
import { excerpt, notificationOut } from '../../notifications/present.js';
import { languageOf, line } from '../../notifications/render.js';
import { notifierOf, siteLanguage } from '../../notifications/service.js';
import { smtpOf } from '../../notifications/settings.js';
import {
  followRow,
  listViews,
  markRead,
  prefsOf,
  prefsRow,
  savePrefs,
  setFollow,
  unreadCount,
  type Prefs,
} from '../../notifications/store.js';
import { unsubscribeSecret, verifyUnsubscribe } from '../../notifications/unsubscribe.js';
import { page, unsubscribeMessages } from './pages.js';

type Ctx<K extends keyof typeof routes> = HandlerContext<(typeof routes)[K]>;

/** Tells the member's open tabs the count changed (a read in another tab). */
async function tellTabs(ctx: { store: HandlerContext['store']; site: Site; now: () => number }, v: Viewer) {
  await notifierOf(ctx.store)?.publish(ctx.site.id, v.hostId, `read-${ctx.now()}`);
}

export async function listNotifications({ store, site, viewer, query }: Ctx<'listNotifications'>) {
  const v = viewer!;
  const limit = query.limit ?? 20;
  const rows = await listViews(store.db, site.id, v.pk, {
    unread: query.unread === 'true' || query.unread === '1',
    after: decodeCursor(query.cursor),
    limit: limit + 1,
  });
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    body: {
      items: pageRows.map((r) => notificationOut(r, v, site.settings.publicRead)).filter((n) => n !== null),
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      unread: await unreadCount(store.db, site.id, v.pk),
    },
  };
}

export async function notificationCount({ store, site, viewer }: Ctx<'notificationCount'>) {
  return { body: { unread: await unreadCount(store.db, site.id, viewer!.pk) } };
}

export async function markNotificationsRead(ctx: Ctx<'markNotificationsRead'>) {
  const { store, site, viewer, body, now } = ctx;
  const v = viewer!;
  const changed = await markRead(
    store.db,
    site.id,
    v.pk,
    'ids' in body ? { ids: body.ids } : { before: body.before ?? null },
    nowIso(now()),
  );
  if (changed) await tellTabs(ctx, v);
  return { body: { unread: await unreadCount(store.db, site.id, v.pk) } };
}

// ---- preferences ------------------------------------------------------------------------------

/**
 * The precise refusal of a preferences change naming a kind or a frequency this server does not know (a widget newer
 * or older than the server): `notifications.unknown_kind` / `notifications.unknown_frequency`, with the field and the
 * values it takes. Anything else wrong with the body stays the generic `request.invalid`.
 */
export function preferencesProblem(raw: unknown) {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const body = raw as { kinds?: unknown; frequency?: unknown };
  if (typeof body.kinds === 'object' && body.kinds !== null && !Array.isArray(body.kinds)) {
    const known: readonly string[] = NotificationKind.options;
    const unknown = Object.keys(body.kinds).filter((k) => !known.includes(k));
    if (unknown.length) {
      return problem(
        400,
        'notifications.unknown_kind',
        'Unknown notification kind',
        `${unknown.map((k) => JSON.stringify(k.slice(0, 60))).join(', ')} ${unknown.length > 1 ? 'are not kinds' : 'is not a kind'} of notification. Known: ${known.join(', ')}.`,
        unknown.slice(0, 20).map((k) => ({ path: `body.kinds.${k.slice(0, 60)}`, message: 'Unknown notification kind' })),
      );
    }
  }
  if (body.frequency !== undefined && !DigestFrequency.safeParse(body.frequency).success) {
    return problem(
      400,
      'notifications.unknown_frequency',
      'Unknown notification frequency',
      `${JSON.stringify(body.frequency)?.slice(0, 60)} is not a frequency. Known: ${DigestFrequency.options.join(', ')}.`,
      [{ path: 'body.frequency', message: `Expected one of ${DigestFrequency.options.join(', ')}` }],
    );
  }
  return undefined;
}

const prefsOut = (ctx: { store: HandlerContext['store']; site: Site }, v: Viewer, p: Prefs) => preferencesOut(ctx.store, ctx.site, v, p);

export async function notificationPreferences(ctx: Ctx<'notificationPreferences'>) {
  const { store, site, viewer, now } = ctx;
  const v = viewer!;
  const row = await prefsRow(store.db, site.id, v.pk);
  const p = prefsOf(row);
  // While mail is on, the address follows the one the host passes now.
  if (p.email && v.email && v.email !== p.email) {
    p.email = v.email;
    await savePrefs(store.db, site.id, v.pk, p, nowIso(now()));
  }
  return { body: await prefsOut(ctx, v, p) };
}

export async function updateNotificationPreferences(ctx: Ctx<'updateNotificationPreferences'>) {
  const { store, site, viewer, body, now } = ctx;
  const v = viewer!;
  const row = await prefsRow(store.db, site.id, v.pk);
  const p = prefsOf(row);
  if (!row) p.language = languageOf(v.locale);
  for (const [kind, change] of Object.entries(body.kinds ?? {}) as [keyof Prefs['kinds'], { page?: boolean; delivery?: boolean }][]) {
    p.kinds[kind] = { page: change.page ?? p.kinds[kind].page, delivery: change.delivery ?? p.kinds[kind].delivery };
  }
  if (body.frequency !== undefined) p.frequency = body.frequency;
  if (body.language !== undefined) p.language = body.language;
  const at = nowIso(now());
  if (body.email === true) {
    if (!smtpOf(site.settings.notifications)) {
      throw problem(
        409,
        'notification.email_unavailable',
        'This site does not send mail',
        'Notifications reach you through the site itself.',
        [{ path: 'body.email', message: 'No mail server is configured.' }],
      );
    }
    if (!v.email) {
      throw problem(
        409,
        'notification.email_unavailable',
        'The site did not pass your mail address',
        'Sign in again on the site, or ask it to share your address.',
        [{ path: 'body.email', message: 'The token carries no email claim.' }],
      );
    }
    p.email = v.email;
  } else if (body.email === false) {
    p.email = null;
  }
  await store.db.transaction().execute(async (tx) => {
    await savePrefs(tx, site.id, v.pk, p, at);
    // Off: the address goes, and so does every message that still holds it.
    if (body.email === false) await tx.deleteFrom('mail_outbox').where('site_id', '=', site.id).where('member_pk', '=', v.pk).execute();
  });
  return { body: await prefsOut(ctx, v, p) };
}

// ---- follows --------------------------------------------------------------------------------

async function readableThread(ctx: { store: HandlerContext['store']; site: Site }, v: Viewer, key: string, create: boolean) {
  const found = await ctx.store.db
    .selectFrom('threads')
    .selectAll()
    .where('site_id', '=', ctx.site.id)
    .where('key', '=', key)
    .executeTakeFirst();
  const thread = found ?? (create ? await ctx.store.ensureThread(ctx.site.id, key) : undefined);
  if (!thread) return null;
  if (!canSee(thread.audience, v, ctx.site.settings.publicRead)) throw problem(404, 'thread.not_found', 'No such thread', key);
  return thread;
}

export async function followState(ctx: Ctx<'followState'>) {
  const v = ctx.viewer!;
  const thread = await readableThread(ctx, v, ctx.query.thread, false);
  const f = thread ? await followRow(ctx.store.db, ctx.site.id, thread.pk, v.pk) : undefined;
  return { body: { thread: ctx.query.thread, following: !!f?.following } };
}

export async function follow(ctx: Ctx<'follow'>) {
  const v = ctx.viewer!;
  const thread = (await readableThread(ctx, v, ctx.body.thread, ctx.body.following))!;
  if (thread) await setFollow(ctx.store.db, ctx.site.id, thread.pk, v.pk, ctx.body.following, nowIso(ctx.now()));
  return { body: { thread: ctx.body.thread, following: ctx.body.following } };
}

// ---- feeds ----------------------------------------------------------------------------------

const FEED_SIZE = 50;
const ATOM_TYPE = 'application/atom+xml; charset=utf-8';

function feedHost(ctx: { c: HandlerContext['c'] }) {
  return new URL(ctx.c.req.url).host.replace(/:\d+$/, '') || 'cercle';
}

export async function threadFeed(ctx: Ctx<'threadFeed'>) {
  const { store, site, query, c } = ctx;
  const thread = await store.db
    .selectFrom('threads')
    .selectAll()
    .where('site_id', '=', site.id)
    .where('key', '=', query.thread)
    .executeTakeFirst();
  // Only what anyone may read: a public thread of a site whose public content is readable without signing in.
  if (!thread || thread.audience !== 'public' || !site.settings.publicRead)
    throw problem(404, 'thread.not_found', 'No such public thread', query.thread);
  const rows = await store.db
    .selectFrom('comments as cm')
    .leftJoin('members as m', 'm.pk', 'cm.author_pk')
    .select(['cm.id', 'cm.body', 'cm.created_at', 'cm.edited_at', 'm.name'])
    .where('cm.site_id', '=', site.id)
    .where('cm.thread_pk', '=', thread.pk)
    .where('cm.status', '=', 'published')
    .orderBy('cm.created_at', 'desc')
    .limit(FEED_SIZE)
    .execute();
  const host = feedHost(ctx);
  const day = thread.created_at.slice(0, 10);
  const isUrl = /^https?:\/\//i.test(thread.key);
  const text = atomFeed({
    id: tagUri(host, day, `${site.id}:thread:${thread.pk}`),
    title: thread.title ?? thread.key,
    self: c.req.url,
    alternate: isUrl ? thread.key : null,
    updated: rows[0]?.edited_at ?? rows[0]?.created_at ?? thread.created_at,
    entries: rows.map((r) => ({
      id: tagUri(host, day, `${site.id}:comment:${r.id}`),
      title: excerpt(r.body).slice(0, 80) || '…',
      updated: r.edited_at ?? r.created_at,
      author: r.name ?? null,
      link: isUrl ? `${thread.key}#comment-${r.id}` : null,
      content: r.body.replace(/@\[([^\]]*)\]\([^)]*\)/g, '@$1'),
    })),
  });
  return new Response(text, { status: 200, headers: { 'content-type': ATOM_TYPE, 'cache-control': 'public, max-age=300' } });
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

const feedOut = (site: Site, createdAt: string | null, token: string | null): NotificationFeed => ({
  active: !!createdAt,
  createdAt,
  token,
  path: token ? `/v1/sites/${site.id}/notifications/${token}/feed.atom` : null,
});

export async function memberNotificationFeed(ctx: Ctx<'memberNotificationFeed'>) {
  const { store, site, params, c } = ctx;
  const member = await store.db
    .selectFrom('notification_prefs as p')
    .innerJoin('members as m', 'm.pk', 'p.member_pk')
    .selectAll('m')
    .select('p.language as language')
    .where('p.site_id', '=', site.id)
    .where('p.feed_token_hash', '=', hashToken(params.token))
    .executeTakeFirst();
  if (!member) throw problem(404, 'notification.unknown_feed', 'No such notification feed', 'The address was revoked or replaced.');
  const { language, ...row } = member;
  const reader = toViewer(row);
  const lang = languageOf(language) ?? siteLanguage(site);
  const rows = await listViews(store.db, site.id, row.pk, { limit: FEED_SIZE });
  const items = rows.map((r) => notificationOut(r, reader, site.settings.publicRead)).filter((n) => n !== null);
  const host = feedHost(ctx);
  const text = atomFeed({
    id: tagUri(host, row.created_at.slice(0, 10), `${site.id}:notifications:${row.pk}`),
    title: `${site.name} — ${row.name}`,
    self: c.req.url,
    alternate: site.settings.notifications?.preferencesUrl ?? null,
    updated: items[0]?.createdAt ?? row.created_at,
    entries: items.map((n) => ({
      id: tagUri(host, n.createdAt.slice(0, 10), `${site.id}:notification:${n.id}`),
      title: line(n, lang),
      updated: n.createdAt,
      author: n.actor?.name ?? null,
      link: n.url,
      content: [line(n, lang), n.comment?.excerpt ?? ''].filter(Boolean).join('\n\n'),
    })),
  });
  return new Response(text, { status: 200, headers: { 'content-type': ATOM_TYPE, 'cache-control': 'private, no-store' } });
}

export async function notificationFeed({ store, site, viewer }: Ctx<'notificationFeed'>) {
  const row = await prefsRow(store.db, site.id, viewer!.pk);
  return { body: feedOut(site, row?.feed_token_hash ? row.feed_created_at : null, null) };
}

export async function resetNotificationFeed({ store, site, viewer, now }: Ctx<'resetNotificationFeed'>) {
  const v = viewer!;
  const token = randomBytes(32).toString('base64url');
  const at = nowIso(now());
  const row = await prefsRow(store.db, site.id, v.pk);
  if (!row) await savePrefs(store.db, site.id, v.pk, prefsOf(undefined), at);
  await store.db
    .updateTable('notification_prefs')
    .set({ feed_token_hash: hashToken(token), feed_created_at: at })
    .where('site_id', '=', site.id)
    .where('member_pk', '=', v.pk)
    .execute();
  return { status: 201, body: feedOut(site, at, token) };
}

export async function revokeNotificationFeed({ store, site, viewer }: Ctx<'revokeNotificationFeed'>) {
  await store.db
    .updateTable('notification_prefs')
    .set({ feed_token_hash: null, feed_created_at: null })
    .where('site_id', '=', site.id)
    .where('member_pk', '=', viewer!.pk)
    .execute();
  return { body: feedOut(site, null, null) };
}

// ---- unsubscribe ----------------------------------------------------------------------------

async function checkLink(ctx: Ctx<'unsubscribePage'> | Ctx<'unsubscribe'>) {
  const { store, site, params, now } = ctx;
  const secret = await unsubscribeSecret(store.db, site.id, nowIso(now()));
  const check = verifyUnsubscribe(secret, site.id, params.token, now());
  const member = check.ok
    ? await store.db
        .selectFrom('members')
        .select(['pk', 'name'])
        .where('site_id', '=', site.id)
        .where('pk', '=', check.memberPk)
        .executeTakeFirst()
    : undefined;
  const prefs = member ? await prefsRow(store.db, site.id, member.pk) : undefined;
  const lang = languageOf(prefs?.language) ?? siteLanguage(site);
  return { check, member, prefs, lang };
}

/**
 * Who reads the refusal: a person who opened the link, or clicked the page's button, gets the HTML page; a mail client's
 * RFC 8058 one-click POST (no `text/html` in its `Accept`) and any client asking for `application/problem+json` get
 * problem+json with the same code.
 */
function wantsProblem(c: HandlerContext['c']) {
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  if (accept.includes('application/problem+json') || /(^|[\s,])application\/json/.test(accept)) return true;
  return c.req.method === 'POST' && !accept.includes('text/html');
}

function failure(ctx: Ctx<'unsubscribePage'> | Ctx<'unsubscribe'>, lang: ReturnType<typeof siteLanguage>, reason: 'invalid' | 'expired') {
  const t = unsubscribeMessages(lang);
  const status = reason === 'expired' ? 410 : 400;
  const title = reason === 'expired' ? t.expiredTitle : t.invalidTitle;
  const text = reason === 'expired' ? t.expired : t.invalid;
  const code = `unsubscribe.${reason}`;
  if (wantsProblem(ctx.c)) {
    throw problem(status, code, title, text, [
      { path: 'params.token', message: reason === 'expired' ? 'The link has expired.' : 'The link is not valid.' },
    ]);
  }
  return page(status, lang, ctx.site.name, title, text, { code });
}

export async function unsubscribePage(ctx: Ctx<'unsubscribePage'>) {
  const { check, member, prefs, lang } = await checkLink(ctx);
  if (!check.ok) return failure(ctx, lang, check.reason);
  const t = unsubscribeMessages(lang);
  if (!member || !prefs?.email) return page(200, lang, ctx.site.name, t.doneTitle, t.already);
  return page(200, lang, ctx.site.name, t.confirmTitle, t.confirm, { form: { action: ctx.c.req.path, button: t.button } });
}

export async function unsubscribe(ctx: Ctx<'unsubscribe'>) {
  const { store, site, now } = ctx;
  const { check, member, prefs, lang } = await checkLink(ctx);
  if (!check.ok) return failure(ctx, lang, check.reason);
  const t = unsubscribeMessages(lang);
  if (member && prefs?.email) {
    const p = prefsOf(prefs);
    p.email = null;
    await store.db.transaction().execute(async (tx) => {
      await savePrefs(tx, site.id, member.pk, p, nowIso(now()));
      await tx.deleteFrom('mail_outbox').where('site_id', '=', site.id).where('member_pk', '=', member.pk).execute();
    });
  }
  return page(200, lang, site.name, t.doneTitle, t.done);
}
