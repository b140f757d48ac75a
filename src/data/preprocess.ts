/**
 * Preprocessing on Datasets: scaling, standardization fitted on the training split only, one-hot
 * targets, seeded splits and row selection. Every function returns new arrays and leaves its inputs
 * unchanged, so one loaded data set can feed several experiments.
 */
import { Rng } from '../math/random.js';
import { withRows, type Dataset } from './dataset.js';

/**
 * 256 float32 values b/max: a byte→float conversion is one table load (the MNIST / CIFAR hot path),
 * and every reader rounds b/max the same way.
 */
export function byteTable(max: number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) t[b] = b / max;
  return t;
}

/**
 * Returns x / max as a Float32Array (pixels 0..255 → [0, 1] with the default). One pass; for bytes it
 * goes through a 256-entry table, so full MNIST (47 M pixels) converts in tens of milliseconds.
 * @param max the value that maps to 1; must be positive. @default 255
 */
export function scaleToUnit(x: ArrayLike<number>, max = 255): Float32Array {
  if (!(max > 0) || !Number.isFinite(max)) throw new RangeError(`simdnet scaleToUnit: max must be a positive finite number, got ${max}`);
  const n = x.length;
  const out = new Float32Array(n);
  if (x instanceof Uint8Array || x instanceof Uint8ClampedArray) {
    const table = byteTable(max);
    for (let i = 0; i < n; i++) out[i] = table[x[i]];
  } else {
    for (let i = 0; i < n; i++) out[i] = x[i] / max;
  }
  return out;
}

/** Per-feature mean and standard deviation, as fitted by fitStandardization. */
export interface Standardization {
  /** Mean of each feature; 0 for a constant feature (see fitStandardization). */
  readonly mean: Float32Array;
  /** Population standard deviation of each feature; 1 for a constant feature. */
  readonly std: Float32Array;
}

/**
 * Fits the per-feature mean and (population) standard deviation of `ds`, in float64 with two passes
 * (mean, then squared deviations) so a constant feature gets exactly 0. A feature with zero standard
 * deviation (e.g. MNIST's always-black border pixels) is stored as mean 0, std 1: applying the
 * statistics leaves it unchanged instead of dividing by zero.
 */
export function fitStandardization(ds: Dataset): Standardization {
  const { x, n, features } = ds;
  if (n === 0) throw new RangeError('simdnet fitStandardization: the data set has no rows');
  const sum = new Float64Array(features);
  for (let i = 0; i < n; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) sum[j] += x[row + j];
  }
  for (let j = 0; j < features; j++) sum[j] /= n;
  const sq = new Float64Array(features);
  for (let i = 0; i < n; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      const d = x[row + j] - sum[j];
      sq[j] += d * d;
    }
  }
  const mean = new Float32Array(features);
  const std = new Float32Array(features);
  for (let j = 0; j < features; j++) {
    const s = Math.sqrt(sq[j] / n);
    const constant = s === 0;
    mean[j] = constant ? 0 : sum[j];
    std[j] = constant ? 1 : s;
  }
  return { mean, std };
}

/** Returns a copy of `ds` with each feature mapped to (x − mean) / std. */
export function applyStandardization(ds: Dataset, stats: Standardization): Dataset {
  const { x, n, features } = ds;
  if (stats.mean.length !== features || stats.std.length !== features) {
    throw new RangeError(`simdnet applyStandardization: stats are for ${stats.mean.length} features, the data set has ${features}`);
  }
  const inv = new Float32Array(features);
  for (let j = 0; j < features; j++) inv[j] = 1 / stats.std[j];
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) out[row + j] = (x[row + j] - stats.mean[j]) * inv[j];
  }
  return withRows(ds, out, ds.y.slice());
}

/** What standardize() returns. */
export interface Standardized {
  /** The per-feature mean and standard deviation, from the training rows only. */
  stats: Standardization;
  /** The training rows, standardized. */
  train: Dataset;
  /** The other sets, standardized with the training statistics, in the order given. */
  others: Dataset[];
}

/**
 * Standardizes `train` and every other split with the mean and std of `train` ONLY (so no information
 * from validation or test data leaks into training). Constant features are left unchanged (see
 * fitStandardization). Returns the statistics (to apply to later data) and the new data sets.
 */
export function standardize(train: Dataset, ...others: Dataset[]): Standardized {
  for (const [i, o] of others.entries()) {
    if (o.features !== train.features) throw new RangeError(`simdnet standardize: others[${i}] has ${o.features} features, train has ${train.features}`);
  }
  const stats = fitStandardization(train);
  return { stats, train: applyStandardization(train, stats), others: others.map((o) => applyStandardization(o, stats)) };
}

/** One-hot rows [n, classes] as a Float32Array: row i has 1 at column labels[i], 0 elsewhere. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`simdnet oneHot: classes must be a positive integer, got ${classes}`);
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`simdnet oneHot: labels[${i}] = ${c} is outside 0..${classes - 1}`);
    out[i * classes + c] = 1;
  }
  return out;
}

/** Copies the rows `indices` (in that order; repeats allowed) into a new Dataset. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const { features } = ds;
  const m = indices.length;
  const x = new Float32Array(m * features);
  const y = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`simdnet subset: indices[${k}] = ${i} is outside 0..${ds.n - 1}`);
    x.set(ds.x.subarray(i * features, (i + 1) * features), k * features);
    y[k] = ds.y[i];
  }
  return withRows(ds, x, y);
}

/** A copy of the first `n` rows (all of them when the data set is smaller). */
export function take(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`simdnet take: n must be a non-negative integer, got ${n}`);
  const m = Math.min(n, ds.n);
  return withRows(ds, ds.x.slice(0, m * ds.features), ds.y.slice(0, m));
}

/** Options of trainValTestSplit. */
export interface SplitOptions {
  /** Fraction of rows for validation, in [0, 1). @default 0.1 */
  val?: number;
  /** Fraction of rows for test, in [0, 1); val + test must be < 1. @default 0.1 */
  test?: number;
  /** Seed of the shuffle that picks the rows. @default 0 */
  seed?: number;
  /**
   * Split each class separately, so every split has (up to rounding) the class proportions of the
   * whole. @default false
   */
  stratify?: boolean;
}

/** What trainValTestSplit() returns: the three parts. */
export interface DataSplit {
  /** The rows left for training. */
  train: Dataset;
  /** The validation rows (options.val of them). */
  val: Dataset;
  /** The test rows (options.test of them). */
  test: Dataset;
}

/**
 * Splits `ds` into disjoint train / validation / test sets that together hold every row once. The
 * rows are chosen by a seeded shuffle; within each split they keep their original order. Sizes are
 * round(n·val) and round(n·test) (per class when stratified), train gets the rest.
 */
export function trainValTestSplit(ds: Dataset, options: SplitOptions = {}): DataSplit {
  const { val = 0.1, test = 0.1, seed = 0, stratify = false } = options;
  for (const [key, v] of [['val', val], ['test', test]] as const) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`simdnet trainValTestSplit: ${key} must be a fraction in [0, 1), got ${v}`);
  }
  if (!(val + test < 1)) throw new RangeError(`simdnet trainValTestSplit: val + test must be < 1, got ${val} + ${test}`);
  const rng = new Rng(seed);
  // Groups of row indices to split proportionally: one per class when stratified, else all rows.
  const groups: number[][] = stratify ? Array.from({ length: ds.classes }, () => []) : [[]];
  for (let i = 0; i < ds.n; i++) groups[stratify ? ds.y[i] : 0].push(i);
  const parts: number[][] = [[], [], []];
  for (const group of groups) {
    rng.shuffle(group);
    const nTest = Math.round(group.length * test);
    const nVal = Math.round(group.length * val);
    // A loop, not push(...slice): spreading 60 000 arguments can overflow the call stack.
    for (let k = 0; k < group.length; k++) parts[k < nTest ? 2 : k < nTest + nVal ? 1 : 0].push(group[k]);
  }
  const [trainRows, valRows, testRows] = parts.map((p) => Int32Array.from(p).sort());
  return { train: subset(ds, trainRows), val: subset(ds, valRows), test: subset(ds, testRows) };
}
