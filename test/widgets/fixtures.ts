/**
 * Payloads of the fake API, every one passed through its contract schema:
 * a fixture that drifts from the contract throws here, not in a widget.
 */
import { Problem } from '../../src/contract/common.js';
import { BatchResponse, TokenClaims } from '../../src/contract/requests.js';
import { Comment, CommentPage, Me, MemberSummary, SitePublic, Thread } from '../../src/contract/resources.js';

export const API = 'https://cercle.test';
export const SITE = 'amicale';
export const BASE = `${API}/v1/sites/${SITE}`;
export const TOKEN_URL = '/host/cercle-token';
export const LOGIN_URL = 'https://amicale.test/login';

export const site = (o: Partial<SitePublic> = {}): SitePublic =>
  SitePublic.parse({
    id: SITE,
    name: 'Amicale des ingénieurs',
    loginUrl: LOGIN_URL,
    publicRead: true,
    reactions: [],
    maxCommentLength: 280,
    editWindowSeconds: 900,
    ...o,
  });

export const member = (o: Partial<MemberSummary> = {}): MemberSummary =>
  MemberSummary.parse({ id: 'm-ada', name: 'Ada Lovelace', picture: null, chapters: ['lyon'], ...o });

export const me = (o: Partial<Me> = {}): Me => Me.parse({ ...member(), roles: ['member'], since: '2024-03-01T09:00:00.000Z', ...o });

let seq = 0;
export const comment = (o: Partial<Comment> = {}): Comment =>
  Comment.parse({
    id: `c-${++seq}`,
    parentId: null,
    author: member({ id: 'm-grace', name: 'Grace Hopper' }),
    body: 'Bonjour à toutes et à tous.',
    status: 'published',
    createdAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    editedAt: null,
    reactions: [],
    ...o,
  });

export const thread = (o: Partial<Thread> = {}): Thread =>
  Thread.parse({
    key: 'https://amicale.test/articles/1',
    title: 'Assemblée générale',
    audience: 'public',
    locked: false,
    commentCount: 0,
    createdAt: '2025-01-10T10:00:00.000Z',
    ...o,
  });

export const commentPage = (items: Comment[], o: Partial<CommentPage> = {}): CommentPage =>
  CommentPage.parse({ thread: thread({ commentCount: items.length }), items, next: null, ...o });

export const problem = (status: number, code: string, o: Partial<Problem> = {}): Problem =>
  Problem.parse({ type: `https://cercle.dev/problems/${code.replace(/\./g, '-')}`, title: code, status, code, ...o });

export const batch = (results: { status: number; body: unknown }[]) => BatchResponse.parse({ results });

const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/** An unsigned token with the claims the host would sign (the fake API does not verify signatures). */
export const jwt = (o: Partial<TokenClaims> = {}): string => {
  const now = Math.floor(Date.now() / 1000);
  const claims = TokenClaims.parse({ iss: SITE, sub: 'm-ada', aud: 'cercle', iat: now, exp: now + 3600, name: 'Ada Lovelace', ...o });
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
};
