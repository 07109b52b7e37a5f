// The published packages as a user gets them: packed, installed from their tarballs into fresh
// folders (third-party packages from the registry, npm's cache first), then used. Needs `npm run build`.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);
const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Bytes of the files under `dir`. */
function size(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += size(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Package names installed in a node_modules folder (scoped ones included, nested ones too). */
function packages(modules: string): string[] {
  const names: string[] = [];
  for (const e of readdirSync(modules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dirs = e.name.startsWith('@') ? readdirSync(join(modules, e.name)).map((n) => `${e.name}/${n}`) : [e.name];
    for (const d of dirs) {
      names.push(d);
      if (existsSync(join(modules, d, 'node_modules'))) names.push(...packages(join(modules, d, 'node_modules')));
    }
  }
  return names;
}

function folder(name: string, deps: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `cercle-${name}-`));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `try-${name}`, private: true, type: 'module', dependencies: deps }, null, 2),
  );
  return dir;
}

async function install(dir: string, ...specs: string[]): Promise<number> {
  const t0 = performance.now();
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    maxBuffer: 1 << 24,
  });
  return performance.now() - t0;
}

describe('the published packages', () => {
  const tgz = { elements: '', server: '' };
  const dirs: string[] = [];
  let server: ChildProcess | undefined;

  before(async () => {
    const { stdout } = await exec('node', [join(root, 'scripts/pack.js')], { cwd: root });
    process.stdout.write(stdout);
    const files = readdirSync(join(root, 'dist/packages')).filter((f) => f.endsWith('.tgz'));
    tgz.elements = join(
      root,
      'dist/packages',
      files.find((f) => f.startsWith('cercle-asso-elements-'))!,
    );
    tgz.server = join(
      root,
      'dist/packages',
      files.find((f) => f.startsWith('cercle-asso-server-'))!,
    );
  });
  after(() => {
    server?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('elements: Lit as the only dependency, small, and importable in Node without a DOM', async () => {
    const dir = folder('elements');
    dirs.push(dir);
    const ms = await install(dir, tgz.elements);
    const modules = join(dir, 'node_modules');
    const names = packages(modules).sort();
    const bytes = size(modules);
    const own = size(join(modules, '@cercle-asso/elements'));
    log(
      `@cercle-asso/elements installed: ${names.length} packages (${names.join(', ')}), ${(bytes / 1024 / 1024).toFixed(2)} MB in all, ${(own / 1024 / 1024).toFixed(2)} MB of it the package itself, in ${seconds(ms)}`,
    );
    // Lit and what Lit itself depends on, nothing else.
    assert.deepEqual(
      names.filter(
        (n) =>
          !/^(lit|lit-html|lit-element|@lit\/reactive-element|@lit-labs\/ssr-dom-shim|@types\/trusted-types|@cercle-asso\/elements)$/.test(
            n,
          ),
      ),
      [],
    );
    assert.ok(own < 2 * 1024 * 1024, `${own} bytes in the package`);
    // Server-side rendering frameworks import the elements in Node: nothing throws.
    for (const spec of [
      '@cercle-asso/elements',
      '@cercle-asso/elements/discussion',
      '@cercle-asso/elements/member-card',
      '@cercle-asso/elements/moderation',
    ]) {
      const { stdout } = await exec(
        'node',
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).join(','))`],
        { cwd: dir },
      );
      if (spec === '@cercle-asso/elements') assert.match(stdout, /CercleDiscussion/);
    }
    const pkg = JSON.parse(readFileSync(join(modules, '@cercle-asso/elements/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg.dependencies), ['lit']);
    assert.ok(JSON.parse(readFileSync(join(modules, '@cercle-asso/elements', pkg.customElements), 'utf8')).modules.length > 0);
    // Its declarations import Lit and nothing else it does not ship (zod's and @lit/context's types are inlined).
    const imported = new Set<string>();
    const typesDir = join(modules, '@cercle-asso/elements/types');
    for (const f of readdirSync(typesDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))) {
      for (const [, spec] of readFileSync(join(typesDir, f), 'utf8').matchAll(
        /(?<!['"\w])(?:from|import|declare module)\s*['"]([^'"]+)['"]/g,
      ))
        if (!spec!.startsWith('.')) imported.add(spec!);
    }
    assert.deepEqual([...imported].sort(), ['lit', 'preact', 'react']);
  });

  it('elements in a Vite + React 19 app: typed JSX and events type-check with tsc, and vite builds it', async () => {
    const dir = folder('react');
    dirs.push(dir);
    const ms = await install(dir, tgz.elements, 'react@19', 'react-dom@19', '@types/react@19', '@types/react-dom@19', 'preact@10');
    log(`React consumer installed in ${seconds(ms)}`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            jsx: 'react-jsx',
            strict: true,
            lib: ['ES2023', 'DOM', 'DOM.Iterable'],
            noEmit: true,
            skipLibCheck: false,
            types: [],
          },
          include: ['src'],
        },
        null,
        2,
      ),
    );
    const src = join(dir, 'src');
    const files: Record<string, string> = {
      'cercle.d.ts': `/// <reference types="@cercle-asso/elements/react" />\n/// <reference types="@cercle-asso/elements/preact" />\n`,
      'App.tsx': `import { useEffect, useRef, useState } from 'react';
import '@cercle-asso/elements/discussion';

export function App() {
  const ref = useRef<HTMLElementTagNameMap['cercle-discussion']>(null);
  const [last, setLast] = useState('');
  useEffect(() => {
    const el = ref.current!;
    const onPosted = (e: GlobalEventHandlersEventMap['cercle-comment-posted']) => setLast(e.detail.comment.id);
    el.addEventListener('cercle-comment-posted', onPosted);
    return () => el.removeEventListener('cercle-comment-posted', onPosted);
  }, []);
  return (
    <cercle-community api="https://cercle.example.org" site="asso" token-url="/token">
      <cercle-discussion ref={ref} thread="x" oncercle-comment-submit={(e) => console.log(e.detail.body.length)} />
      <cercle-event-feed limit={5} past view="compact" />
      <p>{last}</p>
    </cercle-community>
  );
}
`,
      'main.tsx': `import { createRoot } from 'react-dom/client';
import { App } from './App';

createRoot(document.getElementById('root')!).render(<App />);
`,
      // What must not type-check: each line below is an error, or tsc fails on the unused directive.
      'wrong.tsx': `import { registerLocale } from '@cercle-asso/elements';

// Each widget's dictionary is typed after its English locale.
registerLocale('de', 'discussion', { heading: 'Kommentare' });
registerLocale('de', 'moderation', { errors: { 'thread.locked': 'Geschlossen' } });
// @ts-expect-error no such widget
registerLocale('de', 'discusion', {});
// @ts-expect-error no such string in the discussion's dictionary
registerLocale('de', 'discussion', { headline: 'Kommentare' });

export const wrong = [
  // @ts-expect-error limit is a number
  <cercle-event-feed limit="five" />,
  // @ts-expect-error view is one of list, compact, calendar-month
  <cercle-event-feed view="grid" />,
  // @ts-expect-error no such element
  <cercle-discussions thread="x" />,
  // @ts-expect-error the event's detail has no such field
  <cercle-discussion oncercle-comment-posted={(e) => e.detail.nope} />,
  // @ts-expect-error a comment's id is a string
  <cercle-discussion oncercle-comment-posted={(e) => Math.abs(e.detail.comment.id)} />,
  // @ts-expect-error a comment has no such field
  <cercle-discussion oncercle-comment-posted={(e) => e.detail.comment.nope} />,
];
// The same through addEventListener: the detail types come from the package, not \`any\`.
document.querySelector('cercle-discussion')?.addEventListener('cercle-comment-posted', (e) => {
  const id: string = e.detail.comment.id;
  // @ts-expect-error a comment's body is a string
  const body: number = e.detail.comment.body;
  // @ts-expect-error an author is a member summary or null
  e.detail.comment.author = 42;
  return [id, body, e.detail.comment.author?.name];
});
`,
      'preact.tsx': `/** @jsxImportSource preact */
export const inPreact = <cercle-discussion thread="x" oncercle-comment-posted={(e) => e.detail.comment.id} />;
// @ts-expect-error limit is a number
export const wrongInPreact = <cercle-event-feed limit="five" />;
`,
    };
    mkdirSync(src, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(src, f), text);
    writeFileSync(join(dir, 'index.html'), `<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>\n`);
    const tsc = await exec(bin('tsc'), ['-p', dir], { cwd: dir }).catch((e) => e);
    assert.equal(tsc.code ?? 0, 0, `tsc:\n${tsc.stdout}${tsc.stderr}`);
    // The same check fails when a wrong attribute is not marked as expected.
    writeFileSync(join(src, 'wrong.tsx'), `export const wrong = <cercle-event-feed limit="five" />;\n`);
    const failing = await exec(bin('tsc'), ['-p', dir], { cwd: dir }).catch((e) => e);
    assert.notEqual(failing.code ?? 0, 0);
    assert.match(failing.stdout, /wrong\.tsx.*limit|Type 'string' is not assignable to type 'number'/s);
    rmSync(join(src, 'wrong.tsx'));
    rmSync(join(src, 'preact.tsx'));
    const t0 = performance.now();
    await exec('node', [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir });
    const built = readdirSync(join(dir, 'dist/assets')).filter((f) => f.endsWith('.js'));
    assert.equal(built.length, 1);
    const js = readFileSync(join(dir, 'dist/assets', built[0]!), 'utf8');
    assert.match(js, /cercle-discussion/);
    // One copy of Lit: the app's.
    assert.equal(js.match(/litHtmlVersions/g)?.length, 1);
    log(`vite build of the React app: ${seconds(performance.now() - t0)}, ${(js.length / 1024).toFixed(0)} KB of JavaScript`);
  });

  it('server: installed from its tarball, `cercle serve` answers /v1/health and serves /sdk/ on a fresh database', async () => {
    const dir = folder('server');
    dirs.push(dir);
    const start = performance.now();
    // The slow part: better-sqlite3 builds from source where no prebuilt binary fits.
    const ms = await install(dir, tgz.server);
    const modules = join(dir, 'node_modules');
    const names = packages(modules);
    log(`@cercle-asso/server installed in ${seconds(ms)}: ${names.length} packages, ${(size(modules) / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(!names.includes('tsx') && !names.includes('esbuild') && !names.includes('typescript'), 'no compiler at run time');
    assert.ok(names.includes('better-sqlite3') && names.includes('pg'));
    const help = await exec('npx', ['--no-install', 'cercle', '--help'], { cwd: dir });
    assert.match(help.stdout, /serve .*--port/);
    assert.match(help.stdout, /backup FILE/);
    server = spawn(join(modules, '.bin/cercle'), ['serve', '--port', '0'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: '', CERCLE_DB: join(dir, 'data/cercle.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (b: Buffer) => (stderr += b));
    const url = await new Promise<string>((ok, fail) => {
      let text = '';
      server!.stdout!.on('data', (b: Buffer) => {
        text += b;
        const m = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(text);
        if (m) ok(m[1]!);
      });
      server!.once('exit', (code) => fail(new Error(`cercle serve exited (${code}): ${stderr}`)));
    });
    const health = await fetch(`${url}/v1/health`);
    assert.equal(health.status, 200);
    log(`from \`npm install\` of the server package to \`cercle serve\` answering: ${seconds(performance.now() - start)}`);
    const sdk = await fetch(`${url}/sdk/cercle.js`);
    assert.equal(sdk.status, 200);
    assert.match(sdk.headers.get('content-type') ?? '', /javascript/);
    assert.match(await sdk.text(), /cercle-discussion/);
    assert.equal((await fetch(`${url}/sdk/server/cercle.js`)).status, 404);
    assert.ok(existsSync(join(dir, 'data/cercle.db')));
  });
});
