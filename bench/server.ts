// Server benchmark: the real server on loopback, over a real SQLite file (and PostgreSQL when DATABASE_URL is set).
import { SignJWT } from 'jose';
import { silentLogger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { newSecret } from '../src/server/store/store.js';
import { benchStore } from './support.js';

export interface Stats {
  n: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function stats(samples: number[], seconds: number): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, seconds, perSecond: Math.round(s.length / seconds), p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2) };
}

/** Runs `task` `total` times with `concurrency` in flight; returns latency stats in ms. */
export async function load(total: number, concurrency: number, task: (i: number) => Promise<void>, maxSeconds = 20): Promise<Stats> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && performance.now() < deadline) {
        const i = next++;
        const t = performance.now();
        await task(i);
        samples.push(performance.now() - t);
      }
    }),
  );
  return stats(samples, (performance.now() - started) / 1000);
}

export async function benchServer(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number>> {
  const { store, dispose } = await benchStore(kind, 'server');
  const secret = newSecret();
  await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'], settings: { rateLimits: false } });
  await store.addKey('bench', { alg: 'HS256', secret });
  const server = await startServer({ port: 0, store, logger: silentLogger });
  const sign = (sub: string) =>
    new SignJWT({ name: `Member ${sub}` })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bench')
      .setAudience('cercle')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(Buffer.from(secret, 'base64url'));
  const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => sign(`m${i}`)));
  const base = `${server.url}/v1/sites/bench`;
  const postOne = async (thread: string, i: number) => {
    const r = await fetch(`${base}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
      body: JSON.stringify({ thread, body: `Comment n°${i}: retour d'expérience sur la transmission d'entreprise.` }),
    });
    if (r.status !== 201) throw new Error(`post ${r.status}`);
    await r.arrayBuffer();
  };
  try {
    const post = await load(2000, 8, (i) => postOne('bench-post', i));
    for (let i = 0; i < 1000; i++) await postOne('big', i);
    const readPage = await load(2000, 8, async () => {
      const r = await fetch(`${base}/comments?thread=big&limit=50`);
      if (r.status !== 200) throw new Error(`read ${r.status}`);
      await r.arrayBuffer();
    });
    const wholeThread = await load(50, 2, async () => {
      let cursor = '';
      let n = 0;
      do {
        const r = await fetch(`${base}/comments?thread=big&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        const page = (await r.json()) as { items: unknown[]; next: string | null };
        n += page.items.length;
        cursor = page.next ?? '';
      } while (cursor);
      if (n !== 1000) throw new Error(`read ${n} comments`);
    });
    return {
      'post comment (8 in flight)': post,
      'read a page of 50 of a 1,000-comment thread (8 in flight)': readPage,
      'read a whole 1,000-comment thread, 10 pages': wholeThread,
    };
  } finally {
    await server.close();
    await dispose();
  }
}
