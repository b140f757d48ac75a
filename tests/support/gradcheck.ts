/**
 * One gradient check for every layer type, activation, loss and regularizer: the analytic gradient of
 * a compiled model's loss (model.computeGradients: the same forward/backward fit() runs) with respect
 * to every parameter and every input, against central differences of the loss, on both backends.
 *
 * Tolerance. The forward pass is float32, so the difference quotient is limited two ways:
 * - roundoff: the loss is a float32 sum with relative error ~ a few ε32 (ε32 ≈ 6e-8); divided by 2h
 *   with h = 1e-2 that is ~1e-5·|L|, so an absolute term atol = 1e-3 covers losses up to ~50;
 * - truncation: the central difference errs by h²/6·|L'''| ≈ 2e-5·|L'''|, covered by rtol = 1e-2 for
 *   gradients whose third derivative is within ~500× their size (sigmoid slopes up to ~5).
 * A bug (a missing term, a wrong transpose, a wrong scale) shows up as an error of the order of the
 * gradient itself, far above both.
 *
 * Kinks. Some activations are not differentiable at a few inputs (relu, leakyRelu, step and elu with
 * α ≠ 1 at 0; the activation table lists each one's kinks), nor is l1 at w = 0: if a perturbation of
 * ±h moves a pre-activation across a kink, the central difference measures a jump, not the
 * derivative. The helper detects exactly that (it compares on which side of each kink every kinked
 * activation's input lies, read from the model's arena, with the unperturbed one) and skips those
 * elements; a check fails if more than a quarter of the elements had to be skipped.
 */
import { expect } from 'vitest';
import type { F32Buffer } from '../../src/backend/contract.js';
import { ActivationLayer, Dense, Dropout, type Sequential, type Targets } from '../../src/index.js';
import type { Layer } from '../../src/model/layers.js';
import { backends, randomArray } from './helpers.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { activationKinks } from '../../src/backend/activations.js';

export interface GradcheckCase {
  /** Names the case in failure messages. */
  readonly label: string;
  /** A compiled model on `backend` (the same seed on both backends). */
  build(backend: ReadyBackend): Sequential;
  /** Inputs [n, inputSize] (rows flattened). */
  readonly x: Float32Array;
  readonly y: Targets;
  /** Check in training mode (dropout on, with the same masks for every evaluation). @default false */
  readonly training?: boolean;
  /** @default 1e-2 */
  readonly h?: number;
  /** @default 1e-3 */
  readonly atol?: number;
  /** @default 1e-2 */
  readonly rtol?: number;
}


/** Element i of a layer's forward output, as a buffer: where the next layer reads its input. */
function outputOf(layers: readonly Layer[], i: number, scratch: readonly Record<string, F32Buffer>[], x: F32Buffer | null, training: boolean): F32Buffer | null {
  if (i < 0) return x;
  const l = layers[i];
  const s = scratch[i];
  if (l instanceof Dense) return s.y ?? s.z;
  if (l instanceof ActivationLayer) return l.activation.name === 'identity' ? outputOf(layers, i - 1, scratch, x, training) : s.y;
  if (l instanceof Dropout) return training && l.rate > 0 ? s.y : outputOf(layers, i - 1, scratch, x, training);
  return null;
}

/** For every kinked activation's input over the first n rows (after a forward pass), and each of its kinks k: input > k. */
function kinkSigns(model: Sequential, n: number, training: boolean, x: Float32Array): Uint8Array {
  const net = model.network;
  const arena = net.arenaFor(n);
  const parts: { values: ArrayLike<number>; kinks: readonly number[] }[] = [];
  net.layers.forEach((l, i) => {
    if (l instanceof Dense) {
      const kinks = activationKinks(l.activation.name, l.activation.alpha);
      if (kinks.length > 0) parts.push({ values: arena.scratch[i].z.data.subarray(0, n * l.outputSize), kinks });
    } else if (l instanceof ActivationLayer) {
      const kinks = activationKinks(l.activation.name, l.activation.alpha);
      if (kinks.length === 0) return;
      const input = outputOf(net.layers, i - 1, arena.scratch, null, training);
      parts.push({ values: input === null ? x : input.data.subarray(0, n * l.inputSize), kinks });
    }
  });
  const total = parts.reduce((s, p) => s + p.values.length * p.kinks.length, 0);
  const signs = new Uint8Array(total);
  let k = 0;
  for (const { values, kinks } of parts) {
    for (const at of kinks) for (let j = 0; j < values.length; j++) signs[k++] = values[j] > at ? 1 : 0;
  }
  return signs;
}

function sameSigns(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The loss at the model's current weights, with the dropout stream reset so masks repeat. */
function lossAt(model: Sequential, x: Float32Array, y: Targets, training: boolean, stream: number): number {
  model.dropoutStream = stream;
  return model.computeGradients(x, y, { training }).loss;
}

interface Tally {
  checked: number;
  skipped: number;
}

function compare(label: string, analytic: number, numeric: number, atol: number, rtol: number): void {
  const err = Math.abs(analytic - numeric);
  if (!(err <= atol + rtol * Math.abs(numeric))) {
    expect.fail(`${label}: analytic ${analytic}, central difference ${numeric} (|diff| ${err.toExponential(2)} > atol ${atol} + rtol ${rtol}·|numeric|)`);
  }
}

/**
 * The central difference of the loss in one coordinate (set by `put`), or null when ±h crosses a kink.
 * The denominator is the f32 step actually taken, not 2h.
 */
function difference(
  model: Sequential, c: GradcheckCase, n: number, stream: number, base: Uint8Array, hasL1: boolean,
  value: number, put: (v: number) => void, x: () => Float32Array,
): number | null {
  const h = c.h ?? 1e-2;
  const training = c.training ?? false;
  const plus = Math.fround(value + h);
  const minus = Math.fround(value - h);
  if (hasL1 && Math.sign(plus) !== Math.sign(minus)) return null;
  put(plus);
  const fPlus = lossAt(model, x(), c.y, training, stream);
  const signsPlus = kinkSigns(model, n, training, x());
  put(minus);
  const fMinus = lossAt(model, x(), c.y, training, stream);
  const signsMinus = kinkSigns(model, n, training, x());
  put(value);
  if (!sameSigns(base, signsPlus) || !sameSigns(base, signsMinus)) return null;
  return (fPlus - fMinus) / (plus - minus);
}

/** Runs the check on the wasm and the js backend; fails naming the backend, the case and the element. */
export async function gradcheck(c: GradcheckCase): Promise<{ checked: number; skipped: number }> {
  const total: Tally = { checked: 0, skipped: 0 };
  const { wasm, js } = await backends();
  for (const backend of [wasm, js]) {
    const before = backend.liveBuffers;
    const model = c.build(backend);
    try {
      const training = c.training ?? false;
      const atol = c.atol ?? 1e-3;
      const rtol = c.rtol ?? 1e-2;
      const n = c.x.length / model.inputSize;
      const hasL1 = model.layers.some((l) => l instanceof Dense &&
        [l.kernelRegularizer, l.biasRegularizer].some((r) => r !== null && ((r.config.l1 as number) > 0 || r.config.name === 'l1')));
      const stream = model.dropoutStream;
      const g = model.computeGradients(c.x, c.y, { training, inputGradients: true });
      const base = kinkSigns(model, n, training, c.x);
      const tally: Tally = { checked: 0, skipped: 0 };
      const weights = model.getFlatWeights();
      const names = model.getWeights().flatMap((w) => Array.from(w.values, (_, j) => `${w.name}[${j}]`));
      for (let i = 0; i < weights.length; i++) {
        const d = difference(model, c, n, stream, base, hasL1, weights[i], (v) => {
          weights[i] = v;
          model.setFlatWeights(weights);
        }, () => c.x);
        if (d === null) tally.skipped++;
        else {
          tally.checked++;
          compare(`${backend.name} ${c.label}: ∂loss/∂${names[i]}`, g.gradients[i], d, atol, rtol);
        }
      }
      const x = Float32Array.from(c.x);
      for (let i = 0; i < x.length; i++) {
        const d = difference(model, c, n, stream, base, false, x[i], (v) => (x[i] = v), () => x);
        if (d === null) tally.skipped++;
        else {
          tally.checked++;
          compare(`${backend.name} ${c.label}: ∂loss/∂x[${Math.floor(i / model.inputSize)}][${i % model.inputSize}]`, g.inputGradients![i], d, atol, rtol);
        }
      }
      expect(tally.skipped, `${backend.name} ${c.label}: ${tally.skipped} of ${tally.checked + tally.skipped} elements sit on a kink`)
        .toBeLessThanOrEqual((tally.checked + tally.skipped) / 4);
      total.checked += tally.checked;
      total.skipped += tally.skipped;
    } finally {
      model.dispose();
    }
    expect(backend.liveBuffers, `${backend.name} ${c.label}: buffers left after dispose()`).toBe(before);
  }
  return total;
}

/** n rows of `features` inputs in [−1, 1), from `seed`. */
export function inputs(n: number, features: number, seed: number): Float32Array {
  return randomArray(n * features, seed);
}
