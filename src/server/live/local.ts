import { nowIso } from '../domain/ids.js';
import type { BusHandlers, ControlMessage, LiveBus, LiveChange, LiveRecord } from './bus.js';
import type { EventLog } from './log.js';

/**
 * The bus of a single process (SQLite, or PostgreSQL with one instance): changes are appended to the
 * event log and handed to this process's streams, one at a time so that they arrive in id order.
 */
export class LocalBus implements LiveBus {
  readonly kind = 'local' as const;
  readonly healthy = true;
  private handlers: BusHandlers | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: EventLog,
    private readonly now: () => number = Date.now,
  ) {}

  async start(handlers: BusHandlers) {
    this.handlers = handlers;
  }

  publish(siteId: string, change: LiveChange): Promise<LiveRecord> {
    const run = this.queue.then(async () => {
      const rec = await this.log.append(siteId, change, nowIso(this.now()));
      this.handlers?.change(rec);
      return rec;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async control(msg: ControlMessage) {
    this.handlers?.control(msg);
  }

  async close() {
    await this.queue;
    this.handlers = null;
  }
}
