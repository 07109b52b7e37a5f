import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Exec } from './store.js';

/** How long a mail's unsubscribe link works. */
export const UNSUBSCRIBE_TTL_S = 60 * 86_400;

/** The site's secret that signs unsubscribe links, made on first use (the same for every instance). */
export async function unsubscribeSecret(db: Exec, siteId: string, at: string): Promise<string> {
  const found = await db.selectFrom('notification_sites').select('unsubscribe_secret').where('site_id', '=', siteId).executeTakeFirst();
  if (found) return found.unsubscribe_secret;
  await db
    .insertInto('notification_sites')
    .values({ site_id: siteId, unsubscribe_secret: randomBytes(32).toString('base64url'), sweep_until: null, created_at: at })
    .onConflict((oc) => oc.column('site_id').doNothing())
    .execute();
  const made = await db
    .selectFrom('notification_sites')
    .select('unsubscribe_secret')
    .where('site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  return made.unsubscribe_secret;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`unsubscribe\n${payload}`).digest();

/** `<base64url JSON {s, m, e}>.<base64url HMAC-SHA256>`: the site, the member (pk) and the expiry (epoch seconds). */
export function signUnsubscribe(secret: string, siteId: string, memberPk: string, nowMs: number, ttlS = UNSUBSCRIBE_TTL_S): string {
  const payload = Buffer.from(JSON.stringify({ s: siteId, m: memberPk, e: Math.floor(nowMs / 1000) + ttlS })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export type UnsubscribeCheck = { ok: true; memberPk: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a token in constant time: a changed byte is `invalid`, a genuine old one `expired`. */
export function verifyUnsubscribe(secret: string, siteId: string, token: string, nowMs: number): UnsubscribeCheck {
  const m = /^([A-Za-z0-9_-]{10,600})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const expected = mac(secret, m[1]);
  const given = Buffer.from(m[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let claims: { s?: unknown; m?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.s !== siteId || typeof claims.m !== 'string' || typeof claims.e !== 'number') return { ok: false, reason: 'invalid' };
  if (claims.e * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, memberPk: claims.m };
}
