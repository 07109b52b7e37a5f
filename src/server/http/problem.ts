import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Problem } from '../../contract/common.js';

/** An error that becomes an RFC 9457 problem+json answer with a stable `code`. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
    /** Extension members of the problem body (RFC 9457 §3.2), as the contract's `Problem` declares them. */
    readonly extensions?: Pick<Problem, 'sanction' | 'preview'>,
  ) {
    super(`${code}: ${detail ?? title}`);
  }
}

export const problem = (
  status: ContentfulStatusCode,
  code: string,
  title: string,
  detail?: string,
  errors?: { path: string; message: string }[],
) => new ProblemError(status, code, title, detail, errors);

export function problemBody(p: ProblemError, instance?: string): Problem {
  return {
    type: `https://cercle.dev/problems/${p.code.replace(/\./g, '-')}`,
    title: p.title,
    status: p.status,
    code: p.code,
    ...(p.detail ? { detail: p.detail } : {}),
    ...(instance ? { instance } : {}),
    ...(p.errors?.length ? { errors: p.errors } : {}),
    ...p.extensions,
  };
}

export function sendProblem(c: Context, p: ProblemError) {
  for (const [k, v] of Object.entries(p.headers ?? {})) c.header(k, v);
  return c.body(JSON.stringify(problemBody(p, c.req.path)), p.status, {
    'content-type': 'application/problem+json; charset=utf-8',
  });
}
