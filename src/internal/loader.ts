import type { CercleError } from '../client/errors.js';

/**
 * Loads a widget's data, keeping only the latest answer. `run` aborts the load before it (its
 * `AbortSignal` fires) and hands the new one a fresh signal; whatever an aborted load returns or
 * throws is dropped, so a slow answer to an old question never overwrites a newer one. `follow` runs a
 * read that belongs to the current load (a refresh, one item read again): it is dropped too once
 * another load starts. What `@lit/task` does, in the few lines the widgets use.
 */
export class Loader {
  private current = new AbortController();
  private pending = 0;

  /** `host`, when given, hears whether a load is under way (the widget's `loading` state). */
  constructor(private host?: { loadingChanged(busy: boolean): void }) {}

  /** Starts a load; the one before is aborted and its result dropped. */
  run<T>(load: (signal: AbortSignal) => Promise<T>, done: (value: T) => void, failed?: (error: CercleError) => void): Promise<void> {
    this.stop();
    return this.follow(load, done, failed);
  }

  /** Aborts the current load: what it returns is dropped. */
  stop(): void {
    this.current.abort();
    this.current = new AbortController();
  }

  /** Runs a read on behalf of the current load, without aborting it; dropped if another load starts meanwhile. */
  async follow<T>(
    load: (signal: AbortSignal) => Promise<T>,
    done: (value: T) => void,
    failed?: (error: CercleError) => void,
  ): Promise<void> {
    const signal = this.current.signal;
    let value: T;
    if (this.pending++ === 0) this.host?.loadingChanged(true);
    try {
      try {
        value = await load(signal);
      } catch (e) {
        if (!signal.aborted) failed?.(e as CercleError);
        return;
      }
      if (!signal.aborted) done(value);
    } finally {
      if (--this.pending === 0) this.host?.loadingChanged(false);
    }
  }
}
