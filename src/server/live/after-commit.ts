import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Changes noticed inside a request's transactions (e.g. a badge awarded while a comment was stored),
 * kept until the request's handler is done, so that they are announced only once committed.
 * Outside a request (a worker, the command line) nothing is kept.
 */
export interface Noted {
  kind: 'badge.awarded';
  site: string;
  memberPk: string;
  badge: string;
  scope: string;
  at: string;
}

const scope = new AsyncLocalStorage<Noted[]>();
const byRequest = new WeakMap<object, Noted[]>();

/** Runs a request's handler, keeping what it notes for `notedIn(ctx)`. */
export function collecting<T>(ctx: object, fn: () => Promise<T>): Promise<T> {
  const list: Noted[] = [];
  byRequest.set(ctx, list);
  return scope.run(list, fn);
}

/** Called inside a transaction: announce this once the request is done. */
export function note(...items: Noted[]): void {
  scope.getStore()?.push(...items);
}

/** What the request's handler noted (its transactions have ended: committed or rolled back). */
export function notedIn(ctx: object): Noted[] {
  return byRequest.get(ctx) ?? [];
}
