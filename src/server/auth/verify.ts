import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  importJWK,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type KeyObject,
} from 'jose';
import { SiteId } from '../../contract/common.js';
import { TokenClaims } from '../../contract/requests.js';
import { ProblemError } from '../http/problem.js';
import { KeyServerError, RemoteKeySets } from './jwks.js';
import { secretKey } from './keys.js';
import type { KeyAlg, Site, Store } from '../store/store.js';
import type { SiteKeyRow } from '../store/schema.js';

export const ALLOWED_ALGS: readonly KeyAlg[] = ['HS256', 'EdDSA', 'RS256'];
/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** A token may live at most one hour (`exp - iat`), and is refused once its `iat` is older than that. */
export const MAX_TOKEN_AGE_S = 3600;
export const CLOCK_TOLERANCE_S = 30;
/** How long a site's keys are kept between reads (see `TokenVerifier`). */
export const KEYS_CACHE_MS = 5000;

export type AuthCode =
  | 'auth.missing'
  | 'auth.malformed'
  | 'auth.too_large'
  | 'auth.alg_not_allowed'
  | 'auth.bad_signature'
  | 'auth.expired'
  | 'auth.not_yet_valid'
  | 'auth.wrong_audience'
  | 'auth.unknown_issuer'
  | 'auth.claim_missing'
  | 'auth.too_old'
  | 'auth.lifetime_too_long'
  | 'auth.invalid_claims'
  | 'auth.site_mismatch'
  | 'auth.key_server_unavailable';

const TITLES: Record<AuthCode, string> = {
  'auth.missing': 'A sign-in token is required',
  'auth.malformed': 'The token is not a well-formed JWT',
  'auth.too_large': 'The token is too large',
  'auth.alg_not_allowed': "The token's algorithm is not allowed for this site",
  'auth.bad_signature': "The token's signature does not verify",
  'auth.expired': 'The token has expired',
  'auth.not_yet_valid': 'The token is not valid yet',
  'auth.wrong_audience': 'The token is not meant for Cercle',
  'auth.unknown_issuer': "The token's issuer is not a known site",
  'auth.claim_missing': 'The token lacks a required claim',
  'auth.too_old': 'The token was issued too long ago',
  'auth.lifetime_too_long': 'The token lives longer than one hour',
  'auth.invalid_claims': "The token's claims are not valid",
  'auth.site_mismatch': 'The token was issued for another site',
  'auth.key_server_unavailable': "The site's key server did not give its keys",
};

export const authError = (code: AuthCode, detail?: string) =>
  code === 'auth.key_server_unavailable'
    ? new ProblemError(503, code, TITLES[code], detail, undefined, { 'retry-after': '30' })
    : new ProblemError(401, code, TITLES[code], detail, undefined, {
        'www-authenticate': `Bearer error="invalid_token", error_description="${code}"`,
      });

export interface VerifiedToken {
  site: string;
  claims: TokenClaims;
}

type Verifier = { alg: KeyAlg; key: KeyObject | Uint8Array | JWTVerifyGetKey };

/** The checks every token passes besides its signature. */
export const verifyOptions = (siteId: string, alg: KeyAlg, now: number): JWTVerifyOptions => ({
  algorithms: [alg],
  issuer: siteId,
  audience: 'cercle',
  maxTokenAge: MAX_TOKEN_AGE_S,
  clockTolerance: CLOCK_TOLERANCE_S,
  requiredClaims: ['sub', 'exp', 'iat'],
  currentDate: new Date(now),
});

/** Keys that may have signed a token with this `kid`: Cercle's own kid, the JWK's own, or any key of a key set. */
export function keysForKid(keys: SiteKeyRow[], kid: string | undefined): SiteKeyRow[] {
  return keys.filter((k) => !kid || k.kid === kid || k.jwk_kid === kid || k.jwks_url || isKeySet(k));
}
const isKeySet = (k: SiteKeyRow) => !!k.public_jwk && k.public_jwk.includes('"keys"');

/** The key material of a stored key that holds it (HS256 secret, public JWK or key set); not for JWKS URLs. */
export async function storedKey(k: SiteKeyRow): Promise<KeyObject | Uint8Array | JWTVerifyGetKey> {
  if (k.alg === 'HS256') {
    if (!k.secret) throw authError('auth.bad_signature');
    return secretKey(k.secret, k.secret_encoding);
  }
  if (!k.public_jwk) throw authError('auth.bad_signature');
  const jwk = JSON.parse(k.public_jwk);
  if ('d' in jwk) throw authError('auth.bad_signature', 'A private key was stored where a public key belongs.');
  if (jwk.keys) return createLocalJWKSet(jwk);
  return (await importJWK(jwk, k.alg)) as KeyObject;
}

/** jwtVerify, also when a key set holds several keys that fit the token (no `kid`): each is tried. */
async function verifyAgainst(token: string, key: Verifier['key'], options: JWTVerifyOptions) {
  try {
    return await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], options);
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    let last: unknown = err;
    for await (const candidate of err as unknown as AsyncIterable<KeyObject>) {
      try {
        return await jwtVerify(token, candidate, options);
      } catch (e) {
        last = e;
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e;
      }
    }
    throw last;
  }
}

/**
 * Verifies host-signed tokens. The algorithm is pinned per key (an HS256 token can never be checked
 * against a public key), `iss` must name a known site, and every failure becomes a 401 with a reason code.
 */
export class TokenVerifier {
  private remote: RemoteKeySets;
  /** Each site's keys, as read at `at` (retirement is checked at each use, against the clock). */
  private readonly keys = new Map<string, { at: number; rows: SiteKeyRow[] }>();
  /** Key material of stored keys by kid: a kid's key never changes (a rotation makes a new kid). */
  private readonly material = new Map<string, KeyObject | Uint8Array | JWTVerifyGetKey>();
  private readonly siteOf: (id: string) => Promise<Site | undefined>;

  /**
   * `opts.site`: the app's site lookup (cached); `opts.keysMs`: how long a site's keys are kept before they are
   * read again. A token that no kept key verifies makes them read at once (a key added or rotated, by this
   * instance, another one, or the command line, verifies on its first token); a key retired by date stops
   * verifying on time; one withdrawn early (`retires_at` set to now elsewhere) within `keysMs`.
   */
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    opts: { site?: (id: string) => Promise<Site | undefined>; keysMs?: number } = {},
  ) {
    this.remote = new RemoteKeySets(now);
    this.siteOf = opts.site ?? ((id) => store.site(id));
    this.keysMs = opts.keysMs ?? KEYS_CACHE_MS;
  }

  private readonly keysMs: number;

  /** Forgets what was kept of a site's keys (after a change made through this app). */
  forgetKeys(siteId: string) {
    this.keys.delete(siteId);
  }

  private async activeKeys(siteId: string, fresh: boolean): Promise<{ rows: SiteKeyRow[]; kept: boolean }> {
    const now = this.now();
    const at = new Date(now).toISOString();
    const hit = this.keys.get(siteId);
    if (!fresh && hit && now - hit.at < this.keysMs) {
      return { rows: hit.rows.filter((k) => k.retires_at === null || k.retires_at > at), kept: true };
    }
    const rows = await this.store.activeKeys(siteId, at);
    if (this.keys.size > 1000) this.keys.clear();
    this.keys.set(siteId, { at: now, rows });
    return { rows, kept: false };
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_BYTES) throw authError('auth.too_large', `At most ${MAX_TOKEN_BYTES} bytes.`);
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw authError('auth.malformed');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw authError('auth.malformed');
    }
    const alg = header.alg as KeyAlg;
    if (!alg || !ALLOWED_ALGS.includes(alg)) throw authError('auth.alg_not_allowed', `"${String(header.alg)}" is not accepted.`);
    if (typeof unverified.iss !== 'string') throw authError('auth.claim_missing', 'iss');
    if (!SiteId.safeParse(unverified.iss).success) throw authError('auth.unknown_issuer', 'The issuer is not a site id.');
    const site = await this.siteOf(unverified.iss);
    if (!site) throw authError('auth.unknown_issuer', unverified.iss.slice(0, 64));

    const active = await this.activeKeys(site.id, false);
    try {
      return await this.withKeys(token, header.kid, alg, site.id, active.rows);
    } catch (err) {
      // Kept keys that do not verify may be stale: read them again once.
      const code = (err as ProblemError)?.code;
      if (!active.kept || (code !== 'auth.bad_signature' && code !== 'auth.alg_not_allowed')) throw err;
      return this.withKeys(token, header.kid, alg, site.id, (await this.activeKeys(site.id, true)).rows);
    }
  }

  private async withKeys(token: string, kid: string | undefined, alg: KeyAlg, siteId: string, rows: SiteKeyRow[]): Promise<VerifiedToken> {
    const keys = keysForKid(rows, kid);
    const usable = keys.filter((k) => k.alg === alg);
    if (usable.length === 0) {
      throw authError(
        keys.length ? 'auth.alg_not_allowed' : 'auth.bad_signature',
        keys.length ? `This site verifies ${[...new Set(keys.map((k) => k.alg))].join(', ')} tokens.` : 'No key matches this token.',
      );
    }

    let payload: JWTPayload | undefined;
    let lastError: unknown;
    let serverError: KeyServerError | undefined;
    for (const k of usable) {
      try {
        const verifier = await this.verifierFor(k, kid);
        const result = await verifyAgainst(token, verifier.key, verifyOptions(siteId, verifier.alg, this.now()));
        payload = result.payload;
        break;
      } catch (err) {
        lastError = err;
        if (err instanceof KeyServerError) serverError = err;
        if (!(
          err instanceof errors.JWSSignatureVerificationFailed ||
          err instanceof errors.JWKSNoMatchingKey ||
          err instanceof KeyServerError
        ))
          break;
      }
    }
    // A key server that failed may hold the key that signed: say so rather than "bad signature".
    if (!payload) throw this.translate(serverError && !(lastError instanceof ProblemError) ? serverError : lastError);

    if ((payload.exp as number) - (payload.iat as number) > MAX_TOKEN_AGE_S) throw authError('auth.lifetime_too_long');
    const parsed = TokenClaims.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw authError('auth.invalid_claims', `${issue.path.join('.') || 'claims'}: ${issue.message}`);
    }
    return { site: siteId, claims: parsed.data };
  }

  private translate(err: unknown): ProblemError {
    if (err instanceof ProblemError) return err;
    if (err instanceof KeyServerError) return authError('auth.key_server_unavailable', err.message);
    if (err instanceof errors.JWTExpired) return authError(err.claim === 'iat' ? 'auth.too_old' : 'auth.expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.reason === 'missing') return authError('auth.claim_missing', err.claim);
      switch (err.claim) {
        case 'nbf':
          return authError('auth.not_yet_valid');
        case 'aud':
          return authError('auth.wrong_audience');
        case 'iss':
          return authError('auth.unknown_issuer');
        case 'iat':
          return authError(err.reason === 'check_failed' ? 'auth.not_yet_valid' : 'auth.invalid_claims', 'iat');
        default:
          return authError('auth.invalid_claims', err.message);
      }
    }
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
      return authError('auth.bad_signature');
    if (err instanceof errors.JOSEAlgNotAllowed) return authError('auth.alg_not_allowed');
    if (err instanceof errors.JOSEError) return authError('auth.malformed', err.code);
    return authError('auth.malformed');
  }

  private async verifierFor(k: SiteKeyRow, kid: string | undefined): Promise<Verifier> {
    if (k.alg !== 'HS256' && k.jwks_url) return { alg: k.alg, key: await this.remote.get(k.jwks_url, kid) };
    let key = this.material.get(k.kid);
    if (!key) {
      key = await storedKey(k);
      if (this.material.size > 1000) this.material.clear();
      this.material.set(k.kid, key);
    }
    return { alg: k.alg, key };
  }
}
