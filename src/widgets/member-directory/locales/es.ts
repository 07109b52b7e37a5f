import { plural } from '../../../i18n/localize.js';
import { es as common } from '../../../i18n/locales/es.js';
import type { DirectoryStrings } from '../strings.js';

/** The member directory's strings in Spanish. */
export const es: DirectoryStrings = {
  ...common,
  search: 'Buscar miembros',
  expertise: 'Especialidad',
  results: plural('es', '# miembro', '# miembros'),
  more: 'Mostrar más miembros',
};
