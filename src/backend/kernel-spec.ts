/**
 * The vocabulary of the kernel manifest (manifest.ts): how a kernel's arguments, overlap rules, thread
 * split and test tolerance are described. Types only, so scripts/kernels.mjs can transpile the manifest
 * on its own.
 */
import type { MatmulLayout } from './contract.js';

/** A buffer's required length: the product of size arguments (by name), per matmul layout if it depends on it. */
export type Shape = readonly string[] | Readonly<Record<MatmulLayout, readonly string[]>>;

/** What generated test inputs a buffer holds: uniform in [−1, 1] unless said otherwise. */
export type Sample = 'uniform' | 'unit' | 'nonNegative';

export interface BufferArg {
  readonly kind: 'f32' | 'i32';
  readonly name: string;
  /** Read, written, or both: outputs are what the manifest test compares between backends. */
  readonly io: 'in' | 'out' | 'inout';
  readonly shape: Shape;
  /** Text put before the shape in a length error, e.g. 'A stored as ' gives "A stored as [k, m] = [3, 2]". */
  readonly note?: string;
  /** May be null (the kernel then skips what it would write there). */
  readonly nullable?: boolean;
  /** An i32 buffer of class labels, each in [0, the named size). */
  readonly labelsOf?: string;
  readonly sample?: Sample;
}

/** An element count: a positive safe integer. Sizes named in a shape are dimensions; others are counts (adamStep's step). */
export interface SizeArg {
  readonly kind: 'size';
  readonly name: string;
}

/** A finite number (f32 on the wasm side); `example` is the value tests and benches use. */
export interface ScalarArg {
  readonly kind: 'scalar';
  readonly name: string;
  readonly example: number;
  /** False when the kernel's `extraCheck` validates it instead (dropoutMask's rate). */
  readonly finite?: false;
}

/** A boolean (0/1 on the wasm side); optional ones default to false. */
export interface FlagArg {
  readonly kind: 'flag';
  readonly name: string;
  readonly optional?: boolean;
}

/** An integer seed, passed to wasm as its 32-bit pattern (u32). */
export interface SeedArg {
  readonly kind: 'seed';
  readonly name: string;
  readonly example: number;
}

/** An activation name (ACTIVATIONS in activations.ts), passed to wasm as its id. Always the first argument. */
export interface ActivationArg {
  readonly kind: 'activation';
  readonly name: string;
}

/** The activation's optional parameter: finite when given, else the activation's default. */
export interface ActivationParamArg {
  readonly kind: 'activationParam';
  readonly name: string;
}

/** A matmul layout (MATMUL_LAYOUTS), passed to wasm as its id. Always the first argument. */
export interface LayoutArg {
  readonly kind: 'layout';
  readonly name: string;
}

export type Arg = BufferArg | SizeArg | ScalarArg | FlagArg | SeedArg | ActivationArg | ActivationParamArg | LayoutArg;

/**
 * Whether two buffers may share memory. `exact`: they may be the same elements (in place) but must
 * not partly overlap; `never`: no shared element. The first name leads the error message
 * ("c must not overlap a"). Every pair of same-dtype buffers of which one is written must be listed
 * (the manifest test checks this).
 */
export type Overlap = readonly [string, string, 'exact' | 'never'];

/**
 * How a kernel splits across threads (src/backend/threaded.ts reads it). Work is split over an output
 * dimension so each thread owns whole outputs and every output is computed by the same instructions
 * in the same order whatever the thread count (the same-bits promise):
 * - `elementwise`: every element of the outputs depends only on the same element of the inputs;
 *   split `over` the named length in any chunks (each thread gets its part of every buffer).
 * - `rows`: output rows are independent; split over dimension `over` (rows of buffer `of`). Each
 *   buffer whose shape starts with `over` is cut into row blocks; the others are shared whole.
 * - `columns`: output columns are independent; split over dimension `over` (columns of `of`). A
 *   block of columns is strided, which a pointer offset cannot say, so only a kernel with a `part`
 *   export is split (matmulPacked by matmulPackedCols); the others run on one thread.
 * - `none`: a single reduction to one number (or another reason, in `why`); one thread.
 * `sum: true`: the kernel also returns a sum over the split dimension (a loss, a count). Integer sums
 * (`returns: 'i32'`) are added up from the parts; float sums would round differently, so such kernels
 * stay on one thread.
 * `tile`: parts are whole multiples of this many rows, columns or elements (the last one takes the
 * rest), e.g. matmul's 4-row micro-tile, matmulPacked's 8-column panel. `part`: the name of a wasm
 * export that computes one part of the whole call, taking the kernel's arguments then `start` and
 * `count` (matmulRows: TN's rows of C are columns of A; matmulPackedCols: a block of columns; neither
 * is a pointer offset).
 */
export type Split =
  | { readonly kind: 'elementwise'; readonly over: string; readonly sum?: true; readonly tile?: number }
  | { readonly kind: 'rows' | 'columns'; readonly over: string; readonly of: string; readonly sum?: true; readonly tile?: number; readonly part?: string }
  | { readonly kind: 'none'; readonly why: string };

/**
 * How closely the wasm kernel must match its js twin in tests/kernels/manifest.test.ts:
 * `bits`: the same bits (NaN-safe, −0 ≠ +0) and the same return value; `close`: every output element
 * within ulps·2⁻²⁴·scale·(|js| + max(1, max |js output|)) and the return value within
 * ulps·2⁻²⁴·scale·(|js| + 1), where scale is the size named by `per` (K for a matmul, m for a column
 * sum) or 1. Inputs are in [−1, 1], so the 1 bounds the terms where a result cancels (gelu's
 * derivative near −0.75) and the bound grows with the number of terms summed.
 */
export type Tolerance =
  | { readonly kind: 'bits' }
  | { readonly kind: 'close'; readonly ulps: number; readonly per?: string };

/** The call's arguments, in order, as the user passed them (for `extraCheck`). */
export type CallArgs = readonly unknown[];

export interface KernelSpec {
  /** The JSDoc of the method in `Kernels`. */
  readonly doc: string;
  readonly args: readonly Arg[];
  /** The wasm return type: `void`, or a number as f64 (sums) or i32 (counts, indices). */
  readonly returns: 'void' | 'f64' | 'i32';
  readonly overlaps: readonly Overlap[];
  /** A check no generic rule covers; runs after the generic ones; `fail` throws naming the call. */
  readonly extraCheck?: (fail: (what: string) => never, args: CallArgs) => void;
  readonly split: Split;
  readonly tolerance: Tolerance;
  /**
   * The size cases tests/kernels/manifest.test.ts runs, when the generated ones (each dimension over
   * the edge sizes) do not fit: a convolution's sizes must agree with each other (the output size
   * follows from the image, kernel, stride and padding), and the product of eight of them at 131
   * would be a 10¹⁷-element buffer. Each case gives every size argument.
   */
  readonly sizeCases?: readonly Readonly<Record<string, number>>[];
}
