import { diagnose } from './errors.js';

interface Claims {
  sub?: string;
  exp: number;
  iat?: number;
}

/** Reads a JWT's payload without verifying it (the Cercle server verifies); `undefined` when it is not a JWT. */
export function claims(jwt: string): Claims | undefined {
  try {
    const part = jwt.split('.');
    const c = part.length === 3 && JSON.parse(atob(part[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof c?.exp === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the member's short-lived token, obtained from the host site's
 * `token-url` with the host's own cookies. The token lives in memory only.
 * It is renewed ahead of expiry (a minute before, or half-way through a
 * shorter life); `refresh()` forces a renewal (after the API refused it).
 *
 * The token-url answers with the JWT as text, or as JSON `{ "token": … }`;
 * 204 (quiet in the browser's console), 401 or 403 mean that nobody is signed
 * in on the host site. Any other answer (an error status, an HTML page, a 200
 * that is not a JWT) counts as signed out and is named once in the console.
 */
export class TokenKeeper {
  private token: string | null = null;
  /** Time (ms) after which the token in hand is renewed before use. */
  private until = 0;
  private pending?: Promise<string | null>;
  private timer?: ReturnType<typeof setTimeout>;
  private subject?: string | null;
  private listeners = new Set<(subject: string | null) => void>();

  constructor(readonly url: string) {}

  /** The current token, fetching or renewing it if needed; `null` when signed out. Never rejects. */
  get(): Promise<string | null> {
    return this.pending ?? (Date.now() < this.until ? Promise.resolve(this.token) : this.refresh());
  }

  /** Fetches a fresh token now (concurrent calls share one request). */
  refresh(): Promise<string | null> {
    return (this.pending ??= this.load().finally(() => (this.pending = undefined)));
  }

  /** Called with the member id (`sub`) whenever it changes, `null` on sign-out. Returns an unsubscribe function. */
  subscribe(fn: (subject: string | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * The API refused the token in hand even after a renewal (a wrong key or issuer, say): read on
   * signed out, and ask the host again only in five minutes (or on `refresh()`).
   */
  reject(): void {
    clearTimeout(this.timer);
    this.token = null;
    this.until = Date.now() + 300_000;
    this.tell(null);
  }

  /** Stops the renewal timer. */
  dispose(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async load(): Promise<string | null> {
    let token: string | null = null;
    let settled = false;
    try {
      const res = await fetch(this.url, { credentials: 'include', cache: 'no-store' });
      settled = res.ok || res.status === 401 || res.status === 403;
      if (!settled)
        diagnose(
          'token.endpoint_status',
          this.url,
          `the token endpoint answered ${res.status}: it answers 200 with the JWT, or 204 when nobody is signed in`,
        );
      if (res.ok && res.status !== 204) {
        const text = (await res.text()).trim();
        try {
          token = text[0] === '{' ? JSON.parse(text).token : text;
        } catch {
          token = null;
        }
        if (typeof token !== 'string' || !claims(token)) {
          const what = /^</.test(text) ? 'an HTML page' : text ? `"${text.slice(0, 40)}"` : 'an empty body';
          diagnose(
            'token.not_jwt',
            this.url,
            `the token endpoint answered 200 with ${what}, not a JWT: answer the JWT as text (or {"token": "…"}), and 204 when nobody is signed in; check that it is not redirected to a login page`,
          );
          token = null;
        }
      }
    } catch {
      diagnose(
        'token.unreachable',
        this.url,
        'the token endpoint could not be fetched: check the `token-url` attribute (same site as the page, or it must allow credentials)',
      );
    }
    const c = token ? claims(token) : undefined;
    const now = Date.now();
    let wait: number;
    if (c) {
      const life = c.iat ? (c.exp - c.iat) * 1000 : c.exp * 1000 - now;
      wait = Math.max(life - 60_000, life / 2);
    } else if (!settled && this.token && claims(this.token)!.exp * 1000 > now + 5_000) {
      // The host did not answer properly: keep the token in hand while it lasts, ask again soon.
      this.schedule(15_000);
      return this.token;
    } else {
      token = null;
      wait = settled ? 300_000 : 30_000;
    }
    this.token = token;
    this.until = now + wait;
    if (c) this.schedule(wait);
    this.tell(c?.sub ?? null);
    return token;
  }

  private tell(subject: string | null) {
    if (subject === this.subject) return;
    this.subject = subject;
    for (const fn of this.listeners) fn(subject);
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), ms);
  }
}
