import type { Comment } from '../contract/resources.js';
import type { CercleClient } from './client.js';
import { postComment } from './discussion.js';
import type { CercleError } from './errors.js';

/** What the member is writing (or tried to send) in one thread. */
export interface Draft {
  thread: string;
  body: string;
  parentId?: string | null;
  title?: string;
  /** Idempotency key of a send that may have reached the server; kept until it is known to have succeeded or been refused. */
  key?: string;
  /** The last send failed in transit (offline, timeout, 5xx): the draft waits for a retry. */
  failed?: boolean;
}

/** `(slot, draft, comment?)`: the draft of `slot` changed, or was sent as `comment`. */
export type OutboxListener = (slot: string, draft: Draft | undefined, comment?: Comment) => void;

const storage = (): Storage | undefined => {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
};

/** A random idempotency key: 22 url-safe characters. */
const newKey = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .slice(0, 22);

/**
 * Drafts and unsent posts, kept in `localStorage` per site and thread so that
 * nothing typed is lost on reload. A send that fails in transit keeps its
 * idempotency key, so retrying (by hand, or automatically when the browser
 * comes back `online` while someone listens) can never store the comment twice.
 * Only the widgets that write make one (`outboxOf`): other entries do not carry it.
 */
export class Outbox {
  private sending = new Map<string, Promise<Comment>>();
  private listeners = new Set<OutboxListener>();
  private prefix: string;

  constructor(
    private client: CercleClient,
    private store: Storage | undefined = storage(),
  ) {
    this.prefix = 'cercle:' + client.siteId + ':';
  }

  /** The slot of a thread's new-comment box (a reply box adds its parent id). */
  static slot(thread: string, parentId?: string | null): string {
    return parentId ? thread + '#' + parentId : thread;
  }

  /** True while a send of `slot` is in flight. */
  busy(slot: string): boolean {
    return this.sending.has(slot);
  }

  get(slot: string): Draft | undefined {
    try {
      return JSON.parse(this.store?.getItem(this.prefix + slot) as string) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Saves the text being typed; an empty text without a pending key removes the draft. */
  write(slot: string, draft: Draft): void {
    try {
      if (draft.body || draft.key) this.store?.setItem(this.prefix + slot, JSON.stringify(draft));
      else this.store?.removeItem(this.prefix + slot);
    } catch {
      // Storage full or refused: the draft still lives in the form.
    }
    for (const fn of this.listeners) fn(slot, draft.body || draft.key ? draft : undefined);
  }

  /** Sends the draft of `slot` (stored first, with a key). Concurrent sends of one slot share one request. */
  send(slot: string, draft: Draft): Promise<Comment> {
    let p = this.sending.get(slot);
    if (!p) {
      const key = draft.key ?? newKey();
      this.write(slot, { ...draft, key, failed: false });
      const { thread, body, parentId, title } = draft;
      p = postComment(this.client, { thread, body, parentId: parentId ?? undefined, title }, key)
        .then(
          (comment) => {
            this.store?.removeItem(this.prefix + slot);
            for (const fn of this.listeners) fn(slot, undefined, comment);
            return comment;
          },
          (e: CercleError) => {
            // In transit: it may have been stored, keep the key. Refused: a new try is a new post.
            this.write(slot, e.transient ? { ...draft, key, failed: true } : { ...draft, key: undefined, failed: false });
            throw e;
          },
        )
        .finally(() => this.sending.delete(slot));
      this.sending.set(slot, p);
    }
    return p;
  }

  /** Sends again every draft of this site whose last send failed in transit. */
  retryAll = (): void => {
    const store = this.store;
    for (let i = 0; store && i < store.length; i++) {
      const k = store.key(i)!;
      if (!k.startsWith(this.prefix)) continue;
      const slot = k.slice(this.prefix.length);
      const draft = this.get(slot);
      if (draft?.failed) this.send(slot, draft).catch(() => {});
    }
  };

  /** Listens to drafts and sends; while anyone listens, failed sends go again when the browser is back online. */
  subscribe(fn: OutboxListener): () => void {
    if (!this.listeners.size) addEventListener('online', this.retryAll);
    this.listeners.add(fn);
    return () => this.listeners.delete(fn) && !this.listeners.size && removeEventListener('online', this.retryAll);
  }

  dispose(): void {
    removeEventListener('online', this.retryAll);
    this.listeners.clear();
  }
}

const outboxes = new WeakMap<CercleClient, Outbox>();

/** The one outbox of a client, shared by every discussion on the page. */
export const outboxOf = (client: CercleClient): Outbox => {
  let o = outboxes.get(client);
  if (!o) outboxes.set(client, (o = new Outbox(client)));
  return o;
};
