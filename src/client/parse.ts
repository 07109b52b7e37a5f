/** The kinds of resource the client reads; each maps to a contract schema. */
export type Kind = 'site' | 'me' | 'member' | 'comments' | 'comment' | 'events' | 'batch';

/**
 * Checks (and may transform) a response body of a given kind; throws when it
 * does not fit. `strict` (in `./strict.js`) parses with the contract schemas;
 * the default, `shallow`, only checks the fields the widgets rely on, which
 * keeps the schema library out of the page's bundle.
 */
export type Parser = (kind: Kind, body: unknown) => unknown;

const required: Record<Kind, string[]> = {
  site: ['id', 'maxCommentLength'],
  me: ['id', 'name'],
  member: ['id', 'name'],
  comments: ['thread', 'items', 'next'],
  comment: ['id', 'body', 'createdAt'],
  events: ['items', 'next'],
  batch: ['results'],
};

export const shallow: Parser = (kind, body) => {
  if (!body || typeof body != 'object' || required[kind].some((k) => !(k in body))) throw new TypeError(kind);
  return body;
};
