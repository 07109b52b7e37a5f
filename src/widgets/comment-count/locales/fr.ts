import { plural } from '../../../i18n/localize.js';
import { fr as common } from '../../../i18n/locales/fr.js';
import type { CommentCountStrings } from '../strings.js';

/** The strings of <cercle-comment-count> in French. */
export const fr: CommentCountStrings = {
  ...common,
  count: plural('fr', '# commentaire', '# commentaires'),
  none: 'Aucun commentaire',
  loading: 'Décompte des commentaires…',
  loadError: 'Commentaires indisponibles',
};
