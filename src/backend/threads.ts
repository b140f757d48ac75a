/**
 * The threaded wasm backend (init({ threads }) with more than one): the shared-memory build,
 * instantiated on the main thread and in `threads − 1` helper workers (bindings/threads/pool.ts),
 * with the kernels split by threaded.ts. Loaded by init() as a chunk of its own.
 */
import { adaptKernels } from './adapter.js';
import { assemble, type ReadyBackend, type SimdBuild } from './assemble.js';
import { KERNEL_NAMES, kernelSpec } from './manifest.js';
import { planOf, threadedImpls } from './threaded.js';
import { toWasm } from './wasm.js';
import { compileBuild, instantiateBuild, sharedMemory } from '../../bindings/loader.js';
import { WasmAllocator } from '../../bindings/memory.js';
import { ThreadPool } from '../../bindings/threads/pool.js';

/** The functions the helpers may be told to run: each split kernel's own or its part export. */
export function poolFunctions(): string[] {
  const names = new Set<string>();
  for (const name of KERNEL_NAMES) {
    const plan = planOf(kernelSpec(name));
    if (plan) names.add(plan.fn || name);
  }
  return [...names];
}

/** For tests: `minWork` as in ThreadedOptions; `onPool` sees the pool (to break it on purpose). */
export interface ThreadedTuning {
  readonly minWork?: number;
  readonly onPool?: (pool: ThreadPool) => void;
}

/** A wasm backend whose kernels run on `threads` threads (≥ 2). */
export async function threadedBackend(threads: number, tuning: ThreadedTuning = {}, simd: SimdBuild = 'plain'): Promise<ReadyBackend> {
  const module = await compileBuild({ memory: 'shared', simd });
  const exports = await instantiateBuild(module, sharedMemory());
  const names = poolFunctions();
  const pool = await ThreadPool.start({ module, exports, helpers: threads - 1, names });
  tuning.onPool?.(pool);
  const impls = threadedImpls(exports, pool, names, {
    minWork: tuning.minWork,
    // The one notice of a broken pool: the model goes on, slower, and the user should know why.
    // eslint-disable-next-line no-console
    onFallback: (error) => console.warn(`${error.message}; simdnet goes on with one thread`),
  });
  return assemble('wasm', adaptKernels(impls, toWasm), new WasmAllocator(exports), {
    threads: () => (pool.broken ? 1 : pool.size),
    dispose: () => pool.dispose(),
  }, simd);
}
