import nodemailer, { type Transporter } from 'nodemailer';
import { newId, nowIso } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import type { MailOutboxRow } from '../store/schema.js';
import { RetryQueue } from '../store/retry-queue.js';
import type { Store } from '../store/store.js';
import { smtpOf, type SmtpConfig } from './settings.js';
import type { Exec } from './store.js';

/** Waits between attempts: 30 s, 2 min, 10 min, 1 h, 6 h, 24 h; then the message is given up (kept as `failed`). */
export const MAIL_BACKOFF_S = [30, 120, 600, 3600, 21_600, 86_400];

export interface MailOptions {
  logger?: Logger;
  now?: () => number;
  /** Backoff between attempts, seconds (tests shorten it). */
  backoff?: number[];
  /** How long a claimed message is held by the worker that claimed it (default 2 min). */
  leaseMs?: number;
  /** Connection, greeting and socket timeouts of the mail server, ms (default 20 s): a server that hangs is given up and retried. */
  timeoutMs?: number;
}

export interface OutgoingMail {
  siteId: string;
  memberPk: string | null;
  /** Makes the message unique: queued twice, it is stored once. */
  dedupeKey: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** Puts a message in the outbox (in the caller's transaction); false when it was already there. */
export async function queueMail(db: Exec, m: OutgoingMail, at: string): Promise<boolean> {
  const r = await db
    .insertInto('mail_outbox')
    .values(outboxRow(m, at))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Many messages in a few multi-row inserts (a message already queued under its dedupe key stays as it was). */
export async function queueMails(db: Exec, mails: OutgoingMail[], at: string): Promise<void> {
  for (let i = 0; i < mails.length; i += 200) {
    await db
      .insertInto('mail_outbox')
      .values(mails.slice(i, i + 200).map((m) => outboxRow(m, at)))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
  }
}

function outboxRow(m: OutgoingMail, at: string) {
  return {
    id: newId(),
    site_id: m.siteId,
    member_pk: m.memberPk,
    dedupe_key: m.dedupeKey,
    to_address: m.to,
    subject: m.subject,
    text_body: m.text,
    html_body: m.html,
    headers: JSON.stringify(m.headers),
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: at,
    claimed_at: null,
    lease_until: null,
    last_error: null,
    created_at: at,
    sent_at: null,
  };
}

/**
 * The mail outbox's worker: claims due messages (pending and due, or claimed by a worker whose lease ran
 * out), sends each through the site's mail server, marks it sent, or puts it back with backoff. A claim
 * is a conditional update, so two workers (two instances) never both take one message; requests only
 * queue, they never wait for the mail server.
 */
export class MailService extends RetryQueue {
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly transports = new Map<string, Transporter>();

  constructor(store: Store, opts: MailOptions = {}) {
    super(store, 'mail_outbox', 'mail.run_failed', { logger: opts.logger, now: opts.now, backoff: opts.backoff ?? MAIL_BACKOFF_S });
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  private due(at: string) {
    return this.store.db
      .selectFrom('mail_outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(10)
      .execute();
  }

  protected async runOnce(): Promise<number> {
    const at = nowIso(this.now());
    const due = await this.due(at);
    let n = 0;
    for (const { id } of due) {
      if (this.stopped) break;
      const claimed = await this.store.db
        .updateTable('mail_outbox')
        .set({ status: 'sending', claimed_at: at, lease_until: nowIso(this.now() + this.leaseMs) })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)]),
          ]),
        )
        .executeTakeFirst();
      if (!Number(claimed.numUpdatedRows)) continue;
      n++;
      await this.deliver(id, at);
    }
    if (due.length === 10) this.again = true;
    return n;
  }

  private transport(cfg: SmtpConfig): Transporter {
    const key = JSON.stringify(cfg);
    let t = this.transports.get(key);
    if (!t) {
      t = nodemailer.createTransport({
        host: cfg.host,
        port: cfg.port,
        secure: cfg.secure,
        auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
        connectionTimeout: this.timeoutMs,
        greetingTimeout: this.timeoutMs,
        socketTimeout: this.timeoutMs,
        // A local test server offers no certificate worth checking; real servers are checked.
        tls: { rejectUnauthorized: !/^(127\.|localhost$|::1$)/.test(cfg.host) },
      });
      this.transports.set(key, t);
    }
    return t;
  }

  private async deliver(id: string, claimedAt: string) {
    const m = await this.store.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (!m) return;
    const site = await this.store.site(m.site_id);
    const cfg = smtpOf(site?.settings.notifications);
    const attempts = Number(m.attempts) + 1;
    let error: string | null = null;
    if (!cfg) error = 'no mail server configured';
    else {
      try {
        await this.transport(cfg).sendMail(this.message(m, cfg));
      } catch (err) {
        error = String((err as Error)?.message ?? err).slice(0, 300);
      }
    }
    const at = nowIso(this.now());
    const patch: Partial<MailOutboxRow> =
      error === null
        ? { status: 'sent', sent_at: at, next_attempt_at: null }
        : attempts > this.backoff.length
          ? { status: 'failed', next_attempt_at: null }
          : { status: 'pending', next_attempt_at: nowIso(this.now() + this.delay(attempts)) };
    // Only the holder of the claim records the outcome (a worker past its lease may have been overtaken).
    await this.store.db
      .updateTable('mail_outbox')
      .set({ ...patch, attempts, lease_until: null, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('claimed_at', '=', claimedAt)
      .execute();
    this.logger?.info({ msg: 'mail.attempt', id, ok: error === null, attempts, error });
  }

  private message(m: MailOutboxRow, cfg: SmtpConfig) {
    const domain = /@([^>\s]+)>?$/.exec(cfg.from)?.[1] ?? 'cercle.invalid';
    return {
      from: cfg.from,
      to: m.to_address,
      subject: m.subject,
      text: m.text_body,
      html: m.html_body,
      // The same id on every attempt: a receiver that got it once can tell.
      messageId: `<${m.id}@${domain}>`,
      headers: JSON.parse(m.headers) as Record<string, string>,
    };
  }

  override async stop() {
    await super.stop();
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

const services = new WeakMap<Store, MailService>();

/** The mail worker of a store (one per database handle in this process). */
export function mailOf(store: Store, opts?: MailOptions): MailService {
  let s = services.get(store);
  if (!s || opts) {
    s = new MailService(store, opts);
    services.set(store, s);
  }
  return s;
}
