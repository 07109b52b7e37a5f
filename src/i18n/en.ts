/** Plural forms keyed by `Intl.PluralRules` category; `#` stands for the number. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export const en = {
  heading: 'Comments',
  count: { one: '# comment', other: '# comments' } as Plural,
  loading: 'Loading comments…',
  empty: 'No comments yet.',
  loadError: 'The comments could not be loaded.',
  tryAgain: 'Try again',
  more: 'Show more comments',
  label: 'Your comment',
  post: 'Post',
  sending: 'Sending…',
  left: { one: '# character left', other: '# characters left' } as Plural,
  over: { one: '# character too many', other: '# characters too many' } as Plural,
  signIn: 'Sign in on this site to take part',
  notSent: 'Not sent',
  retry: 'Retry',
  notSentNote: 'Your comment was not sent. It is kept here and will be sent again when the connection is back.',
  posted: 'Your comment was posted.',
  deleted: 'This comment was deleted.',
  pending: 'awaiting moderation',
  edited: 'edited',
  former: 'Former member',
  wait: { one: 'Please wait # second before trying again.', other: 'Please wait # seconds before trying again.' } as Plural,
  /** Messages by error code, then by code family; `other` last. */
  errors: {
    'thread.locked': 'This discussion is closed.',
    'thread.forbidden': 'This discussion is open to some members only.',
    'comment.too_long': 'Your comment is too long.',
    'rate.limited': 'You are posting too fast.',
    'request.invalid': 'Please check your comment.',
    'site.unknown': 'This site is not set up for comments.',
    auth: 'Your session has ended. Sign in again on this site.',
    network: 'The connection failed.',
    other: 'Something went wrong. Try again.',
  } as Record<string, string>,
};

export type Strings = typeof en;
