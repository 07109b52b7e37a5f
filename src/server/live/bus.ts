import type { LiveKind } from '../../contract/live.js';

export type { LiveKind };

/**
 * One change to announce on the live streams. Ids and versions only, never the content: the stream
 * renders what it sends (or the client fetches it), so that a change is always seen as the reader may
 * see it and never travels in a PostgreSQL notification near its 8 KB limit.
 *
 * ```ts
 * await ctx.live.publish(site.id, { topic: `thread:${key}`, kind: 'comment.created', ref: id, audience: thread.audience });
 * await ctx.live.publish(site.id, { topic: `event:${id}`, kind: 'rsvp.changed', ref: id, audience: event.audience, version });
 * await ctx.live.publish(site.id, { topic: `member:${hostId}`, kind: 'badge.awarded', ref: awardId, audience: `member:${hostId}` });
 * ```
 */
export interface LiveChange {
  /** `thread:<key>`, `event:<id>` or `member:<host member id>`: who listens. */
  topic: string;
  kind: LiveKind;
  /** Id of the changed thing (comment, event, award…). */
  ref: string;
  /**
   * Who may receive it: `public` (default), `members`, `chapter:<id>`, `role:<role>` — as on threads
   * and events — or `member:<host member id>` for one reader only (waitlist promotion, new badge).
   */
  audience?: string;
  /** Version of `ref` after the change (edits, counts): clients keep the highest. */
  version?: number;
}

/** What a handler sees as `ctx.live`. Publishing never throws: a failure is logged, the request succeeds. */
export interface LivePublisher {
  publish(siteId: string, change: LiveChange): Promise<void>;
}

/** A change as stored in the event log and relayed to every instance. */
export interface LiveRecord {
  id: number;
  site: string;
  topic: string;
  kind: LiveKind;
  ref: string;
  audience: string;
  version: number | null;
  at: string;
}

/** A stream's new topics or token, sent to whichever instance holds the stream. */
export interface ControlMessage {
  site: string;
  stream: string;
  key: string;
  add?: string[];
  remove?: string[];
  /** A fresh token, verified by the instance that received it: its member and expiry (epoch seconds). */
  refresh?: { hostId: string; exp: number };
}

export interface BusHandlers {
  /** Every committed change of every site, in commit order within a site. */
  change(rec: LiveRecord): void;
  control(msg: ControlMessage): void;
  /** The bus lost changes it cannot replay (a dropped LISTEN connection): streams must reconnect and catch up. */
  reset(): void;
}

/**
 * How changes travel between publishers and the instances holding streams. In-process for SQLite (one
 * process); LISTEN/NOTIFY for PostgreSQL (any number of instances).
 */
export interface LiveBus {
  readonly kind: 'local' | 'postgres';
  /** Stores the change in the event log and relays it to every instance (this one included). */
  publish(siteId: string, change: LiveChange): Promise<LiveRecord>;
  control(msg: ControlMessage): Promise<void>;
  /** Whether changes are flowing (false while a LISTEN connection is being re-established). */
  readonly healthy: boolean;
  start(handlers: BusHandlers): Promise<void>;
  close(): Promise<void>;
}
