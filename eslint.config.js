// `npm run lint`: ESLint's and typescript-eslint's recommended rules, type-aware, plus a few rules
// that catch real bugs in this code base. `npm test` and CI run it.
//
// Type-aware linting is what lets no-floating-promises see that a call returns a promise: an
// un-awaited fit() or init() loses its error. It costs one TypeScript program (tsconfig.eslint.json,
// every linted .ts file in one program): 10–20 s of CPU for the whole repository on this machine.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Where printing is the point: the command line, benchmarks, examples, build scripts, and tests
 * (which log measurements such as how often two engines' Math differ). Library code reports through
 * errors and return values, never the user's console.
 */
const MAY_PRINT = ['src/cli/**', 'bench/**', 'examples/**', 'scripts/**', 'bin/**', 'tests/**'];

/** The globals the plain-JavaScript files (scripts, bin, configs) use; TypeScript checks its own. */
const JS_GLOBALS = Object.fromEntries(
  ['console', 'process', 'URL', 'WebAssembly', 'TextEncoder', 'TextDecoder', 'performance', 'setTimeout', 'clearTimeout', 'globalThis', 'window', 'document', 'Buffer']
    .map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: [
      'node_modules/**', 'build/**', 'dist/**', 'coverage/**', 'docs/api/**', 'test-output/**', 'examples/output/**', 'examples/playground/dist/**',
      // AssemblyScript: TypeScript syntax with other types and decorators; asc checks it.
      'assembly/**',
      'bindings/wasm-bytes*.generated.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An un-awaited promise loses its rejection: a failed fit() or a failed write would go unseen.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected is almost always a missing await.
      '@typescript-eslint/no-misused-promises': 'error',
      // `_name` marks a parameter a signature needs but the body does not (as noUnusedParameters allows).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: JS_GLOBALS },
  },
  {
    rules: {
      // == coerces ('1' == 1, null == undefined): say which comparison is meant. `x == null` is the one idiom kept.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    // Small modules named for what they do: past 400 lines a module is doing several things. Counted
    // as `wc -l` does (comments and blank lines included).
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: MAY_PRINT,
    rules: { 'no-console': 'off' },
  },
);
