import type { z } from 'zod/mini';
import { ProblemError } from './problem.js';

/** Parses `value` with a contract schema; a failure is a 400 problem listing each field's error. */
export function parse<S extends z.ZodMiniType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'header'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data as z.infer<S>;
  const errors = r.error.issues.slice(0, 20).map((i) => {
    const keys = i.code === 'unrecognized_keys' ? ((i as { keys?: string[] }).keys ?? []) : [];
    return {
      path: [where, ...i.path.map(String), ...(keys.length === 1 ? keys : [])].join('.'),
      message: i.code === 'unrecognized_keys' ? `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}` : i.message,
    };
  });
  return raise(new ProblemError(400, 'request.invalid', 'The request is not valid', `Invalid ${where}.`, errors));
}

function raise(e: Error): never {
  throw e;
}
