import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in German. */
export const de: CommonStrings = {

  signIn: 'Melden Sie sich auf dieser Website an, um mitzumachen',
  tryAgain: 'Erneut versuchen',
  errors: {
    auth: 'Ihre Sitzung ist abgelaufen. Melden Sie sich auf dieser Website erneut an.',
    network: 'Die Verbindung ist fehlgeschlagen.',
    other: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
  },
};
