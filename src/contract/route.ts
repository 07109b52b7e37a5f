import type { z } from 'zod/mini';

/** The shape of one route of the API; each feature's contract lists its routes with it. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  /** OpenAPI-style path, `{name}` for parameters. */
  path: string;
  summary: string;
  /** `required`: a valid token is needed; `optional`: read with or without one. */
  auth: 'none' | 'optional' | 'required';
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniType;
  headers?: Record<string, { schema: z.ZodMiniType; description: string; required?: boolean }>;
  ok: { status: number; schema: z.ZodMiniType; description: string };
  /** Content type of the success response when it is not JSON. */
  contentType?: string;
}
