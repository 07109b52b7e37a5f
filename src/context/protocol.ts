import type { Context, ContextCallback, ContextEvent } from '@lit/context';
import type { ReactiveControllerHost } from 'lit';

/**
 * The Web Components community's context protocol, in the few lines Cercle
 * needs: a consumer dispatches a bubbling, composed `context-request` event; the
 * nearest provider of that context answers through its callback, and again on
 * every change when it subscribed. A provider that connects announces itself
 * with a `context-provider` event, so that consumers that found none can ask
 * again. It speaks the same events as `@lit/context` (either side may be a
 * `ContextProvider` or a `ContextConsumer`) without carrying its controllers in
 * every entry: 0.7 KB gzipped saved in each widget file. `test/widgets/context.test.ts`
 * checks both directions against `@lit/context` itself.
 */

/** Asks the nearest provider of `context` for its value, now and on every change. */
export const ask = <T>(host: Element, context: Context<unknown, T>, callback: ContextCallback<T>): boolean =>
  host.dispatchEvent(
    Object.assign(new Event('context-request', { bubbles: true, composed: true }), {
      context,
      contextTarget: host,
      callback,
      subscribe: true,
    } satisfies Partial<ContextEvent<Context<unknown, T>>>),
  );

/**
 * Makes `host` the provider of `context` for the elements inside it (or, with `target`
 * `document`, for every element of the page that no other provider serves). Each
 * subscriber keeps one unsubscribe function for as long as it stays, as
 * `@lit/context` consumers expect.
 */
export function provide<T>(
  host: HTMLElement & ReactiveControllerHost,
  context: Context<unknown, T>,
  /** Where requests are heard: the host itself, or `document` for a page-wide provider that answers the requests no provider around stopped. */
  target: EventTarget = host,
  /** Called on each new subscriber (a widget that needs the value): the provider starts its work on the first. */
  subscribed?: () => void,
): { setValue(value: T): void } {
  const subscribers = new Map<ContextCallback<T>, () => void>();
  let value: T;
  target.addEventListener('context-request', (e) => {
    const r = e as ContextEvent<Context<unknown, T>>;
    if (r.context !== context || (r.contextTarget ?? e.composedPath()[0]) === host) return;
    e.stopPropagation();
    const callback = r.callback;
    if (!r.subscribe) return callback(value);
    let off = subscribers.get(callback);
    if (!off) {
      subscribers.set(callback, (off = () => subscribers.delete(callback)));
      subscribed?.();
    }
    callback(value, off);
  });
  host.addController({
    hostConnected: () =>
      host.dispatchEvent(Object.assign(new Event('context-provider', { bubbles: true, composed: true }), { context, contextTarget: host })),
  });
  return {
    setValue(v) {
      if (Object.is(v, value)) return;
      value = v;
      for (const [callback, off] of subscribers) callback(v, off);
    },
  };
}
