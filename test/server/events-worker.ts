// A second (third, …) process-like writer on the same SQLite file: a worker thread with its own
// connection answers for some members, so that the events' write transactions really compete.
import { parentPort, workerData } from 'node:worker_threads';
import { setRsvp } from '../../src/server/store/events.js';
import { openStore } from '../../src/server/store/store.js';

const { file, site, event, members, barrier } = workerData as {
  file: string;
  site: string;
  event: string;
  members: string[];
  barrier: SharedArrayBuffer;
};
const store = await openStore(file);
// Start together: each thread checks in, then waits until all have.
const count = new Int32Array(barrier);
Atomics.add(count, 0, 1);
Atomics.notify(count, 0);
while (Atomics.load(count, 0) < count[1]) Atomics.wait(count, 0, Atomics.load(count, 0), 50);
const statuses: string[] = [];
const errors: string[] = [];
await Promise.all(
  members.map(async (pk) => {
    try {
      statuses.push((await setRsvp(store, site, event, pk, { status: 'going', guests: 0 }, () => {})).status);
    } catch (err) {
      errors.push(String((err as Error).message ?? err));
    }
  }),
);
await store.close();
parentPort!.postMessage({ statuses, errors });
