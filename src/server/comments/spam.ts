import type { Logger } from '../http/logger.js';
import type { Context } from 'hono';
import { clientAddress } from '../http/ratelimit.js';
import type { Site, SpamCheckSettings } from '../store/store.js';

/** What a spam check is told about a comment. No email: Cercle has none. */
export interface SpamInput {
  text: string;
  authorName: string;
  /** The author's address (the check services weigh it); empty when unknown. */
  ip: string;
  userAgent: string;
  /** The page the comment is posted on, when the thread key is its URL. */
  permalink?: string;
  lang?: string;
}

export type SpamVerdict = 'spam' | 'ham' | 'unknown';

/**
 * A spam check: any service or local rule that says whether a comment looks like spam. A comment judged
 * `spam` waits for a moderator (held as `spam`), never silently dropped; `unknown` (the service failed)
 * lets it through as the other rules decide.
 */
export interface SpamCheck {
  check(input: SpamInput): Promise<SpamVerdict>;
}

export type SpamCheckFactory = (settings: SpamCheckSettings, deps: { fetch: typeof fetch; logger?: Logger }) => SpamCheck;

/**
 * The Akismet REST API (`/1.1/comment-check`) or any service speaking it. Called only when the site's
 * settings configure it; a failure or a slow answer (3 s) counts as `unknown`.
 */
export const akismet: SpamCheckFactory = (s, { fetch: f, logger }) => ({
  async check(input) {
    const form = new URLSearchParams({
      api_key: s.apiKey,
      blog: s.blog,
      user_ip: input.ip,
      user_agent: input.userAgent,
      comment_type: 'comment',
      comment_author: input.authorName,
      comment_content: input.text,
      ...(input.permalink ? { permalink: input.permalink } : {}),
      ...(input.lang ? { blog_lang: input.lang } : {}),
    });
    try {
      const res = await f(`${s.endpoint.replace(/\/+$/, '')}/1.1/comment-check`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(3000),
        redirect: 'error',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Cercle/0.1 | Akismet-compatible' },
      });
      const text = (await res.text()).trim();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (text === 'true') return 'spam';
      if (text === 'false') return 'ham';
      throw new Error(res.headers.get('x-akismet-debug-help') ?? `unexpected answer "${text.slice(0, 40)}"`);
    } catch (err) {
      logger?.error({ msg: 'spam.check_failed', provider: 'akismet', error: String((err as Error)?.message ?? err) });
      return 'unknown';
    }
  },
});

const PROVIDERS = new Map<string, SpamCheckFactory>([['akismet', akismet]]);

/** The site's spam check, or null when none is configured (then nothing is ever sent anywhere). */
export function spamCheckFor(site: Site, deps: { fetch?: typeof fetch; logger?: Logger } = {}): SpamCheck | null {
  const s = site.settings.spamCheck;
  if (!s?.apiKey) return null;
  const factory = PROVIDERS.get(s.provider);
  return factory ? factory(s, { fetch: deps.fetch ?? fetch, logger: deps.logger }) : null;
}

/**
 * Whether the site's spam check (when one is configured) judges this text spam. Nothing is sent anywhere
 * when the site has none.
 */
export async function looksLikeSpam(c: Context, site: Site, authorName: string, text: string, threadKey?: string): Promise<boolean> {
  const check = spamCheckFor(site);
  if (!check) return false;
  const verdict = await check.check({
    text,
    authorName,
    ip: clientAddress(c),
    userAgent: c.req.header('user-agent') ?? '',
    permalink: threadKey && /^https?:\/\//.test(threadKey) ? threadKey : undefined,
    lang: c.req.header('accept-language')?.slice(0, 2),
  });
  return verdict === 'spam';
}
