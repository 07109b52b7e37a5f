import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { SignJWT } from 'jose';
import { main } from '../../src/server/cli/index.js';
import { createApp, silentLogger } from '../../src/server/app.js';
import { openStore, type Store } from '../../src/server/store/store.js';

export const ORIGIN = 'https://asso.example.fr';

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

let schemaSeq = 0;

/** The databases to run store-level tests on: SQLite always, PostgreSQL when DATABASE_URL is set. */
export function backends(): Backend[] {
  const list: Backend[] = [
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'cercle-test-'));
        const store = await openStore(join(dir, 'test.db'));
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
  const url = process.env.DATABASE_URL;
  if (url) {
    list.push({
      name: 'postgres',
      async open() {
        const schema = `cercle_t${process.pid}_${++schemaSeq}_${Date.now().toString(36)}`;
        const store = await openStore(url, { schema });
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
  } else if (!announced) {
    announced = true;
    process.stdout.write('# PostgreSQL suite skipped: set DATABASE_URL=postgres://… to run the same tests on PostgreSQL\n');
  }
  return list;
}
let announced = false;

/** The test site's secret: a key made before text secrets, whose base64url text the server decodes. */
export const SECRET = Buffer.alloc(32, 7).toString('base64url');

/** A fresh app on a fresh database with one site ("asso") holding an HS256 key. */
export async function setup(backend: Backend, opts: { now?: () => number } = {}) {
  const { store, cleanup } = await backend.open();
  await store.createSite({ id: 'asso', name: 'Asso', origins: [ORIGIN], settings: { loginUrl: `${ORIGIN}/login`, rateLimits: false } });
  const key = await store.addKey('asso', { alg: 'HS256', secret: SECRET });
  const app = createApp({ store, logger: silentLogger, now: opts.now });
  return { store, app, key, cleanup };
}

export interface TokenOpts {
  sub?: string;
  iss?: string;
  aud?: string;
  name?: string;
  roles?: string[];
  chapters?: string[];
  moderates?: string[];
  /** The `since` claim: when the member joined the association (ISO date). */
  since?: string;
  /** `site`: the token acts for the site itself, not for a member. */
  act?: 'site';
  iat?: number;
  exp?: number;
  nbf?: number;
  /** The `email` claim (only for sites that send mail themselves). */
  email?: string;
  /** The `locale` claim. */
  locale?: string;
  /** A secret as printed by `cercle site add` or a rotation, signed with as the text it is; without it, the test site's `SECRET`. */
  secret?: string;
}

/** A token as the host site would sign it. */
export async function token(o: TokenOpts = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { name: o.name ?? 'Camille Martin' };
  if (o.roles) claims.roles = o.roles;
  if (o.chapters) claims.chapters = o.chapters;
  if (o.moderates) claims.moderates = o.moderates;
  if (o.since !== undefined) claims.since = o.since;
  if (o.act) claims.act = o.act;
  if (o.email !== undefined) claims.email = o.email;
  if (o.locale !== undefined) claims.locale = o.locale;
  if (o.nbf !== undefined) claims.nbf = o.nbf;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(o.iss ?? 'asso')
    .setAudience(o.aud ?? 'cercle')
    .setSubject(o.sub ?? 'm-1')
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 600)
    .sign(o.secret !== undefined ? new TextEncoder().encode(o.secret) : Buffer.from(SECRET, 'base64url'));
}

type App = ReturnType<typeof createApp>;

/** Calls the app like a browser on the site's origin would. */
export async function call(
  app: App,
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    origin?: string | null;
  } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

/**
 * The command line over a SQLite file of its own, for the tests of a `describe` block: `run(...args)`
 * gives the exit code and what was printed; `dir` is the temporary folder holding the database.
 */
export function commandLine(name: string) {
  const saved = { db: process.env.CERCLE_DB, url: process.env.DATABASE_URL };
  const cli = {
    dir: '',
    async run(...args: string[]) {
      const lines: string[] = [];
      const code = await main(args, (s) => lines.push(s));
      return { code, out: lines.join('\n') };
    },
  };
  before(() => {
    cli.dir = mkdtempSync(join(tmpdir(), `cercle-${name}-`));
    process.env.CERCLE_DB = join(cli.dir, 'cli.db');
    delete process.env.DATABASE_URL;
  });
  after(() => {
    process.env.CERCLE_DB = saved.db;
    if (saved.url) process.env.DATABASE_URL = saved.url;
    rmSync(cli.dir, { recursive: true, force: true });
  });
  return cli;
}
