import { problem } from './problem.js';

/**
 * Which page origins may call a site. A site lists exact origins (`https://asso.example.org`) and,
 * for staging or preview hosts, patterns whose first label is `*`
 * (`https://*.staging.example.org`). A pattern matches exactly one whole label in place of the
 * `*`, with the same scheme and port: `https://pr-12.staging.example.org` yes;
 * `https://staging.example.org` (no label), `https://a.b.staging.example.org` (two labels),
 * `https://evilstaging.example.org` and `http://pr-12.staging.example.org` no. Nothing broader:
 * `*`, `https://*` and a pattern over a bare top-level domain (`https://*.org`) are refused.
 */

/** Why `value` cannot be one of a site's origins; `undefined` when it can. */
function problemWith(value: string): string | undefined {
  if (value.trim() === '*' || !/^https?:\/\//i.test(value))
    return `"${value}" is not an origin: give the scheme and host, e.g. https://asso.example.org.`;
  const wild = /^(https?:\/\/)\*\.(.*)$/i.exec(value);
  let url: URL;
  try {
    url = new URL(wild ? wild[1] + 'x.' + wild[2] : value);
  } catch {
    return `"${value}" is not an origin: give the scheme and host, e.g. https://asso.example.org.`;
  }
  if (url.hostname.includes('*')) return `"${value}": a * may only stand for the whole first label, as in https://*.staging.example.org.`;
  if (wild && url.hostname.split('.').length < 3)
    return `"${value}" would let any site under .${url.hostname.split('.').at(-1)} in: a pattern needs at least two labels after *., as in https://*.staging.example.org.`;
  if (wild && /^\d+$/.test(url.hostname.split('.').at(-1)!)) return `"${value}": an IP address cannot take a pattern.`;
  if (url.username || url.password) return `"${value}": an origin carries no user name or password.`;
  return undefined;
}

/**
 * The canonical form of an origin or pattern as given by a webmaster (a page address is cut down
 * to its origin: `https://asso.example.org/blog/` → `https://asso.example.org`); throws a readable
 * `Error` when it cannot be one.
 */
export function normalizeOrigin(value: string): string {
  const problem = problemWith(value.trim());
  if (problem) throw new Error(problem);
  const wild = /^(https?:\/\/)\*\.(.*)$/i.exec(value.trim());
  if (!wild) return new URL(value.trim()).origin;
  return new URL(wild[1] + 'x.' + wild[2]).origin.replace('://x.', '://*.');
}

/** True when `origin` (a browser's `Origin` header) is one of `allowed`, or matches one of its patterns. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (origin.includes('*')) return false;
  if (allowed.includes(origin)) return true;
  const m = /^(https?:\/\/)([^./:]+)\.(.+)$/.exec(origin);
  if (!m) return false;
  // Browsers send origins lower-cased and without a default port, as normalizeOrigin stores them.
  return allowed.includes(m[1] + '*.' + m[3]);
}

/**
 * The refusal of an origin that is not the site's. It is not readable by that page (no
 * `Access-Control-Allow-Origin` is ever reflected): the browser reports a CORS failure, which the
 * client tells apart from a server that is down (`client/client.ts`).
 */
export const originRefused = (origin: string) =>
  problem(
    403,
    'cors.origin_not_allowed',
    'This origin may not use this site',
    `${origin.slice(0, 200)} is not one of the site's origins: add it (cercle settings set SITE origins=…), or check the page's api and site.`,
  );
