/**
 * The image kernels of the manifest (manifest.ts spreads them into KERNELS): im2col / col2im for
 * convolutions (assembly/conv.ts), pooling (assembly/pool.ts) and batch normalization
 * (assembly/batchnorm.ts). Images are NHWC rows, [m, h, w, c] with c fastest.
 *
 * A convolution's sizes must agree (the output size follows from the image, kernel, stride and
 * padding), so these kernels list their own test cases (`sizeCases`): 1x1 images, a kernel as large
 * as the image, odd sizes, strides 1, 2 and 3, dilation 2, 'same' and 'valid' output sizes (the
 * `same` flag is tried on and off for each), prime channel counts, and the LeNet shapes. Plain data,
 * no runtime imports beyond manifest-args.ts (scripts/kernels.mjs transpiles it).
 */
import type { Arg, KernelSpec, Overlap, Split } from './kernel-spec.js';
import { BITS, f32, flag, i32, scalar, size } from './manifest-args.js';

/** One convolution or pooling geometry: image [h, w, c], window [kh, kw], stride, dilation. */
interface Geometry {
  readonly m: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly k: readonly [number, number];
  readonly s: readonly [number, number];
  readonly d?: readonly [number, number];
}

const GEOMETRIES: readonly Geometry[] = [
  { m: 1, h: 1, w: 1, c: 1, k: [1, 1], s: [1, 1] },
  { m: 2, h: 1, w: 1, c: 3, k: [3, 3], s: [1, 1] },
  { m: 1, h: 5, w: 5, c: 2, k: [5, 5], s: [1, 1] },
  { m: 3, h: 7, w: 9, c: 3, k: [3, 2], s: [2, 2] },
  { m: 2, h: 11, w: 10, c: 5, k: [3, 3], s: [3, 3] },
  { m: 2, h: 6, w: 7, c: 7, k: [2, 3], s: [2, 3] },
  { m: 1, h: 9, w: 8, c: 13, k: [3, 3], s: [1, 2], d: [2, 2] },
  { m: 2, h: 4, w: 4, c: 17, k: [1, 1], s: [1, 1] },
  { m: 1, h: 28, w: 28, c: 1, k: [5, 5], s: [1, 1] },
  { m: 2, h: 12, w: 12, c: 32, k: [5, 5], s: [1, 1] },
];

/** The output size along one axis, 'valid' or 'same' (TensorFlow's rule), or 0 when 'valid' cannot fit. */
function outSize(size: number, k: number, s: number, d: number, same: boolean): number {
  if (same) return Math.ceil(size / s);
  const span = (k - 1) * d + 1;
  return size < span ? 0 : Math.floor((size - span) / s) + 1;
}

/** The size cases of every geometry, with the 'valid' and the 'same' output sizes; window names as given. */
function imageCases(window: readonly [string, string], dilation: boolean): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (const g of GEOMETRIES) {
    const d = dilation ? g.d ?? [1, 1] : [1, 1];
    for (const same of [false, true]) {
      const outH = outSize(g.h, g.k[0], g.s[0], d[0], same);
      const outW = outSize(g.w, g.k[1], g.s[1], d[1], same);
      if (outH === 0 || outW === 0) continue;
      const c: Record<string, number> = { m: g.m, h: g.h, w: g.w, c: g.c, [window[0]]: g.k[0], [window[1]]: g.k[1], strideH: g.s[0], strideW: g.s[1], outH, outW };
      if (dilation) Object.assign(c, { dilationH: d[0], dilationW: d[1] });
      out.push(c);
    }
  }
  return out;
}

const IMAGE = ['m', 'h', 'w', 'c'] as const;
const POOLED = ['m', 'outH', 'outW', 'c'] as const;
const COLS = ['m', 'outH', 'outW', 'kh', 'kw', 'c'] as const;
const CONV_SIZES: readonly Arg[] = [
  'm', 'h', 'w', 'c', 'kh', 'kw', 'strideH', 'strideW', 'dilationH', 'dilationW', 'outH', 'outW',
].map(size);
const POOL_SIZES: readonly Arg[] = ['m', 'h', 'w', 'c', 'poolH', 'poolW', 'strideH', 'strideW', 'outH', 'outW'].map(size);
/** Images are independent: a thread takes whole images (rows of the output named, and the same images of the inputs). */
const byImage = (of: string): Split => ({ kind: 'rows', over: 'm', of });
/**
 * Channels are independent: a thread takes whole columns (batch normalization's sums run down one
 * column, so every sum is the same whatever the split). The kernels take n as both the column count
 * and the row stride, as biasGrad does: a column split needs the caller to keep the full stride.
 */
const byChannel = (of: string): Split => ({ kind: 'columns', over: 'n', of });
const MN = ['m', 'n'] as const;
const N = ['n'] as const;
const CONV_CASES = imageCases(['kh', 'kw'], true);
const POOL_CASES = imageCases(['poolH', 'poolW'], false);

export const IMAGE_KERNELS = {
  im2col: {
    doc: [
      'Convolution columns: cols[n, oy, ox, ky, kx, ci] = x[n, oy·strideH − padTop + ky·dilationH, ox·strideW − padLeft + kx·dilationW, ci],',
      '0 outside the image; padTop/padLeft are TensorFlow\'s \'same\' padding when `same`, else 0 (assembly/conv.ts).',
    ].join('\n'),
    args: [f32('x', 'in', IMAGE), f32('cols', 'out', COLS), ...CONV_SIZES, flag('same')],
    returns: 'void',
    overlaps: [['cols', 'x', 'never']],
    split: byImage('cols'),
    tolerance: BITS,
    sizeCases: CONV_CASES,
  },
  col2im: {
    doc: 'The adjoint of im2col: dx (+)= the columns added back onto the pixels they were read from; without `accumulate` dx is zeroed first.',
    args: [f32('cols', 'in', COLS), f32('dx', 'inout', IMAGE), ...CONV_SIZES, flag('same'), flag('accumulate', true)],
    returns: 'void',
    overlaps: [['dx', 'cols', 'never']],
    split: byImage('dx'),
    tolerance: BITS,
    sizeCases: CONV_CASES,
  },
  maxPoolForward: {
    doc: [
      'Max pooling: y = the maximum over each window\'s taps inside the image; argmax = its index in its image,',
      '(iy·w + ix)·c + ci (first on ties; −1 for a window wholly outside the image, whose y is 0).',
    ].join('\n'),
    args: [f32('x', 'in', IMAGE), f32('y', 'out', POOLED), i32('argmax', 'out', POOLED, { note: 'one index per output, ' }), ...POOL_SIZES, flag('same')],
    returns: 'void',
    overlaps: [['y', 'x', 'never']],
    split: byImage('y'),
    tolerance: BITS,
    sizeCases: POOL_CASES,
  },
  maxPoolBackward: {
    doc: 'dx = 0, then dx[n, argmax[n, …]] += dy[n, …] in output order; indices outside the image are skipped.',
    args: [f32('dy', 'in', POOLED), i32('argmax', 'in', POOLED, { note: 'one index per output, ' }), f32('dx', 'out', IMAGE), ...['m', 'h', 'w', 'c', 'outH', 'outW'].map(size)],
    returns: 'void',
    overlaps: [['dx', 'dy', 'never']],
    split: byImage('dx'),
    tolerance: BITS,
    sizeCases: POOL_CASES.map(({ m, h, w, c, outH, outW }) => ({ m, h, w, c, outH, outW })),
  },
  avgPoolForward: {
    doc: 'Average pooling: y = the mean over each window\'s taps inside the image (0 for a window wholly outside).',
    args: [f32('x', 'in', IMAGE), f32('y', 'out', POOLED), ...POOL_SIZES, flag('same')],
    returns: 'void',
    overlaps: [['y', 'x', 'never']],
    split: byImage('y'),
    tolerance: BITS,
    sizeCases: POOL_CASES,
  },
  avgPoolBackward: {
    doc: 'dx = 0, then every tap inside the image of each window gets dy / (the window\'s taps inside the image).',
    args: [f32('dy', 'in', POOLED), f32('dx', 'out', IMAGE), ...POOL_SIZES, flag('same')],
    returns: 'void',
    overlaps: [['dx', 'dy', 'never']],
    split: byImage('dx'),
    tolerance: BITS,
    sizeCases: POOL_CASES,
  },

  batchNormStats: {
    doc: 'Batch statistics of each column of an m×n matrix (a channel): mean = Σx/m, variance = Σ(x − mean)²/m, summed in f64 in row order.',
    args: [f32('x', 'in', MN), f32('mean', 'out', N), f32('variance', 'out', N), size('m'), size('n')],
    returns: 'void',
    overlaps: [['mean', 'x', 'never'], ['variance', 'x', 'never'], ['mean', 'variance', 'never']],
    split: byChannel('x'),
    tolerance: BITS,
  },
  batchNormForward: {
    doc: [
      'Batch normalization of each column: y = (x − mean)·γ/√(variance + ε) + β (the coefficient formed in f64, rounded',
      'once); γ null means 1, β null means 0. With the batch\'s statistics in training, the moving ones at inference. y may be x.',
    ].join('\n'),
    args: [
      f32('x', 'in', MN), f32('mean', 'in', N), f32('variance', 'in', N, { sample: 'nonNegative' }),
      f32('gamma', 'in', N, { nullable: true }), f32('beta', 'in', N, { nullable: true }), f32('y', 'out', MN),
      size('m'), size('n'), scalar('epsilon', 1e-3),
    ],
    returns: 'void',
    overlaps: [['y', 'x', 'exact'], ...['mean', 'variance', 'gamma', 'beta'].map((b): Overlap => ['y', b, 'never'])],
    split: byChannel('y'),
    tolerance: BITS,
  },
  batchNormBackward: {
    doc: [
      'The gradients of batchNormForward: dx, and dgamma = Σ dy·x̂, dbeta = Σ dy per column (each skipped when null);',
      'sums in f64 in row order. `training`: mean and variance are the batch\'s own (batchNormStats of x), so dx has',
      'their terms; otherwise they are fixed (the moving ones) and dx = dy·γ/√(variance + ε). dx may be dy.',
    ].join('\n'),
    args: [
      f32('x', 'in', MN), f32('dy', 'in', MN), f32('mean', 'in', N), f32('variance', 'in', N, { sample: 'nonNegative' }),
      f32('gamma', 'in', N, { nullable: true }), f32('dx', 'out', MN),
      f32('dgamma', 'out', N, { nullable: true }), f32('dbeta', 'out', N, { nullable: true }), size('m'), size('n'), scalar('epsilon', 1e-3),
      flag('training'),
    ],
    returns: 'void',
    overlaps: [
      ['dx', 'dy', 'exact'], ['dx', 'x', 'never'],
      ...['mean', 'variance', 'gamma', 'dgamma', 'dbeta'].map((b): Overlap => ['dx', b, 'never']),
      ...['x', 'dy', 'mean', 'variance', 'gamma', 'dbeta'].map((b): Overlap => ['dgamma', b, 'never']),
      ...['x', 'dy', 'mean', 'variance', 'gamma'].map((b): Overlap => ['dbeta', b, 'never']),
    ],
    split: byChannel('dx'),
    tolerance: BITS,
  },
} satisfies Record<string, KernelSpec>;
