import { routes, type RouteSpec } from '../../../contract/routes.js';
import { problem, type ProblemError } from '../../http/problem.js';

const SITE_PREFIX = '/v1/sites/{site}';

/** The GET routes of one site, as patterns over the path below `/v1/sites/{site}` (`''` is the site itself). */
const reads = (Object.values(routes) as RouteSpec[])
  .filter((r) => r.method === 'get' && (r.path === SITE_PREFIX || r.path.startsWith(`${SITE_PREFIX}/`)))
  .map(
    (r) =>
      new RegExp(
        `^${r.path
          .slice(SITE_PREFIX.length)
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{\w+\}/g, '[^/]+')}$`,
      ),
  );

/**
 * `..` anywhere, a `.` segment, encoded dots and slashes, and backslashes (raw or encoded, once or more):
 * whatever a URL parser or a proxy could turn into a step out of the site's own paths. Checked on the path
 * only: query values (a thread's URL) may hold them.
 */
const ESCAPES = /\\|%(25)*(2e|2f|5c)|\.\.|(^|\/)\.(\/|$)/i;

/**
 * Where one read of a batch goes: a path of a GET route of the same site, or the problem that answers that
 * entry. The read is matched against the contract's route table, so it can never leave `/v1/sites/{site}`.
 */
export function batchTarget(siteId: string, read: string): { url: URL } | { refused: ProblemError } {
  const cut = read.indexOf('?');
  const rawPath = cut === -1 ? read : read.slice(0, cut);
  const search = cut === -1 ? '' : read.slice(cut);
  if (ESCAPES.test(rawPath)) {
    return {
      refused: problem(
        400,
        'batch.invalid_path',
        'A batch read must stay within its site',
        `"${rawPath.slice(0, 200)}" holds a dot segment, an encoded slash or dot, or a backslash.`,
      ),
    };
  }
  const path = rawPath === '/' ? '' : rawPath;
  if (path === '/batch') return { refused: problem(400, 'batch.nested', 'A batch cannot contain a batch') };
  if (!reads.some((re) => re.test(path))) {
    return { refused: problem(404, 'route.not_found', 'No such route', `GET ${rawPath.slice(0, 200)} is not a read of this site.`) };
  }
  return { url: new URL(`/v1/sites/${siteId}${path}${search}`, 'http://batch.invalid') };
}
