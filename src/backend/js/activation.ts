/**
 * Pure-JS twin of assembly/activation.ts. `act` is the index in ACTIVATIONS (src/backend/activations.ts); each
 * case is its own loop calling one scalar function from math.ts (a monomorphic call V8 inlines),
 * computed in float64 and rounded to f32 by the store. `alpha` is an f32 on the wasm side, so it is
 * rounded the same way here and both backends use the same parameter.
 */
import { ACTIVATIONS, type ActivationName } from '../contract.js';
import { biasAdd } from './bias.js';
import {
  dElu, dGelu, dLeakyRelu, dRelu, dSigmoid, dSilu, dSoftplus, dTanh,
  elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, step, tanh,
} from './math.js';

function nameOf(act: number): ActivationName {
  const name = ACTIVATIONS[act];
  if (name === undefined) throw new RangeError(`simdnet: no activation has id ${act}; ids are 0..${ACTIVATIONS.length - 1}`);
  return name;
}

/** y = f(x) elementwise; y may be x. */
export function activationForward(act: number, x: Float32Array, y: Float32Array, len: number, alpha: number): void {
  const a = Math.fround(alpha);
  const name = nameOf(act);
  switch (name) {
    case 'identity': if (y !== x) y.set(x.subarray(0, len)); return;
    case 'step': for (let i = 0; i < len; i++) y[i] = step(x[i]); return;
    case 'sigmoid': for (let i = 0; i < len; i++) y[i] = sigmoid(x[i], a); return;
    case 'tanh': for (let i = 0; i < len; i++) y[i] = tanh(x[i]); return;
    case 'relu': for (let i = 0; i < len; i++) y[i] = relu(x[i]); return;
    case 'leakyRelu': for (let i = 0; i < len; i++) y[i] = leakyRelu(x[i], a); return;
    case 'elu': for (let i = 0; i < len; i++) y[i] = elu(x[i], a); return;
    case 'gelu': for (let i = 0; i < len; i++) y[i] = gelu(x[i]); return;
    case 'softplus': for (let i = 0; i < len; i++) y[i] = softplus(x[i]); return;
    case 'silu': for (let i = 0; i < len; i++) y[i] = silu(x[i]); return;
    default: throw new RangeError(`simdnet: activation '${name satisfies never}' has no js kernel`);
  }
}

/** dx = dy ⊙ f′(x), using x or y = f(x); dx may be dy. */
export function activationBackward(
  act: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, len: number, alpha: number,
): void {
  const a = Math.fround(alpha);
  const name = nameOf(act);
  switch (name) {
    case 'identity': if (dx !== dy) dx.set(dy.subarray(0, len)); return;
    case 'step': dx.fill(0, 0, len); return;
    case 'sigmoid': for (let i = 0; i < len; i++) dx[i] = dy[i] * dSigmoid(x[i], y[i], a); return;
    case 'tanh': for (let i = 0; i < len; i++) dx[i] = dy[i] * dTanh(x[i], y[i]); return;
    case 'relu': for (let i = 0; i < len; i++) dx[i] = dy[i] * dRelu(x[i]); return;
    case 'leakyRelu': for (let i = 0; i < len; i++) dx[i] = dy[i] * dLeakyRelu(x[i], y[i], a); return;
    case 'elu': for (let i = 0; i < len; i++) dx[i] = dy[i] * dElu(x[i], y[i], a); return;
    case 'gelu': for (let i = 0; i < len; i++) dx[i] = dy[i] * dGelu(x[i]); return;
    case 'softplus': for (let i = 0; i < len; i++) dx[i] = dy[i] * dSoftplus(x[i]); return;
    case 'silu': for (let i = 0; i < len; i++) dx[i] = dy[i] * dSilu(x[i]); return;
    default: throw new RangeError(`simdnet: activation '${name satisfies never}' has no js kernel`);
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
