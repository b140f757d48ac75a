/**
 * The threaded wasm kernels: each kernel's wasm function wrapped so that a call big enough to pay is
 * cut into parts, one per thread, from the manifest's `split` (kernel-spec.ts), and run on the thread
 * pool (bindings/threads/pool.ts). Generic: a kernel added to the manifest with a split is threaded
 * with no code here.
 *
 * The same bits for any thread count: a part is whole outputs (rows, elements) computed by the same
 * wasm function with the same arguments but the pointers and the count, so every output element runs
 * the same instructions on the same inputs as with one thread. So:
 * - `elementwise`: part i gets elements [start, start + count) of every buffer of the split length;
 * - `rows`: part i gets rows [start, start + count) of every buffer whose shape starts with the split
 *   dimension; buffers without it (a bias) are shared whole. A kernel whose rows are not contiguous
 *   (matmul TN: rows of C are columns of A) names a `part` export taking (args…, start, count);
 * - `columns` with a `part` export: the part gets (args…, start, count) and computes columns
 *   [start, start + count) (matmulPacked: a one-row product, a predict, is cut into 8-column panels);
 *   `columns` without one stays on one thread (a block of columns is strided);
 * - sums: integer ones (a count) add up the parts exactly; float sums would round in another order,
 *   so those kernels (the losses) stay on one thread, as does `none`.
 *
 * Sits below the adapter (adapter.ts converts buffers to addresses first): it sees numbers only.
 */
import type { WasmExports } from '../../bindings/exports.js';
import { ThreadPoolError, type ThreadPool } from '../../bindings/threads/pool.js';
import { KERNEL_NAMES, kernelSpec, type BufferArg, type KernelSpec } from './manifest.js';

type Impl = (...args: number[]) => unknown;

/**
 * Least work per part, in units of work: the product of the dimensions (elements of an m×n or len output; multiply-adds of a
 * matmul): below it a call runs on one thread. bench/threads-crossover.ts measures it (1 thread
 * against 2 with every call split, paired ratios). Its only run so far was on this project's 2-core
 * machine at a load average of 10 (other engineers' builds and benches), where no split paid: time at 1
 * thread / time at 2 was 0.00–0.11× for axpy and adamStep from 4 Ki to 64 Ki elements, 0.09× and 0.36×
 * at 256 Ki; biasActivation 128×512 0.04×; matmul NN 64·128·128 (1 Mi) 0.16×, 64·784·128 (6.4 Mi)
 * 0.46×, 128·256·256 (8 Mi) 0.65×. There a helper waits for a core after each wake-up (a call of
 * 4 Ki elements took 1 ms), so those figures say what a loaded machine costs, not where a quiet one
 * crosses over. The values below are set from the work against a wake-up of 5–20 µs on an idle core
 * (a 128 Ki-element pass is ~30 µs, a 1 Mi multiply-add matmul ~100 µs at 10 GFLOP/s): rerun the
 * crossover bench on a quiet machine and put its figures here.
 */
export const MIN_WORK = { elementwise: 128 * 1024, matmul: 1024 * 1024 } as const;

/**
 * Least work per part of a product below MIN_WORK that is split anyway, when every helper it would use
 * is awake (spinning after its last job: ThreadPool.awake), so the split costs no wake-up: a predict
 * loop's one-row products (1·784·128 = 100 Ki multiply-adds). A call in [SMALL_WORK, MIN_WORK) that
 * finds a helper parked runs on this thread and nudges it awake (ThreadPool.nudge), so the next call
 * of a burst splits and a sporadic call never waits for a wake-up. Elementwise kernels have no such
 * floor (not measured: they stay at MIN_WORK).
 * Measured (issue 12, bench/threads-crossover.ts --only matmulPacked: one thread against two with
 * every call split and the helpers awake, paired medians; four runs on this project's 2-core machine,
 * shared with another engineer's builds and tests, at load averages 2–5), time at 1 thread / at 2:
 *   1·128·128 (16 Ki): 0.62 0.62 0.75;  1·256·128 (32 Ki): 0.95 0.84 1.04;  1·384·128 (48 Ki): 1.15;
 *   1·512·128 (64 Ki): 1.24 1.03;  1·784·128 (98 Ki): 1.19 1.25;  1·512·512 (256 Ki): 1.52 0.91 1.39;
 *   1·784·512 (392 Ki): 1.73 1.34;  4·784·128: 1.45 1.22
 * (leaving out the runs where the other core was taken by another process: then every split size
 * took 0.01–0.1×, the helper waiting for a core). So a split pays from about 48 Ki multiply-adds, 24 Ki
 * a part: 32 Ki a part (calls from 64 Ki) keeps a margin. A helper woke 50–250 µs after a nudge and,
 * unused, spun 0.4–1.4 ms before parking again (HELPER_SPIN's 20 000 loads, slower than its 50 µs).
 */
export const SMALL_WORK = { matmul: 32 * 1024 } as const;

/**
 * How many times SMALL_WORK a product needs when its caller passes finiteB: its one-row kernels then
 * skip the zero inputs, so m·k·n overstates the work, by five times on an MNIST digit (81% zeros).
 * Measured (issue 12; one process, medians of 40 × 200 predicts; shared 2-core machine), a one-row
 * predict of MNIST digits on two threads against one: 784-128-10 7.8 against 5.3 µs (1·784·128, 98 Ki:
 * the split lost), 784-512-512-10 33.5 against 42.2 µs (392 Ki and 256 Ki: it paid). So 4: calls
 * from 256 Ki multiply-adds.
 */
export const SKIPPING_WORK_FACTOR = 4;

/** The most arguments a kernel takes (col2im's 16): the threaded wrapper's parameter count. */
const MAX_ARITY = 16;

/** How one kernel's call is cut: built once per kernel from its manifest entry. */
interface Plan {
  /** The function the parts call: the kernel itself, or its `part` export. */
  readonly fn: string;
  /** Index of the size argument split over. */
  readonly over: number;
  readonly tile: number;
  /** Indices of the size arguments that are dimensions (their product is the work). */
  readonly dims: readonly number[];
  /** Offset style: per buffer argument index, the size-argument indices whose product is one row (elementwise: none). */
  readonly shifts: readonly { readonly arg: number; readonly row: readonly number[] }[] | null;
  /** True when the parts' results are added up (an integer count). */
  readonly sums: boolean;
  readonly minWork: number;
  /** Least work per part of a call below minWork split onto awake helpers (Infinity: none). */
  readonly smallWork: number;
  /** Index of the `finiteB` flag (a product that may skip zero inputs: SKIPPING_WORK_FACTOR), or -1. */
  readonly finiteAt: number;
}

const isBuffer = (a: KernelSpec['args'][number]): a is BufferArg => a.kind === 'f32' || a.kind === 'i32';

/** The size names in a buffer's shape (in any layout). */
const shapeNames = (a: BufferArg): readonly string[] => (Array.isArray(a.shape) ? a.shape : Object.values(a.shape).flat()) as string[];

/** The plan of a kernel, or null when it stays on one thread (and why, for the docs: see the header). */
export function planOf(spec: KernelSpec): Plan | null {
  const split = spec.split;
  if (split.kind === 'none') return null;
  if (split.sum && spec.returns !== 'i32') return null;
  const part = 'part' in split ? split.part : undefined;
  // A block of columns is strided: only a part export can compute one.
  if (split.kind === 'columns' && part === undefined) return null;
  const names = spec.args.map((a) => a.name);
  const over = names.indexOf(split.over);
  const buffers = spec.args.flatMap((a, i) => (isBuffer(a) ? [{ a, i }] : []));
  const inShapes = new Set(buffers.flatMap(({ a }) => shapeNames(a)));
  const dims = spec.args.flatMap((a, i) => (a.kind === 'size' && inShapes.has(a.name) ? [i] : []));
  let shifts: Plan['shifts'] = null;
  if (part === undefined) {
    shifts = buffers.flatMap(({ a, i }) => {
      if (!Array.isArray(a.shape)) throw new Error(`simdnet: ${split.kind} split of a layout-dependent shape needs a part export (manifest, '${a.name}')`);
      const shape = a.shape as readonly string[];
      if (!shape.includes(split.over)) return [];
      if (shape[0] !== split.over) throw new Error(`simdnet: buffer '${a.name}' is not cut into whole blocks by '${split.over}'; name a part export`);
      return [{ arg: i, row: shape.slice(1).map((d) => names.indexOf(d)) }];
    });
  }
  // A matrix product (matmul, matmulSkinny, matmulPacked): its inputs have the inner dimension k that
  // its outputs lack, and its work is multiply-adds. (Before the check on k, matmulPacked, having no
  // layout argument, was taken for an elementwise kernel and split from 128 Ki multiply-adds.)
  const outDims = new Set(buffers.flatMap(({ a }) => (a.io === 'in' ? [] : shapeNames(a))));
  const isProduct = buffers.some(({ a }) => a.io === 'in' && shapeNames(a).includes('k') && !outDims.has('k'));
  return {
    fn: part ?? '',
    over,
    tile: split.tile ?? 1,
    dims,
    shifts,
    sums: split.sum === true,
    minWork: isProduct ? MIN_WORK.matmul : MIN_WORK.elementwise,
    smallWork: isProduct ? SMALL_WORK.matmul : Infinity,
    finiteAt: names.indexOf('finiteB'),
  };
}

/**
 * Cuts [0, total) into `parts` runs of whole tiles (the last taking the rest) and writes the argument
 * list of each non-empty run into `into` (reused arrays: kernels run synchronously and never call
 * another kernel, so a call never finds them in use); returns how many runs there are. A part export
 * gets (args…, start, count); otherwise the split size becomes the count and the buffers whose rows
 * are split are moved to the run's first row. No allocation: the per-call arrays and the spread they
 * took cost about 1.3 µs of a 2 µs small split (issue 12, measured against ThreadPool.run alone).
 */
function cutInto(plan: Plan, args: readonly number[], total: number, parts: number, into: number[][]): number {
  const tiles = Math.ceil(total / plan.tile);
  let used = 0;
  for (let i = 0; i < parts; i++) {
    const start = Math.floor((i * tiles) / parts) * plan.tile;
    const end = Math.min(total, Math.floor(((i + 1) * tiles) / parts) * plan.tile);
    if (end <= start) continue;
    const a = into[used++];
    a.length = 0;
    for (let j = 0; j < args.length; j++) a.push(args[j]);
    if (plan.shifts === null) {
      a.push(start, end - start);
      continue;
    }
    a[plan.over] = end - start;
    for (const { arg, row } of plan.shifts) {
      if (a[arg] === 0) continue; // a null buffer stays null
      let elems = start;
      for (const r of row) elems *= args[r];
      a[arg] = args[arg] + elems * 4;
    }
  }
  return used;
}

export interface ThreadedOptions {
  /** Called once, the first time a call falls back to one thread because the pool broke. */
  readonly onFallback: (error: Error) => void;
  /** Overrides MIN_WORK for every kernel (tests split the smallest calls with 1). */
  readonly minWork?: number;
  /** Overrides SMALL_WORK for every product. */
  readonly smallWork?: number;
}

/**
 * The wasm kernels (as adapter.ts takes them: converted arguments) over `exports`, the split ones
 * going through `pool`. Once the pool is broken or disposed, every call runs on this thread.
 */
export function threadedImpls(
  exports: WasmExports, pool: ThreadPool, names: readonly string[], options: ThreadedOptions,
): Record<string, (...args: unknown[]) => unknown> {
  const raw = exports as unknown as Record<string, Impl>;
  const out: Record<string, Impl> = {};
  let warned = false;
  const usable = (): boolean => {
    const broken = pool.broken;
    if (broken === null) return true;
    if (!warned && !pool.isDisposed) options.onFallback(broken);
    warned = true;
    return false;
  };
  for (const name of KERNEL_NAMES) {
    const direct = raw[name];
    const plan = planOf(kernelSpec(name));
    if (plan === null) {
      out[name] = direct;
      continue;
    }
    const fnName = plan.fn || name;
    const fn = names.indexOf(fnName);
    if (fn < 0) throw new Error(`simdnet: the thread pool cannot run '${fnName}'`);
    const minWork = options.minWork ?? plan.minWork;
    const smallWork = Number.isFinite(plan.smallWork) ? (options.smallWork ?? plan.smallWork) : Infinity;
    // Each part's argument list, reused by every call of this kernel (see cutInto).
    const partArgs: number[][] = Array.from({ length: pool.size }, () => []);
    const partList: number[][] = [];
    const arity = kernelSpec(name).args.length;
    const dims = plan.dims;
    if (arity > MAX_ARITY) throw new Error(`simdnet: '${name}' takes ${arity} arguments; the threaded wrapper passes ${MAX_ARITY}`);
    // The arguments one by one, not a rest parameter: most calls do not split (none of a one-row
    // predict's), and the rest array and its spread into the direct call cost about 0.1–0.2 µs a call.
    // Measured (issue 12; one process, rotating order, medians of 61 × 200 predicts of MNIST digits
    // by 784-128-10), 1 thread / 2 threads / 2 threads with this wrapper: 10.49 / 11.98 / 11.34,
    // 8.92 / 9.87 / 8.85 and 8.71 / 9.60 / 9.29 µs. A wasm export ignores the arguments past its own.
    out[name] = function threadedCall(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15): unknown {
      // Indexed reads of `arguments` allocate nothing; the split path copies them out.
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as readonly number[];
      let work = 1;
      for (let i = 0; i < dims.length; i++) work *= args[dims[i]];
      const floor = plan.finiteAt >= 0 && args[plan.finiteAt] ? smallWork * SKIPPING_WORK_FACTOR : smallWork;
      // Too little work for any split (most calls): straight to the kernel.
      if (work < minWork && work < 2 * floor) return direct(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
      const total = args[plan.over];
      const tiles = Math.ceil(total / plan.tile);
      let parts = Math.min(pool.size, Math.floor(work / minWork), tiles);
      let small = false;
      if (parts < 2 && work >= 2 * floor) {
        // Small: split only onto helpers already spinning; else run here and wake the parked ones
        // for the next call of a burst.
        const want = Math.min(pool.size, Math.floor(work / floor), tiles);
        if (want >= 2 && usable()) {
          let awake = true;
          for (let h = 0; h < want - 1; h++) {
            if (!pool.awake(h)) {
              awake = false;
              pool.nudge(h);
            }
          }
          if (awake) {
            parts = want;
            small = true;
          }
        }
      }
      if (parts < 2 || !usable()) return direct(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
      const used = cutInto(plan, Array.prototype.slice.call(args, 0, arity) as number[], total, parts, partArgs);
      partList.length = used;
      for (let i = 0; i < used; i++) partList[i] = partArgs[i];
      try {
        // A small call takes back a part its helper has not started (it lost its core since it said
        // it was awake), so it never takes much longer than on one thread.
        pool.run(fn, partList, small);
      } catch (e) {
        if (!(e instanceof ThreadPoolError)) throw e;
        warned = true;
        throw new ThreadPoolError(`${e.message}. This call's outputs are incomplete; the backend goes on with one thread`, { cause: e });
      }
      if (!plan.sums) return undefined;
      let sum = 0;
      for (let i = 0; i < used; i++) sum += pool.results[i];
      return sum;
    };
  }
  return out as Record<string, (...args: unknown[]) => unknown>;
}
