// Live streams: how many idle SSE connections one server process holds, at what memory each, and how
// long one change takes to reach 1,000 and 10,000 of them. Loopback only; the server runs in a child
// process (so its memory is its own), the clients are raw sockets in this one. Bounded in time.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const STEPS = [1000, 10_000];
const ROUNDS = 5;
const DEADLINE_MS = 120_000;

type Msg = { cmd: 'mem' } | { cmd: 'publish'; ref: string } | { cmd: 'fanout' };

// ---- the server side (child process) ----------------------------------------------------------
async function serve() {
  const { startServer } = await import('../src/server/main.js');
  const { silentLogger } = await import('../src/server/app.js');
  const { openStore } = await import('../src/server/store/store.js');
  const dir = mkdtempSync(join(tmpdir(), 'cercle-bench-live-'));
  const store = await openStore(join(dir, 'bench.db'));
  await store.createSite({ id: 'asso', name: 'Asso', origins: [], settings: {} });
  const server = await startServer({ port: 0, store, logger: silentLogger });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', async (m: Msg) => {
    if (m.cmd === 'mem') {
      gc?.();
      const u = process.memoryUsage();
      process.send!({ rss: u.rss, heap: u.heapUsed, connections: server.live.connections });
    } else if (m.cmd === 'fanout') {
      process.send!({ fanout: server.live.lastFanout });
    } else if (m.cmd === 'publish') {
      const t0 = performance.timeOrigin + performance.now();
      await server.live.publish('asso', { topic: 'thread:bench', kind: 'comment.deleted', ref: m.ref });
      process.send!({ published: t0 });
    }
  });
  process.on('disconnect', async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  process.send!({ port: server.port });
}

// ---- the client side ----------------------------------------------------------------------------
function ask<T>(child: ChildProcess, msg: Msg, key: string): Promise<T> {
  return new Promise((ok) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        ok(m as T);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}

interface Conn {
  socket: Socket;
  ready: boolean;
  seen: Set<string>;
}

const READY = Buffer.from('event: ready');
const REF = Buffer.from('"ref":"b');

/** Per change: how many streams have still to receive it, and who waits for zero. */
const pending = new Map<string, { left: number; done: (at: number) => void }>();

export interface LiveBench {
  baselineRssMb: number;
  reached: number;
  perConnectionKb: number;
  /** Of which JavaScript heap. */
  heapPerConnectionKb: number;
  rssAtMaxMb: number;
  /** p50/max: publish to the last byte received by the clients (all in one process here); server: the instance's own part, handing the frame to every socket (p50). */
  fanout: { connections: number; p50: number; max: number; server: number }[];
  note?: string;
}

export async function benchLive(): Promise<LiveBench> {
  const started = Date.now();
  const child = fork(SELF, ['--serve'], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((ok) => child.once('message', (m) => ok(m as { port: number })));
  const base = await ask<{ rss: number; heap: number }>(child, { cmd: 'mem' }, 'rss');
  const conns: Conn[] = [];
  const body = JSON.stringify({ topics: ['thread:bench'] });
  const request = `POST /v1/sites/asso/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  const open = () =>
    new Promise<void>((ok, fail) => {
      const c: Conn = { socket: connect(port, '127.0.0.1'), ready: false, seen: new Set() };
      c.socket.once('connect', () => c.socket.write(request));
      // Bytes searched as they come (no decoding): the clients' own cost stays small beside the server's.
      c.socket.on('data', (chunk: Buffer) => {
        if (!c.ready && chunk.includes(READY)) {
          c.ready = true;
          ok();
        }
        for (let i = chunk.indexOf(REF); i >= 0; i = chunk.indexOf(REF, i + 1)) {
          const end = chunk.indexOf(0x22, i + REF.length);
          const ref = chunk.toString('latin1', i + REF.length - 1, end);
          if (c.seen.has(ref)) continue;
          c.seen.add(ref);
          const p = pending.get(ref);
          if (p && --p.left === 0) p.done(performance.timeOrigin + performance.now());
        }
      });
      c.socket.once('error', fail);
      conns.push(c);
    });

  const fanout: LiveBench['fanout'] = [];
  let note: string | undefined;
  let round = 0;
  let rssAtMax = base.rss;
  let heapAtMax = base.heap;
  try {
    for (const target of STEPS) {
      // Open in waves of 500 so the accept queue never overflows.
      while (conns.length < target) {
        if (Date.now() - started > DEADLINE_MS) throw new Error(`time limit reached at ${conns.length} connections`);
        const wave = Math.min(500, target - conns.length);
        await Promise.all(Array.from({ length: wave }, open));
      }
      const mem = await ask<{ rss: number; heap: number }>(child, { cmd: 'mem' }, 'rss');
      rssAtMax = mem.rss;
      heapAtMax = mem.heap;
      const times: number[] = [];
      const server: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const ref = `b${round++}`;
        const all = new Promise<number>((ok) => pending.set(ref, { left: conns.length, done: ok }));
        const { published } = await ask<{ published: number }>(child, { cmd: 'publish', ref }, 'published');
        times.push((await all) - published);
        server.push((await ask<{ fanout: { ms: number } }>(child, { cmd: 'fanout' }, 'fanout')).fanout.ms);
      }
      times.sort((a, b) => a - b);
      server.sort((a, b) => a - b);
      fanout.push({
        connections: conns.length,
        p50: Math.round(times[ROUNDS >> 1] * 10) / 10,
        max: Math.round(times[ROUNDS - 1] * 10) / 10,
        server: Math.round(server[ROUNDS >> 1] * 10) / 10,
      });
    }
  } catch (err) {
    note = String((err as Error).message ?? err);
  }
  const reached = conns.filter((c) => c.ready).length;
  for (const c of conns) c.socket.destroy();
  child.disconnect();
  return {
    baselineRssMb: Math.round(base.rss / 1048576),
    reached,
    perConnectionKb: reached ? Math.round(((rssAtMax - base.rss) / reached / 1024) * 10) / 10 : 0,
    heapPerConnectionKb: reached ? Math.round(((heapAtMax - base.heap) / reached / 1024) * 10) / 10 : 0,
    rssAtMaxMb: Math.round(rssAtMax / 1048576),
    fanout,
    note,
  };
}

export function printLive(r: LiveBench) {
  console.log('\n## Live streams (SSE, one process, SQLite, loopback)');
  console.log(
    `- idle connections held: ${r.reached}; process RSS ${r.rssAtMaxMb} MB (baseline ${r.baselineRssMb} MB), ≈ ${r.perConnectionKb} KB a connection (JS heap ${r.heapPerConnectionKb} KB of it)`,
  );
  for (const f of r.fanout) {
    console.log(
      `- one change to ${f.connections} streams: p50 ${f.p50} ms, max ${f.max} ms (${ROUNDS} rounds, publish to last byte received by the clients, all ${f.connections} in one process); the server's part: p50 ${f.server} ms (frame handed to every socket)`,
    );
  }
  if (r.note) console.log(`- stopped early: ${r.note}`);
}

if (process.argv.includes('--serve')) void serve();
else if (process.argv[1] === SELF) printLive(await benchLive());
