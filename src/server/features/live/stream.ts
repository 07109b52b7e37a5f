import type { Context } from 'hono';

/** Expiry (ms) of the bearer token the registrar has already verified. */
export function tokenExpiry(c: Context): number | null {
  const m = /^Bearer +(\S+)/i.exec(c.req.header('authorization') ?? '');
  if (!m) return null;
  try {
    const claims = JSON.parse(Buffer.from(m[1].split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}
