/**
 * A failed call to the Cercle API, made from its problem+json answer (RFC 9457)
 * or from a network failure (`status` 0, code `network.offline` or
 * `network.timeout`).
 */
export class CercleError extends Error {
  constructor(
    /** HTTP status; 0 when no answer came back. */
    readonly status: number,
    /** Stable machine-readable code, e.g. `thread.locked`. */
    readonly code: string,
    /** Human-readable explanation from the server, if any. */
    readonly detail?: string,
    /** Messages by field path (`body`, `thread`…) for `request.invalid`. */
    readonly fieldErrors: Record<string, string> = {},
    /** Seconds to wait before trying again (`Retry-After`), for 429 and 503. */
    readonly retryAfter?: number,
    /** For `member.muted` and `member.banned`: why, and until when (`null`: until a moderator lifts it). */
    readonly sanction?: { reason: string; endsAt: string | null },
  ) {
    super(detail || code);
  }

  /** True when the request may not have reached the server, or the server failed: trying again with the same idempotency key is safe and may work. */
  get transient(): boolean {
    return !this.status || this.status === 408 || this.status >= 500;
  }
}

interface ProblemLike {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  errors?: { path: string; message: string }[];
  sanction?: { reason?: unknown; endsAt?: unknown };
}

/** Turns an error answer (a problem body, or anything else) into a `CercleError`. */
export function toError(status: number, body: unknown, retryAfter?: string | null): CercleError {
  const p = (body && typeof body === 'object' ? body : {}) as ProblemLike;
  const fields: Record<string, string> = {};
  if (Array.isArray(p.errors)) for (const e of p.errors) fields[e.path] = fields[e.path] ? fields[e.path] + ' ' + e.message : e.message;
  return new CercleError(
    status,
    typeof p.code === 'string' ? p.code : 'http.' + status,
    typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : undefined,
    fields,
    retryAfter ? Number(retryAfter) || undefined : undefined,
    typeof p.sanction?.reason === 'string'
      ? { reason: p.sanction.reason, endsAt: typeof p.sanction.endsAt === 'string' ? p.sanction.endsAt : null }
      : undefined,
  );
}

/** A 401 whose code says the token is missing, expired or rejected. */
export const isAuthError = (status: number, body: unknown): boolean =>
  status === 401 && /^auth\./.test((body as ProblemLike | null)?.code as string);

/** What a site's webmaster should do about a code, for the one console line that names it. */
const FIXES: Record<string, string> = {
  'auth.bad_signature':
    "the site's token endpoint signs with a key Cercle does not know: check the secret (used as text, exactly as printed, not base64-decoded) or run `cercle token check <token> --site SITE` on the Cercle server",
  'auth.unknown_issuer': "the token's issuer (iss) is not a site Cercle knows: set iss to the site id, the provider's `site` attribute",
  'auth.wrong_audience': 'set the token\'s audience (aud) to "cercle"',
  'auth.site_mismatch': "the token's issuer (iss) is another site than the provider's `site` attribute: make them the same",
  'auth.expired': "sign a fresh token on each call of the token endpoint, and check the site server's clock (NTP)",
  'auth.too_old': "sign a fresh token on each call of the token endpoint (do not cache it), and check the site server's clock (NTP)",
  'auth.not_yet_valid': "the site server's clock is ahead of Cercle's: set it right (NTP)",
  'auth.lifetime_too_long': 'give the token at most one hour between iat and exp',
  'auth.alg_not_allowed':
    "sign with the algorithm of the site's key (HS256 for a secret; EdDSA or RS256 for a key registered with add-key)",
  'auth.key_server_unavailable': "Cercle cannot read the site's key server (--jwks-url): check that it answers",
  'cors.origin_not_allowed':
    "the Cercle server answers but refuses this page: add this page's origin to the site's origins (cercle settings set SITE origins=…), and check the `api` and `site` attributes",
  'network.offline': 'the Cercle server cannot be reached: check the `api` attribute and that the server runs',
};

const warned: Set<string> = ((globalThis as { [k: symbol]: Set<string> })[Symbol.for('cercle.warned')] ??= new Set());

/**
 * Tells the webmaster, once a page, what went wrong and how to fix it: one `console.warn` line naming
 * the code (`auth.bad_signature`, `cors.origin_not_allowed`, `token.not_jwt`…). `about` names the
 * server or endpoint concerned.
 */
export function diagnose(
  code: string,
  about: string,
  fix = FIXES[code] ??
    (code.startsWith('auth.')
      ? 'run `cercle token check <token> --site SITE` on the Cercle server to see why'
      : 'see the error codes in the README'),
): void {
  if (warned.has(code)) return;
  warned.add(code);
  console.warn(`cercle: ${code} (${about}): ${fix}.`);
}
