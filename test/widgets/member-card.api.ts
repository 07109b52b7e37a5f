/**
 * A fake Cercle API for member cards, served by msw's worker, recording every call.
 * Every payload goes through its contract schema: a fixture that drifts from the contract throws.
 */
import { http, HttpResponse } from 'msw';
import { json, worker } from './kit/msw.js';
import { Introduction, MemberCard, MemberPage, type ProfilePatch } from '../../src/contract/members.js';
import { BASE, batch, jwt, me, problem, site, TOKEN_URL } from './fixtures.js';

export { startWorker } from './kit/msw.js';

export const memberCard = (o: Partial<MemberCard> = {}): MemberCard =>
  MemberCard.parse({
    id: 'm-grace',
    name: 'Grace Hopper',
    picture: null,
    chapters: ['lyon'],
    chapterDetails: [{ id: 'lyon', name: 'Lyon' }],
    roles: ['member'],
    since: '2023-05-02T09:00:00.000Z',
    memberSince: null,
    profile: { headline: 'Rear admiral, compiler pioneer', company: 'US Navy', expertise: ['Compilers', 'COBOL'] },
    sharedWithYou: [],
    self: false,
    introduction: null,
    ...o,
  });

export const myCard = (o: Partial<MemberCard> = {}): MemberCard =>
  memberCard({
    id: 'm-ada',
    name: 'Ada Lovelace',
    self: true,
    profile: { headline: 'Analyst', email: 'ada@example.org' },
    visibility: {
      headline: 'public',
      company: 'members',
      associationRole: 'members',
      expertise: 'members',
      bio: 'members',
      website: 'members',
      linkedin: 'members',
      phone: 'private',
      email: 'private',
      listed: 'members',
    },
    ...o,
  });

interface Call {
  method: string;
  path: string;
  body: unknown;
}

export class FakeCards {
  calls: Call[] = [];
  cards = new Map<string, MemberCard>([['m-grace', memberCard()]]);
  mine = myCard();
  intros: Introduction[] = [];
  signedIn = true;
  /** Answer to PATCH /members/me; by default stores the patch. */
  onPatch?: (patch: ProfilePatch) => Response | undefined;

  constructor() {
    worker.resetHandlers(
      http.get(TOKEN_URL, () => (this.signedIn ? new HttpResponse(jwt()) : new HttpResponse(null, { status: 401 }))),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const body = (await request.json()) as { reads: string[] };
        this.record(request, body);
        return json(200, batch(body.reads.map((p) => this.read(p))));
      }),
      http.patch(`${BASE}/members/me`, async ({ request }) => {
        const patch = (await request.json()) as ProfilePatch;
        this.record(request, patch);
        const custom = this.onPatch?.(patch);
        if (custom) return custom;
        const profile: MemberCard['profile'] = {};
        for (const [k, v] of Object.entries(patch))
          if (k !== 'visibility' && v && (!Array.isArray(v) || v.length)) (profile as Record<string, unknown>)[k] = v;
        this.mine = myCard({ profile, visibility: { ...this.mine.visibility!, ...patch.visibility } });
        return json(200, this.mine);
      }),
      http.post(`${BASE}/introductions`, async ({ request }) => {
        const body = (await request.json()) as { to: string; message: string };
        this.record(request, body);
        return json(
          201,
          Introduction.parse({
            id: 'i-1',
            direction: 'sent',
            from: { id: 'm-ada', name: 'Ada Lovelace', picture: null, chapters: [] },
            to: { id: body.to, name: 'Grace Hopper', picture: null, chapters: [] },
            message: body.message,
            status: 'pending',
            createdAt: new Date().toISOString(),
            answeredAt: null,
            contact: {},
          }),
        );
      }),
      http.get(`${BASE}`, ({ request }) => this.get(request)),
      http.get(`${BASE}/*`, ({ request }) => this.get(request)),
    );
  }

  /** Requests that carried a read of member cards. */
  get cardRequests() {
    return this.calls.filter((c) => JSON.stringify(c).includes('/members'));
  }

  private get(request: Request) {
    const call = this.record(request);
    const a = this.read(call.path);
    return json(a.status, a.body);
  }

  private record(request: Request, body?: unknown): Call {
    const url = new URL(request.url);
    const call = { method: request.method, path: url.pathname.slice(new URL(BASE).pathname.length) + url.search || '/', body };
    this.calls.push(call);
    return call;
  }

  private read(path: string): { status: number; body: unknown } {
    const url = new URL(path, 'http://x');
    if (url.pathname === '/') return { status: 200, body: site() };
    if (url.pathname === '/me') return this.signedIn ? { status: 200, body: me() } : { status: 401, body: problem(401, 'auth.missing') };
    if (url.pathname === '/members/me')
      return this.signedIn ? { status: 200, body: this.mine } : { status: 401, body: problem(401, 'auth.missing') };
    if (url.pathname === '/introductions') return { status: 200, body: { items: this.intros, next: null } };
    if (url.pathname === '/members') {
      const ids = url.searchParams.get('ids')?.split(',') ?? [...this.cards.keys()];
      const items = ids.map((id) => this.cards.get(id)).filter(Boolean);
      return { status: 200, body: MemberPage.parse({ items, next: null }) };
    }
    return { status: 404, body: problem(404, 'member.unknown') };
  }
}
