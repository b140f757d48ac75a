/**
 * Scalar float64 math of the activations, each function next to its derivative: the definitions the
 * pure-JS kernels (activation.ts) run element by element, and the float64 reference the tests
 * differentiate numerically. Inputs are the f32 values of a buffer; results are rounded to f32 only
 * when a kernel stores them.
 *
 * `d…(x, y, a)` is f′ at x, given y = f(x) (some derivatives are cheaper from y) and the activation's
 * parameter a (src/backend/contract.ts, ACTIVATIONS).
 */
import type { ActivationName } from '../contract.js';

/**
 * erfc(x) by the Chebyshev-fitted formula of Press et al., Numerical Recipes in C (2nd ed., §6.2,
 * `erfcc`), fractional error < 1.2e-7 for all x (measured ≤ 1.05e-7 against a series/continued-fraction
 * reference on [0, 9.5]): accurate to about 2 f32 ulps, and, unlike 1 − erf, relatively accurate in the
 * tail, which gelu(x) = ½x·erfc(−x/√2) needs for negative x. JavaScript has no Math.erf; the wasm
 * kernel (assembly/simd-math.ts, erfcv) evaluates the same formula in f32.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(p - z * z);
  return x >= 0 ? r : 2 - r;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const identity = (x: number): number => x;
export const dIdentity = (): number => 1;

/** Heaviside step with step(0) = 1 (x ≥ 0); its derivative is taken as 0 everywhere (src/backend/contract.ts). */
export const step = (x: number): number => (x >= 0 ? 1 : 0);
export const dStep = (): number => 0;

/** σ(a·x) = 1/(1 + e^(−a·x)); derivative a·y(1 − y). */
export const sigmoid = (x: number, a: number): number => 1 / (1 + Math.exp(-a * x));
export const dSigmoid = (_x: number, y: number, a: number): number => a * y * (1 - y);

export const tanh = (x: number): number => Math.tanh(x);
export const dTanh = (_x: number, y: number): number => 1 - y * y;

/** max(x, 0) (NaN stays NaN, as in the wasm kernel); relu′(0) = 0. */
export const relu = (x: number): number => Math.max(x, 0);
export const dRelu = (x: number): number => (x > 0 ? 1 : 0);

/** a = the negative slope. */
export const leakyRelu = (x: number, a: number): number => (x > 0 ? x : a * x);
export const dLeakyRelu = (x: number, _y: number, a: number): number => (x > 0 ? 1 : a);

/** a·(e^x − 1) for x ≤ 0; derivative a·e^x = y + a there. */
export const elu = (x: number, a: number): number => (x > 0 ? x : a * Math.expm1(x));
export const dElu = (x: number, y: number, a: number): number => (x > 0 ? 1 : y + a);

/** x·Φ(x), the exact (erf) form; derivative Φ(x) + x·φ(x). */
export const gelu = (x: number): number => 0.5 * x * erfc(-x * Math.SQRT1_2);
export const dGelu = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;

/** ln(1 + e^x) written so that it neither overflows nor takes log(0); derivative σ(x). */
export const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
export const dSoftplus = (x: number): number => 1 / (1 + Math.exp(-x));

/** x·σ(x); derivative σ(x)·(1 + x·(1 − σ(x))). */
export const silu = (x: number): number => x / (1 + Math.exp(-x));
export const dSilu = (x: number): number => {
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
};

export interface ActivationMath {
  /** y = f(x) with parameter a. */
  readonly f: (x: number, a: number) => number;
  /** f′(x), given y = f(x). */
  readonly df: (x: number, y: number, a: number) => number;
}

/** The functions above by activation name (for the tests and for anyone who needs f64 values). */
export const ACTIVATION_MATH: Readonly<Record<ActivationName, ActivationMath>> = {
  identity: { f: identity, df: dIdentity },
  step: { f: step, df: dStep },
  sigmoid: { f: sigmoid, df: dSigmoid },
  tanh: { f: tanh, df: dTanh },
  relu: { f: relu, df: dRelu },
  leakyRelu: { f: leakyRelu, df: dLeakyRelu },
  elu: { f: elu, df: dElu },
  gelu: { f: gelu, df: dGelu },
  softplus: { f: softplus, df: dSoftplus },
  silu: { f: silu, df: dSilu },
};
