import { html, nothing, type TemplateResult } from 'lit';
import type { CercleError } from '../client/errors.js';
import type { Session } from '../context/context.js';

/** The provider's session when the host signed the reader in but the API could not give their profile. */
export type SessionError = Extract<Session, { status: 'error' }>;

/** What the view needs of a widget's localize controller (every widget's dictionary has these strings). */
export interface SessionErrorStrings {
  t: { memberError: string; tryAgain: string };
  error(e: CercleError): string;
}

/**
 * Signed in, but the member's profile could not be read: the reason and "Try again", which asks the
 * provider to read it again (every widget on the page follows). Never the sign-in link: the reader
 * is signed in on the host site, and signing in again would not help.
 */
export const sessionError = (s: SessionError, l: SessionErrorStrings, part?: string): TemplateResult => html`
  <div part=${part ?? nothing} class="session-error">
    <p class="error">${l.t.memberError} ${l.error(s.error)}</p>
    <button type="button" @click=${() => s.retry()}>${l.t.tryAgain}</button>
  </div>
`;
