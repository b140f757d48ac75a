// `npm run build:dist`: bundles tsc's output (build/) into dist/, the files the package exports.
//
// Why bundle build/ rather than compile src/ again: tsc already compiled src/ for Node and the CLI
// (build/), so dist/ and build/ come from one compile and cannot diverge, and rollup only has to
// bundle plain ES modules (no TypeScript plugin, no second type check of the whole project).
//
// What dist/ holds, and why:
// - simdnet.js: the browser-safe entry (src/index.ts); node.js: the Node file loaders (`simdnet/node`);
//   worker.js: the training worker (`simdnet/worker`). Code they share goes into dist/chunks/, so the
//   library is in the package once, and a plain <script type="module"> can load dist/ as it is.
// - cli.js: the command line (bin/simdnet.js imports it). Built with the library entries, so it shares
//   their chunks and the package holds the library once (build/ is not shipped). Its own dependencies
//   (commander, cli-progress) stay external: they are the package's dependencies, installed with it.
// - The wasm module is embedded in the JavaScript as base64 (scripts/embed-wasm.mjs says why): no asset
//   for a consumer's bundler to copy or rewrite, so Vite, rollup, webpack and esbuild need no loader.
// - fast-png (and its fflate and iobuffer) are bundled in: dist/ must run from a plain
//   <script type="module">, which cannot resolve bare package names without an import map.
// - Node built-ins stay external; they are imported dynamically, only on the Node-only code paths.
// - protobufjs stays external (a dependency, resolved by the app's bundler or Node): it is CommonJS,
//   which rollup cannot bundle without a plugin, and only the ONNX writer uses it, a chunk that
//   exportOnnx() imports dynamically; so the entries themselves still load from a plain <script>.
// - No minification: consumers' bundlers minify; readable dist/ code makes their stack traces useful.
//   scripts/size-check.mjs measures it gzipped.
// - Types: rollup-plugin-dts bundles tsc's declarations into one .d.ts per entry.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rmSync } from 'node:fs';
import { dts } from 'rollup-plugin-dts';

const entries = {
  simdnet: 'build/src/index.js',
  node: 'build/src/data/node.js',
  worker: 'build/src/worker/worker.js',
};

const cliEntry = { cli: 'build/src/cli/main.js' };

const isNodeBuiltin = (id) => id.startsWith('node:');
/**
 * Left to the runtime to import from the installed package's node_modules: the CLI's dependencies,
 * and protobufjs (CommonJS, needed only by the lazily loaded ONNX chunk).
 */
const EXTERNAL_DEPENDENCIES = new Set(['commander', 'cli-progress', 'protobufjs/minimal.js']);
const isExternal = (id) => isNodeBuiltin(id) || EXTERNAL_DEPENDENCIES.has(id);

/** Empties dist/ first: chunk names carry content hashes, so stale chunks would otherwise pile up. */
function cleanDist() {
  return {
    name: 'clean-dist',
    buildStart() {
      rmSync('dist', { recursive: true, force: true });
    },
  };
}

/**
 * Makes every dynamic import of a Node built-in opaque to bundlers. The code imports node:fs and the
 * like only on Node-only paths (saving a model to a path, writing a plot file), but a literal
 * `import('node:fs/promises')` makes a browser build of a consumer try to resolve it: webpack 5 fails
 * (UnhandledSchemeError), esbuild fails for platform 'browser', Vite stubs it with a warning. So each
 * becomes `((s) => import(s))('node:fs/promises')`, with webpack's and Vite's ignore comments: the
 * specifier reaches import() as a parameter, which no bundler resolves, and minifiers do not fold back
 * into a literal (esbuild --minify does fold `String('node:fs')`, which was tried first).
 */
function opaqueNodeImports() {
  return {
    name: 'opaque-node-imports',
    renderDynamicImport({ targetModuleId }) {
      if (targetModuleId === null || !isNodeBuiltin(targetModuleId)) return null;
      return { left: '((specifier) => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier))(', right: ')' };
    },
  };
}

/**
 * src/worker/host.ts starts its worker with `new Worker(new URL('./worker.js', import.meta.url))`, a
 * path relative to the module that says it. That holds only if that code lands in a file at the root
 * of dist/ (next to dist/worker.js), not in dist/chunks/: fail the build otherwise.
 */
function checkWorkerUrl() {
  return {
    name: 'check-worker-url',
    generateBundle(_options, bundle) {
      const holders = Object.values(bundle).filter((f) => f.type === 'chunk' && f.code.includes("new URL('./worker.js', import.meta.url)"));
      if (holders.length === 0) this.error("no chunk starts the worker with new URL('./worker.js', import.meta.url): src/worker/host.ts changed?");
      for (const f of holders) {
        if (f.fileName.includes('/')) this.error(`${f.fileName} starts the worker with a './worker.js' URL but is not at the root of dist/`);
      }
      if (!('worker.js' in bundle)) this.error('dist/worker.js was not emitted');
    },
  };
}

export default [
  {
    input: { ...entries, ...cliEntry },
    external: isExternal,
    plugins: [cleanDist(), nodeResolve({ browser: true }), opaqueNodeImports(), checkWorkerUrl()],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      // The embedded wasm in a chunk of its own: scripts/size-check.mjs then reports JavaScript and wasm apart.
      // The other builds (bindings/loader.ts BUILDS, imported lazily) each get a build-<name> chunk.
      manualChunks: (id) => {
        if (id.includes('wasm-bytes.generated')) return 'wasm';
        const variant = /wasm-bytes-([a-z0-9-]+)\.generated/.exec(id);
        return variant ? `build-${variant[1]}` : undefined;
      },
      // Not the default 'auto': keep the shared chunks' export names readable in stack traces.
      minifyInternalExports: false,
    },
    // An unresolved import or a missing export is a broken library bundle: fail instead of warning.
    onwarn(warning, warn) {
      if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_EXPORT') throw new Error(warning.message);
      warn(warning);
    },
  },
  {
    input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, file.replace(/\.js$/, '.d.ts')])),
    external: isNodeBuiltin,
    plugins: [dts()],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
  },
];
