import { plural } from '../../../i18n/localize.js';
import { en as common } from '../../../i18n/locales/en.js';

/** The strings of <cercle-comment-count> in English. */
export const en = {
  ...common,
  count: plural('en', '# comment', '# comments'),
  none: 'No comments',
  loading: 'Counting comments…',
  loadError: 'Comments unavailable',
};
