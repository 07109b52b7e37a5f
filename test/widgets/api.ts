/**
 * A fake Cercle API and host token endpoint, served by msw's worker, that
 * records every call. Its answers are built with the contract fixtures.
 */
import { http, HttpResponse } from 'msw';
import { json, worker } from './kit/msw.js';
import { LiveControlAccepted, LiveReady } from '../../src/contract/live.js';
import type { NewComment } from '../../src/contract/requests.js';
import type { Comment, CommentPage, Me, SitePublic } from '../../src/contract/resources.js';
import { BASE, batch, comment, commentPage, jwt, me, member, problem, site, TOKEN_URL } from './fixtures.js';

export interface Call {
  method: string;
  /** Path relative to the site (`/` for the site itself), with its query. */
  path: string;
  auth: string | null;
  key: string | null;
  body: unknown;
}

export { json, startWorker, use } from './kit/msw.js';

export type Answer = { status: number; body: unknown };

export class FakeApi {
  calls: Call[] = [];
  tokenCalls = 0;
  site: SitePublic = site();
  me: Me = me();
  /** Comment pages by cursor (`''` for the first). */
  pages = new Map<string, CommentPage>([['', commentPage([])]]);
  /** Comments stored by idempotency key. */
  stored = new Map<string, Comment>();
  /** How the host's token endpoint answers the n-th call (from 1). */
  token: (n: number) => Response | Promise<Response> = () => new HttpResponse(jwt());
  /** Whether the API accepts a token. */
  accept: (token: string) => boolean = () => true;
  /** Overrides the answer to the n-th POST of a comment (from 1); `undefined` falls through to storing it. */
  onPost?: (input: NewComment, key: string | null, n: number) => Response | Promise<Response> | undefined;
  /** When set, reads wait for it (a page that stays loading). */
  gate?: Promise<unknown>;
  /** The API answers every call with a 503. */
  down = false;
  posts = 0;
  /** Live stream requests (open, control): kept out of `calls`, since the page's stream is not an API read. */
  liveCalls: string[] = [];

  constructor() {
    worker.resetHandlers(
      // The live stream: ready, then quiet (live-discussion.test.ts drives a stream of its own).
      http.post(`${BASE}/live`, () => {
        this.liveCalls.push('open');
        const ready = LiveReady.parse({
          stream: 'quiet-stream',
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: '1',
        });
        const body = new ReadableStream({
          start: (c) => c.enqueue(new TextEncoder().encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`)),
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.post(`${BASE}/live/:stream`, () => {
        this.liveCalls.push('control');
        return HttpResponse.json(LiveControlAccepted.parse({ accepted: true }), { status: 202 });
      }),
      http.get(TOKEN_URL, () => this.token(++this.tokenCalls)),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        const call = this.record(request, body);
        await this.gate;
        const denied = this.denied(call);
        if (denied) return json(denied.status, denied.body);
        return json(200, batch(body.reads.map((path) => this.read(path, call.auth))));
      }),
      http.post(`${BASE}/comments`, async ({ request }) => {
        const input = (await request.json()) as NewComment;
        const call = this.record(request, input);
        const denied = this.denied(call) ?? (call.auth ? undefined : { status: 401, body: problem(401, 'auth.missing') });
        if (denied) return json(denied.status, denied.body);
        const custom = await this.onPost?.(input, call.key, ++this.posts);
        if (custom) return custom;
        let c = call.key ? this.stored.get(call.key) : undefined;
        if (!c) {
          c = comment({
            author: member(this.me),
            body: input.body.trim(),
            parentId: input.parentId ?? null,
            createdAt: new Date().toISOString(),
          });
          if (call.key) this.stored.set(call.key, c);
        }
        return json(201, c);
      }),
      http.get(`${BASE}`, ({ request }) => this.get(request)),
      http.get(`${BASE}/*`, ({ request }) => this.get(request)),
      ...(['post', 'patch', 'put', 'delete'] as const).map((m) => http[m](`${BASE}/*`, ({ request }) => this.other(request))),
    );
  }

  /** The calls that posted a comment. */
  get postCalls(): Call[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/comments');
  }

  /** Answers writes other than posting a comment (edit, delete, react, flag, moderate, lock, read marker). */
  onWrite?: (call: Call) => Answer | undefined;
  /** Answers reads other than the site, me and comment pages. */
  onRead?: (url: URL) => Answer | undefined;
  /** Answers any read before the defaults (the site, me, comment pages), when it returns something. */
  readFirst?: (url: URL, auth: string | null) => Answer | undefined;

  private async other(request: Request) {
    const text = await request.text();
    const call = this.record(request, text ? JSON.parse(text) : undefined);
    const a = this.denied(call) ?? this.onWrite?.(call) ?? { status: 404, body: problem(404, 'route.not_found') };
    return json(a.status, a.body);
  }

  private async get(request: Request) {
    const call = this.record(request);
    await this.gate;
    const a = this.denied(call) ?? this.read(call.path, call.auth);
    return json(a.status, a.body);
  }

  private record(request: Request, body?: unknown): Call {
    const url = new URL(request.url);
    const call = {
      method: request.method,
      path: url.pathname.slice(new URL(BASE).pathname.length) + url.search || '/',
      auth: request.headers.get('authorization'),
      key: request.headers.get('idempotency-key'),
      body,
    };
    this.calls.push(call);
    return call;
  }

  private denied(call: Call): Answer | undefined {
    if (this.down) return { status: 503, body: problem(503, 'server.unavailable') };
    const token = call.auth?.replace(/^Bearer /, '');
    if (token && !this.accept(token)) return { status: 401, body: problem(401, 'auth.expired') };
  }

  private read(path: string, auth: string | null): Answer {
    const url = new URL(path, 'http://x');
    const first = this.readFirst?.(url, auth);
    if (first) return first;
    if (url.pathname === '/') return { status: 200, body: this.site };
    if (url.pathname === '/me') return auth ? { status: 200, body: this.me } : { status: 401, body: problem(401, 'auth.missing') };
    if (url.pathname === '/comments') {
      const page = this.pages.get(url.searchParams.get('cursor') ?? '');
      return page ? { status: 200, body: page } : { status: 400, body: problem(400, 'request.invalid') };
    }
    return this.onRead?.(url) ?? { status: 404, body: problem(404, 'route.not_found') };
  }
}
