import type { Context } from 'hono';
import type { z } from 'zod/mini';
import type { RouteSpec } from '../../contract/routes.js';
import type { CommentLifecycle } from '../comments/lifecycle.js';
import type { EventBus } from '../domain/events.js';
import type { LiveService } from '../live/service.js';
import type { Logger } from './logger.js';
import type { ProblemError } from './problem.js';
import type { Site, Store } from '../store/store.js';
import type { Viewer } from './viewer.js';

export type { Logger } from './logger.js';

export interface HandlerContext<S extends RouteSpec = RouteSpec> {
  c: Context;
  store: Store;
  site: Site;
  viewer: Viewer | null;
  params: S['params'] extends z.ZodMiniType ? z.infer<S['params']> : Record<string, never>;
  query: S['query'] extends z.ZodMiniType ? z.infer<S['query']> : Record<string, never>;
  body: S['body'] extends z.ZodMiniType ? z.infer<S['body']> : undefined;
  now: () => number;
  /** Announce a change on the live streams: `ctx.live.publish(site.id, { topic, kind, ref, audience })`. */
  live: LiveService;
  /** The route being answered. */
  spec: RouteSpec;
  /** Drops the site from this instance's short cache, after changing its settings or origins. */
  siteChanged(): void;
  /** Raises a domain event; subscribers hear of it once the handler has returned. */
  emit: EventBus['emit'];
  /** What happens to a comment once it exists (moderation, erasure), the same from every route. */
  comments: CommentLifecycle;
}

export type HandlerResult = { status?: number; body: unknown; headers?: Record<string, string> } | Response;

export interface RouteOptions {
  /**
   * Writes (anything but GET) by a banned member are refused before the handler runs. `open`: the route
   * stays open to sanctioned members (reading, their own data, taking back what they did). `handler`: the
   * handler checks sanctions itself, knowing the discussion's audience (mutes and chapter sanctions).
   */
  sanctions?: 'open' | 'handler';
  /**
   * A token that acts for the site itself (no member) may read (unless `refuse`) but not write (unless `allow`): only
   * administration routes take it, and what it does is recorded "by the site".
   */
  site?: 'allow' | 'refuse';
  /** `verify`: check the token and look the member up, never create one (read-only checks such as `GET /auth/check`). */
  identity?: 'verify';
  /**
   * A body the contract refuses is a 400 `request.invalid`, unless this names a more precise problem for it (a stable
   * code a client can act on); given the body as sent, it returns that problem or `undefined` to keep the generic one.
   */
  invalidBody?: (raw: unknown) => ProblemError | undefined;
}

/** Registers one route of the contract's table with its handler: params, query, body and token are checked first. */
export type Registrar = <S extends RouteSpec>(
  spec: S,
  handler: (ctx: HandlerContext<S>) => Promise<HandlerResult>,
  opts?: RouteOptions,
) => void;

/** What a feature is given when the app starts: one instance's services, no global state. */
export interface AppServices {
  store: Store;
  live: LiveService;
  bus: EventBus;
  logger: Logger;
  now: () => number;
  /** A site by id, as requests see it (kept a moment: work done after a request reads it again for free). */
  site?: (id: string) => Promise<Site | undefined>;
}

/** A feature mounts its routes and subscribes to the events it cares about; the order does not matter. */
export interface Feature {
  install(register: Registrar, app: AppServices): void;
}
