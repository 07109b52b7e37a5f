/**
 * Search across the discussions over the typed client: one function a remote call.
 */
import type { SearchPage } from '../contract/search.js';
import type { CercleClient } from './client.js';
import { withQuery } from './path.js';

/** One page of the published comments with every word of `q` that this reader may read, newest first. */
export const searchDiscussions = (c: CercleClient, q: string, cursor?: string | null): Promise<SearchPage> =>
  c.read(withQuery('/search', { q, cursor }), 'searchResults');
