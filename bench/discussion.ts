// Discussion benchmark: a 1,000-comment thread as members make it (top-level comments, nested
// replies with mentions, reactions), then read as a page shows it. The real server on loopback.
import { SignJWT } from 'jose';
import { silentLogger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { newSecret } from '../src/server/store/store.js';
import { load, type Stats } from './server.js';
import { benchStore } from './support.js';

const MEMBERS = 50;
const COMMENTS = 1000;
const ROOTS = 300;

export async function benchDiscussion(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number>> {
  const { store, dispose } = await benchStore(kind, 'discussion');
  const secret = newSecret();
  await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'], settings: { rateLimits: false } });
  await store.addKey('bench', { alg: 'HS256', secret });
  const server = await startServer({ port: 0, store, logger: silentLogger });
  const sign = (i: number) =>
    new SignJWT({ name: `Membre ${i} Dupont` })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bench')
      .setAudience('cercle')
      .setSubject(`m${i}`)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(Buffer.from(secret, 'base64url'));
  const tokens = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => sign(i)));
  const base = `${server.url}/v1/sites/bench`;
  const auth = (i: number) => ({ authorization: `Bearer ${tokens[i % MEMBERS]}` });
  for (let i = 0; i < MEMBERS; i++) await fetch(`${base}/me`, { headers: auth(i) }).then((r) => r.arrayBuffer());
  const json = { 'content-type': 'application/json' };
  const thread = 'https://asso.example.fr/articles/transmission';
  const ids: string[] = [];
  const authorOf = new Map<string, number>();
  // A fixed pseudo-random sequence, so that every run builds the same thread.
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  try {
    const post = await load(
      COMMENTS,
      8,
      async (i) => {
        const reply = i >= ROOTS && ids.length > 0;
        const parentId = reply ? ids[rand(ids.length)] : undefined;
        const member = i % MEMBERS;
        const mention = reply && i % 3 === 0 ? ` @[Membre ${(member + 1) % MEMBERS}](m${(member + 1) % MEMBERS})` : '';
        const r = await fetch(`${base}/comments`, {
          method: 'POST',
          headers: { ...json, ...auth(member), 'idempotency-key': `bench-${kind}-${i}-key` },
          body: JSON.stringify({
            thread,
            parentId,
            body: `Retour n°${i} sur la **transmission** d'entreprise : voir https://asso.example.fr/guide.${mention}`,
          }),
        });
        if (r.status !== 201) throw new Error(`post ${r.status} ${await r.text()}`);
        const c = (await r.json()) as { id: string };
        ids.push(c.id);
        authorOf.set(c.id, member);
      },
      120,
    );
    const kinds = ['useful', 'thanks', 'interested'];
    const react = await load(2000, 8, async (i) => {
      const id = ids[rand(ids.length)];
      let member = rand(MEMBERS);
      if (member === authorOf.get(id)) member = (member + 1) % MEMBERS;
      const r = await fetch(`${base}/comments/${id}/reactions`, {
        method: 'POST',
        headers: { ...json, ...auth(member) },
        body: JSON.stringify({ kind: kinds[i % 3] }),
      });
      if (r.status !== 200) throw new Error(`react ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
    let perPage = 0;
    const firstPage = (signedIn: boolean) =>
      load(1000, 8, async (i) => {
        const r = await fetch(`${base}/comments?thread=${encodeURIComponent(thread)}&limit=50`, { headers: signedIn ? auth(i) : {} });
        if (r.status !== 200) throw new Error(`read ${r.status}`);
        perPage = ((await r.json()) as { items: unknown[] }).items.length;
      });
    const anonymous = await firstPage(false);
    const member = await firstPage(true);
    const whole = (sort: string) =>
      load(40, 2, async (i) => {
        let cursor = '';
        let n = 0;
        do {
          const r = await fetch(
            `${base}/comments?thread=${encodeURIComponent(thread)}&limit=100&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
            { headers: auth(i) },
          );
          const page = (await r.json()) as { items: unknown[]; next: string | null };
          n += page.items.length;
          cursor = page.next ?? '';
        } while (cursor);
        if (n !== COMMENTS) throw new Error(`read ${n} comments`);
      });
    const oldest = await whole('oldest');
    const useful = await whole('useful');
    return {
      'post a comment (70% replies, a third with a mention; 8 in flight)': post,
      'react (8 in flight)': react,
      'read the first page of a 1,000-comment thread, anonymous (8 in flight)': anonymous,
      'read the first page, signed in (reactions mine, flags, last visit; 8 in flight)': member,
      'comments on that first page (50 top-level and their replies)': perPage,
      'read the whole 1,000-comment thread, oldest first (pages of 100 top-level)': oldest,
      'read the whole thread, most useful first': useful,
    };
  } finally {
    await server.close();
    await dispose();
  }
}
