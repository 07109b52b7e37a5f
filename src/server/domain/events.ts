import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventChange } from '../../contract/notifications.js';
import type { Logger } from '../http/logger.js';

/** A comment and the thread it belongs to, as every comment event carries them. */
export interface CommentRef {
  site: string;
  comment: string;
  thread: { key: string; audience: string };
}

/** Who posted a comment, and in which thread (by key): what is known when it is posted, not read again. */
export interface PostedBy {
  authorPk: string;
  threadPk: string;
}

/** Who moved a comment: a moderator (audited), or its author. */
export type CommentActor = 'moderator' | 'author';

/**
 * What happened, as the features tell it. Subscribers (live streams, the moderation queue, webhooks,
 * engagement) hear of it once the change is committed; no feature calls another.
 */
export interface DomainEvents {
  /** Posted and readable at once. */
  'comment.posted': CommentRef & PostedBy;
  /**
   * Posted, or edited, into the moderation queue; `withdrawn` when the edit took a readable comment
   * back from its readers (`version` orders the edits).
   */
  'comment.held': CommentRef & ((PostedBy & { via: 'post' }) | { via: 'edit'; withdrawn: boolean; version: number });
  /** Its author changed the text of a readable comment; `version` orders the edits. */
  'comment.edited': CommentRef & { version: number };
  /** A moderator published a held comment. */
  'comment.approved': CommentRef;
  /** A moderator hid a comment (readable or held); `was` is its status before (`pending`: a held comment refused). */
  'comment.hidden': CommentRef & { was?: string };
  /** A moderator made a hidden comment readable again. */
  'comment.restored': CommentRef;
  /** The text is gone for good: by its author, or by a moderator; `was` is its status before, when known. */
  'comment.erased': CommentRef & { by: CommentActor; was?: string };
  'comment.flagged': CommentRef;
  'reactions.changed': CommentRef;
  'rsvp.changed': {
    site: string;
    event: { id: string; title: string; startsAt: string; url: string | null; chapter: string | null };
    member: { id: string; name: string };
    status: string;
    guests: number;
  };
  'introduction.requested': {
    site: string;
    introduction: { id: string; createdAt: string };
    from: { id: string; name: string };
    to: { id: string; name: string };
  };
  /** The member asked answered an introduction request. */
  'introduction.answered': {
    site: string;
    introduction: { id: string };
    from: { id: string; name: string };
    to: { id: string; name: string };
    accepted: boolean;
  };
  /** Members moved from the waitlist to going (`members`: their pks). */
  'waitlist.promoted': { site: string; eventId: string; members: string[] };
  /**
   * An organiser changed what members going rely on: its time, place, link, title or details; `by` is their pk
   * (null for the site). `occurrence`: for an occurrence of a series, the instant its rule gave it (ISO).
   */
  'event.changed': { site: string; eventId: string; occurrence?: string; what: EventChange[]; by: string | null };
  /** An organiser cancelled an event (or one occurrence of a series); `by` is their pk. */
  'event.cancelled': { site: string; eventId: string; occurrence?: string; reason: string | null; by: string | null };
  /**
   * A badge recorded inside a transaction. Raised by the store, where the transaction is not yet
   * committed: subscribers check the award is still there.
   */
  'badge.awarded': { site: string; memberPk: string; badge: string; scope: string; at: string };
}

export type DomainEventType = keyof DomainEvents;
type Raised = { [K in DomainEventType]: { type: K; data: DomainEvents[K] } }[DomainEventType];
type Subscriber<K extends DomainEventType> = (data: DomainEvents[K]) => unknown;

/**
 * Events raised during the current request, waiting for it to finish: the handler's own, then those the
 * store raised inside transactions (their consequences, e.g. a badge a comment earned).
 */
const pending = new AsyncLocalStorage<{ emitted: Raised[]; raised: Raised[] }>();

/**
 * Raises an event from code that has no bus at hand (the store, inside a transaction): it joins the
 * current request's events. Outside a request nothing is kept.
 */
export function raise<K extends DomainEventType>(type: K, data: DomainEvents[K]): void {
  pending.getStore()?.raised.push({ type, data } as Raised);
}

/**
 * The typed event bus of one app instance. Inside `collecting` (every request), raised events wait
 * until the handler has returned — its transactions are over — and are then delivered in order; when
 * the handler throws they are dropped. A subscriber's failure is logged, never the request's.
 */
export class EventBus {
  private readonly subscribers = new Map<DomainEventType, Subscriber<never>[]>();

  constructor(private readonly logger?: Logger) {}

  on<K extends DomainEventType>(type: K, fn: Subscriber<K>): void {
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), fn as Subscriber<never>]);
  }

  /** Raises an event: held until the current request is done, delivered at once outside one. */
  async emit<K extends DomainEventType>(type: K, data: DomainEvents[K]): Promise<void> {
    const list = pending.getStore();
    if (list) list.emitted.push({ type, data } as Raised);
    else await this.deliver([{ type, data } as Raised]);
  }

  /** Runs `fn`, then delivers what it raised (nothing when it throws). */
  async collecting<T>(fn: () => Promise<T>): Promise<T> {
    const list = { emitted: [] as Raised[], raised: [] as Raised[] };
    const result = await pending.run(list, fn);
    await this.deliver([...list.emitted, ...list.raised]);
    return result;
  }

  private async deliver(events: Raised[]) {
    for (const e of events) {
      for (const fn of this.subscribers.get(e.type) ?? []) {
        try {
          await (fn as Subscriber<typeof e.type>)(e.data as never);
        } catch (err) {
          this.logger?.error({ msg: 'event.subscriber_failed', type: e.type, error: String((err as Error)?.stack ?? err) });
        }
      }
    }
  }
}
