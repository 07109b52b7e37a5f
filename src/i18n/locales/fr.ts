import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in French. */
export const fr: CommonStrings = {

  signIn: 'Connectez-vous sur ce site pour participer',
  tryAgain: 'Réessayer',
  memberError: 'Votre profil de membre n’a pas pu être chargé ; vous restez connecté·e.',
  errors: {
    auth: 'Votre session a pris fin. Reconnectez-vous sur ce site.',
    network: 'La connexion a échoué.',
    other: 'Une erreur est survenue. Réessayez.',
    'member.muted': 'Un modérateur vous a mis en sourdine : vous ne pouvez pas écrire dans la discussion pour le moment.',
    'member.banned': 'Un modérateur vous a exclu·e de la participation ici.',
  },
  sanctionReason: 'Motif : #.',
  sanctionUntil: 'Jusqu’au #.',
  sanctionOpen: 'Jusqu’à ce qu’un modérateur la lève.',
};
