import type { Notification, NotificationCreatedData, NotificationKind, NotificationLanguage } from '../../contract/notifications.js';
import { canSee } from '../domain/audience.js';
import { nowIso } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import { toViewer } from '../http/viewer.js';
import type { LivePublisher } from '../live/bus.js';
import type { MemberRow, RsvpRow } from '../store/schema.js';
import type { Site, Store } from '../store/store.js';
import { webhooksOf } from '../webhooks/webhooks.js';
import { mailOf, queueMail } from './mail.js';
import { notificationOut } from './present.js';
import { groupByThread, line, mailBody, rendered, words } from './render.js';
import { smtpOf } from './settings.js';
import {
  chunks,
  fanOutToFollowers,
  insertNotifications,
  markDelivered,
  prefsOf,
  prefsRows,
  removeForComment,
  viewsByIds,
  type NewNotification,
} from './store.js';
import { signUnsubscribe, unsubscribeSecret } from './unsubscribe.js';

/** Kept to the Id shape (letters, digits, `_.:@-`) and its 128 characters. */
const idPart = (s: string) => s.replace(/[^A-Za-z0-9_.:@-]/g, '_');

export interface NotifierOptions {
  store: Store;
  live: LivePublisher;
  logger?: Logger;
  now?: () => number;
  /** Reads a site (default: from the store each time; the app passes the one its requests use). */
  site?: (id: string) => Promise<Site | undefined>;
  /** The API's public base URL, for unsubscribe links in mail (default: `CERCLE_PUBLIC_URL`, else `http://localhost:8787`). */
  publicUrl?: string;
}

export const siteLanguage = (site: Site): NotificationLanguage => site.settings.notifications?.language ?? 'en';

/**
 * Makes the notifications a change calls for, after the request that made it has answered: the handler
 * raises a domain event, the subscriber hands the work here and returns, so a reply in a thread with a
 * thousand followers costs its request nothing. Then tells each member live, and delivers beyond the
 * page to those who want it at once (webhook `notification.created`, mail).
 */
export class Notifier {
  readonly store: Store;
  private readonly live: LivePublisher;
  private readonly logger?: Logger;
  readonly now: () => number;
  private readonly site: (id: string) => Promise<Site | undefined>;
  publicUrl: string;
  /** The public URL was given (option or `CERCLE_PUBLIC_URL`), not guessed. */
  private readonly publicUrlGiven: boolean;
  /** Background work of every notifier over this store (several apps may share one database handle). */
  private readonly pending: Set<Promise<unknown>>;

  constructor(o: NotifierOptions) {
    this.store = o.store;
    this.live = o.live;
    this.logger = o.logger;
    this.now = o.now ?? Date.now;
    this.site = o.site ?? ((id) => this.store.site(id));
    this.publicUrlGiven = !!(o.publicUrl || process.env.CERCLE_PUBLIC_URL);
    this.publicUrl = (o.publicUrl || process.env.CERCLE_PUBLIC_URL || 'http://localhost:8787').replace(/\/+$/, '');
    let pending = pendingWork.get(o.store);
    if (!pending) pendingWork.set(o.store, (pending = new Set()));
    this.pending = pending;
  }

  /** Runs `work` in the background (its failure is logged); `idle()` waits for it. */
  later(what: string, work: () => Promise<unknown>) {
    const p = new Promise((ok) => setImmediate(ok))
      .then(work)
      .catch((err) => this.logger?.error({ msg: 'notifications.failed', what, error: String((err as Error)?.stack ?? err) }))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits until the background work (and what it started) is done: tests, benchmarks, shutdown. */
  async idle() {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async members(siteId: string, pks: string[]): Promise<Map<string, MemberRow>> {
    const out = new Map<string, MemberRow>();
    for (const part of chunks([...new Set(pks)])) {
      for (const m of await this.store.db
        .selectFrom('members')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('pk', 'in', part)
        .execute()) {
        out.set(m.pk, m);
      }
    }
    return out;
  }

  private mayRead(site: Site, m: MemberRow | undefined, audience: string) {
    return !!m && canSee(audience, toViewer(m), site.settings.publicRead);
  }

  // ---- discussion ----------------------------------------------------------------------------

  /** A comment became readable (posted, or approved): its parent's author, the members it mentions, the thread's followers. */
  async commentReadable(siteId: string, commentId: string, approved: boolean) {
    const at = nowIso(this.now());
    const c = await this.store.db
      .selectFrom('comments as c')
      .innerJoin('threads as t', 't.pk', 'c.thread_pk')
      .leftJoin('comments as p', (j) => j.onRef('p.id', '=', 'c.parent_id').onRef('p.site_id', '=', 'c.site_id'))
      .select(['c.id', 'c.status', 'c.author_pk', 'c.thread_pk', 't.audience', 'p.author_pk as parent_author', 'p.status as parent_status'])
      .where('c.site_id', '=', siteId)
      .where('c.id', '=', commentId)
      .executeTakeFirst();
    if (!c || c.status !== 'published') return;
    const site = await this.site(siteId);
    if (!site) return;
    const mentioned = (
      await this.store.db
        .selectFrom('comment_mentions')
        .select('member_pk')
        .where('site_id', '=', siteId)
        .where('comment_id', '=', commentId)
        .execute()
    ).map((r) => r.member_pk);
    const who = await this.members(siteId, [...mentioned, ...(c.parent_author ? [c.parent_author] : [])]);
    const base = { actor_pk: c.author_pk, thread_pk: c.thread_pk, comment_id: c.id, event_id: null, introduction_id: null, data: null };
    const told = new Set<string>(c.author_pk ? [c.author_pk] : []);
    const list: NewNotification[] = [];
    if (approved && c.author_pk) {
      list.push({ ...base, id: `ca:${c.id}`, member_pk: c.author_pk, kind: 'comment.approved', actor_pk: null });
    }
    if (
      c.parent_author &&
      c.parent_status === 'published' &&
      !told.has(c.parent_author) &&
      this.mayRead(site, who.get(c.parent_author), c.audience)
    ) {
      told.add(c.parent_author);
      list.push({ ...base, id: `cr:${c.id}`, member_pk: c.parent_author, kind: 'comment.reply' });
    }
    for (const pk of mentioned) {
      if (told.has(pk) || !this.mayRead(site, who.get(pk), c.audience)) continue;
      told.add(pk);
      list.push({ ...base, id: `cm:${c.id}:${pk}`, member_pk: pk, kind: 'comment.mention' });
    }
    const stored = await insertNotifications(this.store.db, siteId, list, at);
    const followers = await fanOutToFollowers(
      this.store.db,
      siteId,
      { id: c.id, threadPk: c.thread_pk, audience: c.audience, actorPk: c.author_pk },
      [...told, ...mentioned],
      at,
    );
    await this.created(site, [...stored, ...followers]);
  }

  /** A comment is no longer readable: notifications about it go (each member told live); a refused held comment tells its author. */
  async commentGone(siteId: string, commentId: string, refused: boolean) {
    const removed = await removeForComment(this.store.db, siteId, commentId);
    const byMember = new Map<string, string>();
    for (const r of removed) byMember.set(r.member_pk, r.id);
    const who = await this.members(siteId, [...byMember.keys()]);
    for (const [pk, id] of byMember) {
      const m = who.get(pk);
      if (m) await this.publish(siteId, m.host_id, id);
    }
    if (!refused) return;
    const c = await this.store.db
      .selectFrom('comments')
      .select(['author_pk', 'thread_pk'])
      .where('site_id', '=', siteId)
      .where('id', '=', commentId)
      .executeTakeFirst();
    const site = await this.site(siteId);
    if (!c?.author_pk || !site) return;
    const stored = await insertNotifications(
      this.store.db,
      siteId,
      [
        {
          id: `cx:${commentId}`,
          member_pk: c.author_pk,
          kind: 'comment.refused',
          actor_pk: null,
          thread_pk: c.thread_pk,
          comment_id: commentId,
          event_id: null,
          introduction_id: null,
          data: null,
        },
      ],
      nowIso(this.now()),
    );
    await this.created(site, stored);
  }

  // ---- members, events, badges --------------------------------------------------------------

  /** One notification for one member named by host id, if that member is still here. */
  async toHostMember(siteId: string, hostId: string, n: Omit<NewNotification, 'member_pk' | 'id'> & { id: (pk: string) => string }) {
    const site = await this.site(siteId);
    const m = await this.store.db
      .selectFrom('members')
      .select('pk')
      .where('site_id', '=', siteId)
      .where('host_id', '=', hostId)
      .executeTakeFirst();
    if (!site || !m) return;
    const stored = await insertNotifications(this.store.db, siteId, [{ ...n, id: n.id(m.pk), member_pk: m.pk }], nowIso(this.now()));
    await this.created(site, stored);
  }

  async actorPk(siteId: string, hostId: string) {
    return (
      (
        await this.store.db
          .selectFrom('members')
          .select('pk')
          .where('site_id', '=', siteId)
          .where('host_id', '=', hostId)
          .executeTakeFirst()
      )?.pk ?? null
    );
  }

  /** Members of an event with one of these answers (the actor left out) each get one notification. */
  async toEventMembers(
    siteId: string,
    eventId: string,
    statuses: RsvpRow['status'][],
    kind: NotificationKind,
    id: (pk: string) => string,
    o: { actorPk?: string | null; data?: unknown; only?: string[] } = {},
  ) {
    const site = await this.site(siteId);
    if (!site) return;
    let q = this.store.db
      .selectFrom('rsvps')
      .select('member_pk')
      .where('site_id', '=', siteId)
      .where('event_id', '=', eventId)
      .where('status', 'in', statuses);
    if (o.only) q = q.where('member_pk', 'in', o.only.length ? o.only : ['']);
    const pks = (await q.execute()).map((r) => r.member_pk).filter((pk) => pk !== o.actorPk);
    const at = nowIso(this.now());
    const list = pks.map((pk) => ({
      id: id(pk),
      member_pk: pk,
      kind,
      actor_pk: o.actorPk ?? null,
      thread_pk: null,
      comment_id: null,
      event_id: eventId,
      introduction_id: null,
      data: o.data === undefined ? null : JSON.stringify(o.data),
    }));
    for (const part of chunks(list)) await this.created(site, await insertNotifications(this.store.db, siteId, part, at));
  }

  /** Events starting within a day, not cancelled: members going get a reminder (once: its id is the event's and the member's). */
  async reminders(site: Site) {
    const now = this.now();
    const events = await this.store.db
      .selectFrom('events')
      .select('id')
      .where('site_id', '=', site.id)
      .where('cancelled_at', 'is', null)
      .where('starts_at', '>', nowIso(now))
      .where('starts_at', '<=', nowIso(now + 86_400_000))
      .execute();
    for (const e of events) await this.toEventMembers(site.id, e.id, ['going'], 'event.reminder', (pk) => `er:${e.id}:${pk}`);
  }

  badgeId = idPart;

  // ---- after creation: live and delivery ----------------------------------------------------

  /** Tells one member's tabs the count (and the notification `ref`, or that `ref` went away). */
  async publish(siteId: string, hostId: string, ref: string) {
    await this.live.publish(siteId, {
      topic: `member:${hostId}`,
      kind: 'notification',
      ref: idPart(ref).slice(0, 128),
      audience: `member:${hostId}`,
    });
  }

  /** New notifications: each member hears live; those who want it at once get it beyond the page now. */
  async created(site: Site, created: { id: string; member_pk: string }[]) {
    if (!created.length) return;
    const who = await this.members(
      site.id,
      created.map((c) => c.member_pk),
    );
    for (const c of created) {
      const m = who.get(c.member_pk);
      if (m) await this.publish(site.id, m.host_id, c.id);
    }
    await this.deliverNow(site, created, who);
  }

  private async deliverNow(site: Site, created: { id: string; member_pk: string }[], who: Map<string, MemberRow>) {
    const prefs = await prefsRows(
      this.store.db,
      site.id,
      created.map((c) => c.member_pk),
    );
    // A digest member's notifications wait for the digest; the rest are dealt with now (sent, or never).
    const now = created.filter((c) => {
      const f = prefsOf(prefs.get(c.member_pk)).frequency;
      return f === 'immediate' || f === 'off';
    });
    if (!now.length) return;
    const at = nowIso(this.now());
    const views = await viewsByIds(
      this.store.db,
      site.id,
      now.map((c) => c.id),
    );
    const hooks = webhooksOf(this.store);
    const listens = await hooks.listens(site.id, 'notification.created');
    const smtp = smtpOf(site.settings.notifications);
    let mailed = false;
    for (const v of views) {
      const p = prefsOf(prefs.get(v.member_pk));
      const m = who.get(v.member_pk);
      if (p.frequency !== 'immediate' || !m || !p.kinds[v.kind as NotificationKind]?.delivery) continue;
      const n = notificationOut(v, toViewer(m), site.settings.publicRead);
      if (!n) continue;
      const lang = p.language ?? siteLanguage(site);
      const data = this.createdData(site, m, n, lang);
      if (listens) await hooks.emit(site.id, 'notification.created', data);
      if (smtp && p.email) {
        const body = mailBody(null, groupByThread([n]), lang, site.name, await this.links(site, m.pk));
        mailed =
          (await queueMail(
            this.store.db,
            {
              siteId: site.id,
              memberPk: m.pk,
              dedupeKey: `n:${site.id}:${n.id}`,
              to: p.email,
              subject: data.subject,
              ...body,
              headers: await this.listHeaders(site, m.pk),
            },
            at,
          )) || mailed;
      }
    }
    await markDelivered(
      this.store.db,
      site.id,
      now.map((c) => c.id),
      at,
    );
    if (mailed) mailOf(this.store).kick();
  }

  createdData(site: Site, m: MemberRow, n: Notification, lang: NotificationLanguage): NotificationCreatedData {
    const text = line(n, lang);
    return {
      member: { id: m.host_id, name: m.name, language: lang },
      notification: rendered(n, lang),
      subject: words(lang).subjectOne(site.name, text),
      text: [text, ...(n.comment?.excerpt ? [n.comment.excerpt] : []), ...(n.url ? [n.url] : [])].join('\n'),
      preferencesUrl: site.settings.notifications?.preferencesUrl ?? null,
    };
  }

  async unsubscribeUrl(site: Site, memberPk: string) {
    const secret = await unsubscribeSecret(this.store.db, site.id, nowIso(this.now()));
    return `${this.publicUrl}/v1/sites/${site.id}/mail/unsubscribe/${signUnsubscribe(secret, site.id, memberPk, this.now())}`;
  }

  /**
   * The address the server actually listens on, once it does: links use it unless a public URL was given (so
   * `cercle serve --port 9000` mails links that work without setting `CERCLE_PUBLIC_URL`).
   */
  listeningAt(url: string, given?: string) {
    if (given) this.publicUrl = given.replace(/\/+$/, '');
    else if (!this.publicUrlGiven) this.publicUrl = url.replace(/\/+$/, '');
  }

  async links(site: Site, memberPk: string) {
    return { unsubscribe: await this.unsubscribeUrl(site, memberPk), preferences: site.settings.notifications?.preferencesUrl ?? null };
  }

  /** RFC 2369 and RFC 8058: the unsubscribe link, and one-click by POST. */
  async listHeaders(site: Site, memberPk: string): Promise<Record<string, string>> {
    return {
      'List-Unsubscribe': `<${await this.unsubscribeUrl(site, memberPk)}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    };
  }
}

const notifiers = new WeakMap<Store, Notifier>();
const pendingWork = new WeakMap<Store, Set<Promise<unknown>>>();

/** The notifier of a store's app (made when the app starts; one per database handle in this process). */
export function notifierOf(store: Store): Notifier | undefined {
  return notifiers.get(store);
}

export function setNotifier(store: Store, n: Notifier) {
  notifiers.set(store, n);
}
