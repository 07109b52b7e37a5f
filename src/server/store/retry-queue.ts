import type { Logger } from '../http/logger.js';
import type { Store } from './store.js';

/**
 * A table of things sent with retries (webhook deliveries, notification mail). What is due runs without
 * making the caller wait, once at a time in this process and again when asked meanwhile; the queue wakes
 * up when the next retry is due, and polls for what a restart or another instance left.
 */
export abstract class RetryQueue {
  protected readonly logger?: Logger;
  protected readonly now: () => number;
  /** Seconds before the n-th retry (the last repeats), each with ±10 % jitter. */
  protected readonly backoff: number[];
  protected stopped = false;
  /** Set by `runOnce` when it left due rows for another round. */
  protected again = false;
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    protected readonly store: Store,
    private readonly table: 'webhook_deliveries' | 'mail_outbox',
    private readonly failure: string,
    opts: { logger?: Logger; now?: () => number; backoff: number[] },
  ) {
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.backoff = opts.backoff;
  }

  /** Sends what is due now; resolves with how many were attempted. */
  protected abstract runOnce(): Promise<number>;

  /** Sends soon, without making the caller wait. */
  kick() {
    if (this.stopped) return;
    void this.runDue().catch((err) => this.logger?.error({ msg: this.failure, error: String(err) }));
  }

  /** Sends everything that is due now; resolves with how many were attempted. */
  runDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.runOnce();
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => {
      this.running = null;
      void this.schedule();
    });
    return this.running;
  }

  /** Waits for the sending in progress (tests). */
  async idle() {
    while (this.running) await this.running;
  }

  protected delay(attempts: number) {
    const s = this.backoff[Math.min(attempts - 1, this.backoff.length - 1)];
    return Math.round(s * 1000 * (0.9 + Math.random() * 0.2));
  }

  /** Wakes up when the next retry is due (in this process; `start` polls for restarts and other instances). */
  protected async schedule() {
    if (this.stopped) return;
    try {
      const next = await this.store.db
        .selectFrom(this.table)
        .select('next_attempt_at')
        .where('status', '=', 'pending')
        .orderBy('next_attempt_at')
        .limit(1)
        .executeTakeFirst();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (!next?.next_attempt_at) return;
      const wait = Math.max(0, Math.min(Date.parse(next.next_attempt_at) - this.now(), 2 ** 31 - 1));
      this.timer = setTimeout(() => this.kick(), wait);
      this.timer.unref();
    } catch {
      // The database is closing: nothing to schedule.
    }
  }

  /** Polls for due rows (after a restart, or those another instance left). */
  start(intervalMs = 30_000) {
    this.stopped = false;
    if (!this.poll) {
      this.poll = setInterval(() => this.kick(), intervalMs);
      this.poll.unref();
    }
    this.kick();
  }

  async stop() {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.poll = this.timer = null;
    await this.idle();
  }
}
