/**
 * Argument validation for the kernels, shared by both backends. `checked(kernels, name)` returns
 * kernels that validate every argument and then call the implementation, so a wasm kernel never
 * receives a size or buffer that would make it read or write outside its buffers, and every bad
 * argument gives an error that names the call, the argument and what was expected.
 *
 * The checks come from the manifest (manifest.ts): one validator per kernel, compiled once from its
 * argument descriptions into index lists, so a call does no lookups by name and builds no message
 * unless it fails.
 *
 * The checks are O(1) per call except the label range check (O(m) over an int array), so they stay
 * on in the training loop. Scanning data for NaN is not done here (O(size) on every call): the
 * training API checks data once when it enters (`firstNonFinite`).
 */
import { ACTIVATIONS, MATMUL_LAYOUTS, type BackendName, type F32Buffer, type I32Buffer, type Kernels, type MatmulLayout } from './contract.js';
import { KERNEL_NAMES, kernelSpec, shapeDims, type BufferArg, type CallArgs, type KernelSpec, type Shape } from './manifest.js';

type Buf = F32Buffer | I32Buffer;
type Fail = (what: string) => never;

const ACTIVATION_SET = new Set<string>(ACTIVATIONS);
const NO_CALL: CallArgs = [];

/** "[m, n] = [2, 3]", or "len = 5" for one dimension. */
function shapeText(dims: readonly string[], values: readonly number[]): string {
  return dims.length === 1 ? `${dims[0]} = ${values[0]}` : `[${dims.join(', ')}] = [${values.join(', ')}]`;
}

/** A buffer argument, with its shape resolved to argument indices (per layout when it depends on one). */
interface BufferCheck {
  readonly arg: BufferArg;
  readonly at: number;
  /** Indices of the size arguments whose product is the required length, by layout ('NN' when none). */
  readonly dims: Readonly<Record<MatmulLayout, readonly number[]>>;
  readonly dimNames: Readonly<Record<MatmulLayout, readonly string[]>>;
  readonly labelsOf: number;
}

function sizeIndices(spec: KernelSpec, shape: Shape, layout: MatmulLayout): number[] {
  return shapeDims(shape, layout).map((d) => spec.args.findIndex((a) => a.kind === 'size' && a.name === d));
}

/** Returns the validator of one kernel: it throws a RangeError naming the call on the first bad argument. */
function compileCheck(name: string, spec: KernelSpec, backend: BackendName): (args: CallArgs) => void {
  const args = spec.args;
  const indexOf = (n: string): number => args.findIndex((a) => a.name === n);
  const sizes = args.flatMap((a, i) => (a.kind === 'size' ? [i] : []));
  const finite = args.flatMap((a, i) => ((a.kind === 'scalar' && a.finite !== false) || a.kind === 'activationParam' ? [i] : []));
  const layoutAt = args.findIndex((a) => a.kind === 'layout');
  const actAt = args.findIndex((a) => a.kind === 'activation');
  const buffers: BufferCheck[] = args.flatMap((a, i) => {
    if (a.kind !== 'f32' && a.kind !== 'i32') return [];
    const dims = { NN: sizeIndices(spec, a.shape, 'NN'), TN: sizeIndices(spec, a.shape, 'TN'), NT: sizeIndices(spec, a.shape, 'NT') };
    const dimNames = { NN: shapeDims(a.shape, 'NN'), TN: shapeDims(a.shape, 'TN'), NT: shapeDims(a.shape, 'NT') };
    return [{ arg: a, at: i, dims, dimNames, labelsOf: a.labelsOf === undefined ? -1 : indexOf(a.labelsOf) }];
  });
  const bufferAt = new Map(buffers.map((b) => [b.arg.name, b]));
  const overlaps = spec.overlaps.map(([first, second, rule]) => ({ first, second, exact: rule === 'exact', a: bufferAt.get(first)!, b: bufferAt.get(second)! }));
  const extra = spec.extraCheck;
  const inOneMemory = backend === 'wasm';

  // The call being checked, for `fail`'s message: checks run synchronously, one at a time, so one
  // `fail` per kernel serves every call and a valid call allocates nothing for its messages.
  let current: CallArgs = NO_CALL;
  const fail: Fail = (what) => {
    const label = layoutAt < 0 ? name : `${name}(${String(current[layoutAt])})`;
    throw new RangeError(`simdnet ${label}: ${what}`);
  };

  return (call) => {
    current = call;
    const layout = (layoutAt < 0 ? 'NN' : call[layoutAt]) as MatmulLayout;
    if (layoutAt >= 0 && !MATMUL_LAYOUTS.includes(layout)) fail(`layout must be one of ${MATMUL_LAYOUTS.join(', ')}, got ${String(layout)}`);
    if (actAt >= 0 && !ACTIVATION_SET.has(call[actAt] as string)) {
      fail(`unknown activation '${String(call[actAt])}'; expected one of ${ACTIVATIONS.join(', ')}`);
    }
    for (const i of sizes) {
      const v = call[i];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(`${args[i].name} must be a positive integer, got ${String(v)}`);
    }
    for (const i of finite) {
      const v = call[i];
      // The activation parameter is optional: undefined means the activation's default.
      if (v === undefined && args[i].kind === 'activationParam') continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${args[i].name} must be a finite number, got ${String(v)}`);
    }
    for (const bc of buffers) {
      const b = call[bc.at] as Buf | null;
      if (b === null && bc.arg.nullable) continue;
      const needed = required(bc, layout, call);
      checkBuffer(fail, bc.arg, b, backend, needed, bc.dimNames[layout], bc.dims[layout], call);
      if (bc.labelsOf >= 0) checkLabels(fail, bc.arg.name, b as I32Buffer, needed, call[bc.labelsOf] as number);
    }
    for (const o of overlaps) {
      const a = call[o.a.at] as Buf | null;
      const b = call[o.b.at] as Buf | null;
      if (a === null || b === null) continue;
      // Byte ranges in one address space: wasm buffers all live in the one linear memory (compare
      // addresses, without touching .data); js buffers share memory only through one ArrayBuffer.
      let a0 = a.ptr;
      let b0 = b.ptr;
      if (!inOneMemory) {
        const ad = a.data;
        const bd = b.data;
        if (ad.buffer !== bd.buffer) continue;
        a0 = ad.byteOffset;
        b0 = bd.byteOffset;
      }
      if (o.exact && a0 === b0) continue;
      if (a0 < b0 + required(o.b, layout, call) * 4 && b0 < a0 + required(o.a, layout, call) * 4) fail(`${o.first} must not overlap ${o.second}`);
    }
    if (extra) extra(fail, call);
    current = NO_CALL;
  };
}

/** The elements of the buffer that the call uses: the product of its shape's sizes. */
function required(bc: BufferCheck, layout: MatmulLayout, call: CallArgs): number {
  let needed = 1;
  for (const d of bc.dims[layout]) needed *= call[d] as number;
  return needed;
}

/** A buffer of this backend's, of the right dtype, not freed, with at least `needed` elements. */
function checkBuffer(
  fail: Fail, arg: BufferArg, b: Buf | null, backend: BackendName, needed: number, dimNames: readonly string[], dims: readonly number[], call: CallArgs,
): void {
  const name = arg.name;
  if (b === null || typeof b !== 'object' || !('dtype' in b)) fail(`${name} must be a ${arg.kind} buffer, got ${String(b)}`);
  if (b.dtype !== arg.kind) fail(`${name} must be a ${arg.kind} buffer, got a ${b.dtype} buffer`);
  if (b.backend !== backend) fail(`${name} belongs to the '${b.backend}' backend, not '${backend}'`);
  if (b.disposed) fail(`${name} was freed`);
  if (b.length < needed) {
    const how = (arg.note ?? '') + shapeText(dimNames, dims.map((d) => call[d] as number));
    fail(`${name} has ${b.length} elements, expected at least ${needed} (${how})`);
  }
}

function checkLabels(fail: Fail, name: string, labels: I32Buffer, m: number, n: number): void {
  const d = labels.data;
  for (let i = 0; i < m; i++) {
    const l = d[i];
    if (l < 0 || l >= n) fail(`${name}[${i}] = ${l} is out of range: labels must be integers in [0, ${n - 1}] for ${n} classes`);
  }
}

/** Wraps an implementation so that every call is validated first. */
export function checked(impl: Kernels, backend: BackendName): Kernels {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of KERNEL_NAMES) {
    const check = compileCheck(name, kernelSpec(name), backend);
    const run = impl[name] as (...args: unknown[]) => unknown;
    out[name] = (...args) => {
      check(args);
      return run(...args);
    };
  }
  return out as unknown as Kernels;
}

/**
 * The implementation behind each checked backend made by init() / jsBackend(): for internal callers
 * whose shapes were validated once up front (a network's layers call it with the sizes they were
 * built with, on buffers it allocated for them), so the per-call checks stay out of the training and
 * predict loops. Public kernels stay checked.
 */
const UNCHECKED = new WeakMap<object, Kernels>();

/** Records `impl` as the unchecked kernels of `backend` (init.ts, once per backend). */
export function registerUnchecked(backend: object, impl: Kernels): void {
  UNCHECKED.set(backend, impl);
}

/**
 * The unchecked kernels of `backend`, or `backend` itself (checked) when it was not made by init()
 * (a wrapper, such as a test's). Callers must have validated every size and buffer length.
 */
export function uncheckedKernels(backend: Kernels): Kernels {
  return UNCHECKED.get(backend) ?? backend;
}
