// `npm run size`: the bundle-size budget, checked in CI after `npm run build` (see .ci/run).
//
// What it measures:
// - dist/ as shipped: what a browser downloads for `import ... from 'simdnet'` from a plain
//   <script type="module"> — the entry and every chunk it imports statically — split into JavaScript
//   and the embedded wasm (its own chunk, dist/chunks/wasm-*.js: see rollup.config.mjs), each file
//   gzipped on its own (at zlib's default level, as web servers do), since each is fetched on its own.
// - What an app pays after its bundler minifies: dist/simdnet.js (every export, nothing tree-shaken)
//   and dist/worker.js bundled and minified by Vite (the bundler of tests/consumer), with the wasm
//   chunk left out so JavaScript and wasm are reported apart. The BUDGET applies to these figures.
// - The lazy chunks of threads (the pool and the shared-memory wasm build), which the main bundle
//   does not load until init() asks for more than one thread.
// - The raw build/wasm/simdnet.wasm, for comparison with the base64-embedded form.
//
// Why this script rather than size-limit: size-limit needs Node 22; this needs node:zlib and Vite,
// already a devDependency.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * The budget, in gzipped bytes of the minified figures. Set about 15% above the sizes measured when
 * it was introduced (JS 59.8 kB, wasm 19.0 kB, worker 27.7 kB): room for features, but a real
 * regression — a dependency pulled into the browser entry, an unstripped debug build of the wasm —
 * fails CI. Raise it deliberately, in the commit that needs it, and update the README's figures.
 */
const BUDGET = {
  // 90.3 kB measured after this round's features landed together: the kernel manifest and checks, the
  // Keras habits (metrics, loss aliases, summary, gradientCheck), the model-file header checks, the
  // TensorFlow.js layers format, browser storage, safetensors and the PyTorch source (ONNX is a lazy
  // chunk, not counted here). Was 69 000 before them. A `simdnet/io` entry for the interchange formats
  // would take roughly 15 kB of it out of the main bundle for apps that do not export models.
  // 105.5 kB measured after the next round: the image layers (conv2d, pooling, batch normalization, their
  // shape checks, their tfjs/ONNX export), augmentation in fit(), packed inference weights, the init()
  // options for threads and relaxed SIMD. The pool and the other wasm builds are lazy chunks (not counted).
  js: 112_000,
  // 27.6 kB: the image kernels (im2col/col2im, pooling, batch norm), the prepacked and row-part matmuls
  // and the fused online-SGD step. Was 22 000.
  wasm: 30_000,
  // 46.1 kB measured: the worker runs the same fit() (metrics, header checks, divergence watch) and
  // loads models through persist.ts, which reaches the storage URL schemes. Was 36 000.
  // 58.4 kB after the image layers and augmentation (the worker trains CNNs with the same fit()). Was 48 000.
  worker: 63_000,
};

const DIST = 'dist';
const wasmBinary = 'build/wasm/simdnet.wasm';

/** The dist/ files `entry` loads: itself and its static relative imports, transitively. */
function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(DIST, file), 'utf8');
    // rollup writes each static import on its own line: `import ... from './x.js';` or `import './x.js';`.
    for (const m of code.matchAll(/^(?:import|export)\b[^'"]*?['"](\.{1,2}\/[^'"]+)['"];?$/gm)) {
      visit(posix.normalize(posix.join(dirname(file), m[1])));
    }
  };
  visit(entry);
  return seen;
}

function measure(files) {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(f.startsWith('build/') ? f : join(DIST, f));
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { raw, gzip };
}

let files;
try {
  files = readdirSync(join(DIST, 'chunks'));
} catch {
  console.error('size-check: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const wasmChunks = files.filter((f) => /^wasm-.*\.js$/.test(f)).map((f) => `chunks/${f}`);
if (wasmChunks.length !== 1) {
  console.error(`size-check: expected one dist/chunks/wasm-*.js, found ${wasmChunks.length}; see manualChunks in rollup.config.mjs`);
  process.exit(1);
}
const main = closure('simdnet.js');
if (!main.has(wasmChunks[0])) {
  console.error('size-check: the main entry does not load the wasm chunk; the measurement would be wrong');
  process.exit(1);
}
const mainJs = [...main].filter((f) => f !== wasmChunks[0]);
// Lazy chunks init() loads for threads (src/backend/threads.ts: the pool, the helper source, the split)
// and the other wasm builds (build-<name>): not in the main bundle, reported apart, no budget.
const lazy = files.filter((f) => /^(threads|build-[a-z0-9-]+?)-.*\.js$/.test(f)).map((f) => `chunks/${f}`);
for (const f of lazy) {
  if (main.has(f)) {
    console.error(`size-check: ${f} is loaded statically by the main entry; it should be a lazy chunk (dynamic import)`);
    process.exit(1);
  }
}

/** Bundles and minifies a dist/ entry with Vite, the wasm chunk external; the gzipped size of the result. */
async function minified(entry) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      lib: { entry: join(DIST, entry), formats: ['es'], fileName: 'bundle' },
      rolldownOptions: { external: (id) => /\/wasm-[^/]*\.js$/.test(id) || id.startsWith('node:') },
    },
  });
  // In lib mode Vite also emits the training worker (it follows `new Worker(new URL(...))`) as an
  // asset; only the entry's own chunk is measured here (the worker has its own row).
  const output = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunk = output.find((o) => o.type === 'chunk' && o.isEntry);
  // With a dynamic import (exportOnnx loads the ONNX writer) Vite moves the code both share into
  // chunks of their own: count the entry with every chunk it imports statically, not the lazy ones.
  const byName = new Map(output.filter((o) => o.type === 'chunk').map((o) => [o.fileName, o]));
  const loaded = new Set();
  const visit = (c) => {
    if (loaded.has(c)) return;
    loaded.add(c);
    for (const name of c.imports) if (byName.has(name)) visit(byName.get(name));
  };
  visit(chunk);
  const code = [...loaded].map((c) => c.code).join('\n');
  return { raw: code.length, gzip: gzipSync(code).length };
}

const rows = [
  ['shipped dist/: JavaScript', measure(mainJs), null],
  ['shipped dist/: wasm, embedded as base64', measure(wasmChunks), BUDGET.wasm],
  ['minified: JavaScript (all of simdnet.js)', await minified('simdnet.js'), BUDGET.js],
  ['minified: training worker (worker.js)', await minified('worker.js'), BUDGET.worker],
  ...lazy.map((f) => [`lazy: ${f.replace(/^chunks\//, '').replace(/-[A-Za-z0-9_-]{8}\.js$/, '')}`, measure([f]), null]),
  ['for comparison: the simdnet.wasm binary', measure([wasmBinary]), null],
];
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log('size-check (each file gzipped on its own; budgets on gzip):');
console.log(`  ${'what'.padEnd(42)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)} ${'budget'.padStart(9)}`);
let over = 0;
for (const [what, { raw, gzip }, budget] of rows) {
  const fails = budget !== null && gzip > budget;
  if (fails) over++;
  console.log(`  ${what.padEnd(42)} ${kB(raw).padStart(9)} ${kB(gzip).padStart(9)} ${(budget === null ? '' : kB(budget)).padStart(9)}${fails ? '  OVER BUDGET' : ''}`);
}
if (over > 0) {
  console.error(`size-check: ${over} figure(s) over budget. Shrink the bundle, or raise BUDGET in scripts/size-check.mjs on purpose.`);
  process.exit(1);
}
console.log('size-check: within budget');
