/** The few strings every widget shares, in English; each widget's dictionary starts from them. */
export const en = {

  signIn: 'Sign in on this site to take part',
  tryAgain: 'Try again',
  memberError: 'Your member profile could not be loaded; you are still signed in.',
  /** Messages by error code, then by code family; `other` last. */
  errors: {
    auth: 'Your session has ended. Sign in again on this site.',
    network: 'The connection failed.',
    other: 'Something went wrong. Try again.',
    'member.muted': 'A moderator has muted you: you cannot write in the discussion for now.',
    'member.banned': 'A moderator has banned you from taking part here.',
  } as Record<string, string>,
  /** What follows the message of a sanction (`member.muted`, `member.banned`): its reason and end. */
  sanctionReason: 'Reason: #.',
  sanctionUntil: 'Until #.',
  sanctionOpen: 'Until a moderator lifts it.',
};

export type CommonStrings = typeof en;
