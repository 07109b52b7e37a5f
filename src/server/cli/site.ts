import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SiteId } from '../../contract/common.js';
import { ModerationStore } from '../store/moderation.js';
import { newSecret, type KeyAlg } from '../store/store.js';
import { secretProblem } from '../auth/keys.js';
import { explainToken } from '../auth/explain.js';
import { normalizeOrigin } from '../http/origins.js';
import { withStore, type Out } from './shared.js';

export const SITE_USAGE = `  site add [ID] --origin URL [--origin URL…] [--name NAME] [--id ID] [--login-url URL]
           [--secret TEXT | --alg EdDSA|RS256 --public-key FILE.jwk|--jwks-url URL]
                             add a site; with HS256 (the default) a new secret is printed once,
                             or --secret imports the one the site already signs with (used as text,
                             at least 32 characters). An origin may be a pattern for one subdomain
                             label: https://*.staging.example.org
  site list                  list sites, origins and keys (never secrets)
  site rotate-key ID [--overlap SECONDS]
                             new HS256 secret, printed once; the old one keeps working for the overlap (default 3600).
                             Refused on a site that signs with EdDSA or RS256 only: use add-key there
  site add-key ID --alg EdDSA|RS256 (--public-key FILE.jwk | --jwks-url URL)
                             accept tokens signed by the site's own private key
  token check JWT --site ID  explain why Cercle accepts or refuses a token (exit 1 when refused)
`;

function publicKeyFrom(file: string): Record<string, unknown> {
  const jwk = JSON.parse(readFileSync(file, 'utf8'));
  if (jwk.d || jwk.keys?.some((k: { d?: unknown }) => k.d)) throw new Error('That file holds a private key: give the public key only.');
  return jwk;
}

/** `cercle token check JWT --site ID`: `explainToken`'s findings, one a line; 1 when Cercle refuses the token. */
export async function tokenCommand(sub: string | undefined, rest: string[], out: Out): Promise<number> {
  if (sub !== 'check') throw new Error(`Unknown command: token ${sub ?? ''}. See cercle --help.`);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { site: { type: 'string' } } });
  const jwt = positionals.join(' ');
  if (!jwt || !values.site)
    throw new Error('token check needs the token and --site ID, e.g. cercle token check eyJ… --site my-association.');
  return withStore(async (store) => {
    const lines = await explainToken(store, jwt, values.site!);
    for (const line of lines) out(line);
    return /^Cercle accepts this token/.test(lines.at(-1) ?? '') ? 0 : 1;
  });
}

/** `cercle site add|list|rotate-key|add-key`. */
export async function siteCommand(sub: string | undefined, rest: string[], out: Out): Promise<number> {
  if (sub === 'add') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        origin: { type: 'string', multiple: true },
        id: { type: 'string' },
        'login-url': { type: 'string' },
        alg: { type: 'string', default: 'HS256' },
        'public-key': { type: 'string' },
        'jwks-url': { type: 'string' },
        secret: { type: 'string' },
      },
    });
    if (positionals.length > 1 || (positionals[0] && values.id && positionals[0] !== values.id))
      throw new Error('site add takes one site id.');
    values.id ??= positionals[0];
    values.name ??= values.id;
    if (!values.name || !values.origin?.length) throw new Error('site add needs the site id (or --name) and at least one --origin.');
    if (values.secret !== undefined && values.alg !== 'HS256')
      throw new Error('--secret is an HS256 secret: leave out --alg, or give --public-key/--jwks-url instead.');
    const id =
      values.id ??
      values.name
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    if (!SiteId.safeParse(id).success) throw new Error(`"${id}" is not a valid site id (a-z, 0-9, -; 2 to 64 characters).`);
    const origins = values.origin.map(normalizeOrigin);
    const alg = values.alg as KeyAlg;
    return withStore(async (store) => {
      if (await store.site(id)) throw new Error(`Site "${id}" exists already.`);
      if (alg === 'HS256' && values.secret !== undefined) {
        // Checked before the site exists, so that a refused secret leaves nothing half-made.
        const wrong = secretProblem(values.secret, 'text');
        if (wrong) throw new Error(`--secret refused: ${wrong}`);
      }
      await store.createSite({ id, name: values.name!, origins, settings: { loginUrl: values['login-url'] ?? null } });
      if (alg === 'HS256' && values.secret !== undefined) {
        const key = await store.addKey(id, { alg, secret: values.secret, encoding: 'text' });
        out(`Site "${id}" added for ${origins.join(', ')}.`);
        out(`Key id: ${key.kid}; it verifies HS256 tokens signed with the secret you gave, used as text (as printed, not base64-decoded).`);
      } else if (alg === 'HS256') {
        const secret = newSecret();
        const key = await store.addKey(id, { alg, secret, encoding: 'text' });
        out(`Site "${id}" added for ${origins.join(', ')}.`);
        out(`Key id: ${key.kid}`);
        out(`HS256 secret (shown once; keep it on the site's server only):\n${secret}`);
      } else {
        if (!['EdDSA', 'RS256'].includes(alg)) throw new Error(`Unknown --alg ${alg}: HS256, EdDSA or RS256.`);
        const key = await store.addKey(id, {
          alg,
          publicJwk: values['public-key'] ? publicKeyFrom(values['public-key']) : undefined,
          jwksUrl: values['jwks-url'],
        });
        if (!key.public_jwk && !key.jwks_url) throw new Error(`--alg ${alg} needs --public-key or --jwks-url.`);
        out(`Site "${id}" added for ${origins.join(', ')}; it verifies ${alg} tokens with key ${key.kid}.`);
      }
      return 0;
    });
  }
  if (sub === 'list') {
    return withStore(async (store) => {
      for (const s of await store.sites()) {
        const keys = await store.activeKeys(s.id);
        out(
          `${s.id}\t${s.name}\t${s.origins.join(' ')}\t${keys.map((k) => `${k.kid}:${k.alg}${k.retires_at ? ` (retires ${k.retires_at})` : ''}`).join(' ')}`,
        );
      }
      return 0;
    });
  }
  if (sub === 'rotate-key') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { overlap: { type: 'string', default: '3600' } },
    });
    const id = positionals[0];
    if (!id) throw new Error('site rotate-key needs the site id.');
    const overlap = Number(values.overlap);
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > 7 * 86400)
      throw new Error('--overlap is a whole number of seconds, from 0 to 604800 (7 days).');
    return withStore(async (store) => {
      if (!(await store.site(id))) throw new Error(`No site "${id}".`);
      const keys = await store.activeKeys(id);
      // A site that signs with its own private key must never start accepting a shared secret.
      if (keys.length && keys.every((k) => k.alg !== 'HS256')) {
        throw new Error(
          `Site "${id}" signs with ${[...new Set(keys.map((k) => k.alg))].join(' and ')} keys only: rotate-key would add a shared HS256 secret. ` +
            `Give it the new public key instead: cercle site add-key ${id} --alg EdDSA|RS256 --public-key FILE.jwk (or --jwks-url URL).`,
        );
      }
      const key = await store.rotateSecret(id, overlap);
      await new ModerationStore(store).audit(store.db, {
        site_id: id,
        actor: 'cli',
        action: 'key.rotate',
        details: { kid: key.kid, overlapSeconds: overlap },
      });
      out(`New key ${key.kid}; previous HS256 keys keep verifying for ${values.overlap} s.`);
      out(`HS256 secret (shown once):\n${key.secret}`);
      return 0;
    });
  }
  if (sub === 'add-key') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        alg: { type: 'string' },
        'public-key': { type: 'string' },
        'jwks-url': { type: 'string' },
      },
    });
    const id = positionals[0];
    const alg = values.alg as KeyAlg;
    if (!id || !['EdDSA', 'RS256'].includes(alg)) throw new Error('site add-key needs the site id and --alg EdDSA|RS256.');
    if (!values['public-key'] && !values['jwks-url']) throw new Error('site add-key needs --public-key or --jwks-url.');
    return withStore(async (store) => {
      if (!(await store.site(id))) throw new Error(`No site "${id}".`);
      const key = await store.addKey(id, {
        alg,
        publicJwk: values['public-key'] ? publicKeyFrom(values['public-key']) : undefined,
        jwksUrl: values['jwks-url'],
      });
      out(`Key ${key.kid} (${alg}) added to "${id}".`);
      return 0;
    });
  }
  throw new Error(`Unknown command: site ${sub ?? ''}. See cercle --help.`);
}
