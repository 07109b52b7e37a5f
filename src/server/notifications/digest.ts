import { randomBytes } from 'node:crypto';
import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { NotificationDigestData, NotificationKind } from '../../contract/notifications.js';
import { nowIso } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import { toViewer } from '../http/viewer.js';
import type { Database, MemberRow } from '../store/schema.js';
import type { Site, Store } from '../store/store.js';
import { webhooksOf } from '../webhooks/webhooks.js';
import { mailOf, queueMails, type OutgoingMail } from './mail.js';
import { notificationOut } from './present.js';
import { digestText, groupByThread, mailBody, rendered, words } from './render.js';
import { notifierOf, siteLanguage, type Notifier } from './service.js';
import { DEFAULT_RETENTION_DAYS, smtpOf } from './settings.js';
import { DEFAULT_FREQUENCY, markDelivered, pendingViewsOf, prefsOf, prefsRows, prune, type NotificationView, type Prefs } from './store.js';

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
  /** Only this site's jobs (default: every site's). */
  site?: string;
  /** Makes the unsubscribe links and headers of mail (default: the app's notifier; the command line passes its own). */
  mailLinks?: Pick<Notifier, 'links' | 'listHeaders'>;
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
  const notifier = o.mailLinks ?? notifierOf(store);
  let jobs = 0;
  let digests = 0;
  for (;;) {
    const at = nowIso(now());
    const due = (eb: ExpressionBuilder<Database, 'notification_jobs'>) =>
      eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'running'), eb('lease_until', '<', at)])]);
    // Pending jobs first, then running ones whose lease ran out: each an index range (status, lease_until), never
    // a walk over the jobs already done.
    const pick = (status: 'pending' | 'running') => {
      let q = store.db.selectFrom('notification_jobs').select(['site_id', 'member_pk']).where('status', '=', status);
      if (status === 'running') q = q.where('lease_until', '<', at);
      if (o.site) q = q.where('site_id', '=', o.site);
      return q.limit(BATCH).execute();
    };
    let candidates = await pick('pending');
    if (candidates.length < BATCH) candidates = [...candidates, ...(await pick('running'))].slice(0, BATCH);
    if (!candidates.length) break;
    // Sites and members together name the candidates through the primary key (no scan of the jobs already done).
    const siteIds = [...new Set(candidates.map((c) => c.site_id))];
    const memberPks = [...new Set(candidates.map((c) => c.member_pk))];
    // One statement claims the batch (a conditional update: another worker's claim wins or loses whole rows).
    const token = randomBytes(12).toString('base64url');
    await store.db
      .updateTable('notification_jobs')
      .set((eb) => ({ status: 'running', lease_until: nowIso(now() + leaseMs), claimed_by: token, attempts: eb('attempts', '+', 1) }))
      .where('site_id', 'in', siteIds)
      .where('member_pk', 'in', memberPks)
      .where(due)
      .execute();
    const claimed = await store.db
      .selectFrom('notification_jobs')
      .select(['site_id', 'member_pk', 'period_key', 'created_at'])
      .where('site_id', 'in', siteIds)
      .where('member_pk', 'in', memberPks)
      .where('claimed_by', '=', token)
      .where('status', '=', 'running')
      .execute();
    if (!claimed.length) continue;
    jobs += claimed.length;
    // The batch is one transaction: killed before its commit, none of it happened; after, all of it did.
    const done = await digestBatch(store, claimed, token, siteOf, now, notifier);
    digests += done.filter((d) => d.sent).length;
    for (const d of done) await o.onJob?.(d);
  }
  if (digests) {
    webhooksOf(store).kick();
    mailOf(store).kick();
  }
  return { jobs, digests };
}

type Job = { site_id: string; member_pk: string; period_key: string; created_at: string };
type MailLinks = { links: { unsubscribe: string; preferences: string | null }; headers: Record<string, string> } | null;
type Outcome = { site: string; member: string; key: string; sent: boolean };

async function digestBatch(
  store: Store,
  jobs: Job[],
  token: string,
  siteOf: (id: string) => Promise<Site | undefined>,
  now: () => number,
  notifier?: Pick<Notifier, 'links' | 'listHeaders'>,
): Promise<Outcome[]> {
  // Made before the transaction: on SQLite its one connection is the transaction's until it ends.
  const mails = new Map<Job, MailLinks>();
  const bySite = new Map<string, { site: Site | undefined; jobs: Job[] }>();
  for (const job of jobs) {
    const site = await siteOf(job.site_id);
    if (!bySite.has(job.site_id)) bySite.set(job.site_id, { site, jobs: [] });
    bySite.get(job.site_id)!.jobs.push(job);
    mails.set(
      job,
      site && smtpOf(site.settings.notifications) && notifier
        ? { links: await notifier.links(site, job.member_pk), headers: await notifier.listHeaders(site, job.member_pk) }
        : null,
    );
  }
  return store.db.transaction().execute(async (tx) => {
    const out: Outcome[] = [];
    for (const { site, jobs: siteJobs } of bySite.values()) {
      if (site) out.push(...(await digestSite(tx, store, site, siteJobs, now, mails)));
      else for (const j of siteJobs) out.push({ site: j.site_id, member: j.member_pk, key: j.period_key, sent: false });
    }
    // Every job of the batch is done at once, as long as this worker still holds it.
    await tx
      .updateTable('notification_jobs')
      .set({ status: 'done', done_at: nowIso(now()), lease_until: null })
      .where('site_id', 'in', [...bySite.keys()])
      .where('member_pk', 'in', [...new Set(jobs.map((j) => j.member_pk))])
      .where('claimed_by', '=', token)
      .where('status', '=', 'running')
      .execute();
    return out;
  });
}

/**
 * The digests of one site's jobs in a batch, with a fixed number of statements whatever the batch's size: the
 * members, their preferences and every pending notification are read in one query each, the digests rendered in
 * memory, then the webhook deliveries and the mails are inserted many rows at a time and the notifications marked
 * delivered together. A member with a daily and a weekly job in one batch gets each notification in one of them only.
 */
async function digestSite(
  tx: Transaction<Database>,
  store: Store,
  site: Site,
  jobs: Job[],
  now: () => number,
  mails: Map<Job, MailLinks>,
): Promise<Outcome[]> {
  const at = nowIso(now());
  const pks = [...new Set(jobs.map((j) => j.member_pk))];
  const latest = jobs.reduce((m, j) => (j.created_at > m ? j.created_at : m), '');
  const members = new Map(
    (await tx.selectFrom('members').selectAll().where('site_id', '=', site.id).where('pk', 'in', pks).execute()).map((m) => [m.pk, m]),
  );
  const prefsBy = await prefsRows(tx, site.id, pks);
  const views = new Map<string, NotificationView[]>();
  for (const v of await pendingViewsOf(tx, site.id, pks, latest)) {
    const list = views.get(v.member_pk) ?? views.set(v.member_pk, []).get(v.member_pk)!;
    list.push(v);
  }
  const taken = new Set<string>();
  const hooks: { data: NotificationDigestData; eventId: string }[] = [];
  const outbox: OutgoingMail[] = [];
  const made: { outcome: Outcome; mailed: boolean; digest: boolean }[] = [];
  // Older jobs first, as one at a time would have done them.
  for (const job of [...jobs].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.period_key.localeCompare(b.period_key))) {
    const m = members.get(job.member_pk);
    const outcome = { site: site.id, member: job.member_pk, key: job.period_key, sent: false };
    const mine = m ? (views.get(job.member_pk) ?? []).filter((v) => v.created_at <= job.created_at && !taken.has(v.id)) : [];
    for (const v of mine) taken.add(v.id);
    const digest = m ? render(site, m, prefsOf(prefsBy.get(job.member_pk)), job.period_key, mine, mails.get(job) ?? null) : null;
    if (digest) {
      hooks.push(digest.hook);
      if (digest.mail) outbox.push(digest.mail);
    }
    made.push({ outcome, mailed: !!digest?.mail, digest: !!digest });
  }
  // Sent: through the host when the site listens for digests, and by mail to a member who opted in.
  const listened = (await webhooksOf(store).queueManyIn(tx, site.id, 'notification.digest', hooks)) > 0;
  for (const d of made) d.outcome.sent = d.mailed || (d.digest && listened);
  await queueMails(tx, outbox, at);
  await markDelivered(tx, site.id, [...taken], at);
  return made.map((d) => d.outcome);
}

const digestEventId = (siteId: string, hostId: string, key: string) => `digest:${siteId}:${hostId}:${key}`.slice(0, 200);

/** One member's digest for one period, rendered from what is pending: `null` when nothing of it is to be delivered. */
function render(site: Site, m: MemberRow, prefs: Prefs, key: string, views: NotificationView[], mailLinks: MailLinks) {
  const period = key.startsWith('weekly:') ? 'weekly' : 'daily';
  const reader = toViewer(m);
  const items = views
    .filter((v) => v.read_at === null && prefs.kinds[v.kind as NotificationKind]?.delivery)
    .map((v) => notificationOut(v, reader, site.settings.publicRead))
    .filter((n) => n !== null);
  if (!items.length) return null;
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
  const mail: OutgoingMail | null =
    mailLinks && prefs.email
      ? {
          siteId: site.id,
          memberPk: m.pk,
          dedupeKey: `d:${site.id}:${m.pk}:${key}`,
          to: prefs.email,
          subject: data.subject,
          ...mailBody(w.digestIntro(items.length, period), groups, lang, site.name, mailLinks.links),
          headers: mailLinks.headers,
        }
      : null;
  return { hook: { data, eventId: digestEventId(site.id, m.host_id, key) }, mail };
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
