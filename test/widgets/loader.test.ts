import { expect } from '@open-wc/testing';
import { Loader } from '../../src/internal/loader.js';

/** A promise settled by hand, so that the test decides in which order answers arrive. */
const later = <T>() => {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
};

describe('Loader', () => {
  it('keeps only the latest answer and aborts the load before it', async () => {
    const loader = new Loader();
    const shown: string[] = [];
    const first = later<string>(),
      second = later<string>();
    let firstSignal!: AbortSignal;
    const a = loader.run(
      (signal) => ((firstSignal = signal), first.promise),
      (v) => shown.push(v),
    );
    const b = loader.run(
      () => second.promise,
      (v) => shown.push(v),
    );
    expect(firstSignal.aborted).to.equal(true);
    second.resolve('new');
    first.resolve('old');
    await Promise.all([a, b]);
    expect(shown).to.deep.equal(['new']);
  });

  it('drops the failure of a stale load, reports that of the current one', async () => {
    const loader = new Loader();
    const errors: string[] = [];
    const first = later<string>(),
      second = later<string>();
    const a = loader.run(
      () => first.promise,
      () => {},
      (e) => errors.push(e.code),
    );
    const b = loader.run(
      () => second.promise,
      () => {},
      (e) => errors.push(e.code),
    );
    first.reject({ code: 'network.offline' });
    second.reject({ code: 'network.timeout' });
    await Promise.all([a, b]);
    expect(errors).to.deep.equal(['network.timeout']);
  });

  it('drops a follow-up read once another load starts, and everything after stop()', async () => {
    const loader = new Loader();
    const shown: string[] = [];
    const refresh = later<string>();
    const follow = loader.follow(
      () => refresh.promise,
      (v) => shown.push(v),
    );
    await loader.run(
      () => Promise.resolve('reloaded'),
      (v) => shown.push(v),
    );
    refresh.resolve('refreshed');
    await follow;
    const last = later<string>();
    const run = loader.run(
      () => last.promise,
      (v) => shown.push(v),
    );
    loader.stop();
    last.resolve('too late');
    await run;
    expect(shown).to.deep.equal(['reloaded']);
  });
});
