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
  /** The text `key` was made for: a key goes with one text only, a changed text is a new post with a new key. */
  keyBody?: string;
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
 * idempotency key, bound to its text, so retrying (by hand, or automatically
 * when the browser comes back `online` or the server answers again, while
 * someone listens) can never store the comment twice, and a text changed
 * since is posted as the new comment it is.
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

  /**
   * Sends the draft of `slot` (stored first, with a key). Concurrent sends of one slot share one request.
   * The key of an earlier send is reused only for the very text it was made for: a text changed since is
   * another post (reusing the key would get the first text back from the server, and lose the new one).
   */
  send(slot: string, draft: Draft): Promise<Comment> {
    let p = this.sending.get(slot);
    if (!p) {
      const same = draft.key && (draft.keyBody === undefined || draft.keyBody === draft.body);
      p = this.post(slot, draft, same ? draft.key! : newKey(), true).finally(() => this.sending.delete(slot));
      this.sending.set(slot, p);
    }
    return p;
  }

  private post(slot: string, draft: Draft, key: string, again: boolean): Promise<Comment> {
    const sent: Draft = { ...draft, key, keyBody: draft.body, failed: false };
    this.write(slot, sent);
    const { thread, body, parentId, title } = draft;
    return postComment(this.client, { thread, body, parentId: parentId ?? undefined, title }, key).then(
      (comment) => {
        this.store?.removeItem(this.prefix + slot);
        for (const fn of this.listeners) fn(slot, undefined, comment);
        return comment;
      },
      (e: CercleError) => {
        // The server holds this key for another text (a draft changed elsewhere): nothing was stored, send it as a new post.
        if (again && e.code === 'idempotency.mismatch') return this.post(slot, draft, newKey(), false);
        // In transit: it may have been stored, keep the key. Refused: a new try is a new post.
        this.write(slot, e.transient ? { ...sent, failed: true } : { ...draft, key: undefined, keyBody: undefined, failed: false });
        throw e;
      },
    );
  }

  /** Failed automatic retries in a row, and when the last one went: the wait before the next grows with them. */
  private misses = 0;
  private lastTry = 0;
  private timer?: ReturnType<typeof setTimeout>;

  /** Sends again every draft of this site whose last send failed in transit. */
  retryAll = (): void => {
    const store = this.store;
    this.lastTry = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; store && i < store.length; i++) {
      const k = store.key(i)!;
      if (!k.startsWith(this.prefix)) continue;
      const slot = k.slice(this.prefix.length);
      const draft = this.get(slot);
      // Only the text the member asked to publish: one changed since waits for them to publish it.
      if (draft?.failed && draft.key && (draft.keyBody ?? draft.body) === draft.body && !this.busy(slot))
        sends.push(this.send(slot, draft));
    }
    if (sends.length)
      Promise.all(sends).then(
        () => (this.misses = 0),
        (e: CercleError) => void (e.transient && this.misses++),
      );
  };

  /**
   * The server answered (a read went through, the live stream came back): failed sends go again, at
   * once the first time, then after 1 s, 2 s, 4 s… up to a minute while they keep failing.
   */
  private answered = (): void => {
    if (this.timer !== undefined) return;
    const wait = this.misses ? Math.min(60_000, 1000 * 2 ** (this.misses - 1)) - (Date.now() - this.lastTry) : 0;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.retryAll();
      },
      Math.max(0, wait),
    );
  };

  private offAnswer?: () => void;

  /**
   * Listens to drafts and sends; while anyone listens, failed sends go again when the browser is back
   * online or the server answers again.
   */
  subscribe(fn: OutboxListener): () => void {
    if (!this.listeners.size) {
      addEventListener('online', this.retryAll);
      this.offAnswer = this.client.onAnswer(this.answered);
    }
    this.listeners.add(fn);
    return () => {
      if (this.listeners.delete(fn) && !this.listeners.size) this.dispose();
    };
  }

  dispose(): void {
    removeEventListener('online', this.retryAll);
    this.offAnswer?.();
    this.offAnswer = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
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
