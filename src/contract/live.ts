import { z } from 'zod/mini';
import { Id, SiteId, Line } from './common.js';
import type { RouteSpec } from './route.js';

/**
 * The live stream: one Server-Sent Events response per page (shared by its tabs), multiplexing the
 * topics of every widget on screen.
 *
 * Topics name what a widget shows: `thread:<thread key>`, `event:<event id>`, `member:<host member id>`.
 * A topic carries no secret: what a connection receives is decided by each change's audience and the
 * connection's token, never by the topics it asked for.
 *
 * Frames sent on the stream (`text/event-stream`):
 * - `event: ready` — first frame: the stream's id and control key, timings ({@link LiveReady}).
 * - `id: <n>` + `event: change` — one change ({@link LiveEvent}); `<n>` is what to send back as `Last-Event-ID`.
 * - `event: reload` — the client is too far behind the event log: reload what is on screen ({@link LiveReload}).
 * - `event: token` — the token runs out soon: post a fresh one to the stream's control route ({@link LiveTokenNotice}).
 * - `event: close` — the server ends the stream, with a reason saying what to do next ({@link LiveClose}).
 * - `: hb` comment lines — heartbeats, so that proxies keep the stream open; ignore them.
 */

/** Letters, digits and punctuation, no control characters or newlines; at most 600 characters. */
export const LiveTopic = z
  .string()
  .check(z.minLength(3), z.maxLength(600), z.regex(/^(thread|event|member|site):[^\u0000-\u001f\u007f]+$/));
export type LiveTopic = z.infer<typeof LiveTopic>;

export const LIVE_KINDS = [
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'comment.hidden',
  'comment.restored',
  'reactions.changed',
  'event.updated',
  'rsvp.changed',
  'waitlist.promoted',
  'badge.awarded',
  'member.updated',
  'moderation.changed',
  'notification',
] as const;
export const LiveKind = z.enum(LIVE_KINDS);
export type LiveKind = z.infer<typeof LiveKind>;

/** Last-Event-ID: the decimal id of the last `change` frame received. */
export const LiveEventId = z.string().check(z.regex(/^\d{1,15}$/));

/** One change as the stream delivers it. `data` is filled when the server can render it once for all (e.g. the new comment); otherwise fetch `ref`. */
export const LiveEvent = z.object({
  id: LiveEventId,
  topic: LiveTopic,
  kind: LiveKind,
  /** The changed thing: a comment id, an event id, a badge award id… */
  ref: Id,
  /** Version of `ref` after the change, when it has one: keep the highest. */
  version: z.optional(z.int()),
  at: z.iso.datetime(),
  data: z.optional(z.unknown()),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

export const LiveReady = z.object({
  /** Names this stream in control requests. */
  stream: z.string(),
  /** Proves a control request comes from whoever holds the stream. */
  key: z.string(),
  /** Heartbeat period, ms: no byte for twice this long means the stream is dead. */
  heartbeatMs: z.int(),
  /** How long the event log keeps changes, seconds: a client away longer gets `reload`. */
  retentionSeconds: z.int(),
  /** When the stream's token expires (null: anonymous). */
  tokenExpiresAt: z.nullable(z.iso.datetime()),
  /** Id of the last change this stream starts after: store it as Last-Event-ID if none was held yet. */
  lastEventId: LiveEventId,
});
export type LiveReady = z.infer<typeof LiveReady>;

export const LiveReload = z.object({
  reason: z.enum(['log.expired', 'log.unknown', 'log.too_far']),
  /** Start over from this id (what was on screen is reloaded meanwhile). */
  lastEventId: LiveEventId,
});
export type LiveReload = z.infer<typeof LiveReload>;

export const LiveTokenNotice = z.object({ expiresAt: z.iso.datetime() });

/**
 * Why the server ends a stream, and what the client does:
 * - `token.expired`: get a fresh token, reconnect at once with Last-Event-ID;
 * - `token.member_changed`: a refresh named another member: reconnect with the new token, reload;
 * - `server.shutdown`, `bus.reset`: reconnect after `retryMs` (another instance takes it);
 * - `client.slow`: the client did not read fast enough: reconnect with backoff.
 */
export const LiveCloseReason = z.enum(['token.expired', 'token.member_changed', 'server.shutdown', 'bus.reset', 'client.slow']);
export const LiveClose = z.object({ reason: LiveCloseReason, retryMs: z.int() });
export type LiveClose = z.infer<typeof LiveClose>;

export const LIVE_MAX_TOPICS = 200;

export const LiveOpen = z.strictObject({
  topics: z.array(LiveTopic).check(z.maxLength(LIVE_MAX_TOPICS)),
  /** Same as the Last-Event-ID header (the header wins when both are sent). */
  lastEventId: z.optional(LiveEventId),
});

export const LiveControl = z.strictObject({
  key: Line.check(z.minLength(16), z.maxLength(128)),
  add: z.optional(z.array(LiveTopic).check(z.maxLength(LIVE_MAX_TOPICS))),
  remove: z.optional(z.array(LiveTopic).check(z.maxLength(LIVE_MAX_TOPICS))),
  /** The stream's last event id when the widget adding topics loaded its data: changes since then are replayed for those topics. */
  after: z.optional(LiveEventId),
});

export const LiveControlAccepted = z.object({ accepted: z.literal(true) });

const StreamParams = z.strictObject({ site: SiteId, stream: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)) });

/**
 * Why POST and not GET for the stream: the page's topics (up to 200 thread keys of up to 512
 * characters) do not fit a URL that proxies accept, and the token goes in `Authorization` because the
 * client reads the stream with `fetch` (not `EventSource`, which cannot send headers): no token in URLs
 * or access logs, no ticket round trip, the same CORS rules as every other route.
 */
export const liveRoutes = {
  liveOpen: {
    method: 'post',
    path: '/v1/sites/{site}/live',
    summary: "Open the page's live stream (Server-Sent Events)",
    auth: 'optional',
    params: z.strictObject({ site: SiteId }),
    body: LiveOpen,
    headers: {
      'last-event-id': {
        schema: LiveEventId,
        required: false,
        description: 'Id of the last change received: the stream replays what came after it.',
      },
    },
    contentType: 'text/event-stream',
    ok: {
      status: 200,
      schema: z.string(),
      description: 'A stream of `ready`, `change`, `reload`, `token` and `close` events, and heartbeats.',
    },
  },
  liveControl: {
    method: 'post',
    path: '/v1/sites/{site}/live/{stream}',
    summary: "Change an open stream's topics, or hand it a fresh token",
    auth: 'optional',
    params: StreamParams,
    body: LiveControl,
    ok: {
      status: 202,
      schema: LiveControlAccepted,
      description: 'Passed to the instance holding the stream. With a token, the stream continues under it.',
    },
  },
} as const satisfies Record<string, RouteSpec>;
