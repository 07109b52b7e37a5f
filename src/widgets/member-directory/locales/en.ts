import { plural } from '../../../i18n/localize.js';
import { en as common } from '../../../i18n/locales/en.js';

/** The member directory's strings in English. */
export const en = {
  ...common,
  search: 'Search members',
  expertise: 'Expertise',
  results: plural('en', '# member', '# members'),
  more: 'Show more members',
};
