import type { ChapterTerm } from '../../contract/defaults.js';
import type { TermWords } from '../terms.js';
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

/** The words for the association's local groups in English, by the site's `chapterTerm`. */
export const words: Record<ChapterTerm, TermWords> = {
  chapter: { one: 'chapter', many: 'chapters', in: 'in chapter', inA: 'in a chapter' },
  branch: { one: 'branch', many: 'branches', in: 'in branch', inA: 'in a branch' },
  delegation: { one: 'delegation', many: 'delegations', in: 'in delegation', inA: 'in a delegation' },
  club: { one: 'club', many: 'clubs', in: 'in club', inA: 'in a club' },
  section: { one: 'section', many: 'sections', in: 'in section', inA: 'in a section' },
};
