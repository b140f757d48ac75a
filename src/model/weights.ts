/**
 * Reading and writing a network's weights from outside: as named tensors in Keras order, or as one
 * flat array in the layout of the parameter buffer. Every write is checked in full (count, shape,
 * finiteness) before any value is stored, so a refused write leaves the weights as they were.
 */
import type { Network, ParamEntry } from './network.js';
import { excerpt } from '../train/pieces.js';

/** One parameter tensor, in Keras order: per dense layer its kernel [in, out], then its bias [out]. */
export interface WeightTensor {
  /** 'dense_1/kernel', 'dense_1/bias', ... */
  readonly name: string;
  readonly shape: readonly number[];
  /** Row-major values (a copy). */
  readonly values: Float32Array;
}

/** A tensor given to setWeights(): its values, and optionally its shape (checked) and name (ignored). */
export interface WeightInput {
  readonly name?: string;
  readonly shape?: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Copies of every parameter tensor of `net`. */
export function readWeights(net: Network): WeightTensor[] {
  const values = net.params.data;
  return net.entries.map((e) => ({ name: e.name, shape: [...e.shape], values: values.slice(e.offset, e.offset + e.length) }));
}

function checkTensor(entry: ParamEntry, w: WeightInput, i: number): void {
  const where = `simdnet setWeights: weights[${i}] (${entry.name}, shape [${entry.shape.join(', ')}])`;
  if (w === null || typeof w !== 'object' || w.values === null || typeof w.values !== 'object') {
    throw new TypeError(`${where} must be { shape?, values }, got ${excerpt(w)}`);
  }
  if (w.shape !== undefined && (w.shape.length !== entry.shape.length || w.shape.some((d, j) => d !== entry.shape[j]))) {
    throw new RangeError(`${where} has shape [${w.shape.join(', ')}]`);
  }
  if (w.values.length !== entry.length) throw new RangeError(`${where} has ${w.values.length} values, expected ${entry.length}`);
  for (let j = 0; j < w.values.length; j++) {
    if (!Number.isFinite(w.values[j])) throw new RangeError(`${where}: values[${j}] is ${w.values[j]}; weights must be finite`);
  }
}

/** Sets every tensor of `net` from `weights` (in readWeights() order), after checking them all. */
export function writeWeights(net: Network, weights: readonly WeightInput[]): void {
  const entries = net.entries;
  if (!Array.isArray(weights) || weights.length !== entries.length) {
    throw new RangeError(`simdnet setWeights: expected ${entries.length} tensors (${entries.map((e) => e.name).join(', ')}), got ${Array.isArray(weights) ? weights.length : excerpt(weights)}`);
  }
  weights.forEach((w, i) => checkTensor(entries[i], w, i));
  net.weightsChanged();
  const values = net.params.data;
  weights.forEach((w, i) => values.set(w.values, entries[i].offset));
}

/** Sets the whole flat parameter buffer of `net` from `values`, after checking them. */
export function writeFlatWeights(net: Network, values: ArrayLike<number>): void {
  if (values === null || typeof values !== 'object' || values.length !== net.size) {
    throw new RangeError(`simdnet setFlatWeights: expected ${net.size} values (the model's parameter count), got ${values?.length ?? String(values)}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`simdnet setFlatWeights: values[${i}] is ${values[i]}; weights must be finite`);
  }
  net.weightsChanged();
  net.params.data.set(values);
}
