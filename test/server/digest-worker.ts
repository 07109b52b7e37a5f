// A digest worker in a process of its own, for the crash test: runs the due digest jobs of a database,
// prints one line per job committed, and takes a little while over each so that it can be killed mid-run.
import { runDigestJobs } from '../../src/server/notifications/digest.js';
import { openStore } from '../../src/server/store/store.js';

const [url, schema] = process.argv.slice(2);
const store = await openStore(url, schema ? { schema } : {});
await runDigestJobs(store, {
  onJob: async (job) => {
    process.stdout.write(`done ${job.member}\n`);
    await new Promise((ok) => setTimeout(ok, 15));
  },
});
process.stdout.write('finished\n');
await store.close();
