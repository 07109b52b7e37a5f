import { createHash, randomBytes } from 'node:crypto';

let last = 0;
let seq = 0;

/**
 * A time-ordered id (UUIDv7 layout, hex without dashes is not used: the canonical
 * 8-4-4-4-12 form), so that ids sort by creation time and can break ties in cursors.
 */
export function newId(now = Date.now()): string {
  if (now <= last) {
    now = last;
    seq = (seq + 1) & 0xfff;
    if (seq === 0) now = ++last;
  } else {
    seq = 0;
  }
  last = now;
  const b = randomBytes(16);
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const nowIso = (ms = Date.now()) => new Date(ms).toISOString();

/** How an erased member is remembered: a hash of the site and host id, never the id itself. */
export const hostKey = (siteId: string, hostId: string): string => createHash('sha256').update(`${siteId}\n${hostId}`).digest('base64url');
