/** The data of a search in host memory: read and checked once, split off a validation set, joined again for retrain(). */
import type { Backend } from '../backend/contract.js';
import { Rng } from '../math/random.js';
import { DeviceData, readTargets, countRows, type Features, type Targets } from '../model/data.js';
import type { Loss } from '../model/losses.js';
import type { Rows } from './types.js';

/**
 * Checks rows as fit() would (shape, labels or targets, finite inputs: the model's own checks, run on
 * the backend once) and keeps them in host memory in one layout, so they can be split and joined.
 */
export function readRows(where: string, data: unknown, inputSize: number, outputs: number, loss: Loss, backend: Backend): Rows {
  if (data === null || typeof data !== 'object' || !('x' in data) || !('y' in data)) {
    throw new TypeError(`simdnet tune: ${where} must be { x, y } or a Dataset, got ${String(data)}`);
  }
  const { x, y } = data as { x: Features; y: Targets };
  const label = `tune ${where}`;
  const n = countRows(label, x, inputSize);
  const targets = readTargets(label, y, n, outputs, loss);
  const set = DeviceData.create(backend, label, x, inputSize, targets, outputs);
  try {
    // A copy (not the caller's array), so retrain() trains on the rows the trials saw.
    return { x: set.x.data.slice(0, n * inputSize), y: loss.usesTargets ? targets.targets! : targets.classes, n };
  } finally {
    set.dispose();
  }
}

/** Rows `indices` of `rows`, in that order. */
function pick(rows: Rows, indices: Int32Array): Rows {
  const f = rows.x.length / rows.n, w = rows.y.length / rows.n;
  const x = new Float32Array(indices.length * f);
  const y = new (rows.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(indices.length * w);
  indices.forEach((r, k) => {
    x.set(rows.x.subarray(r * f, r * f + f), k * f);
    y.set(rows.y.subarray(r * w, r * w + w), k * w);
  });
  return { x, y, n: indices.length };
}

/** a's rows, then b's. */
export function join(a: Rows, b: Rows): Rows {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new (a.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { x, y, n: a.n + b.n };
}

/** Holds out round(n·fraction) rows chosen by a seeded shuffle; both parts keep the original order. */
export function splitRows(rows: Rows, fraction: number, seed: number): { train: Rows; validation: Rows } {
  const nVal = Math.round(rows.n * fraction);
  if (nVal < 1 || nVal > rows.n - 1) {
    throw new RangeError(`simdnet tune: validation.split ${fraction} of ${rows.n} rows leaves ${rows.n - nVal} for training and ${nVal} for validation; each needs at least one`);
  }
  const order = new Rng(seed).permutation(rows.n);
  return { validation: pick(rows, order.slice(0, nVal).sort()), train: pick(rows, order.slice(nVal).sort()) };
}
