import type { Context } from 'hono';
import { routes, type RouteSpec } from '../../contract/routes.js';
import type { Site } from '../store/store.js';
import { clientNetwork, rateLimited, type Limiter } from './ratelimit.js';

/** What a write spends: each bucket has its own budget per member and per network. */
export type Bucket = 'post' | 'react' | 'rsvp' | 'flag' | 'introduction' | 'live' | 'write';

type RouteName = keyof typeof routes;

/**
 * The writes whose bucket is not the general `write` one. Every other route that is not a GET spends
 * from `write`, except those listed in {@link UNLIMITED}.
 */
export const BUCKETS: Partial<Record<RouteName, Bucket>> = {
  postComment: 'post',
  editComment: 'post',
  react: 'react',
  unreact: 'react',
  rsvp: 'rsvp',
  acknowledgeRsvp: 'rsvp',
  flagComment: 'flag',
  requestIntroduction: 'introduction',
  acceptIntroduction: 'introduction',
  declineIntroduction: 'introduction',
  liveOpen: 'live',
};

/** Not limited: a batch is reads (each read goes through the app again). */
const UNLIMITED = new Set<RouteName>(['batch']);

/** A network (an IPv4 address, an IPv6 /64) may spend this many times a member's budget. */
export const NETWORK_FACTOR = 3;

const NAMES = new Map<RouteSpec, RouteName>(Object.entries(routes).map(([name, spec]) => [spec as RouteSpec, name as RouteName]));

const WHY: Record<Bucket, string> = {
  post: 'You have sent many comments in a short time.',
  react: 'You have reacted many times in a short time.',
  rsvp: 'You have changed your answer many times in a short time.',
  flag: 'You have reported many comments in a short time.',
  introduction: 'You have sent many introduction requests in a short time.',
  live: 'Many live connections were opened in a short time.',
  write: 'You have acted many times in a short time.',
};

/** The bucket a route spends from, or null when it is not limited (reads, batches, health). */
export function bucketOf(spec: RouteSpec): Bucket | null {
  const name = NAMES.get(spec);
  if (!name || UNLIMITED.has(name)) return null;
  if (BUCKETS[name]) return BUCKETS[name];
  return spec.method === 'get' ? null : 'write';
}

/** A member's budget for a bucket, from the site's settings: comments have theirs, every other write the write one. */
export function budgetOf(site: Site, bucket: Bucket): { burst: number; perMinute: number } | null {
  const limits = site.settings.rateLimits;
  if (!limits) return null;
  return bucket === 'post'
    ? { burst: limits.commentBurst, perMinute: limits.commentsPerMinute }
    : { burst: limits.writeBurst, perMinute: limits.writesPerMinute };
}

/**
 * Spends one token of the route's bucket for the member (when signed in) and for the network the request
 * comes from; a 429 with Retry-After when either is empty (the member's token is given back when the
 * network refuses). Runs before the handler, for every route of the contract.
 */
export async function enforceLimit(limiter: Limiter, c: Context, spec: RouteSpec, site: Site | undefined, memberPk: string | null) {
  if (!site) return;
  const bucket = bucketOf(spec);
  if (!bucket) return;
  const budget = budgetOf(site, bucket);
  if (!budget) return;
  const { burst, perMinute } = budget;
  const memberKey = memberPk ? `${site.id}|${bucket}|m|${memberPk}` : null;
  if (memberKey) {
    const wait = await limiter.take(memberKey, burst, perMinute);
    if (wait) throw rateLimited(wait, WHY[bucket]);
  }
  const net = clientNetwork(c);
  if (net === 'unknown') return;
  const netWait = await limiter.take(`${site.id}|${bucket}|n|${net}`, burst * NETWORK_FACTOR, perMinute * NETWORK_FACTOR);
  if (netWait) {
    if (memberKey) await limiter.refund(memberKey, burst);
    throw rateLimited(netWait, bucket === 'live' ? WHY.live : 'Many actions come from your network right now.');
  }
}
