import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SiteId } from '../contract/common.js';
import { startServer } from './main.js';
import { ENGAGEMENT_USAGE, engagementCommand } from './engagement/cli.js';
import { MODERATION_USAGE, moderationCommand } from './moderation-cli.js';
import { ModerationStore } from './store/moderation.js';
import { newSecret, openStore, type KeyAlg, type Store } from './store/store.js';

const USAGE = `Usage: cercle <command>

  serve [--port 8787] [--host 127.0.0.1] [--assets DIR]
                             run the server (database: DATABASE_URL, else CERCLE_DB, else .cercle/cercle.db);
                             the browser bundle is served under /sdk/ (default: this package's dist/)
  site add --name NAME --origin URL [--origin URL…] [--id ID] [--login-url URL]
           [--alg HS256|EdDSA|RS256 --public-key FILE.jwk|--jwks-url URL]
                             add a site; with HS256 (the default) its secret is printed once
  site list                  list sites, origins and keys (never secrets)
  site rotate-key ID [--overlap SECONDS]
                             new HS256 secret, printed once; the old one keeps working for the overlap (default 3600)
  site add-key ID --alg EdDSA|RS256 (--public-key FILE.jwk | --jwks-url URL)
                             accept tokens signed by the site's own private key
${ENGAGEMENT_USAGE}${MODERATION_USAGE}`;

function databaseUrl() {
  return process.env.DATABASE_URL || process.env.CERCLE_DB || undefined;
}

function normalizeOrigin(value: string): string {
  const u = new URL(value);
  if (!/^https?:$/.test(u.protocol)) throw new Error(`Origin must be http(s): ${value}`);
  return u.origin;
}

function publicKeyFrom(file: string): Record<string, unknown> {
  const jwk = JSON.parse(readFileSync(file, 'utf8'));
  if (jwk.d || jwk.keys?.some((k: { d?: unknown }) => k.d)) throw new Error('That file holds a private key: give the public key only.');
  return jwk;
}

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function main(argv: string[], out: (s: string) => void = (s) => void process.stdout.write(s + '\n')): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === 'serve') {
    const { values } = parseArgs({ args: argv.slice(1), options: {
      port: { type: 'string', default: process.env.PORT ?? '8787' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      assets: { type: 'string' },
    } });
    const bundled = fileURLToPath(new URL('../../dist', import.meta.url));
    const assets = values.assets ?? (existsSync(bundled) ? bundled : undefined);
    const server = await startServer({ port: Number(values.port), hostname: values.host, database: databaseUrl(), assets });
    out(`Cercle server on ${server.url} (${server.store.kind})`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return -1;
  }
  if (cmd === 'site' && sub === 'add') {
    const { values } = parseArgs({ args: rest, options: {
      name: { type: 'string' }, origin: { type: 'string', multiple: true }, id: { type: 'string' },
      'login-url': { type: 'string' }, alg: { type: 'string', default: 'HS256' },
      'public-key': { type: 'string' }, 'jwks-url': { type: 'string' },
    } });
    if (!values.name || !values.origin?.length) throw new Error('site add needs --name and at least one --origin.');
    const id = values.id ?? values.name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    if (!SiteId.safeParse(id).success) throw new Error(`"${id}" is not a valid site id (a-z, 0-9, -; 2 to 64 characters).`);
    const origins = values.origin.map(normalizeOrigin);
    const alg = values.alg as KeyAlg;
    return withStore(async (store) => {
      if (await store.site(id)) throw new Error(`Site "${id}" exists already.`);
      await store.createSite({ id, name: values.name!, origins, settings: { loginUrl: values['login-url'] ?? null } });
      if (alg === 'HS256') {
        const secret = newSecret();
        const key = await store.addKey(id, { alg, secret, encoding: 'text' });
        out(`Site "${id}" added for ${origins.join(', ')}.`);
        out(`Key id: ${key.kid}`);
        out(`HS256 secret (shown once; keep it on the site's server only):\n${secret}`);
      } else {
        if (!['EdDSA', 'RS256'].includes(alg)) throw new Error(`Unknown --alg ${alg}: HS256, EdDSA or RS256.`);
        const key = await store.addKey(id, {
          alg, publicJwk: values['public-key'] ? publicKeyFrom(values['public-key']) : undefined, jwksUrl: values['jwks-url'],
        });
        if (!key.public_jwk && !key.jwks_url) throw new Error(`--alg ${alg} needs --public-key or --jwks-url.`);
        out(`Site "${id}" added for ${origins.join(', ')}; it verifies ${alg} tokens with key ${key.kid}.`);
      }
      return 0;
    });
  }
  if (cmd === 'site' && sub === 'list') {
    return withStore(async (store) => {
      for (const s of await store.sites()) {
        const keys = await store.activeKeys(s.id);
        out(`${s.id}\t${s.name}\t${s.origins.join(' ')}\t${keys.map((k) => `${k.kid}:${k.alg}${k.retires_at ? ` (retires ${k.retires_at})` : ''}`).join(' ')}`);
      }
      return 0;
    });
  }
  if (cmd === 'site' && sub === 'rotate-key') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { overlap: { type: 'string', default: '3600' } } });
    const id = positionals[0];
    if (!id) throw new Error('site rotate-key needs the site id.');
    return withStore(async (store) => {
      if (!await store.site(id)) throw new Error(`No site "${id}".`);
      const key = await store.rotateSecret(id, Number(values.overlap));
      await new ModerationStore(store).audit(store.db, { site_id: id, actor: 'cli', action: 'key.rotate', details: { kid: key.kid, overlapSeconds: Number(values.overlap) } });
      out(`New key ${key.kid}; previous HS256 keys keep verifying for ${values.overlap} s.`);
      out(`HS256 secret (shown once):\n${key.secret}`);
      return 0;
    });
  }
  if (cmd === 'site' && sub === 'add-key') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {
      alg: { type: 'string' }, 'public-key': { type: 'string' }, 'jwks-url': { type: 'string' },
    } });
    const id = positionals[0];
    const alg = values.alg as KeyAlg;
    if (!id || !['EdDSA', 'RS256'].includes(alg)) throw new Error('site add-key needs the site id and --alg EdDSA|RS256.');
    if (!values['public-key'] && !values['jwks-url']) throw new Error('site add-key needs --public-key or --jwks-url.');
    return withStore(async (store) => {
      if (!await store.site(id)) throw new Error(`No site "${id}".`);
      const key = await store.addKey(id, {
        alg, publicJwk: values['public-key'] ? publicKeyFrom(values['public-key']) : undefined, jwksUrl: values['jwks-url'],
      });
      out(`Key ${key.kid} (${alg}) added to "${id}".`);
      return 0;
    });
  }
  if (cmd === 'engagement') return withStore((store) => engagementCommand(store, argv.slice(1), out));
  if (cmd === 'settings' || cmd === 'import' || cmd === 'webhook' || cmd === 'audit') {
    return withStore((store) => moderationCommand(store, cmd, argv.slice(1), out));
  }
  out(USAGE);
  return cmd && cmd !== 'help' && cmd !== '--help' ? 2 : 0;
}
