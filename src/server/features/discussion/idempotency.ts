import { createHash } from 'node:crypto';
import type { NewComment } from '../../../contract/requests.js';
import { problem } from '../../http/problem.js';

/**
 * The SHA-256 of a new comment's request as validated (text trimmed, absent and null alike), keys in a
 * fixed order: what an idempotency key promises to stand for.
 */
export function commentRequestHash(body: NewComment): string {
  const canonical = JSON.stringify([body.thread, body.parentId ?? null, body.title ?? null, body.body]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** A key already used for another request: 422, and nothing is stored. Rows from before the hash was kept replay. */
export function assertSameRequest(storedHash: string | null, hash: string): void {
  if (storedHash !== null && storedHash !== hash) {
    throw problem(
      422,
      'idempotency.mismatch',
      'This Idempotency-Key was used for another comment',
      'A retry must send the same request as the first attempt; a new comment needs a new key.',
    );
  }
}
