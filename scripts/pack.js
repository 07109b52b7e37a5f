// The two published packages, made from this repository after `npm run build`:
// @cercle-asso/elements (the Web Components, Lit as their only dependency) and @cercle-asso/server
// (the compiled server, its `cercle` command, the /sdk/ files). Each is assembled under
// dist/packages/<name>/ from packages/<name>/ (manifest, README) and the built files, then packed
// into dist/packages/*.tgz. Versions and dependency ranges come from the root package.json.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist/packages');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const read = (f) => JSON.parse(readFileSync(join(root, f), 'utf8'));
const write = (f, text) => {
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, text);
};

for (const f of ['dist/cercle.js', 'dist/server/cercle.js', 'dist/types/index.d.ts', 'custom-elements.json']) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first.`);
}

/** The root's range for each package name, failing on one the root does not depend on. */
function ranges(names) {
  const deps = {};
  for (const name of [...names].sort()) {
    const range = rootPkg.dependencies[name];
    if (!range) throw new Error(`${name} is used by a package but is not in the root dependencies.`);
    deps[name] = range;
  }
  return deps;
}

function manifest(name, deps) {
  const pkg = read(`packages/${name}/package.json`);
  return { ...pkg, version: rootPkg.version, engines: rootPkg.engines, dependencies: deps };
}

const packDir = (dir) => {
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }));
  return { file: join(out, info.filename), size: info.size, unpackedSize: info.unpackedSize, entries: info.entryCount };
};

rmSync(out, { recursive: true, force: true });

// ---- @cercle-asso/elements
const el = join(out, 'elements');
execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', 'vite.elements.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
// Its declarations, bundled into one self-contained file: the types of what the JavaScript bundles
// (zod's inferred types, @lit/context) are inlined, and only `lit`, its one dependency, is imported.
const types = await rollup({
  input: join(root, 'dist/types/index.d.ts'),
  external: [/^lit(\/|$)/],
  plugins: [dts({ respectExternal: true })],
  onwarn: (w) => {
    throw new Error(`declaration bundle: ${w.message}`);
  },
});
await types.write({ file: join(el, 'types/index.d.ts'), format: 'es' });
await types.close();
cpSync(join(root, 'custom-elements.json'), join(el, 'custom-elements.json'));
cpSync(join(root, 'packages/elements/README.md'), join(el, 'README.md'));

// Each subpath registers some of the elements (side effect only); their classes, tags and events
// are typed once, in the root's bundle, so that two subpaths never declare a tag twice.
for (const name of [
  'community',
  'discussion',
  'comment-count',
  'member-card',
  'engagement-badge',
  'event-feed',
  'moderation',
  'insights',
  'notifications',
]) {
  write(
    join(el, `types/entries/${name}.d.ts`),
    `// Registers elements (side effect only); their classes and tags are typed by the package root.\nimport '../index.js';\nexport {};\n`,
  );
}

// JSX typings from the custom elements manifest: attributes with their types, events by name
// (React 19 and Preact add a listener for a custom element's `on<event-name>` prop).
const cem = read('custom-elements.json');
const simple = /^(string|number|boolean|undefined|'[^']*'|\s|\|)+$/;
const tags = [];
for (const mod of cem.modules) {
  for (const d of mod.declarations ?? []) {
    if (!d.tagName) continue;
    const props = [];
    for (const a of d.attributes ?? []) {
      const type = (a.type?.text ?? 'string')
        .split('|')
        .map((t) => t.trim())
        .filter((t) => t !== 'undefined')
        .join(' | ');
      props.push(`    ${JSON.stringify(a.name)}?: ${simple.test(type) && type ? type : 'string'};`);
    }
    for (const e of d.events ?? []) props.push(`    ${JSON.stringify('on' + e.name)}?: (event: Ev<${JSON.stringify(e.name)}>) => void;`);
    tags.push(`  ${JSON.stringify(d.tagName)}: {\n${props.join('\n')}\n  };`);
  }
}
write(
  join(el, 'types/jsx.d.ts'),
  `// Made from custom-elements.json by the packaging script.
import './index.js';

type Ev<K extends string> = K extends keyof GlobalEventHandlersEventMap ? GlobalEventHandlersEventMap[K] : CustomEvent<unknown>;

/** Each Cercle element's attributes and event props, for JSX typings. */
export interface CercleElementAttributes {
${tags.join('\n')}
}
`,
);
write(
  join(el, 'types/react.d.ts'),
  `// React 19: the Cercle elements in React.JSX.IntrinsicElements.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { CercleElementAttributes } from './jsx.js';

type Props<T extends keyof CercleElementAttributes> =
  Omit<DetailedHTMLProps<HTMLAttributes<HTMLElementTagNameMap[T]>, HTMLElementTagNameMap[T]>, keyof CercleElementAttributes[T]> & CercleElementAttributes[T];
type CercleIntrinsicElements = { [T in keyof CercleElementAttributes]: Props<T> };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends CercleIntrinsicElements {}
  }
}
export type { CercleElementAttributes };
`,
);
write(
  join(el, 'types/preact.d.ts'),
  `// Preact: the Cercle elements in preact's JSX.IntrinsicElements.
import type { JSX as PreactJSX } from 'preact';
import type { CercleElementAttributes } from './jsx.js';

type Props<T extends keyof CercleElementAttributes> =
  Omit<PreactJSX.HTMLAttributes<HTMLElementTagNameMap[T]>, keyof CercleElementAttributes[T]> & CercleElementAttributes[T];
type CercleIntrinsicElements = { [T in keyof CercleElementAttributes]: Props<T> };

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements extends CercleIntrinsicElements {}
  }
}
export type { CercleElementAttributes };
`,
);
write(join(el, 'dist/jsx.js'), '// Typings only (see types/react.d.ts, types/preact.d.ts).\nexport {};\n');
write(join(el, 'package.json'), JSON.stringify(manifest('elements', ranges(['lit'])), null, 2) + '\n');

// ---- @cercle-asso/server
const sv = join(out, 'server');
cpSync(join(root, 'bin/cercle.js'), join(sv, 'bin/cercle.js'));
cpSync(join(root, 'dist/server'), join(sv, 'dist/server'), { recursive: true });
// The /sdk/ files: the loader (cercle.js) and its content-hashed chunks, the self-contained
// per-widget entries and the language modules beside them (with their precompressed copies).
for (const f of readdirSync(join(root, 'dist'))) if (/\.js(\.br|\.gz)?$/.test(f)) cpSync(join(root, 'dist', f), join(sv, 'dist', f));
for (const d of ['chunks', 'locales']) cpSync(join(root, 'dist', d), join(sv, 'dist', d), { recursive: true });
cpSync(join(root, 'packages/server/README.md'), join(sv, 'README.md'));
// Its dependencies: what the compiled server imports or requires.
const code = readFileSync(join(root, 'dist/server/cercle.js'), 'utf8');
const used = new Set();
for (const [, spec] of code.matchAll(/(?:from |import\(|require\d*\()"([^".][^"]*)"/g)) {
  if (spec.startsWith('node:')) continue;
  used.add(
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/'),
  );
}
write(join(sv, 'package.json'), JSON.stringify(manifest('server', ranges(used)), null, 2) + '\n');

const packed = { elements: packDir(el), server: packDir(sv) };
for (const [name, p] of Object.entries(packed)) {
  process.stdout.write(
    `@cercle-asso/${name}: ${p.file.slice(root.length)} (${(p.size / 1024).toFixed(0)} KB packed, ${(p.unpackedSize / 1024).toFixed(0)} KB unpacked, ${p.entries} files)\n`,
  );
}
