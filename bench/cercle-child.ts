// Cercle as a child process of `bench/baseline.ts`: the real server (`startServer`) on a SQLite file, with its
// JSON request log (to stdout, which the parent discards). Reports its port once listening, and its CPU time
// over IPC (`{ cpu: true }` → `{ user, system }` in µs, and `statements` run), like the bare baseline.
import { startServer } from '../src/server/main.js';

const file = process.argv[2];
if (!file) throw new Error('usage: cercle-child.ts FILE');
const server = await startServer({ port: 0, database: file });
process.send!({ port: server.port });
process.on('message', (m: { cpu?: boolean; stop?: boolean }) => {
  // With the SQL statements run so far (SQLite's statement cache counts them).
  if (m.cpu) process.send!({ ...process.cpuUsage(), statements: server.store.statements?.executed ?? 0 });
  if (m.stop) void server.close().then(() => process.exit(0));
});
