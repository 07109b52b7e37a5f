// The bare baseline: plain node:http over better-sqlite3, on the same SQLite file as Cercle, running the same SQL
// (as Cercle's query builder writes it) and answering the same JSON bytes, with nothing else: no token, no
// validation, no CORS, no log, no ledger, no events. Started as a child of `bench/baseline.ts`, which reads its CPU
// time over IPC (`{ cpu: true }` → `{ user, system }` in µs) around each batch of requests.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const file = process.argv[2];
if (!file) throw new Error('usage: bare.ts FILE');
const db = new Database(file);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

const statements = new Map<string, Database.Statement>();
const prep = (sql: string) => {
  let s = statements.get(sql);
  if (!s) statements.set(sql, (s = db.prepare(sql)));
  return s;
};
const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');

interface Row {
  id: string;
  parent_id: string | null;
  root_id: string | null;
  body: string;
  status: string;
  created_at: string;
  edited_at: string | null;
  depth: number;
  author_host_id: string | null;
  author_name: string | null;
  author_picture: string | null;
  author_chapters: string | null;
}

const AUTHOR = `"m"."host_id" as "author_host_id", "m"."name" as "author_name", "m"."picture" as "author_picture", "m"."chapters" as "author_chapters"`;
const VISIBLE = `("c"."status" = ? or ("c"."status" in (?, ?) and exists (select "ch"."id" from "comments" as "ch" where "ch"."parent_id" = "c"."id")))`;

function firstPage(site: string, key: string, limit: number) {
  const thread = prep(`select * from "threads" where "site_id" = ? and "key" = ?`).get(site, key) as
    { pk: string; title: string | null; audience: string; locked: number; created_at: string; published_count: number } | undefined;
  if (!thread) return null;
  const roots = prep(
    `select "c".*, ${AUTHOR} from "comments" as "c" left join "members" as "m" on "m"."pk" = "c"."author_pk" where "c"."site_id" = ? and "c"."thread_pk" = ? and "c"."parent_id" is null and ${VISIBLE} order by "c"."created_at" asc, "c"."id" asc limit ?`,
  ).all(site, thread.pk, 'published', 'deleted', 'hidden', limit + 1) as Row[];
  const page = roots.slice(0, limit);
  const ids = page.map((r) => r.id);
  const replies = ids.length
    ? (prep(
        `select "c".*, ${AUTHOR} from "comments" as "c" left join "members" as "m" on "m"."pk" = "c"."author_pk" where "c"."site_id" = ? and "c"."thread_pk" = ? and "c"."root_id" in (${list(ids.length)}) and "c"."depth" > ? and ${VISIBLE}`,
      ).all(site, thread.pk, ...ids, 0, 'published', 'deleted', 'hidden') as Row[])
    : [];
  replies.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  const byRoot = new Map<string, Row[]>();
  for (const r of replies) {
    const l = byRoot.get(r.root_id!);
    if (l) l.push(r);
    else byRoot.set(r.root_id!, [r]);
  }
  const rows = page.flatMap((r) => [r, ...(byRoot.get(r.id) ?? [])]);
  const live = rows.filter((r) => r.status !== 'deleted').map((r) => r.id);
  const reactions = new Map<string, { kind: string; count: number; mine: boolean }[]>();
  const mentions = new Map<string, { id: string; name: string; picture: string | null; chapters: string[] }[]>();
  if (live.length) {
    for (const r of prep(
      `select "comment_id", "kind", count(*) as "n", sum(case when "member_pk" = ? then 1 else 0 end) as "mine" from "reactions" where "site_id" = ? and "comment_id" in (${list(live.length)}) group by "comment_id", "kind"`,
    ).all('', site, ...live) as { comment_id: string; kind: string; n: number; mine: number }[]) {
      const l = reactions.get(r.comment_id) ?? [];
      l.push({ kind: r.kind, count: r.n, mine: r.mine > 0 });
      reactions.set(r.comment_id, l);
    }
    for (const r of prep(
      `select "cm"."comment_id", "m"."host_id", "m"."name", "m"."picture", "m"."chapters" from "comment_mentions" as "cm" inner join "members" as "m" on "m"."pk" = "cm"."member_pk" where "cm"."site_id" = ? and "cm"."comment_id" in (${list(live.length)})`,
    ).all(site, ...live) as { comment_id: string; host_id: string; name: string; picture: string | null; chapters: string }[]) {
      const l = mentions.get(r.comment_id) ?? [];
      l.push({ id: r.host_id, name: r.name, picture: r.picture, chapters: JSON.parse(r.chapters) });
      mentions.set(r.comment_id, l);
    }
  }
  const last = page[page.length - 1];
  return {
    thread: {
      key,
      title: thread.title,
      audience: thread.audience,
      locked: !!thread.locked,
      commentCount: thread.published_count,
      createdAt: thread.created_at,
    },
    items: rows.map((r) => {
      const gone = r.status === 'deleted' || r.status === 'hidden';
      return {
        id: r.id,
        parentId: r.parent_id,
        author:
          gone || !r.author_host_id
            ? null
            : {
                id: r.author_host_id,
                name: r.author_name ?? '',
                picture: r.author_picture,
                chapters: JSON.parse(r.author_chapters ?? '[]'),
              },
        body: gone ? '' : r.body,
        status: r.status,
        createdAt: r.created_at,
        editedAt: r.edited_at,
        reactions: gone ? [] : (reactions.get(r.id) ?? []),
        depth: r.depth,
        mentions: gone ? [] : (mentions.get(r.id) ?? []),
      };
    }),
    next: roots.length > limit && last ? Buffer.from(JSON.stringify(['o', last.created_at, last.id])).toString('base64url') : null,
    moderator: false,
    lastVisitAt: null,
  };
}

let seq = 0;
/** The bare insert path: one insert of the comment (the thread's counter follows by trigger), its JSON back. */
function post(site: string, threadPk: string, authorPk: string, author: { id: string; name: string }, body: string) {
  const id = `bare${process.pid.toString(36)}${(++seq).toString(36).padStart(8, '0')}`;
  const at = new Date().toISOString();
  prep(
    `insert into "comments" ("site_id", "thread_pk", "parent_id", "author_pk", "body", "status", "idempotency_key", "idempotency_hash", "held_reason", "id", "created_at", "edited_at", "deleted_at", "root_id", "depth", "useful_count") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(site, threadPk, null, authorPk, body, 'published', null, null, null, id, at, null, null, id, 0, 0);
  return {
    id,
    parentId: null,
    author: { id: author.id, name: author.name, picture: null, chapters: [] },
    body,
    status: 'published',
    createdAt: at,
    editedAt: null,
    reactions: [],
    depth: 0,
    mentions: [],
    flagged: false,
  };
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  if (req.method === 'GET' && url.pathname === '/page') {
    const body = JSON.stringify(
      firstPage(url.searchParams.get('site')!, url.searchParams.get('thread')!, Number(url.searchParams.get('limit') ?? 50)),
    );
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/post') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const b = JSON.parse(Buffer.concat(chunks).toString()) as {
        site: string;
        threadPk: string;
        authorPk: string;
        author: { id: string; name: string };
        body: string;
      };
      const out = JSON.stringify(post(b.site, b.threadPk, b.authorPk, b.author, b.body));
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m: { cpu?: boolean; stop?: boolean }) => {
  if (m.cpu) process.send!(process.cpuUsage());
  if (m.stop) server.close(() => (db.close(), process.exit(0)));
});
