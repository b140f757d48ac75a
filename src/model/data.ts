/**
 * Data entering the model: validation of x and y (each error names the argument, the row or index and
 * what was expected), and their copy into backend memory.
 *
 * Data is copied to the backend ONCE (at fit/evaluate/predict entry); a training batch is then
 * gathered from that copy row by row (in JS: a row copy is a typed-array `set`), so nothing crosses
 * the JS/wasm boundary per element in the training loop.
 */
import type { Backend, F32Buffer, I32Buffer } from '../backend/contract.js';
import type { BatchTargets, Loss } from './losses.js';

/** Inputs: n rows of inputSize features, as one flat row-major Float32Array or an array of rows. */
export type Features = Float32Array | readonly (readonly number[])[];

/**
 * Targets, in either of two shapes:
 * - 1-D, one value per row (Int32Array, number[], or a Float32Array of length n): a class index in
 *   [0, outputs) when the model has several outputs, the target value itself when it has one;
 * - 2-D, one row of `outputs` values per sample (number[][], or a flat Float32Array of length
 *   n·outputs): one-hot rows for softmaxCrossEntropy (each row exactly one 1, the rest 0), targets in
 *   [0, 1] for sigmoidCrossEntropy, any finite values for meanSquaredError.
 */
export type Targets = Int32Array | Float32Array | readonly number[] | readonly (readonly number[])[];

/** y after validation, in host memory. */
export interface HostTargets {
  /** The true class of each row (the argmax of a target row, or target ≥ 0.5 for one output). */
  readonly classes: Int32Array;
  /** Float targets [n, outputs] for losses that read them, else null. */
  readonly targets: Float32Array | null;
}

function fail(where: string, message: string): never {
  throw new RangeError(`simdnet ${where}: ${message}`);
}

function isRows(v: unknown): v is readonly (readonly number[])[] {
  return Array.isArray(v) && (v.length === 0 || Array.isArray(v[0]));
}

/** The number of rows of x, after checking its shape against inputSize. */
export function countRows(where: string, x: Features, inputSize: number): number {
  if (x instanceof Float32Array) {
    if (x.length === 0) fail(where, 'x is empty');
    if (x.length % inputSize !== 0) {
      fail(where, `x has ${x.length} values, which is not a multiple of the model's inputSize ${inputSize} (x is n rows of ${inputSize} features, flattened)`);
    }
    return x.length / inputSize;
  }
  if (!isRows(x)) fail(where, `x must be a Float32Array (rows flattened) or an array of rows (number[][]), got ${describe(x)}`);
  if (x.length === 0) fail(where, 'x has no rows');
  x.forEach((row, i) => {
    if (!Array.isArray(row)) fail(where, `x[${i}] must be an array of ${inputSize} numbers, got ${describe(row)}`);
    if (row.length !== inputSize) fail(where, `x[${i}] has ${row.length} values, expected ${inputSize} (the model's inputSize)`);
  });
  return x.length;
}

/** A value's kind for an error message (its contents stay out: they are the user's data). */
function cellType(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<number>).length}`;
  return typeof v;
}

/** Checks y against n rows and the model's outputs and loss; returns classes and float targets. */
export function readTargets(where: string, y: Targets, n: number, outputs: number, loss: Loss): HostTargets {
  const classes = new Int32Array(n);
  const targets = loss.usesTargets ? new Float32Array(n * outputs) : null;
  const [lo, hi] = loss.targetRange;
  const rows = isRows(y);
  const flat = !rows && (y instanceof Int32Array || y instanceof Float32Array || Array.isArray(y));
  if (!rows && !flat) fail(where, `y must be labels (Int32Array or number[]) or targets (Float32Array or number[][]), got ${describe(y)}`);
  if (rows) {
    if (y.length !== n) fail(where, `y has ${y.length} rows but x has ${n}`);
    y.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== outputs) fail(where, `y[${i}] must be a row of ${outputs} values (the model's outputs), got ${describe(row)}`);
    });
  } else if (y.length !== n && !(y instanceof Float32Array && y.length === n * outputs)) {
    fail(where, `y has ${y.length} values but x has ${n} rows: give one label per row${outputs > 1 ? ` (or a Float32Array of ${n} × ${outputs} targets)` : ''}`);
  }
  const oneValuePerRow = !rows && y.length === n;
  if (oneValuePerRow && outputs > 1) {
    const labels = y as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (!Number.isInteger(c) || c < 0 || c >= outputs) {
        fail(where, `y[${i}] = ${String(c)} is not a class index: labels must be integers in [0, ${outputs - 1}] for a model with ${outputs} outputs`);
      }
      classes[i] = c;
      if (targets !== null) targets[i * outputs + c] = 1;
    }
    return { classes, targets };
  }
  // One target row per sample (for one output, 1-D y is exactly that).
  const value = rows ? (i: number, j: number) => y[i][j] : (i: number, j: number) => (y as ArrayLike<number>)[i * outputs + j];
  const at = (i: number, j: number) => (rows ? `y[${i}][${j}]` : outputs === 1 ? `y[${i}]` : `y[${i * outputs + j}] (row ${i}, column ${j})`);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let ones = 0;
    for (let j = 0; j < outputs; j++) {
      const t = value(i, j);
      if (typeof t !== 'number' || !Number.isFinite(t)) fail(where, `${at(i, j)} is ${String(t)}; targets must be finite numbers`);
      if (!loss.usesTargets) {
        if (t !== 0 && t !== 1) fail(where, `y row ${i} is not one-hot: ${at(i, j)} = ${t} (one-hot rows are all 0 except a single 1)`);
        ones += t;
      } else if (t < lo || t > hi) {
        fail(where, `${at(i, j)} = ${t} is outside [${lo}, ${hi}], the targets ${loss.name} accepts`);
      }
      if (t > value(i, best)) best = j;
      if (targets !== null) targets[i * outputs + j] = t;
    }
    if (!loss.usesTargets && ones !== 1) fail(where, `y row ${i} is not one-hot: it has ${ones} ones (one-hot rows are all 0 except a single 1)`);
    classes[i] = outputs > 1 ? best : value(i, 0) >= 0.5 ? 1 : 0;
  }
  return { classes, targets };
}

/**
 * Validated rows in backend ("device") memory: x [n, inputSize], and (when y was given) labels [n] and
 * targets [n, outputs]. Not the public Dataset of src/data (host arrays a user loads and splits).
 */
export class DeviceData {
  private constructor(
    readonly n: number,
    readonly inputSize: number,
    readonly outputs: number,
    readonly x: F32Buffer,
    readonly y: BatchTargets | null,
    private readonly owned: Array<F32Buffer | I32Buffer>,
    private readonly backend: Backend,
  ) {}

  /**
   * x (and y, unless null) checked against a model of `shape.inputSize` inputs and `shape.outputSize`
   * outputs (y read for `loss`) and copied into the model's backend memory; errors name `where`.
   */
  static of(shape: { readonly backend: Backend; readonly inputSize: number; readonly outputSize: number }, where: string, x: Features, y: Targets | null, loss: Loss | null): DeviceData {
    const n = countRows(where, x, shape.inputSize);
    if (y !== null && loss === null) throw new Error(`simdnet ${where}: internal: targets given without a loss to read them for`);
    const targets = y === null ? null : readTargets(where, y, n, shape.outputSize, loss!);
    return DeviceData.create(shape.backend, where, x, shape.inputSize, targets, shape.outputSize);
  }

  /**
   * Copies validated x (and y) into `backend` memory and scans x once for NaN/±Infinity
   * (firstNonFinite), naming the first bad row and column.
   */
  static create(backend: Backend, where: string, x: Features, inputSize: number, y: HostTargets | null, outputs: number): DeviceData {
    const n = countRows(where, x, inputSize);
    const owned: Array<F32Buffer | I32Buffer> = [];
    try {
      let xb: F32Buffer;
      if (x instanceof Float32Array) {
        xb = backend.f32(x);
        owned.push(xb);
      } else {
        xb = backend.f32(n * inputSize);
        owned.push(xb);
        const d = xb.data;
        for (let i = 0; i < n; i++) {
          const row = x[i];
          for (let j = 0; j < inputSize; j++) {
            const v: unknown = row[j];
            // A typed-array store would turn null, '', false, [] into 0 and '7' into 7 (and a BigInt throws):
            // refuse any non-number, naming its type only, never the data.
            if (typeof v !== 'number') fail(where, `x[${i}][${j}] is ${cellType(v)}, expected a number`);
            d[i * inputSize + j] = v;
          }
        }
      }
      const bad = backend.firstNonFinite(xb, n * inputSize);
      if (bad >= 0) {
        const row = Math.floor(bad / inputSize);
        const col = bad % inputSize;
        const shown = x instanceof Float32Array ? String(x[bad]) : String(x[row][col]);
        fail(where, `x row ${row}, column ${col} is ${shown}; inputs must be finite numbers`);
      }
      let targets: BatchTargets | null = null;
      if (y !== null) {
        if (y.classes.length !== n) throw new Error(`simdnet ${where}: internal: ${y.classes.length} labels for ${n} rows`);
        const labels = backend.i32(y.classes);
        owned.push(labels);
        const t = y.targets === null ? null : backend.f32(y.targets);
        if (t !== null) owned.push(t);
        targets = { labels, targets: t };
      }
      return new DeviceData(n, inputSize, outputs, xb, targets, owned, backend);
    } catch (e) {
      for (const b of owned) backend.free(b);
      throw e;
    }
  }

  /** Rows [start, start + count) as views (shares memory; disposing the slice frees nothing). */
  slice(start: number, count: number): DeviceData {
    const y = this.y === null ? null : {
      labels: this.y.labels.view(start, count),
      targets: this.y.targets === null ? null : this.y.targets.view(start * this.outputs, count * this.outputs),
    };
    return new DeviceData(count, this.inputSize, this.outputs, this.x.view(start * this.inputSize, count * this.inputSize), y, [], this.backend);
  }

  /** Frees the buffers this set owns (a slice owns none). */
  dispose(): void {
    for (const b of this.owned) this.backend.free(b);
    this.owned.length = 0;
  }
}

/** Writes row `from` of src into row `to` of dst (both flat [rows, inputSize]). */
export type RowCopier = (src: Float32Array, from: number, dst: Float32Array, to: number) => void;

/**
 * Buffers for one training batch of up to `capacity` rows, gathered from a DeviceData by row index.
 * Allocated once per fit() and reused for every batch.
 */
export class BatchBuffers {
  readonly x: F32Buffer;
  readonly labels: I32Buffer;
  readonly targets: F32Buffer | null;

  constructor(
    private readonly backend: Backend,
    readonly capacity: number,
    private readonly inputSize: number,
    private readonly outputs: number,
    withTargets: boolean,
  ) {
    this.x = backend.f32(capacity * inputSize);
    try {
      this.labels = backend.i32(capacity);
    } catch (e) {
      backend.free(this.x);
      throw e;
    }
    try {
      this.targets = withTargets ? backend.f32(capacity * outputs) : null;
    } catch (e) {
      backend.free(this.x);
      backend.free(this.labels);
      throw e;
    }
  }

  /**
   * Copies rows order[start .. start+count) of `from` into rows 0..count of this batch; `copyRow`,
   * when given, writes each x row instead (fit()'s augmentation: source row index, batch row index).
   */
  gather(from: DeviceData, order: Int32Array, start: number, count: number, copyRow?: RowCopier): BatchTargets {
    const y = from.y;
    if (y === null) throw new Error('simdnet fit: internal: gathering a batch from data without y');
    const f = this.inputSize;
    const o = this.outputs;
    // Typed arrays taken once: nothing allocates on the backend while they are in use.
    const xs = from.x.data, xd = this.x.data;
    const ls = y.labels.data, ld = this.labels.data;
    const ts = y.targets === null ? null : y.targets.data;
    const td = this.targets === null ? null : this.targets.data;
    for (let i = 0; i < count; i++) {
      const r = order[start + i];
      if (copyRow === undefined) xd.set(xs.subarray(r * f, r * f + f), i * f);
      else copyRow(xs, r, xd, i);
      ld[i] = ls[r];
      if (ts !== null && td !== null) td.set(ts.subarray(r * o, r * o + o), i * o);
    }
    return { labels: this.labels, targets: this.targets };
  }

  dispose(): void {
    this.backend.free(this.x);
    this.backend.free(this.labels);
    if (this.targets !== null) this.backend.free(this.targets);
  }
}
