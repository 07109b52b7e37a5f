/** Plural forms keyed by `Intl.PluralRules` category; `#` stands for the number. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/**
 * The few strings every widget shares. Everything else lives with its widget
 * (`widgets/<name>/strings.ts`), so that an entry carries only its own words.
 */
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

export type Strings = typeof en;
