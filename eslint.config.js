// ESLint, flat config: typescript-eslint's recommended rules (syntax only, no type information, so the
// whole tree lints in seconds), Lit and Web Components recommended rules on the browser code, and strict
// equality everywhere. Formatting is Prettier's job (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { configs as lit } from 'eslint-plugin-lit';
import { configs as wc } from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The code that runs in the browser: the elements, their client and the widget tests. */
const BROWSER = ['src/**/*.ts', 'test/widgets/**/*.ts'];
const SERVER = ['src/server/**/*.ts'];

export default defineConfig(
  {
    ignores: ['dist/', 'custom-elements.json', 'test/msw/mockServiceWorker.js', 'test/fixtures/', '.cercle/', '.wtr-cache/', '.scratch/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      // Unused names are errors, except a deliberate `_` prefix and the rest of a destructuring that drops keys.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: BROWSER,
    ignores: SERVER,
    languageOptions: { globals: { ...globals.browser } },
    ...lit['flat/recommended'],
  },
  {
    files: BROWSER,
    ignores: SERVER,
    ...wc['flat/recommended'],
  },
  {
    // The demo site's pages run a little script in the browser too.
    files: ['demo/**/*.ts', 'bench/browser-*.ts', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    // The contract refuses control characters on purpose: its patterns name them.
    files: ['src/contract/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Migrations describe tables that change over time: they take `Kysely<any>`, as Kysely's own guide does.
    files: ['src/server/store/migrations/**/*.ts', 'src/server/store/migrations.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests read JSON answers loosely, and chai's assertions are property reads (`expect(x).to.be.true`).
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
