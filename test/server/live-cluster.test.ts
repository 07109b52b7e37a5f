// Several real server processes on one PostgreSQL: streams on every instance see what is posted on
// any; an instance killed mid-stream loses no event and duplicates none once its clients have moved.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LiveEvent } from '../../src/contract/live.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { ORIGIN, SECRET, token } from './support.js';
import { StreamReader } from './live-support.js';

const url = process.env.DATABASE_URL;
const ENTRY = fileURLToPath(new URL('./live-instance.ts', import.meta.url));

interface Instance {
  proc: ChildProcess;
  port: number;
  base: string;
  exited: Promise<number | null>;
}

function startInstance(schema: string): Promise<Instance> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { ...process.env, DATABASE_URL: url, CERCLE_SCHEMA: schema, CERCLE_HEARTBEAT_MS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  return new Promise((ok, fail) => {
    proc.once('error', fail);
    void exited.then((code) => fail(new Error(`instance exited early (${code})`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      const { port } = JSON.parse(line);
      ok({ proc, port, base: `http://127.0.0.1:${port}`, exited });
    });
  });
}

/** A page's stream that moves to another instance when its own goes away, with Last-Event-ID. */
class Client {
  readonly received: LiveEvent[] = [];
  lastId: string | null = null;
  connections: string[] = [];
  private stopped = false;
  private reader: StreamReader | null = null;
  private waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(
    readonly name: string,
    private readonly pick: (avoid?: string) => string,
    first: string,
  ) {
    this.done = this.run(first);
  }

  private async run(base: string) {
    while (!this.stopped) {
      this.connections.push(base);
      try {
        const headers: Record<string, string> = { origin: ORIGIN, 'content-type': 'application/json' };
        if (this.lastId) headers['last-event-id'] = this.lastId;
        const res = await fetch(`${base}/v1/sites/asso/live`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ topics: ['thread:cluster'] }),
        });
        assert.equal(res.status, 200);
        this.reader = new StreamReader(res.body!, 60_000);
        for (;;) {
          const f = await this.reader.next();
          if (f.event === 'ready' && !this.lastId) this.lastId = f.data.lastEventId;
          if (f.event === 'reload') throw new Error(`${this.name}: unexpected reload ${f.data.reason}`);
          if (f.event === 'change') {
            this.received.push(LiveEvent.parse(f.data));
            this.lastId = f.id!;
            for (const w of this.waiters.splice(0)) w();
          }
          if (f.event === 'close') break;
        }
      } catch (err) {
        if (String(err).includes('unexpected reload')) throw err;
        // the instance went away: try another
      }
      if (!this.stopped) {
        await new Promise((ok) => setTimeout(ok, 50));
        base = this.pick(base);
      }
    }
  }

  async waitFor(n: number) {
    while (this.received.length < n) {
      await new Promise<void>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`${this.name}: ${this.received.length}/${n} events after 30 s`)), 30_000);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  async stop() {
    this.stopped = true;
    await this.reader?.cancel().catch(() => undefined);
    await this.done.catch(() => undefined);
  }
}

describe(
  'live across server processes on one PostgreSQL',
  { skip: url ? false : 'set DATABASE_URL=postgres://… to run the multi-instance test' },
  () => {
    const schema = `cercle_cluster_${process.pid}_${Date.now().toString(36)}`;
    let store: Store;
    const instances: Instance[] = [];

    before(async () => {
      store = await openStore(url!, { schema });
      // One member posts 61 comments in a few seconds: no rate limit here.
      await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: { rateLimits: false } });
      await store.addKey('asso', { alg: 'HS256', secret: SECRET });
      instances.push(...(await Promise.all([startInstance(schema), startInstance(schema), startInstance(schema)])));
    });

    after(async () => {
      for (const i of instances) if (i.proc.exitCode === null) i.proc.kill('SIGKILL');
      await store.close();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });

    test("posted on one, seen on all; a SIGKILLed instance's clients move with Last-Event-ID: zero lost, zero duplicated", async () => {
      const [i0, i1, i2] = instances;
      const alive = new Set([i0.base, i1.base, i2.base]);
      const pick = (avoid?: string) => [...alive].filter((b) => b !== avoid)[0] ?? i0.base;
      const clients = [i0, i1, i2, i2, i2, i1].map((inst, n) => new Client(`c${n}@${inst.port}`, pick, inst.base));
      // Every client is listening before the first post.
      while (clients.some((c) => c.lastId === null)) await new Promise((ok) => setTimeout(ok, 20));

      const tok = await token({ sub: 'm-cluster' });
      const posted: string[] = [];
      const post = async (base: string, n: number) => {
        const res = await fetch(`${base}/v1/sites/asso/comments`, {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${tok}` },
          body: JSON.stringify({ thread: 'cluster', body: `message ${n}` }),
        });
        assert.equal(res.status, 201);
        posted.push((await res.json()).id);
      };

      // Posts alternate between instances 0 and 1, one at a time so that their order is known.
      for (let n = 0; n < 20; n++) await post(n % 2 ? i1.base : i0.base, n);
      await Promise.all(clients.map((c) => c.waitFor(20)));

      // Kill instance 2 while posting goes on: its three clients reconnect elsewhere, catching up from the log.
      const killedAt = posted.length;
      alive.delete(i2.base);
      i2.proc.kill('SIGKILL');
      for (let n = 20; n < 60; n++) await post(n % 2 ? i1.base : i0.base, n);
      await Promise.all(clients.map((c) => c.waitFor(60)));
      assert.equal(await i2.exited, null);

      for (const c of clients) {
        const refs = c.received.map((e) => e.ref);
        const ids = c.received.map((e) => Number(e.id));
        assert.deepEqual(refs, posted, `${c.name} saw every comment once, in order`);
        assert.equal(new Set(ids).size, ids.length, `${c.name}: no id twice`);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          `${c.name}: ids increase`,
        );
        assert.ok(c.received.every((e) => e.kind === 'comment.created' && (e.data as { body: string }).body.startsWith('message ')));
      }
      // The same event ids everywhere, end to end.
      const reference = clients[0].received.map((e) => e.id).join();
      for (const c of clients) assert.equal(c.received.map((e) => e.id).join(), reference);
      const moved = clients.filter((c) => c.connections.length > 1);
      assert.equal(moved.length, 3, 'the three clients of the killed instance reconnected');
      assert.ok(moved.every((c) => c.connections.slice(1).every((b) => b !== i2.base)));
      assert.ok(killedAt === 20);

      // SIGTERM: instance 1 tells its streams to go elsewhere and exits promptly and cleanly.
      alive.delete(i1.base);
      i1.proc.kill('SIGTERM');
      assert.equal(await i1.exited, 0);
      await post(i0.base, 60);
      await Promise.all(clients.map((c) => c.waitFor(61)));
      for (const c of clients)
        assert.deepEqual(
          c.received.map((e) => e.ref),
          posted,
        );
      await Promise.all(clients.map((c) => c.stop()));
    });
  },
);
