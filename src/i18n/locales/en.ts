/** The few strings every widget shares, in English; each widget's dictionary starts from them. */
export const en = {

  signIn: 'Sign in on this site to take part',
  tryAgain: 'Try again',
  /** Messages by error code, then by code family; `other` last. */
  errors: {
    auth: 'Your session has ended. Sign in again on this site.',
    network: 'The connection failed.',
    other: 'Something went wrong. Try again.',
  } as Record<string, string>,
};

export type CommonStrings = typeof en;
