import { createContext } from '@lit/context';
import type { CercleClient } from '../client/client.js';
import type { Me } from '../contract/resources.js';

/** Who is reading: not known yet, nobody signed in, or a member. */
export type Session = { status: 'loading' } | { status: 'anonymous' } | { status: 'member'; member: Me };

/** What `<cercle-community>` hands to every widget inside it. */
export interface Community {
  client: CercleClient;
  session: Session;
  /** The provider's own `lang` attribute, if it has one. */
  lang?: string;
  /** The provider's `login-url`; widgets fall back to the site's setting. */
  loginUrl?: string;
}

/** A global symbol, so two copies of the kit on one page still find each other. */
export const communityContext = createContext<Community | undefined>(Symbol.for('cercle.community'));
