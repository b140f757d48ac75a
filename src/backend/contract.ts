/**
 * The backend contract: one set of kernels with one signature, two implementations.
 *
 * - `wasm`: AssemblyScript kernels compiled to WebAssembly SIMD (assembly/), buffers live in the
 *   module's linear memory and kernels receive their byte addresses.
 * - `js`: the pure-JavaScript twins (src/backend/js/), buffers are plain typed arrays. They are the
 *   test oracle for the wasm kernels and the baseline that "WASM vs pure JS" benchmarks compare against.
 *
 * Every call goes through `checked()` (checked.ts) first, so sizes, buffer lengths, aliasing and
 * label ranges are validated once, in one place, for both implementations: a kernel never sees an
 * argument that could make it read or write out of bounds.
 */

import type { Allocator, BackendName, F32Buffer, I32Buffer } from '../../bindings/buffers.js';

export type { Allocator, BackendName, F32Buffer, I32Buffer };
import type { ActivationName } from './activations.js';

export { ACTIVATIONS, ACTIVATION_DEFAULT_ALPHA, type ActivationName } from './activations.js';

/**
 * Matrix-multiply layouts, all row-major, none materialising a transpose:
 * - `NN`: C[m,n] = A[m,k] · B[k,n]               (dense forward: H = X·W)
 * - `TN`: C[m,n] = Aᵀ · B,  A stored as [k,m]     (weight gradient: ∂L/∂W = Xᵀ·Δ)
 * - `NT`: C[m,n] = A · Bᵀ,  B stored as [n,k]     (input gradient: ∂L/∂X = Δ·Wᵀ)
 */
export type MatmulLayout = 'NN' | 'TN' | 'NT';
export const MATMUL_LAYOUTS: readonly MatmulLayout[] = ['NN', 'TN', 'NT'];

/**
 * The kernels. Sizes are element counts (positive integers); buffers may be longer than the part
 * a call uses. Unless a method says otherwise, outputs must not overlap inputs.
 */
export interface Kernels {
  /** C (+)= op(A)·op(B); see MatmulLayout. `accumulate` adds into C instead of overwriting it. */
  matmul(layout: MatmulLayout, a: F32Buffer, b: F32Buffer, c: F32Buffer, m: number, k: number, n: number, accumulate?: boolean): void;

  /** x[i,j] += bias[j] for an m×n matrix. */
  biasAdd(x: F32Buffer, bias: F32Buffer, m: number, n: number): void;
  /** db[j] (+)= Σ_i dy[i,j]: the bias gradient (column sums). */
  biasGrad(dy: F32Buffer, db: F32Buffer, m: number, n: number, accumulate?: boolean): void;

  /** y = f(x), elementwise; y may be x (in place). */
  activationForward(act: ActivationName, x: F32Buffer, y: F32Buffer, len: number, alpha?: number): void;
  /**
   * dx = dy ⊙ f'(x), where y = f(x) was the forward output (kernels use whichever of x, y is cheaper).
   * dx may be any of x, y, dy exactly (in place). The step function's derivative is 0 everywhere (its true derivative
   * almost everywhere), so no gradient flows through a step activation.
   */
  activationBackward(act: ActivationName, x: F32Buffer, y: F32Buffer, dy: F32Buffer, dx: F32Buffer, len: number, alpha?: number): void;
  /**
   * Fused dense epilogue on an m×n matrix: z[i,j] += bias[j] (skipped when bias is null), then
   * y = f(z). z keeps the pre-activation for the backward pass; y may be z (then z is overwritten).
   */
  biasActivation(act: ActivationName, z: F32Buffer, bias: F32Buffer | null, y: F32Buffer, m: number, n: number, alpha?: number): void;

  /** Row-wise numerically stable softmax of an m×n matrix; y may be x. */
  softmax(x: F32Buffer, y: F32Buffer, m: number, n: number): void;
  /**
   * Softmax cross-entropy from logits and integer labels in [0, n). Returns the summed loss
   * Σ_i −log p_i[label_i] (computed with log-sum-exp: finite for any finite logits).
   * When given, probs receives the softmax and grad receives (Ŷ − Y*)·gradScale (gradScale = 1/N for a mean).
   */
  softmaxCrossEntropy(logits: F32Buffer, labels: I32Buffer, probs: F32Buffer | null, grad: F32Buffer | null, m: number, n: number, gradScale: number): number;
  /**
   * Sigmoid binary cross-entropy from logits z and targets t in [0,1]. Returns Σ [max(z,0) − z·t + log(1+e^(−|z|))];
   * grad (when given) = (σ(z) − t)·gradScale.
   */
  sigmoidCrossEntropy(logits: F32Buffer, targets: F32Buffer, grad: F32Buffer | null, len: number, gradScale: number): number;
  /** Returns Σ (p − t)²; grad (when given) = 2(p − t)·gradScale. */
  meanSquaredError(pred: F32Buffer, targets: F32Buffer, grad: F32Buffer | null, len: number, gradScale: number): number;

  /** Σ x² (for ‖∇‖² and the L2 penalty). */
  sumSquares(x: F32Buffer, len: number): number;
  /** Σ |x| (the L1 penalty). */
  sumAbs(x: F32Buffer, len: number): number;
  /** y += alpha·x (the L2 gradient 2αw is axpy with alpha = 2α). y may be x. */
  axpy(y: F32Buffer, x: F32Buffer, len: number, alpha: number): void;
  /** y += alpha·sign(x) (the L1 gradient); sign(0) = 0. */
  addSign(y: F32Buffer, x: F32Buffer, len: number, alpha: number): void;
  /** x *= s (gradient clipping by norm). */
  scale(x: F32Buffer, len: number, s: number): void;
  /** out = a ⊙ b elementwise (dropout forward and backward); out may be a or b. */
  mul(out: F32Buffer, a: F32Buffer, b: F32Buffer, len: number): void;
  /** out[i] = argmax_j x[i,j] (first index on ties). */
  argmaxRows(x: F32Buffer, out: I32Buffer, m: number, n: number): void;
  /** Number of rows whose argmax equals the label (accuracy = count/m; 0/1 loss = 1 − accuracy). */
  countCorrect(x: F32Buffer, labels: I32Buffer, m: number, n: number): number;
  /** Index of the first NaN or ±Infinity in x[0..len), or −1. */
  firstNonFinite(x: F32Buffer, len: number): number;
  /**
   * Inverted-dropout mask: mask[i] = 1/(1−rate) with probability 1−rate, else 0. Counter-based
   * (a hash of seed, stream and i), so wasm and js give the same mask, bit for bit.
   */
  dropoutMask(mask: F32Buffer, len: number, rate: number, seed: number, stream: number): void;

  /**
   * Optimizer updates: single passes over flat parameter (w), gradient (g) and state buffers.
   * `weightDecay` is decoupled (as in AdamW): w −= lr·weightDecay·w, then the update.
   */
  sgdStep(w: F32Buffer, g: F32Buffer, len: number, lr: number, weightDecay: number): void;
  /** PyTorch convention: v = μ·v + g; w −= lr·v, or with Nesterov w −= lr·(g + μ·v). */
  momentumStep(w: F32Buffer, g: F32Buffer, v: F32Buffer, len: number, lr: number, momentum: number, nesterov: boolean, weightDecay: number): void;
  /** Adam / AdamW with bias correction; `step` is the 1-based update count. */
  adamStep(w: F32Buffer, g: F32Buffer, m: F32Buffer, v: F32Buffer, len: number, lr: number, beta1: number, beta2: number, eps: number, step: number, weightDecay: number): void;
  /** s = ρ·s + (1−ρ)·g²; w −= lr·g/(√s + eps). */
  rmspropStep(w: F32Buffer, g: F32Buffer, s: F32Buffer, len: number, lr: number, rho: number, eps: number, weightDecay: number): void;
  /** s += g²; w −= lr·g/(√s + eps). */
  adagradStep(w: F32Buffer, g: F32Buffer, s: F32Buffer, len: number, lr: number, eps: number, weightDecay: number): void;
}

export interface Backend extends Kernels, Allocator {
  readonly name: BackendName;
}
