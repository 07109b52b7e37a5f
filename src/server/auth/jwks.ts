import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** A host key server's answer is refused beyond this size. */
export const JWKS_MAX_BYTES = 64 * 1024;
/** A fetched key set is used this long, then fetched again: a key the host removed stops verifying within it. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A token naming an unknown `kid` fetches the set again, at most once in this time per URL; so does a failed fetch. */
export const JWKS_REFETCH_MS = 30_000;
/** How long a fetch may take. */
export const JWKS_TIMEOUT_MS = 3000;

/** The key server could not give a usable key set; `reason` finishes the sentence "The key server at HOST …". */
export class KeyServerError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`The key server at ${hostOf(url)} ${reason}.`);
  }
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
};

interface Entry {
  set?: JWTVerifyGetKey;
  kids: Set<string>;
  fetchedAt: number;
  attemptAt: number;
  error?: KeyServerError;
  pending?: Promise<void>;
}

/**
 * The key sets of host key servers (JWKS URLs), fetched without following redirects, bounded in size
 * and time, kept `JWKS_MAX_AGE_MS`, fetched again early for an unknown `kid` (at most once per
 * `JWKS_REFETCH_MS`). Every failure is a `KeyServerError` naming the host and what went wrong.
 */
export class RemoteKeySets {
  private entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(url: string, kid: string | undefined): Promise<JWTVerifyGetKey> {
    let e = this.entries.get(url);
    if (!e) {
      e = { kids: new Set(), fetchedAt: 0, attemptAt: -Infinity };
      if (this.entries.size > 1000) this.entries.clear();
      this.entries.set(url, e);
    }
    const now = this.now();
    if (e.set && now - e.fetchedAt >= JWKS_MAX_AGE_MS) e.set = undefined;
    const mayFetch = now - e.attemptAt >= JWKS_REFETCH_MS;
    if (!e.set) {
      if (!mayFetch && e.error) throw e.error;
      await this.refresh(url, e);
    } else if (kid !== undefined && !e.kids.has(kid) && mayFetch) {
      await this.refresh(url, e);
    }
    if (!e.set) throw e.error ?? new KeyServerError(url, 'gave no keys');
    return e.set;
  }

  private refresh(url: string, e: Entry): Promise<void> {
    e.pending ??= (async () => {
      e.attemptAt = this.now();
      try {
        const jwks = await fetchKeySet(url);
        e.set = createLocalJWKSet(jwks);
        e.kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
        e.fetchedAt = this.now();
        e.error = undefined;
      } catch (err) {
        e.error =
          err instanceof KeyServerError ? err : new KeyServerError(url, `answered with an unusable key set (${(err as Error).message})`);
        // A set past its age is not used while the server fails; a younger one is.
        if (this.now() - e.fetchedAt >= JWKS_MAX_AGE_MS) e.set = undefined;
        throw e.error;
      } finally {
        e.pending = undefined;
      }
    })();
    return e.pending;
  }
}

async function fetchKeySet(url: string): Promise<JSONWebKeySet> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') throw new KeyServerError(url, `did not answer within ${JWKS_TIMEOUT_MS / 1000} s`);
    throw new KeyServerError(url, `could not be reached (${e.cause?.code ?? e.message})`);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new KeyServerError(
      url,
      `answered with a redirect (HTTP ${res.status}${res.headers.get('location') ? ` to ${res.headers.get('location')!.slice(0, 200)}` : ''}), which is not followed: register the final URL`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new KeyServerError(url, `answered HTTP ${res.status}`);
  }
  const tooLarge = () => new KeyServerError(url, `answered more than ${JWKS_MAX_BYTES / 1024} KB`);
  if (Number(res.headers.get('content-length') ?? 0) > JWKS_MAX_BYTES) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > JWKS_MAX_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new KeyServerError(url, 'answered something that is not JSON');
  }
  const keys = (json as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => k && typeof k === 'object' && !Array.isArray(k))) {
    throw new KeyServerError(url, 'answered JSON that is not a key set ({"keys": […]})');
  }
  if (keys.some((k) => 'd' in k || 'k' in k)) throw new KeyServerError(url, 'published private or secret key material');
  return json as JSONWebKeySet;
}
