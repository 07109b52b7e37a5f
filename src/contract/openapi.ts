import { z } from 'zod/mini';
import { Problem } from './common.js';
import { routes, type RouteSpec } from './routes.js';

type Json = Record<string, unknown>;

/**
 * Schemas that a converted schema defines locally (`$defs`: recursive ones such as an engagement
 * rule's condition). In an OpenAPI document `#/$defs/x` points at the document's root, where nothing
 * is: every local definition moves to `components.schemas` (one entry for identical definitions) and
 * the references follow it.
 */
class SharedSchemas {
  readonly schemas: Record<string, Json> = {};
  private byText = new Map<string, string>();

  /** `schema` as JSON Schema for OpenAPI: no `$schema`, no `$defs`, references into the components. */
  convert(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
    const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    const defs = ($defs ?? {}) as Record<string, Json>;
    const names = new Map<string, string>();
    // Identical local definitions (the same recursive schema met in several routes) share one name.
    for (const [local, def] of Object.entries(defs)) {
      const text = JSON.stringify(def);
      let name = this.byText.get(text);
      if (!name) {
        name = /^__schema\d+$/.test(local) ? `Schema${this.byText.size + 1}` : local;
        if (this.schemas[name]) name = `${name}${this.byText.size + 1}`;
        this.byText.set(text, name);
        this.schemas[name] = {};
      }
      names.set(local, name);
    }
    const relink = <T>(value: T): T =>
      JSON.parse(JSON.stringify(value), (key, v) =>
        key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
          ? `#/components/schemas/${names.get(v.slice(8)) ?? v.slice(8)}`
          : v,
      );
    for (const [local, def] of Object.entries(defs)) this.schemas[names.get(local)!] = relink(def);
    return relink(rest);
  }
}

function parameters(spec: RouteSpec, shared: SharedSchemas) {
  const out: unknown[] = [];
  const add = (where: 'path' | 'query', obj: z.ZodMiniObject | undefined) => {
    if (!obj) return;
    const schema = shared.convert(obj, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (schema.required ?? []).includes(name), schema: s });
    }
  };
  add('path', spec.params);
  add('query', spec.query);
  for (const [name, h] of Object.entries(spec.headers ?? {})) {
    out.push({ name, in: 'header', required: !!h.required, description: h.description, schema: shared.convert(h.schema, 'input') });
  }
  return out;
}

/** The OpenAPI 3.1 document of the whole API, made from the route table. */
export function openApiDocument(serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared = new SharedSchemas();
  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const op: Record<string, unknown> = {
      operationId: name,
      summary: spec.summary,
      parameters: parameters(spec, shared),
      responses: {
        [spec.ok.status]: {
          description: spec.ok.description,
          content: { [spec.contentType ?? 'application/json']: { schema: shared.convert(spec.ok.schema, 'output') } },
        },
        default: {
          description: 'Error (RFC 9457 problem details with a stable `code`).',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
    if (spec.auth !== 'none') op.security = spec.auth === 'required' ? [{ hostToken: [] }] : [{}, { hostToken: [] }];
    if (spec.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: shared.convert(spec.body, 'input') } } };
    }
    (paths[spec.path] ??= {})[spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cercle API',
      version: '1',
      description:
        'Community widgets for associations, signed in by the host site. Errors are application/problem+json with a stable `code`.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: shared.convert(Problem, 'output'), ...shared.schemas },
      securitySchemes: {
        hostToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A short JWT signed by the host site for its signed-in member (iss = site id, aud = "cercle", sub = member id).',
        },
      },
    },
  };
}
