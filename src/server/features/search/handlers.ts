import type { routes } from '../../../contract/routes.js';
import { decodeCursor, encodeCursor } from '../../domain/mapping.js';
import { searchTerms } from '../../domain/search.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import { SearchStore } from '../../store/search.js';
import { hitOut, readableAudiences } from './present.js';

/** Published comments matching every word of `q`, in the threads this reader may read, newest first. */
export async function searchDiscussions({ store, site, query, viewer }: HandlerContext<typeof routes.searchDiscussions>) {
  const terms = searchTerms(query.q);
  if (!terms.length) {
    throw problem(400, 'search.no_terms', 'Nothing to search for', 'Type at least one word: letters or digits.');
  }
  const audiences = readableAudiences(viewer, site.settings.publicRead);
  if (audiences && !audiences.length) {
    throw problem(401, 'auth.missing', 'Sign in to search the discussions', 'This site shows its discussions to signed-in members only.');
  }
  const limit = query.limit ?? 20;
  const rows = await new SearchStore(store).comments(site.id, { terms, audiences, after: decodeCursor(query.cursor), limit: limit + 1 });
  const hits = rows.slice(0, limit);
  const pks = [...new Set(hits.flatMap((r) => (r.author_pk ? [r.author_pk] : [])))];
  const authors = new Map(
    (pks.length
      ? await store.db.selectFrom('members').selectAll().where('site_id', '=', site.id).where('pk', 'in', pks).execute()
      : []
    ).map((m) => [m.pk, m]),
  );
  const last = hits[hits.length - 1];
  return {
    body: {
      items: hits.map((r) => hitOut(r, terms, authors)),
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    },
  };
}
