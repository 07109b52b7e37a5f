// One Cercle server process for the two-instance end-to-end test: DATABASE_URL + CERCLE_SCHEMA, port 0,
// serving the built bundle under /sdk/ like a production instance. Prints {"port": n} once listening.
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/app.js';
import { createLive } from '../../src/server/live/service.js';
import { startServer } from '../../src/server/main.js';
import { openStore } from '../../src/server/store/store.js';

const url = process.env.DATABASE_URL!;
const schema = process.env.CERCLE_SCHEMA;
const store = await openStore(url, { schema });
const live = await createLive(store, { url, schema, logger: silentLogger });
const assets = fileURLToPath(new URL('../../dist', import.meta.url));
const server = await startServer({ port: 0, store, live, assets, logger: silentLogger, shutdownMs: 2000 });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.once('SIGTERM', async () => {
  await server.close();
  await store.close();
  process.exit(0);
});
