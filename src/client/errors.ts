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
