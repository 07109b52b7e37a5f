import type { Context } from '@lit/context';
import type { CercleClient } from '../client/client.js';
import type { CercleError } from '../client/errors.js';
import type { LiveOptions, LiveStream } from '../client/live.js';
import type { Me } from '../contract/resources.js';

/**
 * Who is reading: not known yet, nobody signed in, a member, or a member (the host gave a token) whose
 * profile the API could not give (`error`, with `retry` to ask again). A widget shows that error with a
 * retry, never the sign-in link: the member is signed in.
 */
export type Session =
  | { status: 'loading' }
  | { status: 'anonymous' }
  | { status: 'member'; member: Me }
  | { status: 'error'; error: CercleError; retry(): void };

/** What `<cercle-community>` hands to every widget inside it. */
export interface Community {
  client: CercleClient;
  session: Session;
  /** The provider's own `lang` attribute, if it has one. */
  lang?: string;
  /** The provider's `login-url`; widgets fall back to the site's setting. */
  loginUrl?: string;
  /** The page's one live stream, owned by the provider (see {@link LiveHub}). */
  live: LiveHub;
}

/**
 * Hands out the page's one live stream. The first widget to follow something makes it, passing the
 * stream class itself, so that only the entries whose widgets go live carry its code; the provider
 * keeps it, feeds it the reader's token changes and closes it when the last widget lets go.
 */
export interface LiveHub {
  acquire(make: new (options: LiveOptions) => LiveStream): LiveStream;
  release(stream: LiveStream): void;
}

/** A global symbol, so two copies of the kit on one page still find each other. */
export const communityContext = Symbol.for('cercle.community') as Context<symbol, Community | undefined>;
