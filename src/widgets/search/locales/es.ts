import { fmt, plural } from '../../../i18n/localize.js';
import { es as common } from '../../../i18n/locales/es.js';
import type { SearchStrings } from '../strings.js';

/** The search's strings in Spanish. */
export const es: SearchStrings = {
  ...common,
  landmark: 'Buscar en los debates',
  label: 'Buscar lo que dijeron los miembros',
  hint: 'Palabras que empiezan por lo que escribe; cada palabra debe aparecer.',
  submit: 'Buscar',
  searching: 'Buscando…',
  noWords: 'Escriba una palabra para buscar.',
  results: plural('es', '# comentario encontrado', '# comentarios encontrados'),
  moreThan: plural('es', 'Más de # comentario encontrado', 'Más de # comentarios encontrados'),
  none: fmt('Ningún comentario coincide con «#».'),
  more: 'Mostrar más resultados',
  by: fmt('por #'),
  formerMember: 'un antiguo miembro',
  untitled: 'Debate',
  errors: { ...common.errors, 'search.no_terms': 'Escriba una palabra para buscar.' },
};
