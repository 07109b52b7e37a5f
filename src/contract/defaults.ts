/**
 * The defaults the server applies and the widgets fall back to, in one place. A site changes its own
 * reactions and comment length in its settings; these are what a new site starts with.
 */
export { DEFAULT_REACTIONS } from './discussion.js';
export { MAX_BATCH as MAX_BATCH_READS } from './requests.js';

/** A new site's longest comment, in characters (a site may raise it up to `MAX_COMMENT_LENGTH`). */
export const DEFAULT_MAX_COMMENT_LENGTH = 5000;
