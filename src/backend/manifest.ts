/**
 * The kernel manifest: every kernel described once, in one table. Everything else that lists kernels
 * is made from it:
 * - the `Kernels` interface in contract.ts and the `WasmExports` interface in bindings/exports.ts are
 *   generated from it by scripts/kernels.mjs, which `npm run build` runs in `--check` mode (it also
 *   checks that assembly/index.ts exports each kernel with matching parameters);
 * - `checked()` (checked.ts) validates every call from the argument descriptions;
 * - the wasm and js adapters (wasm.ts, js/index.ts) convert arguments from them;
 * - tests/kernels/manifest.test.ts runs every kernel, wasm against js, on the edge sizes, and every
 *   argument check; bench/kernels.ts takes its cases from it.
 *
 * The file is plain data plus a few small functions (no runtime imports), so scripts/kernels.mjs can
 * transpile and import it on its own.
 */
import type { MatmulLayout } from './contract.js';
import type {
  Shape, Sample, BufferArg, SizeArg, ScalarArg, FlagArg, SeedArg, ActivationArg, ActivationParamArg, LayoutArg, Arg, Overlap, Split, Tolerance, CallArgs, KernelSpec,
} from './kernel-spec.js';
import { BITS, f32, flag, i32, scalar, size } from './manifest-args.js';
import { IMAGE_KERNELS } from './manifest-image.js';

export type {
  Shape, Sample, BufferArg, SizeArg, ScalarArg, FlagArg, SeedArg, ActivationArg, ActivationParamArg, LayoutArg, Arg, Overlap, Split, Tolerance, CallArgs, KernelSpec,
};


const act: ActivationArg = { kind: 'activation', name: 'act' };
const alpha: ActivationParamArg = { kind: 'activationParam', name: 'alpha' };

const MN = ['m', 'n'] as const;
const LEN = ['len'] as const;
// Parts of 16 elements (64 bytes, a cache line): whole vectors, so only the last part has a tail, and no
// two threads write the same line.
const ELEMENTWISE: Split = { kind: 'elementwise', over: 'len', tile: 16 };

/** Every pair of the named buffers disjoint, in order (the optimizer steps). */
function allDisjoint(...names: string[]): Overlap[] {
  const out: Overlap[] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) out.push([names[i], names[j], 'never']);
  return out;
}

/** The optimizer steps' shared arguments: flat buffers of `len` elements, then len and lr, then the rest. */
function optimizer(doc: string, state: string[], hyper: readonly Arg[]): KernelSpec {
  return {
    doc,
    args: [f32('w', 'inout', LEN), f32('g', 'in', LEN), ...state.map((s) => f32(s, 'inout', LEN, { sample: 'nonNegative' })),
      size('len'), scalar('lr', 0.01), ...hyper, scalar('weightDecay', 0.05)],
    returns: 'void',
    overlaps: allDisjoint('w', 'g', ...state),
    split: ELEMENTWISE,
    tolerance: BITS,
  };
}

/** The JSDoc of the `Kernels` interface. */
export const KERNELS_DOC = [
  'The kernels. Sizes are element counts (positive integers); buffers may be longer than the part',
  'a call uses. Unless a method says otherwise, outputs must not overlap inputs.',
  'Generated from the kernel manifest (src/backend/manifest.ts), which also drives their argument checks.',
].join('\n');

/** The arguments, overlap rules and split of both matrix products (matmul and matmulSkinny). */
const MATMUL_SIGNATURE = {
  args: [
    { kind: 'layout', name: 'layout' },
    f32('a', 'in', { NN: ['m', 'k'], TN: ['k', 'm'], NT: ['m', 'k'] }, { note: 'A stored as ' }),
    f32('b', 'in', { NN: ['k', 'n'], TN: ['k', 'n'], NT: ['n', 'k'] }, { note: 'B stored as ' }),
    f32('c', 'inout', MN, { note: 'C is ' }),
    size('m'), size('k'), size('n'), flag('accumulate', true), flag('finiteB', true),
  ],
  returns: 'void',
  overlaps: [['c', 'a', 'never'], ['c', 'b', 'never']],
} as const satisfies Pick<KernelSpec, 'args' | 'returns' | 'overlaps'>;

export const KERNELS = {
  matmul: {
    doc: [
      'C (+)= op(A)·op(B); see MatmulLayout. `accumulate` adds into C instead of overwriting it.',
      '`finiteB`: the caller knows every element of B is finite, so products of zero elements of A, which change no sum,',
      'may be skipped (a one-row NN product does: assembly/matmul-skinny.ts). The result is the same either way.',
    ].join('\n'),
    ...MATMUL_SIGNATURE,
    // In blocks of the micro-kernel's 4 rows (assembly/matmul.ts, MR), computed by matmulRows.
    split: { kind: 'rows', over: 'm', of: 'c', tile: 4, part: 'matmulRows' },
    tolerance: { kind: 'close', ulps: 8, per: 'k' },
  },

  matmulSkinny: {
    doc: [
      'matmul without packing, for few rows (TN: a shallow k), where copying an operand into panels costs as much as',
      'the product; matmul() itself switches to it for NN with m ≤ 16, NT with m = 1 and TN with k ≤ 16 (crossovers in',
      'assembly/matmul-skinny.ts). Any shape works. Same bits as the',
      'packed path: each element is summed over the same k slices in the same order.',
    ].join('\n'),
    ...MATMUL_SIGNATURE,
    split: { kind: 'rows', over: 'm', of: 'c', tile: 4, part: 'matmulSkinnyRows' },
    // The twin sums in the kernel's order with f32 rounding at every step (js/matmul-skinny.ts).
    tolerance: BITS,
  },

  packB: {
    doc: [
      'bp = B [k,n] (a dense kernel, stored as for matmul NN) copied into the micro-panels the packed matmul reads,',
      'for matmulPacked: weights packed once for inference rather than on every call (assembly/matmul-prepacked.ts',
      'has the layout; exactly k·n floats).',
    ].join('\n'),
    args: [f32('b', 'in', ['k', 'n']), f32('bp', 'out', ['k', 'n']), size('k'), size('n')],
    returns: 'void',
    overlaps: [['bp', 'b', 'never']],
    split: { kind: 'none', why: 'a copy, once per weight change; the products that reuse it split' },
    tolerance: BITS,
  },
  matmulPacked: {
    doc: [
      'C (+)= A·B, A stored [m,k], with B given as packB\'s panels: the same bits as matmul(\'NN\', a, b, c, m, k, n, accumulate).',
      '`finiteB`: the caller knows every element of B is finite (e.g. firstNonFinite(b, k·n) < 0 when it was packed);',
      'then the products of zero elements of A, which change no sum, may be skipped (fewer rows: assembly/matmul-prepacked.ts).',
      'The result is the same either way; a wrong promise (an infinite or NaN weight) loses that weight\'s NaN where A is 0.',
    ].join('\n'),
    args: [
      f32('a', 'in', ['m', 'k']), f32('bp', 'in', ['k', 'n'], { note: 'B packed by packB: ' }), f32('c', 'inout', MN, { note: 'C is ' }),
      size('m'), size('k'), size('n'), flag('accumulate', true), flag('finiteB', true),
    ],
    returns: 'void',
    overlaps: [['c', 'a', 'never'], ['c', 'bp', 'never']],
    // In 8-column panels (assembly/matmul.ts, NR), computed by matmulPackedCols: a one-row product (a
    // predict) has no rows to split, and each thread reads only its own panels of the weights.
    split: { kind: 'columns', over: 'n', of: 'c', tile: 8, part: 'matmulPackedCols' },
    // The twin reads the same panels and sums in the kernel's order (js/matmul-prepacked.ts).
    tolerance: BITS,
  },

  biasAdd: {
    doc: 'x[i,j] += bias[j] for an m×n matrix.',
    args: [f32('x', 'inout', MN), f32('bias', 'in', ['n']), size('m'), size('n')],
    returns: 'void',
    overlaps: [['x', 'bias', 'never']],
    split: { kind: 'rows', over: 'm', of: 'x' },
    tolerance: BITS,
  },
  biasGrad: {
    doc: 'db[j] (+)= Σ_i dy[i,j]: the bias gradient (column sums).',
    args: [f32('dy', 'in', MN), f32('db', 'inout', ['n']), size('m'), size('n'), flag('accumulate', true)],
    returns: 'void',
    overlaps: [['db', 'dy', 'never']],
    split: { kind: 'columns', over: 'n', of: 'dy' },
    tolerance: { kind: 'close', ulps: 4, per: 'm' },
  },

  activationForward: {
    doc: 'y = f(x), elementwise; y may be x (in place).',
    args: [act, f32('x', 'in', LEN), f32('y', 'out', LEN), size('len'), alpha],
    returns: 'void',
    overlaps: [['y', 'x', 'exact']],
    split: ELEMENTWISE,
    tolerance: { kind: 'close', ulps: 16 },
  },
  activationBackward: {
    doc: [
      'dx = dy ⊙ f\'(x), where y = f(x) was the forward output (kernels use whichever of x, y is cheaper).',
      'dx may be any of x, y, dy exactly (in place). The step function\'s derivative is 0 everywhere (its true derivative',
      'almost everywhere), so no gradient flows through a step activation.',
    ].join('\n'),
    args: [act, f32('x', 'in', LEN), f32('y', 'in', LEN), f32('dy', 'in', LEN), f32('dx', 'out', LEN), size('len'), alpha],
    returns: 'void',
    // Elementwise: each output element depends only on the same element of the inputs, so dx may be
    // any of them exactly (in place), but must not partly overlap one.
    overlaps: [['dx', 'dy', 'exact'], ['dx', 'x', 'exact'], ['dx', 'y', 'exact']],
    split: ELEMENTWISE,
    tolerance: { kind: 'close', ulps: 24 },
  },
  biasActivation: {
    doc: [
      'Fused dense epilogue on an m×n matrix: z[i,j] += bias[j] (skipped when bias is null), then',
      'y = f(z). z keeps the pre-activation for the backward pass; y may be z (then z is overwritten).',
    ].join('\n'),
    args: [act, f32('z', 'inout', MN), f32('bias', 'in', ['n'], { nullable: true }), f32('y', 'out', MN), size('m'), size('n'), alpha],
    returns: 'void',
    overlaps: [['y', 'z', 'exact'], ['z', 'bias', 'never'], ['y', 'bias', 'never']],
    split: { kind: 'rows', over: 'm', of: 'y' },
    tolerance: { kind: 'close', ulps: 16 },
  },

  softmax: {
    doc: 'Row-wise numerically stable softmax of an m×n matrix; y may be x.',
    args: [f32('x', 'in', MN), f32('y', 'out', MN), size('m'), size('n')],
    returns: 'void',
    overlaps: [['y', 'x', 'exact']],
    split: { kind: 'rows', over: 'm', of: 'y' },
    tolerance: { kind: 'close', ulps: 24 },
  },
  softmaxCrossEntropy: {
    doc: [
      'Softmax cross-entropy from logits and integer labels in [0, n). Returns the summed loss',
      'Σ_i −log p_i[label_i] (computed with log-sum-exp: finite for any finite logits).',
      'When given, probs receives the softmax and grad receives (Ŷ − Y*)·gradScale (gradScale = 1/N for a mean).',
    ].join('\n'),
    args: [
      f32('logits', 'in', MN), i32('labels', 'in', ['m'], { note: 'one label per row, ', labelsOf: 'n' }),
      f32('probs', 'out', MN, { nullable: true }), f32('grad', 'out', MN, { nullable: true }),
      size('m'), size('n'), scalar('gradScale', 0.5),
    ],
    returns: 'f64',
    overlaps: [['probs', 'logits', 'exact'], ['grad', 'logits', 'exact'], ['grad', 'probs', 'never']],
    split: { kind: 'rows', over: 'm', of: 'logits', sum: true },
    tolerance: { kind: 'close', ulps: 24, per: 'm' },
  },
  sigmoidCrossEntropy: {
    doc: [
      'Sigmoid binary cross-entropy from logits z and targets t in [0,1]. Returns Σ [max(z,0) − z·t + log(1+e^(−|z|))];',
      'grad (when given) = (σ(z) − t)·gradScale.',
    ].join('\n'),
    args: [f32('logits', 'in', LEN), f32('targets', 'in', LEN, { sample: 'unit' }), f32('grad', 'out', LEN, { nullable: true }), size('len'), scalar('gradScale', 0.5)],
    returns: 'f64',
    overlaps: [['grad', 'logits', 'exact'], ['grad', 'targets', 'never']],
    split: { kind: 'elementwise', over: 'len', sum: true },
    tolerance: { kind: 'close', ulps: 16, per: 'len' },
  },
  meanSquaredError: {
    doc: 'Returns Σ (p − t)²; grad (when given) = 2(p − t)·gradScale.',
    args: [f32('pred', 'in', LEN), f32('targets', 'in', LEN), f32('grad', 'out', LEN, { nullable: true }), size('len'), scalar('gradScale', 0.5)],
    returns: 'f64',
    overlaps: [['grad', 'pred', 'exact'], ['grad', 'targets', 'never']],
    split: { kind: 'elementwise', over: 'len', sum: true },
    tolerance: { kind: 'close', ulps: 8, per: 'len' },
  },

  sumSquares: {
    doc: 'Σ x² (for ‖∇‖² and the L2 penalty).',
    args: [f32('x', 'in', LEN), size('len')],
    returns: 'f64',
    overlaps: [],
    split: { kind: 'none', why: 'one total of 1024-element block sums: threads could take whole blocks if the total adds them in block order' },
    tolerance: { kind: 'close', ulps: 68 },
  },
  sumAbs: {
    doc: 'Σ |x| (the L1 penalty).',
    args: [f32('x', 'in', LEN), size('len')],
    returns: 'f64',
    overlaps: [],
    split: { kind: 'none', why: 'one total of 1024-element block sums: threads could take whole blocks if the total adds them in block order' },
    tolerance: { kind: 'close', ulps: 68 },
  },
  axpy: {
    doc: 'y += alpha·x (the L2 gradient 2αw is axpy with alpha = 2α). y may be x.',
    args: [f32('y', 'inout', LEN), f32('x', 'in', LEN), size('len'), scalar('alpha', 0.7)],
    returns: 'void',
    overlaps: [['y', 'x', 'exact']],
    split: ELEMENTWISE,
    tolerance: BITS,
  },
  addSign: {
    doc: 'y += alpha·sign(x) (the L1 gradient); sign(0) = 0.',
    args: [f32('y', 'inout', LEN), f32('x', 'in', LEN), size('len'), scalar('alpha', 0.7)],
    returns: 'void',
    overlaps: [['y', 'x', 'exact']],
    split: ELEMENTWISE,
    tolerance: BITS,
  },
  scale: {
    doc: 'x *= s (gradient clipping by norm).',
    args: [f32('x', 'inout', LEN), size('len'), scalar('s', 1.5)],
    returns: 'void',
    overlaps: [],
    split: ELEMENTWISE,
    tolerance: BITS,
  },
  mul: {
    doc: 'out = a ⊙ b elementwise (dropout forward and backward); out may be a or b.',
    args: [f32('out', 'out', LEN), f32('a', 'in', LEN), f32('b', 'in', LEN), size('len')],
    returns: 'void',
    overlaps: [['out', 'a', 'exact'], ['out', 'b', 'exact']],
    split: ELEMENTWISE,
    tolerance: BITS,
  },
  argmaxRows: {
    doc: 'out[i] = argmax_j x[i,j] (first index on ties).',
    args: [f32('x', 'in', MN), i32('out', 'out', ['m'], { note: 'one index per row, ' }), size('m'), size('n')],
    returns: 'void',
    overlaps: [],
    split: { kind: 'rows', over: 'm', of: 'x' },
    tolerance: BITS,
  },
  countCorrect: {
    doc: 'Number of rows whose argmax equals the label (accuracy = count/m; 0/1 loss = 1 − accuracy).',
    args: [f32('x', 'in', MN), i32('labels', 'in', ['m'], { note: 'one label per row, ', labelsOf: 'n' }), size('m'), size('n')],
    returns: 'i32',
    overlaps: [],
    split: { kind: 'rows', over: 'm', of: 'x', sum: true },
    tolerance: BITS,
  },
  firstNonFinite: {
    doc: 'Index of the first NaN or ±Infinity in x[0..len), or −1.',
    args: [f32('x', 'in', LEN), size('len')],
    returns: 'i32',
    overlaps: [],
    split: { kind: 'none', why: 'the first index: a split would need the lowest of the per-thread answers' },
    tolerance: BITS,
  },
  dropoutMask: {
    doc: [
      'Inverted-dropout mask: mask[i] = 1/(1−rate) with probability 1−rate, else 0. Counter-based',
      '(a hash of seed, stream and i), so wasm and js give the same mask, bit for bit.',
    ].join('\n'),
    args: [
      f32('mask', 'out', LEN), size('len'), { kind: 'scalar', name: 'rate', example: 0.3, finite: false },
      { kind: 'seed', name: 'seed', example: 7 }, { kind: 'seed', name: 'stream', example: 11 },
    ],
    returns: 'void',
    overlaps: [],
    extraCheck(fail, [, , rate, seed, stream]) {
      if (!((rate as number) >= 0 && (rate as number) < 1)) fail(`rate must be in [0, 1), got ${String(rate)}`);
      if (!Number.isInteger(seed) || !Number.isInteger(stream)) fail(`seed and stream must be integers, got ${String(seed)} and ${String(stream)}`);
    },
    split: { kind: 'none', why: 'mask[i] hashes the index i, so a part would need its offset as an argument; one pass of a hash is cheap' },
    tolerance: BITS,
  },

  sgdStep: optimizer(
    [
      'Optimizer updates: single passes over flat parameter (w), gradient (g) and state buffers.',
      '`weightDecay` is decoupled (as in AdamW): w −= lr·weightDecay·w, then the update.',
    ].join('\n'),
    [], [],
  ),
  momentumStep: optimizer('PyTorch convention: v = μ·v + g; w −= lr·v, or with Nesterov w −= lr·(g + μ·v).', ['v'], [scalar('momentum', 0.9), flag('nesterov')]),
  adamStep: optimizer(
    'Adam / AdamW with bias correction; `step` is the 1-based update count.',
    ['m', 'v'], [scalar('beta1', 0.9), scalar('beta2', 0.999), scalar('eps', 1e-8), size('step')],
  ),
  rmspropStep: optimizer('s = ρ·s + (1−ρ)·g²; w −= lr·g/(√s + eps).', ['s'], [scalar('rho', 0.9), scalar('eps', 1e-8)]),
  adagradStep: optimizer('s += g²; w −= lr·g/(√s + eps).', ['s'], [scalar('eps', 1e-8)]),

  ...IMAGE_KERNELS,
  sgdOuterStep: {
    doc: [
      'The SGD update of a kernel W [m,n] from a one-row batch without writing its gradient: W −= lr·(xᵀ·dy), after',
      'the decoupled decay W −= lr·weightDecay·W. The same bits as matmul TN with k = 1 into g, then sgdStep over W',
      '(assembly/optim-outer.ts); fit() uses it for online SGD (applyUpdate, src/train/step.ts).',
      '`rows` (or null): one flag per row of W, written: 1 when the row is all finite and free of −0 after the step, else 0.',
      'With `rowsKnown` (the flags describe W as it is: no other writer since), a row whose x[i] is ±0 and whose flag is 1',
      'is not read, when the step cannot change it (finite lr and dy, lr·weightDecay = ±0): the same bits.',
      'Returns how many rows are flagged 0 (0: W is all finite).',
    ].join('\n'),
    args: [
      f32('w', 'inout', MN), f32('x', 'in', ['m']), f32('dy', 'in', ['n']), size('m'), size('n'), scalar('lr', 0.01), scalar('weightDecay', 0.05),
      i32('rows', 'inout', ['m'], { nullable: true, note: 'one flag per row of W, ' }), flag('rowsKnown', true),
    ],
    returns: 'i32',
    overlaps: [['w', 'x', 'never'], ['w', 'dy', 'never']],
    split: { kind: 'rows', over: 'm', of: 'w', sum: true },
    tolerance: BITS,
  },
} satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;

/** The kernels' names, in manifest order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** The manifest entry of `name`, typed as the general spec. */
export function kernelSpec(name: KernelName): KernelSpec {
  return KERNELS[name];
}

/** The size names a shape multiplies, for `layout` when the shape depends on it. */
export function shapeDims(shape: Shape, layout?: MatmulLayout): readonly string[] {
  if (Array.isArray(shape)) return shape as readonly string[];
  return (shape as Record<MatmulLayout, readonly string[]>)[layout ?? 'NN'];
}
