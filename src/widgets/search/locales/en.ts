import { fmt, plural } from '../../../i18n/localize.js';
import { en as common } from '../../../i18n/locales/en.js';

/** The search's strings in English. */
export const en = {
  ...common,
  /** The search landmark's name. */
  landmark: 'Search the discussions',
  label: 'Search what members said',
  hint: 'Words starting with what you type; every word must appear.',
  submit: 'Search',
  searching: 'Searching…',
  /** No letter or digit typed. */
  noWords: 'Type a word to search for.',
  results: plural('en', '# comment found', '# comments found'),
  moreThan: plural('en', 'More than # comment found', 'More than # comments found'),
  none: fmt('No comment matches “#”.'),
  more: 'Show more results',
  by: fmt('by #'),
  formerMember: 'a former member',
  /** A result's page when its thread has no title. */
  untitled: 'Discussion',
  errors: { ...common.errors, 'search.no_terms': 'Type a word to search for.' } as Record<string, string>,
};
