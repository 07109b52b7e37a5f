// Search benchmark: the directory and mention suggestions over 100,000 members, and the search across
// the discussions over 1,000,000 comments, through the app (routing, token, handler, SQL), one request at
// a time so that the figures are each request's own. `BENCH_SCALE=0.1` shrinks both (and the seeding time).
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import type { Visibility } from '../src/contract/members.js';
import { createApp, silentLogger } from '../src/server/app.js';
import { newId } from '../src/server/domain/ids.js';
import { PG_FOLDED_BODY } from '../src/server/domain/search.js';
import type { CommentRow, MemberProfileRow, MemberRow } from '../src/server/store/schema.js';
import { rebuildMemberSearch } from '../src/server/store/search.js';
import { newSecret } from '../src/server/store/store.js';
import { load, type Stats } from './server.js';
import { benchStore } from './support.js';

const SCALE = Math.min(1, Math.max(0.001, Number(process.env.BENCH_SCALE ?? 1) || 1));
const MEMBERS = Math.round(100_000 * SCALE);
const COMMENTS = Math.round(1_000_000 * SCALE);
const THREADS = Math.max(10, Math.round(2_000 * SCALE));
const CHAPTERS = ['toulouse', 'montpellier', 'nimes', 'perpignan', 'albi', 'rodez', 'tarbes', 'auch'];
const FIRST = ['Alice', 'Éloïse', 'Jean', 'Chloé', 'Marc', 'Hélène', 'Loïc', 'Inès', 'Paul', 'Zoé', 'Hugo', 'Léa', 'Noé', 'Maëlle'];
const LAST = ['Dupont', 'Lefèvre', 'Martin', 'Bernard', 'Durand', 'Moreau', 'Girard', 'Bonnet', 'Rousseau', 'Faure', 'Mercier', 'Blanc'];
const TAGS = ['transmission', 'fiscalité', 'export', 'industrie', 'numérique', 'énergie', 'droit social', 'financement'];
const LEVELS: Visibility[] = ['public', 'members', 'chapter', 'private'];
/** Comment words: a few common ones, then a long tail of made-up words (each in about 1 comment in 200). */
const COMMON = ['entreprise', 'transmission', 'réunion', 'chapitre', 'projet', 'question', 'merci', 'idée'];
const SYLLABLES = ['ba', 'cé', 'di', 'fo', 'gu', 'la', 'mé', 'no', 'pi', 'ru', 'sa', 'té', 'vo', 'zi', 'que', 'tion'];
const TAIL = Array.from({ length: 4000 }, (_, i) => {
  let w = '';
  for (let n = i + 7; w.length < 7; n = Math.floor(n / SYLLABLES.length) + 3) w += SYLLABLES[n % SYLLABLES.length];
  return w + String.fromCharCode(97 + (i % 26));
});

/** A deterministic generator, so that every run searches the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

async function insertMany<T extends object>(run: (rows: T[]) => Promise<unknown>, rows: T[], per: number) {
  for (let i = 0; i < rows.length; i += per) await run(rows.slice(i, i + per));
}

export async function benchSearch(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number | string>> {
  const { store, dispose } = await benchStore(kind, 'search');
  const db = store.db;
  const secret = newSecret();
  await store.createSite({
    id: 'bench',
    name: 'Bench',
    origins: ['http://bench.example'],
    settings: { rateLimits: false, publicRead: true },
  });
  await store.addKey('bench', { alg: 'HS256', secret });
  const rand = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const at = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();

  // Members: rows and cards written in bulk, then the directory's index built once, as after the migration.
  let seeded = performance.now();
  const members: MemberRow[] = [];
  const profiles: MemberProfileRow[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const pk = newId();
    members.push({
      pk,
      site_id: 'bench',
      host_id: `m${i}`,
      name: `${pick(FIRST)} ${pick(LAST)}${i % 7 ? '' : '-' + pick(LAST)}`,
      picture: null,
      roles: '["member"]',
      chapters: JSON.stringify([CHAPTERS[i % CHAPTERS.length]]),
      claims_iat: 0,
      member_since: null,
      created_at: at(i),
      updated_at: at(i),
    });
    const level = (k: number) => LEVELS[(i + k) % LEVELS.length];
    profiles.push({
      member_pk: pk,
      site_id: 'bench',
      headline: `Dirigeant·e, ${pick(TAGS)}`,
      company: `Entreprise ${pick(LAST)} ${i}`,
      association_role: i % 20 ? null : 'Délégué·e',
      expertise: JSON.stringify([pick(TAGS), pick(TAGS)]),
      bio: null,
      website: null,
      linkedin: null,
      phone: null,
      email: null,
      visibility: JSON.stringify({ headline: level(0), company: level(1), expertise: level(2), listed: i % 10 ? 'members' : 'private' }),
      updated_at: at(i),
    });
  }
  await db.transaction().execute(async (tx) => {
    await insertMany((rows) => tx.insertInto('members').values(rows).execute(), members, 500);
    await insertMany((rows) => tx.insertInto('member_profiles').values(rows).execute(), profiles, 500);
    await rebuildMemberSearch(tx, 'bench');
  });
  const memberSeconds = (performance.now() - seeded) / 1000;

  // Threads (most public, some for members, some for a chapter) and comments, 5 % of them hidden.
  seeded = performance.now();
  const threads = Array.from({ length: THREADS }, (_, i) => ({
    pk: newId(),
    site_id: 'bench',
    key: `https://bench.example/articles/${i}`,
    title: `Article ${i}`,
    audience: i % 10 < 7 ? 'public' : i % 10 < 9 ? 'members' : `chapter:${CHAPTERS[i % CHAPTERS.length]}`,
    locked: 0,
    published_count: 0,
    pending_count: 0,
    created_at: at(0),
  }));
  await insertMany((rows) => db.insertInto('threads').values(rows).execute(), threads, 500);
  // On PostgreSQL the comments' index is built once after the load, as a restore would.
  if (kind === 'postgres') await sql`drop index comments_search`.execute(db);
  const body = () => {
    const words: string[] = [];
    const n = 12 + Math.floor(rand() * 20);
    for (let k = 0; k < n; k++) words.push(rand() < 0.08 ? pick(COMMON) : pick(TAIL));
    return words.join(' ') + '.';
  };
  const BATCH = 1000;
  for (let i = 0; i < COMMENTS; i += BATCH) {
    const rows: CommentRow[] = [];
    for (let k = i; k < Math.min(COMMENTS, i + BATCH); k++) {
      const id = newId();
      rows.push({
        id,
        site_id: 'bench',
        thread_pk: threads[k % THREADS].pk,
        parent_id: null,
        author_pk: members[k % MEMBERS].pk,
        body: body(),
        status: k % 20 ? 'published' : 'hidden',
        idempotency_key: null,
        idempotency_hash: null,
        created_at: at(k),
        edited_at: null,
        deleted_at: null,
        root_id: id,
        depth: 0,
        useful_count: 0,
        held_reason: null,
      });
    }
    await db.transaction().execute((tx) => insertMany((part) => tx.insertInto('comments').values(part).execute(), rows, 250));
  }
  if (kind === 'postgres') {
    await sql
      .raw(
        `create index comments_search on comments using gin (to_tsvector('simple'::regconfig, ${PG_FOLDED_BODY})) where status = 'published'`,
      )
      .execute(db);
    await sql`analyze`.execute(db);
  } else {
    await sql`insert into comment_search_fts(comment_search_fts) values ('optimize')`.execute(db);
    await sql`analyze`.execute(db);
  }
  const commentSeconds = (performance.now() - seeded) / 1000;

  const app = createApp({ store, logger: silentLogger });
  const sign = (sub: string, chapter: string) =>
    new SignJWT({ name: `Lecteur ${sub}`, chapters: [chapter] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bench')
      .setAudience('cercle')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(Buffer.from(secret, 'base64url'));
  const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => sign(`m${i}`, CHAPTERS[i % CHAPTERS.length])));
  let found = 0;
  const get = async (path: string, i: number, signedIn = true) => {
    const r = await app.request(`/v1/sites/bench${path}`, {
      headers: { origin: 'http://bench.example', ...(signedIn ? { authorization: `Bearer ${tokens[i % tokens.length]}` } : {}) },
    });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    found += ((await r.json()) as { items: unknown[] }).items.length;
  };
  const q = encodeURIComponent;
  const prefix = (w: string, n: number) => q(w.slice(0, n));
  try {
    // Warm the caches (site, keys, the first pages of the indexes) before measuring.
    await load(50, 1, (i) => get(`/members?q=${prefix(pick(LAST), 3)}`, i));
    const run = async (total: number, path: (i: number) => string, signedIn = true) => {
      found = 0;
      const stats = await load(total, 1, (i) => get(path(i), i, signedIn), 30);
      return { stats, perRequest: +(found / stats.n).toFixed(1) };
    };
    const out: Record<string, Stats | number | string> = {
      members: MEMBERS,
      comments: COMMENTS,
      threads: THREADS,
      'seeding members + directory index (s)': +memberSeconds.toFixed(1),
      'seeding comments + full-text index (s)': +commentSeconds.toFixed(1),
    };
    const add = (name: string, r: { stats: Stats; perRequest: number }) => {
      out[name] = r.stats;
      out[`${name}: results a request`] = r.perRequest;
    };
    add('directory ?q= surname prefix of 3 letters, signed in', await run(400, (i) => `/members?q=${prefix(LAST[i % LAST.length], 3)}`));
    add(
      'directory ?q= first name + surname prefix, signed in',
      await run(400, (i) => `/members?q=${q(FIRST[i % FIRST.length])}%20${prefix(LAST[i % LAST.length], 2)}`),
    );
    add('directory ?q= a field word (expertise/headline), signed in', await run(400, (i) => `/members?q=${q(TAGS[i % TAGS.length])}`));
    add('directory ?q= matching no one, signed in', await run(400, (i) => `/members?q=zzq${i % 10}`));
    add(
      'mention suggestions, 2–4 letters typed',
      await run(600, (i) => `/mentions?thread=${q(threads[0].key)}&q=${prefix(FIRST[i % FIRST.length], 2 + (i % 3))}`),
    );
    add('discussion search, a rare word (long tail)', await run(400, (i) => `/search?q=${q(TAIL[(i * 37) % TAIL.length])}`));
    add('discussion search, a rare word, signed out', await run(400, (i) => `/search?q=${q(TAIL[(i * 41) % TAIL.length])}`, false));
    add(
      'discussion search, two rare words',
      await run(300, (i) => `/search?q=${q(TAIL[i % TAIL.length])}%20${q(TAIL[(i * 7 + 1) % TAIL.length])}`),
    );
    add('discussion search, a common word (in ~1 comment in 6)', await run(200, (i) => `/search?q=${q(COMMON[i % COMMON.length])}`));
    add('discussion search, a 3-letter prefix', await run(200, (i) => `/search?q=${q(TAIL[(i * 13) % TAIL.length].slice(0, 3))}`));
    return out;
  } finally {
    await dispose();
  }
}
