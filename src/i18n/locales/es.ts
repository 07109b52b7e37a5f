import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in Spanish. */
export const es: CommonStrings = {

  signIn: 'Inicie sesión en este sitio para participar',
  tryAgain: 'Reintentar',
  errors: {
    auth: 'Su sesión ha terminado. Vuelva a iniciar sesión en este sitio.',
    network: 'La conexión ha fallado.',
    other: 'Algo ha fallado. Inténtelo de nuevo.',
  },
};
