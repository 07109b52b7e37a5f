import { fmt, plural } from '../../../i18n/localize.js';
import { de as common } from '../../../i18n/locales/de.js';
import type { SearchStrings } from '../strings.js';

/** The search's strings in German. */
export const de: SearchStrings = {
  ...common,
  landmark: 'Diskussionen durchsuchen',
  label: 'Suchen, was Mitglieder geschrieben haben',
  hint: 'Wörter, die mit dem Eingegebenen beginnen; jedes Wort muss vorkommen.',
  submit: 'Suchen',
  searching: 'Suche läuft…',
  noWords: 'Geben Sie ein Suchwort ein.',
  results: plural('de', '# Kommentar gefunden', '# Kommentare gefunden'),
  moreThan: plural('de', 'Mehr als # Kommentar gefunden', 'Mehr als # Kommentare gefunden'),
  none: fmt('Kein Kommentar passt zu „#“.'),
  more: 'Weitere Ergebnisse anzeigen',
  by: fmt('von #'),
  formerMember: 'einem ehemaligen Mitglied',
  untitled: 'Diskussion',
  errors: { ...common.errors, 'search.no_terms': 'Geben Sie ein Suchwort ein.' },
};
