import { MAX_BATCH_READS } from '../contract/defaults.js';
import type { Me, SitePublic } from '../contract/resources.js';
import { CercleError, diagnose, isAuthError, toError } from './errors.js';
import { shallow, type Kind, type Parser } from './parse.js';
import type { TokenKeeper } from './token.js';

export interface ClientOptions {
  /** Base URL of the Cercle server, e.g. `https://cercle.example.org`. */
  api: string;
  /** The site id. */
  site: string;
  /** Supplies the member's token; without it every call is anonymous. */
  tokens?: TokenKeeper;
  /** Checks each response; `shallow` by default, `strict` parses with the contract. */
  parse?: Parser;
  /** Milliseconds before a request is abandoned (`network.timeout`). */
  timeout?: number;
}

export type EventListQuery = { chapter?: string; cursor?: string; limit?: number; past?: boolean };

/**
 * While the loader (`cercle.js`) brings the chunks of the widgets near the viewport, this global holds
 * the promise of that wave: reads wait for it, so that the widgets arriving together read in one request.
 */
const WAVE = Symbol.for('cercle.wave');

interface Pending {
  promise: Promise<unknown>;
  resolve(body: unknown): void;
  reject(error: unknown): void;
}

/**
 * The typed client of one site's Cercle API. Reads made in the same tick are
 * sent together as one `POST /batch` (or one GET when alone), identical reads
 * once; every answer is checked by the parser, and error answers become a
 * `CercleError`. A token the API refuses (401 `auth.*`) is renewed and the
 * request tried once more.
 */
export class CercleClient {
  /** The site id. */
  readonly siteId: string;
  /** `{api}/v1/sites/{site}` */
  readonly base: string;
  readonly tokens?: TokenKeeper;
  private parse: Parser;
  private timeout: number;
  private queue = new Map<string, Pending>();
  private siteRead?: Promise<SitePublic>;
  private answers = new Set<() => void>();

  constructor(options: ClientOptions) {
    this.siteId = options.site;
    this.base = options.api.replace(/\/+$/, '') + '/v1/sites/' + encodeURIComponent(options.site);
    this.tokens = options.tokens;
    this.parse = options.parse ?? shallow;
    this.timeout = options.timeout ?? 15_000;
  }

  /**
   * Calls `fn` each time the server answers (any status below 500), e.g. so that posts that failed in
   * transit go again once it is back. Returns the unsubscribe function.
   */
  onAnswer(fn: () => void): () => void {
    this.answers.add(fn);
    return () => this.answers.delete(fn);
  }

  /** Tells the `onAnswer` listeners that the server answered (the provider calls it when the live stream reconnects). */
  answered(): void {
    for (const fn of this.answers) fn();
  }

  /** The site's public settings (read once per client). */
  site(): Promise<SitePublic> {
    return (this.siteRead ??= this.read<SitePublic>('/', 'site').catch((e) => {
      this.siteRead = undefined;
      throw e;
    }));
  }

  /** The signed-in member (needs a token). */
  me(): Promise<Me> {
    return this.read('/me', 'me');
  }

  /**
   * Sends a write (`POST`, `PATCH`, `PUT`, `DELETE`) of `json` to `path` and
   * checks the answer as `kind`; an error answer becomes a `CercleError`. With
   * an `idempotencyKey`, a retry with the same key gets the first answer
   * instead of doing the write twice.
   *
   * Reads and writes of one feature are plain functions over the client in
   * their own module (`comments.js`, `events.js`), so that pages without that
   * feature do not carry them.
   */
  async write<T>(method: string, path: string, json: unknown, kind: Kind, idempotencyKey?: string): Promise<T> {
    const [status, body, res] = await this.request(method, path, json, idempotencyKey);
    if (status >= 300) throw toError(status, body, res.headers.get('retry-after'));
    return this.check(kind, body, status);
  }

  /**
   * GETs a file that is not JSON (a calendar) with the member's token, so that
   * members-only files download too; an error answer becomes a `CercleError`.
   */
  async download(path: string): Promise<Blob> {
    const [status, body, res] = await this.request('GET', path, undefined, undefined, true);
    if (status >= 300) throw toError(status, body, res.headers.get('retry-after'));
    return body as Blob;
  }

  /**
   * Queues a GET of `path` (relative to the site) for the next flush. The
   * flush waits for the token and for the loader's wave of chunks, so reads
   * issued meanwhile join the same batch.
   */
  read<T>(path: string, kind: Kind): Promise<T> {
    let p = this.queue.get(path);
    if (!p) {
      let resolve!: Pending['resolve'], reject!: Pending['reject'];
      const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
      this.queue.set(path, (p = { promise, resolve, reject }));
      if (this.queue.size === 1) {
        const flush = () => setTimeout(() => this.flush());
        const wave = (globalThis as { [k: symbol]: Promise<unknown> | undefined })[WAVE];
        if (this.tokens || wave) void Promise.all([this.tokens?.get(), wave]).then(flush);
        else flush();
      }
    }
    return p.promise.then((body) => this.check(kind, body, 200)) as Promise<T>;
  }

  private flush() {
    const queue = this.queue;
    this.queue = new Map();
    const paths = [...queue.keys()];
    for (let i = 0; i < paths.length; i += MAX_BATCH_READS) this.send(paths.slice(i, i + MAX_BATCH_READS), queue);
  }

  private async send(paths: string[], queue: Map<string, Pending>): Promise<void> {
    let results: { status: number; body: unknown }[];
    try {
      if (paths.length === 1) {
        const [status, body, res] = await this.request('GET', paths[0] === '/' ? '' : paths[0]);
        results = [{ status, body: status >= 400 ? toError(status, body, res.headers.get('retry-after')) : body }];
      } else {
        // The token is checked once for the whole batch: a refused one fails (and renews) the batch itself.
        const [status, body, res] = await this.request('POST', '/batch', { reads: paths });
        if (status !== 200) throw toError(status, body, res.headers.get('retry-after'));
        results = this.check<{ results: typeof results }>('batch', body, status).results;
      }
    } catch (e) {
      for (const path of paths) queue.get(path)!.reject(e);
      return;
    }
    paths.forEach((path, i) => {
      const { status, body } = results[i] ?? { status: 0 };
      const p = queue.get(path)!;
      if (body instanceof CercleError) p.reject(body);
      else if (status >= 200 && status < 300) p.resolve(body);
      else p.reject(toError(status, body));
    });
  }

  private check<T>(kind: Kind, body: unknown, status: number): T {
    try {
      return this.parse(kind, body) as T;
    } catch {
      throw new CercleError(status, 'response.invalid');
    }
  }

  /**
   * One HTTP exchange with the token attached; a refused token is renewed and the request sent once more,
   * and a token refused again is dropped: the request goes once more without it.
   */
  private async request(method: string, path: string, json?: unknown, key?: string, raw?: boolean): Promise<[number, unknown, Response]> {
    for (let tries = 0; ; tries++) {
      const token = await this.tokens?.get();
      const headers: Record<string, string> = { accept: raw ? '*/*' : 'application/json' };
      if (token) headers.authorization = 'Bearer ' + token;
      if (json) headers['content-type'] = 'application/json';
      if (key) headers['idempotency-key'] = key;
      let res: Response;
      try {
        res = await fetch(this.base + path, {
          method,
          headers,
          body: json ? JSON.stringify(json) : undefined,
          credentials: 'omit',
          signal: AbortSignal.timeout(this.timeout),
        });
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') throw new CercleError(0, 'network.timeout');
        throw await this.unreadable();
      }
      const body = raw && res.ok ? await res.blob() : await res.json().catch(() => null);
      if (res.status < 500) queueMicrotask(() => this.answered());
      if (token && tries < 2 && isAuthError(res.status, body)) {
        const code = (body as { code: string }).code;
        if (tries === 0) {
          // Perhaps only expired: renew it and try once more.
          await this.tokens!.refresh();
          continue;
        }
        // Refused twice: the host signs tokens Cercle cannot accept. Read on signed out and tell the webmaster.
        diagnose(code, `site "${this.siteId}"`);
        this.tokens!.reject();
        continue;
      }
      return [res.status, body, res];
    }
  }

  /**
   * No answer could be read. The browser says the same of a server that is down and of one that
   * answers without allowing this page (CORS); a request in `no-cors` mode tells them apart: it gets
   * an opaque answer from a server that is up, and fails when none answers.
   */
  private async unreadable(): Promise<CercleError> {
    const up = await fetch(this.base, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(
      () => true,
      () => false,
    );
    // Up, but is this page refused, or was the request only lost on the way? A refusal refuses every read.
    const refused =
      up &&
      !(await fetch(this.base, { credentials: 'omit', cache: 'no-store' }).then(
        () => true,
        () => false,
      ));
    const code = refused ? 'cors.origin_not_allowed' : 'network.offline';
    if (refused || !up) diagnose(code, `${this.base} from ${location.origin}`);
    return refused ? new CercleError(403, code) : new CercleError(0, code);
  }
}
