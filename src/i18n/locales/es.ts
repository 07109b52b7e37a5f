import type { ChapterTerm } from '../../contract/defaults.js';
import type { TermWords } from '../terms.js';
import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in Spanish. */
export const es: CommonStrings = {
  signIn: 'Inicie sesión en este sitio para participar',
  tryAgain: 'Reintentar',
  memberError: 'No se pudo cargar su perfil de miembro; su sesión sigue abierta.',
  errors: {
    auth: 'Su sesión ha terminado. Vuelva a iniciar sesión en este sitio.',
    network: 'La conexión ha fallado.',
    other: 'Algo ha fallado. Inténtelo de nuevo.',
    'member.muted': 'La moderación le ha silenciado: por ahora no puede escribir en la conversación.',
    'member.banned': 'La moderación le ha excluido de la participación aquí.',
  },
  sanctionReason: 'Motivo: #.',
  sanctionUntil: 'Hasta el #.',
  sanctionOpen: 'Hasta que la moderación la levante.',
};

/** The words for the association's local groups in Spanish, with their gender, by the site's `chapterTerm`. */
export const words: Record<ChapterTerm, TermWords> = {
  chapter: { one: 'capítulo', many: 'capítulos', in: 'en el capítulo', inA: 'en un capítulo' },
  branch: { one: 'sede', many: 'sedes', in: 'en la sede', inA: 'en una sede' },
  delegation: { one: 'delegación', many: 'delegaciones', in: 'en la delegación', inA: 'en una delegación' },
  club: { one: 'club', many: 'clubes', in: 'en el club', inA: 'en un club' },
  section: { one: 'sección', many: 'secciones', in: 'en la sección', inA: 'en una sección' },
};
