import type { ChapterTerm } from '../../contract/defaults.js';
import type { TermWords } from '../terms.js';
import type { CommonStrings } from './en.js';

/** The few strings every widget shares, in German. */
export const de: CommonStrings = {
  signIn: 'Melden Sie sich auf dieser Website an, um mitzumachen',
  tryAgain: 'Erneut versuchen',
  memberError: 'Ihr Mitgliedsprofil konnte nicht geladen werden; Sie bleiben angemeldet.',
  errors: {
    auth: 'Ihre Sitzung ist abgelaufen. Melden Sie sich auf dieser Website erneut an.',
    network: 'Die Verbindung ist fehlgeschlagen.',
    other: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
    'member.muted': 'Die Moderation hat Sie stummgeschaltet: Sie können vorerst nicht in der Diskussion schreiben.',
    'member.banned': 'Die Moderation hat Sie von der Teilnahme hier ausgeschlossen.',
  },
  sanctionReason: 'Grund: #.',
  sanctionUntil: 'Bis #.',
  sanctionOpen: 'Bis eine Moderatorin oder ein Moderator sie aufhebt.',
};

/** The words for the association's local groups in German, with their gender, by the site's `chapterTerm`. */
export const words: Record<ChapterTerm, TermWords> = {
  chapter: { one: 'Ortsgruppe', many: 'Ortsgruppen', in: 'in der Ortsgruppe', inA: 'in einer Ortsgruppe' },
  branch: { one: 'Zweigstelle', many: 'Zweigstellen', in: 'in der Zweigstelle', inA: 'in einer Zweigstelle' },
  delegation: { one: 'Delegation', many: 'Delegationen', in: 'in der Delegation', inA: 'in einer Delegation' },
  club: { one: 'Club', many: 'Clubs', in: 'im Club', inA: 'in einem Club' },
  section: { one: 'Sektion', many: 'Sektionen', in: 'in der Sektion', inA: 'in einer Sektion' },
};
