import type { ChapterTerm } from '../../contract/defaults.js';
import type { TermWords } from '../terms.js';
import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in French. */
export const fr: CommonStrings = {
  signIn: 'Connectez-vous sur ce site pour participer',
  tryAgain: 'Réessayer',
  memberError: 'Votre profil de membre n’a pas pu être chargé ; votre session reste ouverte.',
  errors: {
    auth: 'Votre session a pris fin. Reconnectez-vous sur ce site.',
    network: 'La connexion a échoué.',
    other: 'Une erreur est survenue. Réessayez.',
    'member.muted': 'Un modérateur vous a mis en sourdine : vous ne pouvez pas écrire dans la discussion pour le moment.',
    'member.banned': 'Un modérateur a suspendu votre participation ici.',
  },
  sanctionReason: 'Motif : #.',
  sanctionUntil: 'Jusqu’au #.',
  sanctionOpen: 'Jusqu’à ce qu’un modérateur la lève.',
};

/** The words for the association's local groups in French, with their gender, by the site's `chapterTerm`. */
export const words: Record<ChapterTerm, TermWords> = {
  chapter: { one: 'chapitre', many: 'chapitres', in: 'dans le chapitre', inA: 'dans un chapitre' },
  branch: { one: 'antenne', many: 'antennes', in: 'dans l’antenne', inA: 'dans une antenne' },
  delegation: { one: 'délégation', many: 'délégations', in: 'dans la délégation', inA: 'dans une délégation' },
  club: { one: 'club', many: 'clubs', in: 'au club', inA: 'dans un club' },
  section: { one: 'section', many: 'sections', in: 'dans la section', inA: 'dans une section' },
};
