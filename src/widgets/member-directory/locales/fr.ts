import { plural } from '../../../i18n/localize.js';
import { fr as common } from '../../../i18n/locales/fr.js';
import type { DirectoryStrings } from '../strings.js';

/** The member directory's strings in French. */
export const fr: DirectoryStrings = {
  ...common,
  search: 'Rechercher un membre',
  expertise: 'Expertise',
  results: plural('fr', '# membre', '# membres'),
  more: 'Afficher plus de membres',
};
