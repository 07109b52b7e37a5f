import { randomBytes } from 'node:crypto';
import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { NotificationDigestData, NotificationKind } from '../../contract/notifications.js';
import { nowIso } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import { toViewer } from '../http/viewer.js';
import type { Database } from '../store/schema.js';
import type { Site, Store } from '../store/store.js';
import { webhooksOf } from '../webhooks/webhooks.js';
import { mailOf, queueMail } from './mail.js';
import { notificationOut } from './present.js';
import { digestText, groupByThread, mailBody, rendered, words } from './render.js';
import { notifierOf, siteLanguage, type Notifier } from './service.js';
import { DEFAULT_RETENTION_DAYS, smtpOf } from './settings.js';
import { DEFAULT_FREQUENCY, markDelivered, pendingViews, prefsOf, prefsRow, prune } from './store.js';

export type Period = 'daily' | 'weekly';

/** Jobs claimed and committed together: one transaction (one disk flush) for this many digests. */
const BATCH = 50;

/** `daily:2026-12-07` or `weekly:2026-W50` (ISO week, UTC): one digest per member and key. */
export function periodKey(period: Period, nowMs: number): string {
  const d = new Date(nowMs);
  if (period === 'daily') return `daily:${d.toISOString().slice(0, 10)}`;
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `weekly:${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * One job per member of the site who chose this period and has notifications waiting: an INSERT …
 * SELECT whose unique key (site, member, period key) makes a second run, on this instance or another,
 * add nothing. Returns how many jobs were added.
 */
export async function createDigestJobs(store: Store, siteId: string, period: Period, nowMs: number): Promise<number> {
  const at = nowIso(nowMs);
  const key = periodKey(period, nowMs);
  const select = store.db
    .selectFrom('notifications as n')
    .leftJoin('notification_prefs as p', (j) => j.onRef('p.site_id', '=', 'n.site_id').onRef('p.member_pk', '=', 'n.member_pk'))
    .where('n.site_id', '=', siteId)
    .where('n.delivered_at', 'is', null)
    .where('n.read_at', 'is', null)
    .where('n.created_at', '<=', at)
    .where((eb) =>
      period === DEFAULT_FREQUENCY
        ? eb.or([eb('p.frequency', '=', period), eb('p.member_pk', 'is', null)])
        : eb('p.frequency', '=', period),
    )
    .select([
      sql<string>`${siteId}`.as('site_id'),
      'n.member_pk',
      sql<string>`${key}`.as('period_key'),
      sql<string>`${'pending'}`.as('status'),
      sql<number>`0`.as('attempts'),
      sql<string>`${at}`.as('created_at'),
    ])
    .distinct();
  const r = await store.db
    .insertInto('notification_jobs')
    .columns(['site_id', 'member_pk', 'period_key', 'status', 'attempts', 'created_at'])
    .expression(select)
    .onConflict((oc) => oc.columns(['site_id', 'member_pk', 'period_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

export interface DigestRunOptions {
  now?: () => number;
  /** How long a claimed job is held (default 5 min): a worker killed mid-job leaves it to the next run after this. */
  leaseMs?: number;
  /** Called after each job is committed, and awaited (progress, tests). */
  onJob?: (job: { site: string; member: string; key: string; sent: boolean }) => void | Promise<void>;
  logger?: Logger;
}

/**
 * Runs every due digest job, a batch at a time: one statement claims the batch (pending jobs, or running
 * ones whose lease ran out), then ONE transaction queues each digest (webhook `notification.digest`, and
 * mail for members who opted in), marks its notifications delivered and the jobs done. Killed before
 * the commit, nothing of the batch stays and the next run does it; after, it is done and never again.
 */
export async function runDigestJobs(store: Store, o: DigestRunOptions = {}): Promise<{ jobs: number; digests: number }> {
  const now = o.now ?? Date.now;
  const leaseMs = o.leaseMs ?? 300_000;
  const sites = new Map<string, Site | undefined>();
  const siteOf = async (id: string) => {
    if (!sites.has(id)) sites.set(id, await store.site(id));
    return sites.get(id);
  };
  const notifier = notifierOf(store);
  let jobs = 0;
  let digests = 0;
  for (;;) {
    const at = nowIso(now());
    const due = (eb: ExpressionBuilder<Database, 'notification_jobs'>) =>
      eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'running'), eb('lease_until', '<', at)])]);
    const candidates = await store.db.selectFrom('notification_jobs').select(['site_id', 'member_pk']).where(due).limit(BATCH).execute();
    if (!candidates.length) break;
    // One statement claims the batch (a conditional update: another worker's claim wins or loses whole rows).
    const token = randomBytes(12).toString('base64url');
    await store.db
      .updateTable('notification_jobs')
      .set((eb) => ({ status: 'running', lease_until: nowIso(now() + leaseMs), claimed_by: token, attempts: eb('attempts', '+', 1) }))
      .where(
        'member_pk',
        'in',
        candidates.map((c) => c.member_pk),
      )
      .where(due)
      .execute();
    const claimed = await store.db
      .selectFrom('notification_jobs')
      .select(['site_id', 'member_pk', 'period_key'])
      .where('claimed_by', '=', token)
      .where('status', '=', 'running')
      .execute();
    if (!claimed.length) continue;
    jobs += claimed.length;
    // The batch is one transaction: killed before its commit, none of it happened; after, all of it did.
    const done = await digestBatch(store, claimed, siteOf, now, notifier);
    digests += done.filter((d) => d.sent).length;
    for (const d of done) await o.onJob?.(d);
  }
  if (digests) {
    webhooksOf(store).kick();
    mailOf(store).kick();
  }
  return { jobs, digests };
}

type Job = { site_id: string; member_pk: string; period_key: string };
type MailLinks = { links: { unsubscribe: string; preferences: string | null }; headers: Record<string, string> } | null;

async function digestBatch(
  store: Store,
  jobs: Job[],
  siteOf: (id: string) => Promise<Site | undefined>,
  now: () => number,
  notifier?: Notifier,
) {
  // Made before the transaction: on SQLite its one connection is the transaction's until it ends.
  const prepared: { job: Job; site: Site | undefined; mail: MailLinks }[] = [];
  for (const job of jobs) {
    const site = await siteOf(job.site_id);
    const mail =
      site && smtpOf(site.settings.notifications) && notifier
        ? { links: await notifier.links(site, job.member_pk), headers: await notifier.listHeaders(site, job.member_pk) }
        : null;
    prepared.push({ job, site, mail });
  }
  return store.db.transaction().execute(async (tx) => {
    const out: { site: string; member: string; key: string; sent: boolean }[] = [];
    for (const { job, site, mail } of prepared) {
      const sent = site ? await digestOne(tx, store, site, job.member_pk, job.period_key, now, mail) : false;
      await tx
        .updateTable('notification_jobs')
        .set({ status: 'done', done_at: nowIso(now()), lease_until: null })
        .where('site_id', '=', job.site_id)
        .where('member_pk', '=', job.member_pk)
        .where('period_key', '=', job.period_key)
        .execute();
      out.push({ site: job.site_id, member: job.member_pk, key: job.period_key, sent });
    }
    return out;
  });
}

async function digestOne(
  tx: Transaction<Database>,
  store: Store,
  site: Site,
  memberPk: string,
  key: string,
  now: () => number,
  mailLinks: MailLinks,
) {
  const period = key.startsWith('weekly:') ? 'weekly' : 'daily';
  const at = nowIso(now());
  const job = await tx
    .selectFrom('notification_jobs')
    .select(['created_at', 'status'])
    .where('site_id', '=', site.id)
    .where('member_pk', '=', memberPk)
    .where('period_key', '=', key)
    .executeTakeFirst();
  const m = await tx.selectFrom('members').selectAll().where('site_id', '=', site.id).where('pk', '=', memberPk).executeTakeFirst();
  let sent = false;
  if (!job || !m) return sent;
  const views = await pendingViews(tx, site.id, memberPk, job.created_at);
  const prefs = prefsOf(await prefsRow(tx, site.id, memberPk));
  const reader = toViewer(m);
  const items = views
    .filter((v) => v.read_at === null && prefs.kinds[v.kind as NotificationKind]?.delivery)
    .map((v) => notificationOut(v, reader, site.settings.publicRead))
    .filter((n) => n !== null);
  if (items.length) {
    const lang = prefs.language ?? siteLanguage(site);
    const groups = groupByThread(items);
    const w = words(lang);
    const data: NotificationDigestData = {
      member: { id: m.host_id, name: m.name, language: lang },
      period,
      key: key.slice(key.indexOf(':') + 1),
      count: items.length,
      groups: groups.map((g) => ({ thread: g.thread, items: g.items.map((n) => rendered(n, lang)) })),
      subject: w.digestSubject(site.name, items.length, period),
      text: digestText(groups, items.length, period, lang),
      preferencesUrl: site.settings.notifications?.preferencesUrl ?? null,
    };
    const eventId = `digest:${site.id}:${m.host_id}:${key}`.slice(0, 200);
    if (await webhooksOf(store).queueIn(tx, site.id, 'notification.digest', data, eventId)) sent = true;
    if (mailLinks && prefs.email) {
      const body = mailBody(w.digestIntro(items.length, period), groups, lang, site.name, mailLinks.links);
      await queueMail(
        tx,
        {
          siteId: site.id,
          memberPk,
          dedupeKey: `d:${site.id}:${memberPk}:${key}`,
          to: prefs.email,
          subject: data.subject,
          ...body,
          headers: mailLinks.headers,
        },
        at,
      );
      sent = true;
    }
  }
  await markDelivered(
    tx,
    site.id,
    views.map((v) => v.id),
    at,
  );
  return sent;
}

/** Digests go out from this hour (UTC) on; weekly ones on Mondays. */
export const DIGEST_HOUR_UTC = 7;

/**
 * The notification scheduler of one instance: every few minutes it makes reminders for tomorrow's events,
 * the day's (and on Mondays the week's) digest jobs, runs due jobs and prunes read notifications past
 * the site's retention. Every step is safe with any number of instances running it at once (unique
 * keys and leases), and a restart loses nothing: jobs and the outbox are rows.
 */
export class NotificationScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly o: { logger?: Logger; now?: () => number } = {},
  ) {}

  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.sweep().finally(() => (this.running = null));
    return this.running;
  }

  private async sweep() {
    const now = (this.o.now ?? Date.now)();
    const d = new Date(now);
    const notifier = notifierOf(this.store);
    try {
      const sites = await this.store.db.selectFrom('sites').select('id').execute();
      for (const { id } of sites) {
        const site = await this.store.site(id);
        if (!site) continue;
        if (notifier) await notifier.reminders(site);
        if (d.getUTCHours() >= DIGEST_HOUR_UTC) {
          await createDigestJobs(this.store, id, 'daily', now);
          if (d.getUTCDay() === 1) await createDigestJobs(this.store, id, 'weekly', now);
        }
        await prune(this.store.db, id, site.settings.notifications?.retentionDays ?? DEFAULT_RETENTION_DAYS, now);
      }
      await runDigestJobs(this.store, { now: this.o.now, logger: this.o.logger });
    } catch (err) {
      this.o.logger?.error({ msg: 'notifications.sweep_failed', error: String((err as Error)?.stack ?? err) });
    }
  }

  start(intervalMs = 300_000) {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
