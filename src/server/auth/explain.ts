import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyObject,
  type ProtectedHeaderParameters,
} from 'jose';
import { TokenClaims } from '../../contract/requests.js';
import { ProblemError } from '../http/problem.js';
import type { Store } from '../store/store.js';
import type { SiteKeyRow } from '../store/schema.js';
import { KeyServerError, RemoteKeySets } from './jwks.js';
import { secretKey } from './keys.js';
import { ALLOWED_ALGS, CLOCK_TOLERANCE_S, keysForKid, MAX_TOKEN_AGE_S, MAX_TOKEN_BYTES, storedKey, TokenVerifier } from './verify.js';

/**
 * Why Cercle accepts or refuses a token, in plain English, one finding a line: its shape, issuer,
 * audience, each key tried (and with which algorithm), the signature, the clock with numbers, the
 * lifetime and the claims. When an HS256 signature would verify had the secret been read the other
 * way (its text, or the bytes its base64url encodes) it says so: that mix-up is the usual cause of
 * "bad signature". Backs `cercle token check JWT --site ID`; nothing here changes the store.
 */
export async function explainToken(store: Store, jwt: string, siteId: string, now: number | Date = Date.now()): Promise<string[]> {
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const nowS = Math.floor(nowMs / 1000);
  const lines: string[] = [];
  const token = jwt.trim().replace(/^Bearer\s+/i, '');

  if (token.length > MAX_TOKEN_BYTES)
    return [`The token is ${token.length} bytes long; Cercle refuses tokens over ${MAX_TOKEN_BYTES} bytes.`];
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    return ['This is not a JWT: a JWT is three base64url parts separated by dots (header.payload.signature).'];
  }
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return ["The token's header or payload is not base64url-encoded JSON."];
  }

  // Header.
  const alg = String(header.alg);
  lines.push(`Header: algorithm ${alg}${header.kid ? `, key id (kid) "${header.kid}"` : ', no key id (kid)'}.`);
  if (!ALLOWED_ALGS.includes(alg as never)) {
    lines.push(`The algorithm ${alg} is not accepted: Cercle verifies ${ALLOWED_ALGS.join(', ')} only.`);
  }

  // Issuer and audience.
  const site = await store.site(siteId);
  if (!site) lines.push(`There is no site "${siteId}" on this server.`);
  if (claims.iss === undefined) lines.push(`The token has no issuer (iss): it must be the site id "${siteId}".`);
  else if (claims.iss !== siteId)
    lines.push(`The issuer (iss) is "${String(claims.iss)}" but the site id is "${siteId}": set iss to "${siteId}".`);
  else lines.push(`The issuer (iss) is the site id "${siteId}".`);
  const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  if (!aud.includes('cercle')) {
    lines.push(
      aud.length
        ? `The audience (aud) is ${aud.map((a) => `"${a}"`).join(', ')}; it must be "cercle".`
        : 'The token has no audience (aud): it must be "cercle".',
    );
  }

  // Keys and signature.
  if (site) lines.push(...(await explainKeys(store, token, site.id, header, nowMs)));

  // Time.
  lines.push(...explainTimes(claims, nowS));

  // Claims.
  for (const c of ['sub', 'exp', 'iat'] as const) if (claims[c] === undefined) lines.push(`The required claim "${c}" is missing.`);
  const parsed = TokenClaims.safeParse(claims);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 10)) {
      const path = issue.path.join('.') || 'claims';
      if (!(
        issue.path.length === 1 &&
        ['sub', 'exp', 'iat'].includes(String(issue.path[0])) &&
        claims[String(issue.path[0])] === undefined
      )) {
        lines.push(`The claim "${path}" is not valid: ${issue.message}`);
      }
    }
  }

  // The verdict of the verifier itself, so that the explanation never disagrees with the server.
  try {
    const verified = await new TokenVerifier(store, () => nowMs).verify(token);
    if (verified.site !== siteId) lines.push(`Cercle refuses it here (auth.site_mismatch): the token is for the site "${verified.site}".`);
    else lines.push(`Cercle accepts this token: it signs in member "${verified.claims.sub}" of "${siteId}".`);
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    lines.push(`Cercle refuses this token with ${err.status} ${err.code}${err.detail ? ` (${err.detail})` : ''}.`);
  }
  return lines;
}

const describeKey = (k: SiteKeyRow) => {
  const what =
    k.alg === 'HS256'
      ? `secret used as ${k.secret_encoding === 'text' ? 'the text printed' : 'the bytes its base64url text encodes'}`
      : k.jwks_url
        ? `key server ${k.jwks_url}`
        : `public key${k.jwk_kid ? ` (its own kid "${k.jwk_kid}")` : ''}`;
  return `key ${k.kid} (${k.alg}, ${what}${k.retires_at ? `, retiring ${k.retires_at}` : ''})`;
};

async function signatureVerifies(token: string, key: KeyObject | Uint8Array | JWTVerifyGetKey, alg: string): Promise<boolean> {
  try {
    await compactVerify(token, key as Parameters<typeof compactVerify>[1], { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

async function explainKeys(
  store: Store,
  token: string,
  siteId: string,
  header: ProtectedHeaderParameters,
  nowMs: number,
): Promise<string[]> {
  const lines: string[] = [];
  const active = await store.activeKeys(siteId, new Date(nowMs).toISOString());
  if (active.length === 0) return [`The site "${siteId}" has no active key: add one with cercle site rotate-key or add-key.`];
  const named = keysForKid(active, header.kid);
  for (const k of active.filter((k) => !named.includes(k))) {
    lines.push(`Not tried: ${describeKey(k)}, because the token's kid "${header.kid}" names another key.`);
  }
  if (named.length === 0)
    lines.push(
      `No key of the site has the kid "${header.kid}": use ${active.map((k) => `"${k.jwk_kid ?? k.kid}"`).join(' or ')}, or leave kid out.`,
    );
  let verified = false;
  for (const k of named) {
    if (k.alg !== header.alg) {
      lines.push(
        `Not tried: ${describeKey(k)}, because the token is signed with ${String(header.alg)} and each key verifies its own algorithm only.`,
      );
      continue;
    }
    let key: KeyObject | Uint8Array | JWTVerifyGetKey;
    try {
      key = k.jwks_url ? await new RemoteKeySets(() => nowMs).get(k.jwks_url, header.kid) : await storedKey(k);
    } catch (err) {
      lines.push(`Tried ${describeKey(k)}: ${err instanceof KeyServerError || err instanceof ProblemError ? err.message : String(err)}`);
      continue;
    }
    if (await signatureVerifies(token, key, k.alg)) {
      lines.push(`Tried ${describeKey(k)}: the signature verifies.`);
      verified = true;
      continue;
    }
    lines.push(`Tried ${describeKey(k)}: the signature does not verify.`);
    if (k.alg === 'HS256' && k.secret) {
      const other = k.secret_encoding === 'text' ? 'base64url' : 'text';
      if (await signatureVerifies(token, secretKey(k.secret, other), 'HS256')) {
        lines.push(
          other === 'base64url'
            ? "Hint: the signature verifies with the bytes the secret's base64url text decodes to. The site decodes the secret before signing; sign with the secret exactly as printed instead (remove the base64 decoding)."
            : "Hint: the signature verifies with the secret's text used as it is. This older key is read by Cercle as base64url-encoded bytes; either base64url-decode the secret before signing, or run cercle site rotate-key to get a secret used as printed.",
        );
      }
    }
  }
  if (!verified && named.some((k) => k.alg === header.alg)) lines.push('No key of the site verifies the signature.');
  return lines;
}

function explainTimes(claims: JWTPayload, nowS: number): string[] {
  const lines: string[] = [];
  const { iat, exp, nbf } = claims;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const ago = (t: number) => (t <= nowS ? `${nowS - t} s ago` : `in ${t - nowS} s`);
  if (num(iat)) {
    if (iat > nowS + CLOCK_TOLERANCE_S) {
      lines.push(
        `Issued (iat) ${iat - nowS} s in the future: the site's clock is about ${iat - nowS} s ahead of this server's (tolerance ${CLOCK_TOLERANCE_S} s). Set the site's clock right (NTP).`,
      );
    } else if (nowS - iat > MAX_TOKEN_AGE_S + CLOCK_TOLERANCE_S) {
      lines.push(
        `Issued (iat) ${nowS - iat} s ago: tokens older than ${MAX_TOKEN_AGE_S} s are refused. Sign a fresh token for each request to the token endpoint, and check the site's clock.`,
      );
    } else lines.push(`Issued (iat) ${ago(iat)}.`);
  } else if (iat !== undefined) lines.push('The issue time (iat) is not a number of seconds.');
  if (num(exp)) {
    if (exp < nowS - CLOCK_TOLERANCE_S) lines.push(`Expired (exp) ${nowS - exp} s ago (tolerance ${CLOCK_TOLERANCE_S} s).`);
    else lines.push(`Expires (exp) ${ago(exp)}.`);
    if (num(iat) && exp - iat > MAX_TOKEN_AGE_S)
      lines.push(`Lifetime (exp - iat) is ${exp - iat} s; at most ${MAX_TOKEN_AGE_S} s (one hour) is allowed.`);
    if (num(iat) && exp <= iat) lines.push(`The token expires (exp) ${iat - exp} s before it was issued (iat).`);
  } else if (exp !== undefined) lines.push('The expiry (exp) is not a number of seconds.');
  if (num(nbf) && nbf > nowS + CLOCK_TOLERANCE_S)
    lines.push(`Not valid before (nbf) ${nbf - nowS} s from now (tolerance ${CLOCK_TOLERANCE_S} s).`);
  if (num(iat) && num(exp) && exp > 1e11) lines.push('The times look like milliseconds: JWT times are seconds since 1970.');
  return lines;
}
