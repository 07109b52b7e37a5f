// One Cercle server process for the multi-instance test: DATABASE_URL + CERCLE_SCHEMA, port 0.
// Prints {"port": n} on stdout once listening; on SIGTERM shuts down gracefully and exits 0.
import { startServer } from '../../src/server/main.js';
import { silentLogger } from '../../src/server/app.js';
import { createLive } from '../../src/server/live/service.js';
import { openStore } from '../../src/server/store/store.js';

const url = process.env.DATABASE_URL!;
const schema = process.env.CERCLE_SCHEMA;
const store = await openStore(url, { schema });
const live = await createLive(store, { url, schema, logger: silentLogger, heartbeatMs: Number(process.env.CERCLE_HEARTBEAT_MS ?? 25000) });
const server = await startServer({ port: 0, store, live, logger: silentLogger, shutdownMs: 2000 });
process.stdout.write(`${JSON.stringify({ port: server.port, pid: process.pid })}\n`);
process.once('SIGTERM', async () => {
  await server.close();
  await store.close();
  process.exit(0);
});
