/**
 * One gradient check for every layer type, activation, loss and regularizer: the library's public
 * gradientCheck() (src/model/gradient-check.ts: central differences against computeGradients, with
 * kink detection; its file comment derives the tolerances) run on the wasm and the js backend, with
 * a failure naming the backend, the case and the worst element, and a check that the model's
 * buffers are all freed.
 */
import { expect } from 'vitest';
import { gradientCheck, type GradientCheckReport, type Sequential, type Targets } from '../../src/index.js';
import { backends, randomArray } from './helpers.js';
import type { ReadyBackend } from '../../src/backend/init.js';

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
  /** fit()'s classWeight, for the weighted loss. @default null */
  readonly classWeight?: Readonly<Record<number, number>> | null;
}

function describeFailures(r: GradientCheckReport): string {
  return r.failures.map((f) => `∂loss/∂${f.where}: analytic ${f.analytic}, central difference ${f.numeric} (relative error ${f.relativeError.toExponential(2)})`).join('; ');
}

/** Runs the check on the wasm and the js backend; fails naming the backend, the case and the elements. */
export async function gradcheck(c: GradcheckCase): Promise<{ checked: number; skipped: number }> {
  const total = { checked: 0, skipped: 0 };
  const { wasm, js } = await backends();
  for (const backend of [wasm, js]) {
    const before = backend.liveBuffers;
    const model = c.build(backend);
    try {
      const r = gradientCheck(model, c.x, c.y, { training: c.training, h: c.h, atol: c.atol, rtol: c.rtol, classWeight: c.classWeight });
      expect(r.passed, `${backend.name} ${c.label}: ${describeFailures(r)}`).toBe(true);
      expect(r.skipped, `${backend.name} ${c.label}: ${r.skipped} of ${r.checked + r.skipped} elements sit on a kink`)
        .toBeLessThanOrEqual((r.checked + r.skipped) / 4);
      total.checked += r.checked;
      total.skipped += r.skipped;
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
