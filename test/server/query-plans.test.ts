// The plans of the hot queries, as the real code paths send them: every statement a request runs is recorded
// (the store's query hook), then explained on a database seeded with a few sites of data and analysed.
// A plan fails when it reads a whole table (SQLite: SCAN without an index; PostgreSQL: Seq Scan on a table of
// more than a thousand rows) or when a per-thread read goes through an index that fixes nothing but the site.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { createApp, silentLogger } from '../../src/server/app.js';
import { newId } from '../../src/server/domain/ids.js';
import type { Database } from '../../src/server/store/schema.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { call, ORIGIN, SECRET, token } from './support.js';

const SITES = ['asso', 'other', 'third'];
const THREADS = 40;
const COMMENTS_PER_THREAD = 60;
const MEMBERS = 150;

/** Per-thread (and per-comment) tables: an index that fixes only `site_id` on them reads the whole site. */
const PER_THREAD = new Set(['comments', 'reactions', 'comment_mentions', 'flags', 'thread_reads']);

interface Recorded {
  sql: string;
  parameters: readonly unknown[];
}

interface Backend {
  name: 'sqlite' | 'postgres';
  open(onQuery: (sql: string, p: readonly unknown[]) => void): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

const list: Backend[] = [
  {
    name: 'sqlite',
    async open(onQuery) {
      const dir = mkdtempSync(join(tmpdir(), 'cercle-plans-'));
      const store = await openStore(join(dir, 'plans.db'), { onQuery });
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (process.env.DATABASE_URL) {
  const url = process.env.DATABASE_URL;
  list.push({
    name: 'postgres',
    async open(onQuery) {
      const schema = `cercle_plans_${process.pid}_${Date.now().toString(36)}`;
      const store = await openStore(url, { schema, onQuery });
      return {
        store,
        async cleanup() {
          await store.close();
          const { default: pg } = await import('pg');
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`drop schema if exists ${schema} cascade`);
          await c.end();
        },
      };
    },
  });
}

/** A few sites' worth of members, threads, comments (roots and replies), reactions, mentions, flags and events. */
async function seed(db: Kysely<Database>) {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  await db.transaction().execute(async (tx) => {
    for (const site of SITES) {
      const members = Array.from({ length: MEMBERS }, (_, i) => ({
        pk: `${site}-m${i}`,
        site_id: site,
        host_id: `seed-${i}`,
        name: `Membre ${i}`,
        picture: null,
        roles: '["member"]',
        chapters: '["toulouse"]',
        member_since: null,
        claims_iat: 0,
        created_at: at(0),
        updated_at: at(0),
      }));
      for (let i = 0; i < members.length; i += 100)
        await tx
          .insertInto('members')
          .values(members.slice(i, i + 100))
          .execute();
      for (let t = 0; t < THREADS; t++) {
        const pk = `${site}-t${t}`;
        await tx
          .insertInto('threads')
          .values({
            pk,
            site_id: site,
            key: `thread-${t}`,
            title: null,
            audience: 'public',
            locked: 0,
            created_at: at(0),
            published_count: 0,
            pending_count: 0,
          })
          .execute();
        const comments = [];
        const reactions = [];
        const mentions = [];
        const flags = [];
        for (let c = 0; c < COMMENTS_PER_THREAD; c++) {
          const id = `${pk}-c${c}`;
          const root = c < 20 ? id : `${pk}-c${c % 20}`;
          const author = `${site}-m${(c * 7 + t) % MEMBERS}`;
          comments.push({
            id,
            site_id: site,
            thread_pk: pk,
            parent_id: c < 20 ? null : root,
            root_id: root,
            depth: c < 20 ? 0 : 1,
            author_pk: author,
            body: `Commentaire ${c}`,
            status: c % 17 === 0 ? 'pending' : 'published',
            idempotency_key: null,
            idempotency_hash: null,
            held_reason: null,
            useful_count: c % 5,
            created_at: at(t * 100 + c),
            edited_at: null,
            deleted_at: null,
          } as const);
          for (let r = 0; r < 3; r++) {
            reactions.push({
              id: newId(),
              site_id: site,
              comment_id: id,
              member_pk: `${site}-m${(c + r * 11 + 1) % MEMBERS}`,
              kind: ['useful', 'thanks', 'interested'][r],
              created_at: at(t * 100 + c),
            });
          }
          if (c % 4 === 0) mentions.push({ site_id: site, comment_id: id, member_pk: `${site}-m${(c + 3) % MEMBERS}` });
          if (c % 9 === 0) {
            flags.push({
              id: newId(),
              site_id: site,
              comment_id: id,
              member_pk: `${site}-m${(c + 5) % MEMBERS}`,
              reason: 'spam',
              note: null,
              created_at: at(t * 100 + c),
              resolved_at: null,
            });
          }
        }
        await tx.insertInto('comments').values(comments).execute();
        for (let i = 0; i < reactions.length; i += 100)
          await tx
            .insertInto('reactions')
            .values(reactions.slice(i, i + 100))
            .execute();
        if (mentions.length) await tx.insertInto('comment_mentions').values(mentions).execute();
        if (flags.length) await tx.insertInto('flags').values(flags).execute();
      }
    }
  });
}

/** Problems of one SQLite plan (EXPLAIN QUERY PLAN rows' `detail`) of the statement `sql`. */
function sqliteProblems(details: string[], sql: string): string[] {
  const out: string[] = [];
  // Replies of a page's top-level comments: through their root, not the whole thread.
  if (/"root_id" in/.test(sql) && !details.some((d) => /^SEARCH \w+.* USING (?:COVERING )?INDEX \w+ \(.*root_id=\?/.test(d))) {
    out.push(`reads the whole thread for the replies: ${details.join(' | ')}`);
  }
  for (const d of details) {
    const scan = /^SCAN (\w+)(?: AS \w+)?(.*)$/.exec(d);
    if (scan && !/USING (?:COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(scan[2]) && !/^(?:CONSTANT|json_each)/.test(scan[1])) {
      out.push(`reads the whole table: ${d}`);
    }
    const search = /^SEARCH (\w+)(?: AS (\w+))? USING (?:COVERING )?INDEX (\w+) \((.*)\)/.exec(d);
    if (search && PER_THREAD.has(search[1]) && /^site_id=\?(?: AND \w+[<>]=?\?)*$/.test(search[4])) {
      out.push(`reads the whole site through ${search[3]}: ${d}`);
    }
  }
  return out;
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

/** Problems of one PostgreSQL plan: sequential scans of big tables, site-only index conditions on per-thread tables. */
function pgProblems(node: PgNode, rows: Map<string, number>, sql: string): string[] {
  const out: string[] = [];
  const rel = node['Relation Name'];
  if (node['Node Type'] === 'Seq Scan' && rel && (rows.get(rel) ?? 0) > 1000) out.push(`Seq Scan on ${rel} (${rows.get(rel)} rows)`);
  const cond = node['Index Cond'];
  if (rel && PER_THREAD.has(rel) && cond && /^\(?\(?site_id = /.test(cond) && !/AND/.test(cond)) {
    out.push(`reads the whole site of ${rel} through ${node['Index Name']}: ${cond}`);
  }
  // The replies themselves (`c`), not the check for replies under a tombstone (`ch`, by parent).
  if (
    rel === 'comments' &&
    node.Alias === 'c' &&
    /"root_id" in/.test(sql) &&
    /Scan$/.test(node['Node Type']) &&
    !/root_id/.test(cond ?? '')
  ) {
    out.push(`reads the whole thread for the replies through ${node['Index Name'] ?? 'the table'}`);
  }
  for (const child of node.Plans ?? []) out.push(...pgProblems(child, rows, sql));
  return out;
}

describe('the plan checks', () => {
  it('catch a table scan, a site-wide index on a per-thread table, and replies read through the whole thread', () => {
    assert.equal(sqliteProblems(['SCAN comments'], 'select * from "comments"').length, 1);
    assert.equal(sqliteProblems(['SCAN c USING INDEX comments_thread_time'], 'select 1').length, 0);
    assert.equal(sqliteProblems(['SEARCH reactions USING INDEX reactions_site_comment (site_id=?)'], 'select 1').length, 1);
    assert.equal(sqliteProblems(['SEARCH flags USING INDEX flags_site_open (site_id=? AND resolved_at=?)'], 'select 1').length, 0);
    assert.equal(sqliteProblems(['SEARCH flags USING INDEX flags_site_open (site_id=? AND resolved_at>?)'], 'select 1').length, 1);
    assert.equal(sqliteProblems(['SEARCH members USING INDEX members_site_name (site_id=?)'], 'select 1').length, 0);
    const replies = 'select * from "comments" as "c" where "c"."root_id" in (?, ?)';
    assert.equal(sqliteProblems(['SEARCH c USING INDEX comments_thread_time (thread_pk=?)'], replies).length, 1);
    assert.equal(
      sqliteProblems(['SEARCH c USING INDEX comments_thread_replies (site_id=? AND thread_pk=? AND root_id=?)'], replies).length,
      0,
    );
    const seq: PgNode = { 'Node Type': 'Seq Scan', 'Relation Name': 'comments' };
    assert.equal(pgProblems(seq, new Map([['comments', 5000]]), 'select 1').length, 1);
    assert.equal(pgProblems(seq, new Map([['comments', 50]]), 'select 1').length, 0);
    const siteOnly: PgNode = {
      'Node Type': 'Index Scan',
      'Relation Name': 'flags',
      'Index Name': 'flags_site_open',
      'Index Cond': '(site_id = $1)',
    };
    assert.equal(pgProblems({ 'Node Type': 'Limit', Plans: [siteOnly] }, new Map(), 'select 1').length, 1);
  });
});

const explainable = (sql: string) => /^\s*(?:select|update|delete|with)\b/i.test(sql) && !/\bpg_|sqlite_/i.test(sql);

for (const backend of list) {
  describe(`query plans of the hot paths (${backend.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let app: ReturnType<typeof createApp>;
    let recording: Recorded[] | null = null;
    let rows = new Map<string, number>();
    const tokens: Record<string, string> = {};

    before(async () => {
      ({ store, cleanup } = await backend.open((sql, parameters) => recording?.push({ sql, parameters })));
      for (const site of SITES) {
        await store.createSite({ id: site, name: site, origins: [ORIGIN], settings: { rateLimits: false } });
        await store.addKey(site, { alg: 'HS256', secret: SECRET });
      }
      await seed(store.db);
      if (backend.name === 'sqlite') await store.db.executeQuery(CompiledQuery.raw('analyze'));
      else await store.optimize({ full: true });
      if (backend.name === 'postgres') {
        const r = await store.db.executeQuery<{ relname: string; n: number }>(
          CompiledQuery.raw(
            `select c.relname, c.reltuples::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
             where s.nspname = current_schema() and c.relkind = 'r'`,
          ),
        );
        rows = new Map(r.rows.map((x) => [x.relname, Number(x.n)]));
      }
      app = createApp({ store, logger: silentLogger });
      tokens.member = await token({ sub: 'seed-3', name: 'Membre 3', chapters: ['toulouse'] });
      tokens.moderator = await token({ sub: 'seed-4', name: 'Membre 4', roles: ['moderator'] });
      // First sight of each member outside the recording.
      await call(app, 'GET', '/v1/sites/asso/me', { token: tokens.member });
      await call(app, 'GET', '/v1/sites/asso/me', { token: tokens.moderator });
    });
    after(() => cleanup());

    /** Runs the request, and returns the plan problems of every statement it ran. */
    async function plans(run: () => Promise<{ status: number }>, expected = 200) {
      recording = [];
      const r = await run();
      const queries = recording;
      recording = null;
      assert.equal(r.status, expected);
      assert.ok(queries.length > 0, 'the request ran queries');
      const problems: string[] = [];
      for (const q of queries.filter((x) => explainable(x.sql))) {
        if (backend.name === 'sqlite') {
          const plan = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
          for (const p of sqliteProblems(
            plan.rows.map((x) => x.detail),
            q.sql,
          ))
            problems.push(`${p}\n    in: ${q.sql}`);
        } else {
          const plan = await store.db.executeQuery<{ 'QUERY PLAN': { Plan: PgNode }[] }>(
            CompiledQuery.raw(`explain (format json) ${q.sql}`, [...q.parameters]),
          );
          for (const p of pgProblems(plan.rows[0]['QUERY PLAN'][0].Plan, rows, q.sql)) problems.push(`${p}\n    in: ${q.sql}`);
        }
      }
      return problems;
    }

    const get = (path: string, who?: 'member' | 'moderator') => () =>
      call(app, 'GET', `/v1/sites/asso${path}`, { token: who ? tokens[who] : undefined });

    it('recorded an analysed dataset', async () => {
      const n = await store.db
        .selectFrom('comments')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), SITES.length * THREADS * COMMENTS_PER_THREAD);
      // The counters kept by the triggers match the rows.
      const t = await store.db.selectFrom('threads').selectAll().where('pk', '=', 'asso-t1').executeTakeFirstOrThrow();
      const published = await store.db
        .selectFrom('comments')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('thread_pk', '=', 'asso-t1')
        .where('status', '=', 'published')
        .executeTakeFirstOrThrow();
      assert.equal(Number(t.published_count), Number(published.n));
      assert.ok(Number(t.pending_count) > 0);
    });

    it('first page of a thread, anonymous', async () => {
      assert.deepEqual(await plans(get('/comments?thread=thread-5')), []);
    });

    it('first page of a thread, signed in, newest first and most useful first', async () => {
      assert.deepEqual(await plans(get('/comments?thread=thread-5', 'member')), []);
      assert.deepEqual(await plans(get('/comments?thread=thread-5&sort=newest', 'member')), []);
      assert.deepEqual(await plans(get('/comments?thread=thread-5&sort=useful', 'member')), []);
    });

    it('first page of a thread, as a moderator (open flags, pending count)', async () => {
      assert.deepEqual(await plans(get('/comments?thread=thread-7', 'moderator')), []);
    });

    it('comment counts of a listing page', async () => {
      assert.deepEqual(await plans(get('/threads/count?threads=thread-1&threads=thread-2&threads=nope')), []);
    });

    it('posting a comment and a reply', async () => {
      const post = (body: Record<string, unknown>) => () =>
        call(app, 'POST', '/v1/sites/asso/comments', { token: tokens.member, body: { thread: 'thread-9', ...body } });
      assert.deepEqual(await plans(post({ body: 'Bonjour' }), 201), []);
      assert.deepEqual(await plans(post({ body: 'Réponse @[Membre 5](seed-5)', parentId: 'asso-t9-c2' }), 201), []);
    });

    it('reacting, the reactors, flagging', async () => {
      assert.deepEqual(
        await plans(() =>
          call(app, 'POST', '/v1/sites/asso/comments/asso-t3-c4/reactions', { token: tokens.member, body: { kind: 'useful' } }),
        ),
        [],
      );
      assert.deepEqual(await plans(get('/comments/asso-t3-c4/reactions', 'member')), []);
      assert.deepEqual(
        await plans(
          () => call(app, 'POST', '/v1/sites/asso/comments/asso-t3-c5/flags', { token: tokens.member, body: { reason: 'spam' } }),
          201,
        ),
        [],
      );
    });

    it('a member card and the events list', async () => {
      assert.deepEqual(await plans(get('/members/seed-8', 'member')), []);
      assert.deepEqual(await plans(get('/events', 'member')), []);
    });
  });
}
