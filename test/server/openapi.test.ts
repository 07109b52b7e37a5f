// The served API description is one that standard tools accept: a validator, and a client generator
// whose output type-checks the way a consumer would use it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { validate } from '@readme/openapi-parser';
import openapiTS from 'openapi-typescript';
import { backends, call, setup } from './support.js';

// The project's own compiler (TypeScript 7 is installed beside the TypeScript 6 API that the linter uses).
const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** Type-checks `files` (name → source) on their own; the compiler's output when it fails. */
async function typecheck(dir: string, files: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const args = [
    '--ignoreConfig',
    '--noEmit',
    '--strict',
    '--target',
    'es2022',
    '--module',
    'nodenext',
    ...Object.keys(files).map((f) => join(dir, f)),
  ];
  try {
    await promisify(execFile)(process.execPath, [TSC, ...args]);
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** What a consumer writes with the generated types: a typed request body and a typed answer. */
const CONSUMER = `import type { paths } from './api.js';
type NewComment = paths['/v1/sites/{site}/comments']['post']['requestBody']['content']['application/json'];
type Page = paths['/v1/sites/{site}/comments']['get']['responses']['200']['content']['application/json'];
type Rules = paths['/v1/sites/{site}/engagement/rules']['get']['responses']['200']['content']['application/json'];
export const draft: NewComment = { thread: 'https://asso.example.fr/article', body: 'Bonjour' };
export const firstAuthor = (page: Page) => page.items[0]?.author?.name;
export const nested = (rules: Rules) => rules.badges[0]?.requires.all?.[0]?.any?.length;
`;

const [backend] = backends();
describe('OpenAPI document', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let doc: Record<string, unknown>;
  let dir: string;
  before(async () => {
    ctx = await setup(backend);
    doc = (await call(ctx.app, 'GET', '/v1/openapi.json', { origin: null })).body;
    dir = await mkdtemp(join(tmpdir(), 'cercle-openapi-'));
  });
  after(async () => {
    await ctx.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a standard OpenAPI 3.1 validator, every reference resolved', async () => {
    const result = await validate(structuredClone(doc) as never);
    assert.deepEqual(result.valid ? [] : result.errors, []);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    assert.ok(refs.length > 0);
    assert.ok(
      refs.every((r) => r.includes('#/components/schemas/')),
      refs.find((r) => !r.includes('#/components/schemas/')),
    );
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    assert.ok(schemas.EngagementCondition, 'the recursive rule condition is a named component');
  });

  it('generates a typed client that compiles, and refuses a wrong use', async () => {
    await writeFile(join(dir, 'api.d.ts'), await openapiTS(structuredClone(doc) as never));
    const good = await typecheck(dir, { 'consumer.ts': CONSUMER });
    assert.equal(good.output, '');
    assert.ok(good.ok);
    const bad = await typecheck(dir, { 'wrong.ts': `${CONSUMER}export const wrong: NewComment = { thread: 1 };\n` });
    assert.equal(bad.ok, false);
    assert.match(bad.output, /wrong\.ts.*TS2322/s);
  });
});
