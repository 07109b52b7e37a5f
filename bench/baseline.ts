// Cercle against a bare baseline (bench/bare.ts: node:http + better-sqlite3, same SQL, same JSON), both as child
// processes on the same SQLite file, their CPU time read around interleaved batches of sequential requests, so the
// client's own work is not counted. Three figures: the first page of a 1,000-comment thread (target ≤ 1.5× bare),
// posting a comment (≤ 8× the bare insert), and a 100-comment thread read on a site of 1,000,000 comments against
// one of 10,000 (within 1.3×). `BENCH_SCALE` (default 1) scales the large site (0.1: 100,000 comments).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { newSecret, openStore } from '../src/server/store/store.js';

const BARE = fileURLToPath(new URL('./bare.ts', import.meta.url));
const CERCLE = fileURLToPath(new URL('./cercle-child.ts', import.meta.url));
const SITE = 'bench';
const MEMBERS = 1000;

interface Child {
  proc: ChildProcess;
  url: string;
  cpu(): Promise<number>;
  /** SQL statements the child has run (Cercle only; 0 for the bare server). */
  statements(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `script FILE` as a child with IPC; its CPU time (user + system, ms) is asked for between batches. */
async function start(script: string, file: string): Promise<Child> {
  const proc = fork(script, [file], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((ok, fail) => {
    proc.once('message', (m: { port: number }) => ok(m.port));
    proc.once('exit', (code) => fail(new Error(`${script} exited (${code})`)));
  });
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    cpu: () =>
      new Promise((ok) => {
        proc.once('message', (m: { user: number; system: number }) => ok((m.user + m.system) / 1000));
        proc.send({ cpu: true });
      }),
    statements: () =>
      new Promise((ok) => {
        proc.once('message', (m: { statements?: number }) => ok(m.statements ?? 0));
        proc.send({ cpu: true });
      }),
    stop: () =>
      new Promise((ok) => {
        proc.once('exit', () => ok());
        proc.send({ stop: true });
      }),
  };
}

/** Seeds a site: `threads` threads of `perThread` comments (30% top-level, replies under them, reactions, mentions). */
function seed(file: string, opts: { threads: number; perThread: number; prefix: string; big?: { key: string; comments: number } }) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const member = db.prepare(
    `insert into members (pk, site_id, host_id, name, picture, roles, chapters, member_since, claims_iat, created_at, updated_at) values (?, ?, ?, ?, null, '["member"]', '[]', null, 0, ?, ?)`,
  );
  const thread = db.prepare(
    `insert into threads (pk, site_id, key, title, audience, locked, created_at, published_count, pending_count) values (?, ?, ?, null, 'public', 0, ?, 0, 0)`,
  );
  const comment = db.prepare(
    `insert into comments (id, site_id, thread_pk, parent_id, root_id, depth, author_pk, body, status, idempotency_key, idempotency_hash, held_reason, useful_count, created_at, edited_at, deleted_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'published', null, null, null, ?, ?, null, null)`,
  );
  const reaction = db.prepare(`insert into reactions (id, site_id, comment_id, member_pk, kind, created_at) values (?, ?, ?, ?, ?, ?)`);
  const mention = db.prepare(`insert into comment_mentions (site_id, comment_id, member_pk) values (?, ?, ?)`);
  // Indexes and the counter triggers go while the rows go in, and come back after (an index built once over
  // sorted data is far faster than one kept up row by row); the counters are then set in one statement.
  const schema = db
    .prepare(
      `select type, name, sql from sqlite_master where type in ('index', 'trigger') and sql is not null and tbl_name in ('comments', 'reactions', 'comment_mentions')`,
    )
    .all() as { type: string; name: string; sql: string }[];
  for (const o of schema) db.exec(`drop ${o.type} ${o.name}`);
  let n = 0;
  const fill = (pk: string, count: number) => {
    const roots = Math.max(1, Math.round(count * 0.3));
    for (let c = 0; c < count; c++) {
      const id = `${pk}c${String(c).padStart(6, '0')}`;
      const root = c < roots ? id : `${pk}c${String((c * 7) % roots).padStart(6, '0')}`;
      const author = `m${(n * 13) % MEMBERS}`;
      comment.run(
        id,
        SITE,
        pk,
        c < roots ? null : root,
        root,
        c < roots ? 0 : 1,
        author,
        `Retour n°${c} sur la transmission d'entreprise.`,
        c % 4,
        at(n),
      );
      if (c % 2 === 0) reaction.run(`${id}r`, SITE, id, `m${(n * 7 + 1) % MEMBERS}`, ['useful', 'thanks', 'interested'][c % 3], at(n));
      if (c % 10 === 0) mention.run(SITE, id, `m${(n + 3) % MEMBERS}`);
      n++;
    }
  };
  db.transaction(() => {
    for (let i = 0; i < MEMBERS; i++) member.run(`m${i}`, SITE, `member-${i}`, `Membre ${i}`, at(0), at(0));
    for (let t = 0; t < opts.threads; t++) {
      const pk = `${opts.prefix}${String(t).padStart(7, '0')}`;
      thread.run(pk, SITE, `thread-${t}`, at(0));
      fill(pk, opts.perThread);
    }
    if (opts.big) {
      thread.run(`${opts.prefix}big`, SITE, opts.big.key, at(0));
      fill(`${opts.prefix}big`, opts.big.comments);
    }
  })();
  for (const o of schema) db.exec(o.sql);
  db.exec(
    `update threads set published_count = (select count(*) from comments c where c.thread_pk = threads.pk and c.status = 'published')`,
  );
  db.close();
  return n;
}

async function prepare(file: string, secret: string) {
  const store = await openStore(file);
  await store.createSite({ id: SITE, name: 'Bench', origins: ['http://bench.example'], settings: { rateLimits: false } });
  await store.addKey(SITE, { alg: 'HS256', secret });
  await store.close();
}

/** CPU ms per request of each child over `rounds` interleaved batches of `n` sequential requests (after a warm-up). */
async function interleaved(pairs: { child: Child; run: (i: number) => Promise<void> }[], n: number, rounds: number) {
  for (const p of pairs) for (let i = 0; i < n; i++) await p.run(i);
  const total = pairs.map(() => 0);
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...pairs.keys()].reverse() : [...pairs.keys()];
    for (const j of order) {
      const before = await pairs[j].child.cpu();
      for (let i = 0; i < n; i++) await pairs[j].run(k++);
      total[j] += (await pairs[j].child.cpu()) - before;
    }
  }
  return total.map((t) => +(t / (n * rounds)).toFixed(3));
}

export async function benchBaseline(): Promise<Record<string, number | string | boolean>> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const dir = mkdtempSync(join(tmpdir(), 'cercle-bench-baseline-'));
  const small = join(dir, 'small.db');
  const large = join(dir, 'large.db');
  const secret = newSecret();
  const out: Record<string, number | string | boolean> = {};
  const children: Child[] = [];
  try {
    await prepare(small, secret);
    await prepare(large, secret);
    let t = performance.now();
    const smallCount = seed(small, { threads: 100, perThread: 100, prefix: 's', big: { key: 'big', comments: 1000 } });
    out['small site: comments'] = smallCount;
    const largeThreads = Math.max(100, Math.round(10_000 * scale));
    t = performance.now();
    out['large site: comments'] = seed(large, { threads: largeThreads, perThread: 100, prefix: 'l' });
    out['large site: seconds to seed'] = +((performance.now() - t) / 1000).toFixed(1);

    const token = await new SignJWT({ name: 'Membre Bench' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(SITE)
      .setAudience('cercle')
      .setSubject('member-bench')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(Buffer.from(secret, 'base64url'));

    const cercle = await start(CERCLE, small);
    const bare = await start(BARE, small);
    children.push(cercle, bare);

    // 1. The first page (50 top-level comments and their replies) of the 1,000-comment thread, anonymous, uncompressed.
    const cPage = `${cercle.url}/v1/sites/${SITE}/comments?thread=big&limit=50`;
    const bPage = `${bare.url}/page?site=${SITE}&thread=big&limit=50`;
    const [cText, bText] = await Promise.all([
      fetch(cPage, { headers: { 'accept-encoding': 'identity' } }).then((r) => r.text()),
      fetch(bPage).then((r) => r.text()),
    ]);
    out['first page: same JSON bytes as bare'] = cText === bText;
    out['first page: bytes'] = Buffer.byteLength(cText);
    // `identity`: fetch asks for gzip by itself, and the bare server sends the bytes as they are.
    const plain = { 'accept-encoding': 'identity' };
    const read = (url: string) => async () => void (await fetch(url, { headers: plain }).then((r) => r.arrayBuffer()));
    const [cRead, bRead] = await interleaved(
      [
        { child: cercle, run: read(cPage) },
        { child: bare, run: read(bPage) },
      ],
      200,
      5,
    );
    out['first page of a 1,000-comment thread: Cercle CPU ms/request'] = cRead;
    out['first page of a 1,000-comment thread: bare CPU ms/request'] = bRead;
    out['first page of a 1,000-comment thread: ratio (target ≤ 1.5)'] = +(cRead / bRead).toFixed(2);
    // (fetch decodes the body: the bytes that went over the wire are in the header.)
    const br = await fetch(cPage, { headers: { 'accept-encoding': 'br' } });
    await br.arrayBuffer();
    out['first page: bytes sent with brotli'] = Number(br.headers.get('content-length'));

    // 2. Posting a top-level comment: Cercle's whole path against the bare insert of the same row.
    const body = (i: number) => `Retour n°${i} sur la transmission d'entreprise : voir le guide de l'association.`;
    const first = await fetch(`${cercle.url}/v1/sites/${SITE}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ thread: 'posts', body: body(0) }),
    });
    if (first.status !== 201) throw new Error(`post ${first.status} ${await first.text()}`);
    const probe = new Database(small, { readonly: true });
    const threadPk = (probe.prepare(`select pk from threads where site_id = ? and key = 'posts'`).get(SITE) as { pk: string }).pk;
    const authorPk = (probe.prepare(`select pk from members where site_id = ? and host_id = 'member-bench'`).get(SITE) as { pk: string })
      .pk;
    probe.close();
    const [cPost, bPost] = await interleaved(
      [
        {
          child: cercle,
          run: async (i) => {
            const r = await fetch(`${cercle.url}/v1/sites/${SITE}/comments`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...plain },
              body: JSON.stringify({ thread: 'posts', body: body(i) }),
            });
            if (r.status !== 201) throw new Error(`post ${r.status}`);
            await r.arrayBuffer();
          },
        },
        {
          child: bare,
          run: async (i) => {
            const r = await fetch(`${bare.url}/post`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...plain },
              body: JSON.stringify({ site: SITE, threadPk, authorPk, author: { id: 'member-bench', name: 'Membre Bench' }, body: body(i) }),
            });
            await r.arrayBuffer();
          },
        },
      ],
      200,
      5,
    );
    out['post a comment: Cercle CPU ms/request'] = cPost;
    out['post a comment: bare insert CPU ms/request'] = bPost;
    out['post a comment: ratio (target ≤ 8)'] = +(cPost / bPost).toFixed(2);
    const before = await cercle.statements();
    const one = await fetch(`${cercle.url}/v1/sites/${SITE}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...plain },
      body: JSON.stringify({ thread: 'posts', body: body(-1) }),
    });
    await one.arrayBuffer();
    out['post a comment: Cercle SQL statements (bare: 1)'] = (await cercle.statements()) - before;

    // 3. A 100-comment thread on the large site against the same thread on the small one, both through Cercle: two
    // fresh servers, warmed alike (one that has served the runs above would be further along in its compiling).
    const cercleSmall = await start(CERCLE, small);
    const cercleLarge = await start(CERCLE, large);
    children.push(cercleSmall, cercleLarge);
    const scaleRead = (c: Child) => read(`${c.url}/v1/sites/${SITE}/comments?thread=thread-50&limit=50`);
    const [onSmall, onLarge] = await interleaved(
      [
        { child: cercleSmall, run: scaleRead(cercleSmall) },
        { child: cercleLarge, run: scaleRead(cercleLarge) },
      ],
      200,
      5,
    );
    out['100-comment thread, site of ~10,000: CPU ms/request'] = onSmall;
    out[`100-comment thread, site of ${Number(out['large site: comments']).toLocaleString('en')}: CPU ms/request`] = onLarge;
    out['100-comment thread: large site / small site (target ≤ 1.3)'] = +(onLarge / onSmall).toFixed(2);
    return out;
  } finally {
    for (const c of children) await c.stop().catch(() => undefined);
    // BENCH_KEEP=1 leaves the files to look into (their folder is printed).
    if (process.env.BENCH_KEEP) process.stderr.write(`bench files kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
