import { problem } from '../http/problem.js';
import type { Site } from '../store/store.js';

const fold = (s: string) =>
  ` ${s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

/** The first held word or phrase found in the text (whole words, case and accents ignored). */
export function heldWord(text: string, words: string[]): string | undefined {
  const hay = fold(text);
  return words.find((w) => fold(w).trim() && hay.includes(fold(w)));
}

/** Refuses what no comment may be: a filled honeypot field, a word the site blocks (the text is kept by the page). */
export function refuseUnwanted(site: Site, body: { body: string; website?: string }) {
  if (body.website) {
    throw problem(400, 'comment.spam', 'This comment was refused as automated', 'A field meant to stay empty was filled in.');
  }
  const word = heldWord(body.body, site.settings.blockedWords ?? []);
  if (word) {
    throw problem(
      400,
      'comment.blocked_word',
      'The comment contains a word this site does not accept',
      `Remove "${word}" and send it again; your text is kept.`,
      [{ path: 'body.body', message: `Not accepted here: ${word}` }],
    );
  }
}
