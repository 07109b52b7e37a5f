import { z } from 'zod/mini';
import { Problem } from './common.js';
import { routes, type RouteSpec } from './routes.js';

const json = (schema: z.ZodMiniType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

const strip = ({ $schema: _ignored, ...rest }: Record<string, unknown>) => rest;

function parameters(spec: RouteSpec) {
  const out: unknown[] = [];
  const add = (where: 'path' | 'query', obj: z.ZodMiniObject | undefined) => {
    if (!obj) return;
    const schema = json(obj, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (schema.required ?? []).includes(name), schema: s });
    }
  };
  add('path', spec.params);
  add('query', spec.query);
  for (const [name, h] of Object.entries(spec.headers ?? {})) {
    out.push({ name, in: 'header', required: !!h.required, description: h.description, schema: strip(json(h.schema, 'input')) });
  }
  return out;
}

/** The OpenAPI 3.1 document of the whole API, made from the route table. */
export function openApiDocument(serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const op: Record<string, unknown> = {
      operationId: name,
      summary: spec.summary,
      parameters: parameters(spec),
      responses: {
        [spec.ok.status]: {
          description: spec.ok.description,
          content: { [spec.contentType ?? 'application/json']: { schema: strip(json(spec.ok.schema, 'output')) } },
        },
        default: {
          description: 'Error (RFC 9457 problem details with a stable `code`).',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
    if (spec.auth !== 'none') op.security = spec.auth === 'required' ? [{ hostToken: [] }] : [{}, { hostToken: [] }];
    if (spec.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: strip(json(spec.body, 'input')) } } };
    }
    (paths[spec.path] ??= {})[spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cercle API',
      version: '1',
      description: 'Community widgets for associations, signed in by the host site. Errors are application/problem+json with a stable `code`.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: strip(json(Problem, 'output')) },
      securitySchemes: {
        hostToken: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'A short JWT signed by the host site for its signed-in member (iss = site id, aud = "cercle", sub = member id).',
        },
      },
    },
  };
}
