import { fmt, plural } from '../../../i18n/localize.js';
import { fr as common } from '../../../i18n/locales/fr.js';
import type { SearchStrings } from '../strings.js';

/** The search's strings in French. */
export const fr: SearchStrings = {
  ...common,
  landmark: 'Rechercher dans les discussions',
  label: 'Rechercher ce que les membres ont dit',
  hint: 'Des mots qui commencent par ce que vous tapez ; chaque mot doit figurer.',
  submit: 'Rechercher',
  searching: 'Recherche…',
  noWords: 'Tapez un mot à rechercher.',
  results: plural('fr', '# commentaire trouvé', '# commentaires trouvés'),
  moreThan: plural('fr', 'Plus de # commentaire trouvé', 'Plus de # commentaires trouvés'),
  none: fmt('Aucun commentaire ne correspond à « # ».'),
  more: 'Afficher plus de résultats',
  by: fmt('par #'),
  formerMember: 'un ancien membre',
  untitled: 'Discussion',
  errors: { ...common.errors, 'search.no_terms': 'Tapez un mot à rechercher.' },
};
