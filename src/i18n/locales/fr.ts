import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in French. */
export const fr: CommonStrings = {

  signIn: 'Connectez-vous sur ce site pour participer',
  tryAgain: 'Réessayer',
  errors: {
    auth: 'Votre session a pris fin. Reconnectez-vous sur ce site.',
    network: 'La connexion a échoué.',
    other: 'Une erreur est survenue. Réessayez.',
  },
};
