import { randomBytes } from 'node:crypto';

/**
 * How an HS256 secret's text becomes the HMAC key. `text`: the UTF-8 bytes of the string as printed,
 * which is what PHP, WordPress and most JWT libraries sign with when handed a string. `base64url`: the
 * bytes the string encodes (keys made before text secrets; they keep verifying as they always did).
 */
export type SecretEncoding = 'text' | 'base64url';

/** Least key material an HS256 secret must carry: 32 bytes (for a text secret, 32 characters). */
export const MIN_SECRET_BYTES = 32;

/** A fresh HS256 secret: 32 random bytes written as 43 base64url characters, used as the text it is. */
export const newTextSecret = () => randomBytes(32).toString('base64url');

/** The HMAC key a stored secret stands for. */
export function secretKey(secret: string, encoding: SecretEncoding): Uint8Array {
  return encoding === 'text' ? new TextEncoder().encode(secret) : Buffer.from(secret, 'base64url');
}

/**
 * Why a secret cannot be used, or `null` when it can: for `cercle site add --secret` and imports of a
 * secret a site already signs with.
 */
export function secretProblem(secret: string, encoding: SecretEncoding): string | null {
  if (secret !== secret.trim()) return 'The secret starts or ends with white space; copy it without it.';
  if (/[^\x21-\x7e]/.test(secret)) return 'The secret must be printable ASCII (letters, digits, punctuation), with no spaces.';
  if (encoding === 'base64url') {
    if (!/^[A-Za-z0-9_-]+$/.test(secret)) return 'A base64url secret uses only A-Z a-z 0-9 _ and -.';
    if (Buffer.from(secret, 'base64url').length < MIN_SECRET_BYTES) return `The secret must decode to at least ${MIN_SECRET_BYTES} bytes.`;
    return null;
  }
  if (secret.length < MIN_SECRET_BYTES)
    return `The secret must be at least ${MIN_SECRET_BYTES} characters long (43 random base64url characters is a good choice).`;
  if (new Set(secret).size < 8) return 'The secret repeats too few characters to be random.';
  return null;
}
