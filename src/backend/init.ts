/**
 * `init()`: the explicit, asynchronous start of the library. Nothing is loaded or compiled at import
 * time; init() instantiates the wasm module (or picks the js backend), warms the kernels up, and
 * returns a ready Backend.
 */
import type { Backend, BackendName } from './contract.js';
import { assemble, type ReadyBackend, type SimdBuild } from './assemble.js';
import { jsKernels } from './js/index.js';
import { JsAllocator } from './js/buffers.js';
import { wasmKernels } from './wasm.js';
import { resolveThreads } from './thread-count.js';
import { hasWasmSimd, loadWasm } from '../../bindings/loader.js';
import { hasRelaxedSimd, RELAXED_SIMD_MISSING } from '../../bindings/relaxed-probe.js';
import { WasmAllocator } from '../../bindings/memory.js';

export type { ReadyBackend, SimdBuild };

/** What init() starts: which backend, and whether to warm its kernels up. */
export interface InitOptions {
  /**
   * Which backend: `'wasm'` (WebAssembly SIMD; an error if the host lacks it), `'js'` (pure JavaScript),
   * or `'auto'` (wasm when the host supports WebAssembly SIMD, else js with a console warning).
   * @default 'wasm'
   */
  backend?: BackendName | 'auto';
  /**
   * Run each hot kernel a few times before returning. A wasm function's first calls run in the
   * baseline compiler; warming up moves the hot ones to the optimizing tier before timing starts.
   * @default true
   */
  warmup?: boolean;
  /**
   * How many threads the wasm kernels use (the calling thread and `threads − 1` helper workers on a
   * shared memory); an integer ≥ 1. `1` runs today's single-threaded build with no workers. Any count
   * gives the same bits (README, "Threads"). Where memory cannot be shared (a browser page that is not
   * cross-origin isolated) it is 1, with one console notice naming the headers to set. The `js`
   * backend always runs on one thread.
   * @default Node: os.availableParallelism(), at most 8; browsers: navigator.hardwareConcurrency (at
   *   most 8) on a cross-origin isolated page, else 1
   */
  threads?: number;
  /**
   * Which wasm build: `'plain'` multiplies and adds with two roundings, so a seed gives the same bits
   * on every host, engine and thread count; `'relaxed'` is the build whose matrix products use
   * relaxed SIMD's multiply-add (`f32x4.relaxed_madd`), fused (one rounding) on hosts with FMA: about
   * 1.3x the matmul throughput here, but results differ in the last bits between hosts with and without
   * FMA (on one host they are still the same for any thread count and from run to run). A host without
   * relaxed SIMD (Node 20/21 without `--experimental-wasm-relaxed-simd`, older browsers) gets the plain
   * build with one console notice; `backend.simd` says which is in use. Ignored by the js backend.
   * @default 'plain'
   */
  simd?: SimdBuild;
}

interface ResolvedInitOptions {
  backend: BackendName | 'auto';
  warmup: boolean;
  threads: number | undefined;
  simd: SimdBuild;
}

const INIT_OPTIONS: readonly string[] = ['backend', 'warmup', 'threads', 'simd'];

function resolveInitOptions(options: InitOptions = {}): ResolvedInitOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`simdnet init: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  // A typo ({ thread: 2 }, { backnd: 'js' }) must not run silently with the defaults.
  for (const key of Object.keys(options)) {
    if (!INIT_OPTIONS.includes(key)) throw new RangeError(`simdnet init: unknown option '${key}'; known options: ${INIT_OPTIONS.join(', ')}`);
  }
  if (options.warmup !== undefined && typeof options.warmup !== 'boolean') {
    throw new TypeError(`simdnet init: warmup must be true or false, got ${typeof options.warmup}`);
  }
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'js' && backend !== 'auto') {
    throw new RangeError(`simdnet init: backend must be 'wasm', 'js' or 'auto', got ${String(backend)}`);
  }
  const threads = options.threads;
  if (threads !== undefined && !(typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= 256)) {
    throw new RangeError(`simdnet init: threads must be an integer from 1 to 256, got ${typeof threads === 'number' ? String(threads) : typeof threads}`);
  }
  const simd = options.simd ?? 'plain';
  if (simd !== 'plain' && simd !== 'relaxed') {
    throw new RangeError(`simdnet init: simd must be 'plain' or 'relaxed', got ${typeof simd === 'string' ? `'${simd}'` : typeof simd}`);
  }
  return { backend, warmup: options.warmup ?? true, threads, simd };
}

let relaxedNoticed = false;

/** The build `asked` for, or 'plain' (with one notice per program) where the host has no relaxed SIMD. */
function availableSimd(asked: SimdBuild): SimdBuild {
  if (asked === 'plain' || hasRelaxedSimd()) return asked;
  if (!relaxedNoticed) {
    relaxedNoticed = true;
    // eslint-disable-next-line no-console
    console.warn(`simdnet: using the plain SIMD build: ${RELAXED_SIMD_MISSING}`);
  }
  return 'plain';
}

/** The pure-JS backend, ready at once (no wasm). */
export function jsBackend(): ReadyBackend {
  return assemble('js', jsKernels, new JsAllocator());
}

/**
 * Starts the library: instantiates the WebAssembly SIMD module (or picks the pure-JS backend), warms
 * up the kernels, and resolves to the backend every model is made on. Call it once and pass the
 * backend around; nothing happens at import time.
 *
 * @example
 * const backend = await init();                 // wasm; rejects if the host has no WebAssembly SIMD
 * const fallback = await init({ backend: 'auto' }); // wasm where possible, else js
 * @throws RangeError when options.backend is not 'wasm', 'js' or 'auto'; an Error when 'wasm' is
 *   asked for and the wasm module cannot be instantiated (a host without WebAssembly SIMD).
 */
export async function init(options?: InitOptions): Promise<ReadyBackend> {
  const opts = resolveInitOptions(options);
  let backend: ReadyBackend;
  if (opts.backend === 'js' || (opts.backend === 'auto' && !hasWasmSimd())) {
    // The one notice the library prints: 'auto' promised to pick, and the user should know it fell back.
    // eslint-disable-next-line no-console
    if (opts.backend === 'auto') console.warn('simdnet: WebAssembly SIMD is not available here; using the pure-JS backend');
    backend = jsBackend();
  } else {
    const threads = await resolveThreads(opts.threads);
    const simd = availableSimd(opts.simd);
    if (threads > 1) {
      // A chunk of its own (the pool, the helper source, the shared build): not loaded for one thread.
      const { threadedBackend } = await import('./threads.js');
      backend = await threadedBackend(threads, {}, simd);
    } else {
      const wasm = await loadWasm(simd);
      backend = assemble('wasm', wasmKernels(wasm), new WasmAllocator(wasm), undefined, simd);
    }
  }
  if (opts.warmup) warmup(backend);
  return backend;
}

/** Runs the training-step kernels on small sizes, then frees everything it made. */
function warmup(b: Backend): void {
  const m = 32, k = 64, n = 32;
  const a = b.f32(m * k), w = b.f32(k * n), g = b.f32(k * n), c = b.f32(m * n), bias = b.f32(n), labels = b.i32(m), out = b.f32(m * n);
  try {
    for (let i = 0; i < 4; i++) {
      b.matmul('NN', a, w, c, m, k, n);
      b.matmul('TN', a, c, w, k, m, n);
      b.matmul('NT', c, w, a, m, n, k);
      b.biasActivation('relu', c, bias, out, m, n);
      b.activationBackward('relu', c, out, out, out, m * n);
      b.softmaxCrossEntropy(c, labels, null, out, m, n, 1 / m);
      b.biasGrad(out, bias, m, n);
      b.sgdStep(w, g, k * n, 0, 0);
    }
  } finally {
    for (const buf of [a, w, g, c, bias, labels, out]) b.free(buf);
  }
}
