import {
  createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify,
  type JWTPayload, type JWTVerifyGetKey, type KeyObject,
} from 'jose';
import { TokenClaims } from '../../contract/requests.js';
import { ProblemError } from '../http/problem.js';
import type { KeyAlg, Store } from '../store/store.js';
import type { SiteKeyRow } from '../store/schema.js';

export const ALLOWED_ALGS: readonly KeyAlg[] = ['HS256', 'EdDSA', 'RS256'];
/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** A token may live at most one hour (`exp - iat`), and is refused once its `iat` is older than that. */
export const MAX_TOKEN_AGE_S = 3600;
const CLOCK_TOLERANCE_S = 30;

export type AuthCode =
  | 'auth.missing' | 'auth.malformed' | 'auth.too_large' | 'auth.alg_not_allowed' | 'auth.bad_signature'
  | 'auth.expired' | 'auth.not_yet_valid' | 'auth.wrong_audience' | 'auth.unknown_issuer' | 'auth.claim_missing'
  | 'auth.too_old' | 'auth.lifetime_too_long' | 'auth.invalid_claims' | 'auth.site_mismatch' | 'auth.key_unavailable';

const TITLES: Record<AuthCode, string> = {
  'auth.missing': 'A sign-in token is required',
  'auth.malformed': 'The token is not a well-formed JWT',
  'auth.too_large': 'The token is too large',
  'auth.alg_not_allowed': 'The token\'s algorithm is not allowed for this site',
  'auth.bad_signature': 'The token\'s signature does not verify',
  'auth.expired': 'The token has expired',
  'auth.not_yet_valid': 'The token is not valid yet',
  'auth.wrong_audience': 'The token is not meant for Cercle',
  'auth.unknown_issuer': 'The token\'s issuer is not a known site',
  'auth.claim_missing': 'The token lacks a required claim',
  'auth.too_old': 'The token was issued too long ago',
  'auth.lifetime_too_long': 'The token lives longer than one hour',
  'auth.invalid_claims': 'The token\'s claims are not valid',
  'auth.site_mismatch': 'The token was issued for another site',
  'auth.key_unavailable': 'The site\'s verification keys could not be fetched',
};

export const authError = (code: AuthCode, detail?: string) =>
  new ProblemError(code === 'auth.key_unavailable' ? 503 : 401, code, TITLES[code], detail, undefined,
    { 'www-authenticate': `Bearer error="invalid_token", error_description="${code}"` });

export interface VerifiedToken {
  site: string;
  claims: TokenClaims;
}

type Verifier = { alg: KeyAlg; key: KeyObject | Uint8Array | JWTVerifyGetKey };

/**
 * Verifies host-signed tokens. The algorithm is pinned per key (an HS256 token can never be checked
 * against a public key), `iss` must name a known site, and every failure becomes a 401 with a reason code.
 */
export class TokenVerifier {
  private remote = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

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
    const site = await this.store.site(unverified.iss).catch(() => undefined);
    if (!site) throw authError('auth.unknown_issuer', unverified.iss.slice(0, 64));

    const keys = (await this.store.activeKeys(site.id, new Date(this.now()).toISOString()))
      .filter((k) => !header.kid || k.kid === header.kid || k.jwks_url);
    const usable = keys.filter((k) => k.alg === alg);
    if (usable.length === 0) {
      throw authError(keys.length ? 'auth.alg_not_allowed' : 'auth.bad_signature',
        keys.length ? `This site verifies ${[...new Set(keys.map((k) => k.alg))].join(', ')} tokens.` : 'No key matches this token.');
    }

    let payload: JWTPayload | undefined;
    let lastError: unknown;
    for (const k of usable) {
      const verifier = await this.verifierFor(k);
      try {
        const result = await jwtVerify(token, verifier.key as Parameters<typeof jwtVerify>[1], {
          algorithms: [verifier.alg],
          issuer: site.id,
          audience: 'cercle',
          maxTokenAge: MAX_TOKEN_AGE_S,
          clockTolerance: CLOCK_TOLERANCE_S,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(this.now()),
        });
        payload = result.payload;
        break;
      } catch (err) {
        lastError = err;
        if (!(err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)) break;
      }
    }
    if (!payload) throw this.translate(lastError);

    if ((payload.exp as number) - (payload.iat as number) > MAX_TOKEN_AGE_S) throw authError('auth.lifetime_too_long');
    const parsed = TokenClaims.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw authError('auth.invalid_claims', `${issue.path.join('.') || 'claims'}: ${issue.message}`);
    }
    return { site: site.id, claims: parsed.data };
  }

  private translate(err: unknown): ProblemError {
    if (err instanceof ProblemError) return err;
    if (err instanceof errors.JWTExpired) return authError(err.claim === 'iat' ? 'auth.too_old' : 'auth.expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.reason === 'missing') return authError('auth.claim_missing', err.claim);
      switch (err.claim) {
        case 'nbf': return authError('auth.not_yet_valid');
        case 'aud': return authError('auth.wrong_audience');
        case 'iss': return authError('auth.unknown_issuer');
        case 'iat': return authError(err.reason === 'check_failed' ? 'auth.not_yet_valid' : 'auth.invalid_claims', 'iat');
        default: return authError('auth.invalid_claims', err.message);
      }
    }
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return authError('auth.bad_signature');
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return authError('auth.key_unavailable');
    if (err instanceof errors.JOSEAlgNotAllowed) return authError('auth.alg_not_allowed');
    if (err instanceof errors.JOSEError) return authError('auth.malformed', err.code);
    return authError('auth.malformed');
  }

  private async verifierFor(k: SiteKeyRow): Promise<Verifier> {
    if (k.alg === 'HS256') {
      if (!k.secret) throw authError('auth.bad_signature');
      return { alg: 'HS256', key: Buffer.from(k.secret, 'base64url') };
    }
    if (k.jwks_url) {
      let set = this.remote.get(k.jwks_url);
      if (!set) {
        set = createRemoteJWKSet(new URL(k.jwks_url), { timeoutDuration: 3000, cooldownDuration: 30_000 });
        this.remote.set(k.jwks_url, set);
      }
      return { alg: k.alg, key: set };
    }
    if (!k.public_jwk) throw authError('auth.bad_signature');
    const jwk = JSON.parse(k.public_jwk);
    if ('d' in jwk) throw authError('auth.bad_signature', 'A private key was stored where a public key belongs.');
    if (jwk.keys) return { alg: k.alg, key: createLocalJWKSet(jwk) };
    return { alg: k.alg, key: (await importJWK(jwk, k.alg)) as KeyObject };
  }
}
