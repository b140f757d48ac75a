/**
 * Pure-JS twin of assembly/activation.ts. `act` is the wasm id, the row of the activation in
 * ACTIVATION_TABLE (src/backend/activations.ts), whose scalar f and f′ these loops apply element by
 * element: in float64 rounded to f32 by the store, or in the f32 steps a row spells out. `alpha` is an
 * f32 on the wasm side, so it is rounded the same way here and both backends use the same parameter.
 */
import { activationById } from '../activations.js';
import { biasAdd } from './bias.js';

/** y = f(x) elementwise; y may be x. */
export function activationForward(act: number, x: Float32Array, y: Float32Array, len: number, alpha: number): void {
  const a = Math.fround(alpha);
  const { f } = activationById(act);
  for (let i = 0; i < len; i++) y[i] = f(x[i], a);
}

/** dx = dy ⊙ f′(x), using x or y = f(x); dx may be dy (or x, or y). */
export function activationBackward(
  act: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, len: number, alpha: number,
): void {
  const a = Math.fround(alpha);
  const { df } = activationById(act);
  for (let i = 0; i < len; i++) {
    // A zero derivative gives +0 whatever dy is (not −0 for a negative dy, nor NaN for a non-finite
    // one), as the wasm kernels' masks and selects do.
    const d = df(x[i], y[i], a);
    dx[i] = d === 0 ? 0 : dy[i] * d;
  }
}

/**
 * z[i, j] += bias[j] (bias may be null), then y = f(z); y may be z. Two passes here (biasAdd, then
 * activationForward over the m·n elements); the wasm kernel fuses them.
 */
export function biasActivation(
  act: number, z: Float32Array, bias: Float32Array | null, y: Float32Array, m: number, n: number, alpha: number,
): void {
  if (bias !== null) biasAdd(z, bias, m, n);
  activationForward(act, z, y, m * n, alpha);
}
