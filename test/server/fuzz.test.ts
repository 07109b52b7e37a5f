import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { z } from 'zod/mini';
import { routes, type RouteSpec } from '../../src/contract/routes.js';
import { discussionRoutes } from '../../src/contract/discussion.js';
import { engagementRoutes } from '../../src/contract/engagement.js';
import { eventRoutes } from '../../src/contract/events.js';
import { liveRoutes } from '../../src/contract/live.js';
import { memberRoutes } from '../../src/contract/members.js';
import { moderationRoutes } from '../../src/contract/moderation.js';
import { backends, ORIGIN, setup, token } from './support.js';

/**
 * Every route of the contract, fed values built from its own schemas and then spoilt one field at a time:
 * NUL and other control characters, lone surrogates, overlong strings, wrong types, huge numbers,
 * `..` path segments. Whatever the server refuses, it must never answer 5xx.
 */

type Def = { type: string; [k: string]: any };
const def = (s: z.ZodMiniType): Def => (s as any)._zod.def;

/** Candidates tried in order for a string: the first the schema accepts is the sample. */
const STRING_SAMPLES = [
  'x1',
  'fuzz-thread',
  'public',
  'members',
  'Europe/Paris',
  '2030-01-01T10:00:00Z',
  '2030-01-01T10:00',
  'https://asso.example.fr/page',
  'a@example.org',
  'chapter:c1',
  'thread:t1',
  'role:admin',
  '+33 1 23 45 67 89',
  'A'.repeat(43),
  'fuzz-stream-key-0123456789',
  '/comments?thread=t',
  'did:web:example.org',
];

/** A value the schema (most likely) accepts, built from its definition. */
function sample(schema: z.ZodMiniType, depth = 0): unknown {
  const d = def(schema);
  if (depth > 6) return undefined;
  switch (d.type) {
    case 'string':
    case 'template_literal':
      return STRING_SAMPLES.find((s) => schema.safeParse(s).success) ?? 'x1';
    case 'number':
    case 'int':
    case 'bigint':
      return [1, 10, 0, 3600].find((n) => schema.safeParse(n).success) ?? 1;
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(d.entries)[0];
    case 'literal':
      return d.values[0];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return sample(d.innerType, depth + 1);
    case 'pipe': {
      const v = sample(d.in, depth + 1);
      return typeof v === 'number' && def(d.in).type === 'union' ? String(v) : v;
    }
    case 'union': {
      for (const o of d.options) {
        const v = sample(o, depth + 1);
        if (schema.safeParse(v).success) return v;
      }
      return sample(d.options[0], depth + 1);
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.shape as Record<string, z.ZodMiniType>)) out[k] = sample(v, depth + 1);
      return out;
    }
    case 'array':
      return [sample(d.element, depth + 1)];
    case 'record':
      return { [String(sample(d.keyType, depth + 1))]: sample(d.valueType, depth + 1) };
    case 'lazy':
      return sample(d.getter(), depth + 1);
    default:
      return 'x1';
  }
}

/** Spoilt JSON values: control characters, broken Unicode, sizes, types and numbers out of range. */
const BAD_JSON: unknown[] = [
  '\u0000',
  'a\u0000b',
  '\u0001\u0007\u001b[31m\u007f',
  'line\r\nbreak\ttab',
  '\uD800',
  'x\uDC00y',
  '\u202Eevil',
  '\uFEFF',
  'e\u0301',
  '😀'.repeat(3),
  'x'.repeat(5000),
  '𝔘'.repeat(2000),
  '../../etc/passwd',
  '..',
  '%00',
  '<script>x</script>',
  "' or 1=1 --",
  '9'.repeat(400),
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  true,
  null,
  [],
  {},
  ['\u0000'],
  { '\u0000': 'a\u0000' },
];
/** Spoilt text as it travels in a URL (already percent-encoded): NUL, controls, invalid UTF-8, dot segments, sizes. */
const BAD_URL_TEXT = [
  '%00',
  'a%00b',
  '%01%1B%7F',
  '%0D%0A',
  '%ED%A0%80',
  '%FF',
  '%C0%AE',
  '..',
  '%2e%2e',
  '.',
  '..%2F..%2Fx',
  '%2F',
  'x'.repeat(3000),
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%20',
  '-1',
  '99999999999999999999',
  '1e308',
  'true',
  '%5B%5D',
];

function leafPaths(v: unknown, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (depth > 4) return [];
  if (Array.isArray(v)) return v.length ? [prefix, ...leafPaths(v[0], [...prefix, 0], depth + 1)] : [prefix];
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    return [...(prefix.length ? [prefix] : []), ...keys.flatMap((k) => leafPaths((v as any)[k], [...prefix, k], depth + 1))];
  }
  return prefix.length ? [prefix] : [];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path.at(-1)!] = value;
  return copy;
}

interface Hit {
  method: string;
  path: string;
  body?: unknown;
  signedIn: boolean;
}

function tableOfRoutes(): RouteSpec[] {
  const seen = new Map<string, RouteSpec>();
  for (const table of [routes, memberRoutes, eventRoutes, liveRoutes, engagementRoutes, moderationRoutes, discussionRoutes]) {
    for (const spec of Object.values(table as Record<string, RouteSpec>)) seen.set(`${spec.method} ${spec.path}`, spec);
  }
  // Routes that take the signed-in member's own access away run last, so the others are tried signed in.
  const last = (s: RouteSpec) => (/\/me\/erase$/.test(s.path) ? 1 : 0);
  return [...seen.values()].sort((a, b) => last(a) - last(b));
}

/** The sample without its optional fields: a base request more likely to reach the handler. */
function required(schema: z.ZodMiniType | undefined, full: unknown): unknown {
  if (!schema || def(schema).type !== 'object' || !full || typeof full !== 'object') return full;
  const shape = def(schema).shape as Record<string, z.ZodMiniType>;
  return Object.fromEntries(Object.entries(full).filter(([k]) => def(shape[k]).type !== 'optional'));
}

function requestsFor(spec: RouteSpec, known: Record<string, string>): Hit[] {
  const params = (spec.params ? sample(spec.params) : {}) as Record<string, unknown>;
  for (const k of Object.keys(params)) if (k in known) params[k] = known[k];
  const query = required(spec.query, spec.query ? sample(spec.query) : {}) as Record<string, unknown>;
  const fullBody = spec.body ? sample(spec.body) : undefined;
  const body = required(spec.body, fullBody);
  /** The base body with one top-level field of the full sample added, spoilt at `path`. */
  const spoilt = (path: (string | number)[], bad: unknown) =>
    setAt(body && typeof body === 'object' ? { ...body, [path[0]]: (fullBody as any)[path[0]] } : body, path, bad);
  const enc = (v: unknown) => encodeURIComponent(String(v));
  const pathWith = (p: Record<string, unknown>, raw: Record<string, string> = {}) =>
    spec.path.replace(/\{(\w+)\}/g, (_, k) => raw[k] ?? enc(p[k]));
  const queryWith = (q: Record<string, unknown>, raw: Record<string, string> = {}) => {
    const parts = [
      ...Object.entries(q)
        .filter(([k, v]) => v !== undefined && !(k in raw))
        .map(([k, v]) => `${k}=${enc(v)}`),
      ...Object.entries(raw).map(([k, v]) => `${k}=${v}`),
    ];
    return parts.length ? `?${parts.join('&')}` : '';
  };
  const out: Omit<Hit, 'signedIn'>[] = [{ method: spec.method, path: pathWith(params) + queryWith(query), body }];
  for (const name of Object.keys(params)) {
    for (const bad of BAD_URL_TEXT) out.push({ method: spec.method, path: pathWith(params, { [name]: bad }) + queryWith(query), body });
  }
  for (const name of Object.keys(spec.query ? def(spec.query).shape : {})) {
    for (const bad of BAD_URL_TEXT) out.push({ method: spec.method, path: pathWith(params) + queryWith(query, { [name]: bad }), body });
  }
  out.push({ method: spec.method, path: `${pathWith(params)}${queryWith(query, { 'unknown%00': '%00' })}`, body });
  if (spec.body) {
    for (const p of leafPaths(fullBody)) {
      for (const bad of BAD_JSON) out.push({ method: spec.method, path: pathWith(params) + queryWith(query), body: spoilt(p, bad) });
    }
    for (const bad of BAD_JSON) out.push({ method: spec.method, path: pathWith(params) + queryWith(query), body: bad });
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      out.push({ method: spec.method, path: pathWith(params) + queryWith(query), body: { ...body, 'extra\u0000': 'a\u0000' } });
    }
  }
  return [...out.map((h) => ({ ...h, signedIn: false })), ...out.map((h) => ({ ...h, signedIn: true }))];
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 160);

for (const backend of backends()) {
  describe(`no route answers 5xx to spoilt input (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    const known: Record<string, string> = { site: 'asso', member: 'fuzz-admin' };
    before(async () => {
      ctx = await setup(backend);
      // Real ids for the routes that name a comment, so that spoilt requests reach their handlers.
      const posted = await ctx.app.request('/v1/sites/asso/comments', {
        method: 'POST',
        body: JSON.stringify({ thread: 'fuzz-thread', body: 'A comment to spoil.' }),
        headers: {
          origin: ORIGIN,
          'content-type': 'application/json',
          authorization: `Bearer ${await token({ sub: 'fuzz-admin', roles: ['member', 'moderator', 'admin'] })}`,
        },
      });
      assert.equal(posted.status, 201);
      known.comment = (await posted.json()).id;
    });
    after(() => ctx.cleanup());

    for (const spec of tableOfRoutes()) {
      it(`${spec.method.toUpperCase()} ${spec.path}`, async () => {
        const failures: string[] = [];
        let answered = 0;
        let baseStatus = 0;
        for (const hit of requestsFor(spec, known)) {
          const headers: Record<string, string> = { origin: ORIGIN };
          if (hit.signedIn) headers.authorization = `Bearer ${await token({ sub: 'fuzz-admin', roles: ['member', 'moderator', 'admin'] })}`;
          let payload: string | undefined;
          if (hit.body !== undefined) {
            payload = JSON.stringify(hit.body);
            headers['content-type'] = 'application/json';
          }
          const res = await ctx.app.request(hit.path, { method: hit.method.toUpperCase(), headers, body: payload });
          answered++;
          if (hit.signedIn && baseStatus === 0) baseStatus = res.status;
          if (res.status >= 500) {
            failures.push(
              `${res.status} ${hit.signedIn ? 'signed in' : 'signed out'} ${hit.path.slice(0, 200)} ${show(hit.body) ?? ''} → ${(await res.text()).slice(0, 300)}`,
            );
          } else {
            await res.body?.cancel();
          }
        }
        if (process.env.FUZZ_REPORT) process.stdout.write(`# base ${spec.method} ${spec.path}: ${baseStatus}\n`);
        assert.ok(answered > 1, 'the route was tried');
        assert.deepEqual(failures.slice(0, 4), [], `${failures.length} answers of 5xx`);
      });
    }
  });
}
