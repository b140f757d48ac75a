/**
 * Weight penalties added to the data loss, as in Keras: l2 is α·Σw², l1 is α·Σ|w|, l1l2 their sum.
 * Each is computed by the reduction kernels (sumSquares, sumAbs) and its gradient is added in place
 * by axpy (2α·w) and addSign (α·sign(w)).
 *
 * How l2 relates to weight decay: the l2 gradient 2α·w is added to the data gradient ("coupled"), so
 * it flows through momentum and Adam's scaling. PyTorch's `weight_decay=λ` on SGD and Adam adds λ·w to
 * the gradient: it is l2 with α = λ/2. The optimizers' `weightDecay` option is decoupled instead
 * (w −= lr·λ·w outside the adaptive update, as AdamW): the same as l2 with α = λ/2 for plain SGD,
 * different with momentum or Adam.
 */
import type { Backend, F32Buffer } from '../backend/contract.js';
import type { PieceConfig, Regularizer } from './types.js';
import { OptionReader, Registry } from './pieces.js';

/** The one regularizer: l1·Σ|w| + l2·Σw²; l1(), l2() and l1l2() are its presets. */
function penaltyOf(config: PieceConfig, l1: number, l2: number): Regularizer {
  return Object.freeze({
    config: Object.freeze(config),
    penalty(backend: Backend, w: F32Buffer, len: number): number {
      // A zero coefficient skips its kernel: a zero penalty costs nothing.
      return (l1 !== 0 ? l1 * backend.sumAbs(w, len) : 0) + (l2 !== 0 ? l2 * backend.sumSquares(w, len) : 0);
    },
    addGradient(backend: Backend, w: F32Buffer, g: F32Buffer, len: number): void {
      if (l1 !== 0) backend.addSign(g, w, len, l1);
      if (l2 !== 0) backend.axpy(g, w, len, 2 * l2);
    },
  });
}

const COEFFICIENT = { min: 0 } as const;

/**
 * The L2 penalty α·Σw², gradient 2α·w (Keras' l2). PyTorch's coupled weight_decay λ is α = λ/2.
 * @param alpha α ≥ 0. @default 0.01 (Keras)
 */
export function l2(alpha = 0.01): Regularizer {
  const a = new OptionReader('l2', { alpha }, ['alpha']).number('alpha', undefined, COEFFICIENT);
  return penaltyOf({ name: 'l2', alpha: a }, 0, a);
}

/**
 * The L1 penalty α·Σ|w|, gradient α·sign(w) with sign(0) = 0 (Keras' l1). Drives weights to exactly 0.
 * @param alpha α ≥ 0. @default 0.01 (Keras)
 */
export function l1(alpha = 0.01): Regularizer {
  const a = new OptionReader('l1', { alpha }, ['alpha']).number('alpha', undefined, COEFFICIENT);
  return penaltyOf({ name: 'l1', alpha: a }, a, 0);
}

/** Options of l1l2(). */
export interface L1L2Options {
  /**
   * Coefficient of Σ|w|.
   * @default 0
   */
  l1?: number;
  /**
   * Coefficient of Σw².
   * @default 0
   */
  l2?: number;
}

/** l1·Σ|w| + l2·Σw² (Keras' L1L2; unset coefficients are 0, so `l1l2({ l1 })` is l1 alone). */
export function l1l2(options: L1L2Options = {}): Regularizer {
  const r = new OptionReader('l1l2', options, ['l1', 'l2']);
  const c = { name: 'l1l2', l1: r.number('l1', 0, COEFFICIENT), l2: r.number('l2', 0, COEFFICIENT) };
  return penaltyOf(c, c.l1, c.l2);
}

/** Reads a one-coefficient config { name, alpha? } and builds it. */
function single(name: string, make: (alpha?: number) => Regularizer) {
  return (o: object) => make(new OptionReader(name, o, ['alpha']).raw('alpha') as number | undefined);
}

const REGULARIZERS = new Registry<Regularizer>('regularizer', {
  l1: single('l1', l1),
  l2: single('l2', l2),
  l1l2: l1l2,
}, (name) => (name === 'l1_l2' ? 'l1l2' : name)); // Keras' spelling

/** The names regularizerFromConfig() knows. */
export const REGULARIZER_NAMES: readonly string[] = REGULARIZERS.names;

/** Rebuilds a regularizer from its config: { name: 'l2', alpha }, { name: 'l1l2', l1, l2 }; a bare name takes the defaults. */
export function regularizerFromConfig(config: PieceConfig): Regularizer {
  return REGULARIZERS.fromConfig(config);
}
