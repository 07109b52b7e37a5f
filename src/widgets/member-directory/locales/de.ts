import { plural } from '../../../i18n/localize.js';
import { de as common } from '../../../i18n/locales/de.js';
import type { DirectoryStrings } from '../strings.js';

/** The member directory's strings in German. */
export const de: DirectoryStrings = {
  ...common,
  search: 'Mitglieder suchen',
  expertise: 'Fachgebiet',
  results: plural('de', '# Mitglied', '# Mitglieder'),
  more: 'Weitere Mitglieder anzeigen',
};
