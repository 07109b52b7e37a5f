import type { Context } from 'hono';
import type { z } from 'zod/mini';
import type { RouteSpec } from '../../contract/routes.js';
import type { LiveService } from '../live/service.js';
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
}

export type HandlerResult = { status?: number; body: unknown; headers?: Record<string, string> } | Response;

/** Registers one route of the contract's table with its handler: params, query, body and token are checked first. */
export type Registrar = <S extends RouteSpec>(spec: S, handler: (ctx: HandlerContext<S>) => Promise<HandlerResult>) => void;
