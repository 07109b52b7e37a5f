import { z } from 'zod/mini';
import { discussionRoutes } from './discussion.js';
import { SiteId } from './common.js';
import { liveRoutes } from './live.js';
import { BatchRequest, BatchResponse, CommentListQuery, NewComment, TokenCheck } from './requests.js';
import { eventRoutes } from './events.js';
import { Comment, CommentPage, Health, Me, SitePublic } from './resources.js';
import { memberRoutes } from './members.js';
import { engagementRoutes } from './engagement.js';
import { moderationRoutes } from './moderation.js';
import { searchRoutes } from './search.js';
import { adminRoutes } from './admin.js';
import { notificationRoutes } from './notifications.js';

export type { RouteSpec } from './route.js';
import type { RouteSpec } from './route.js';

const SiteParams = z.strictObject({ site: SiteId });

/** Every route the Cercle server answers. The server registers these; the OpenAPI document is made from them. */
export const routes = {
  health: {
    method: 'get',
    path: '/v1/health',
    summary: 'Liveness (touches nothing) and database kind',
    auth: 'none',
    ok: { status: 200, schema: Health, description: 'The process answers; the database is not touched.' },
  },
  ready: {
    method: 'get',
    path: '/v1/ready',
    summary: 'Readiness: the database answers a query',
    auth: 'none',
    ok: { status: 200, schema: Health, description: 'The database answered; 503 `storage.unavailable` when it does not.' },
  },
  openapi: {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    auth: 'none',
    ok: { status: 200, schema: z.record(z.string(), z.unknown()), description: 'OpenAPI 3.1 document.' },
  },
  site: {
    method: 'get',
    path: '/v1/sites/{site}',
    summary: 'Public settings of a site',
    auth: 'none',
    params: SiteParams,
    ok: { status: 200, schema: SitePublic, description: 'The site.' },
  },
  me: {
    method: 'get',
    path: '/v1/sites/{site}/me',
    summary: 'The member the token names',
    auth: 'required',
    params: SiteParams,
    ok: { status: 200, schema: Me, description: 'The signed-in member.' },
  },
  tokenCheck: {
    method: 'get',
    path: '/v1/sites/{site}/auth/check',
    summary: 'Check a token without creating anyone (for the host’s status page)',
    auth: 'required',
    params: SiteParams,
    ok: {
      status: 200,
      schema: TokenCheck,
      description: 'The token verifies: for whom, and whether Cercle knows that member yet. A refused token is a 401 with its reason code.',
    },
  },
  ...memberRoutes,
  listComments: {
    method: 'get',
    path: '/v1/sites/{site}/comments',
    summary: 'Comments of a thread, oldest first by default',
    auth: 'optional',
    params: SiteParams,
    query: CommentListQuery,
    ok: { status: 200, schema: CommentPage, description: 'One page of comments and the thread.' },
  },
  postComment: {
    method: 'post',
    path: '/v1/sites/{site}/comments',
    summary: 'Post a comment (creates the thread on first post)',
    auth: 'required',
    params: SiteParams,
    body: NewComment,
    headers: {
      'idempotency-key': {
        schema: z.string(),
        required: false,
        description:
          'Client-chosen key (8–64 of A–Z a–z 0–9 _ -): a retried post with the same key and the same body returns the first comment instead of storing a second; the key with another body is refused with 422 `idempotency.mismatch`.',
      },
    },
    ok: { status: 201, schema: Comment, description: 'The comment as stored.' },
  },
  ...eventRoutes,
  batch: {
    method: 'post',
    path: '/v1/sites/{site}/batch',
    summary: 'Several reads in one round trip',
    auth: 'optional',
    params: SiteParams,
    body: BatchRequest,
    ok: { status: 200, schema: BatchResponse, description: 'One result per read, in order: its status and its body.' },
  },
  ...liveRoutes,
  ...engagementRoutes,
  ...moderationRoutes,
  ...adminRoutes,
  ...discussionRoutes,
  ...searchRoutes,
  ...notificationRoutes,
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof routes;
