/**
 * predict()'s path, made cheap enough for one row at a time (a digit drawn on a canvas, a sensor
 * reading): the input is checked and copied into backend memory in one pass, into a staging buffer
 * the model keeps (no allocation per call once it is large enough), the layers run on the arena the
 * model already has, and the predictions are copied straight into the caller's array. predictInto()
 * allocates nothing; predict() allocates only its result.
 */
import { uncheckedKernels } from '../backend/checked.js';
import type { Backend, F32Buffer } from '../backend/contract.js';
import type { Loss } from './losses.js';
import type { Network } from './network.js';

/**
 * What predict() accepts: rows flattened into one Float32Array, Float64Array or number[] (one row is
 * just inputSize values), or an array of rows (number[][]).
 */
export type PredictInput = Float32Array | Float64Array | readonly number[] | readonly (readonly number[])[];

function fail(where: string, message: string): never {
  throw new RangeError(`simdnet ${where}: ${message}`);
}

/** A value's kind for an error message (never its contents, which are the user's data). */
function kind(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `a ${typeof v}`;
}

const isRowArray = (x: PredictInput): x is readonly (readonly number[])[] => Array.isArray(x) && x.length > 0 && Array.isArray(x[0]);

/** The rows in x, after checking its shape against inputSize (values are checked as they are copied). */
export function predictRowCount(where: string, x: PredictInput, inputSize: number): number {
  if (isRowArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const row: unknown = x[i];
      if (!Array.isArray(row)) fail(where, `x[${i}] must be an array of ${inputSize} numbers, got ${kind(row)}`);
      if (row.length !== inputSize) fail(where, `x[${i}] has ${row.length} values, expected ${inputSize} (the model's inputSize)`);
    }
    return x.length;
  }
  if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) {
    fail(where, `x must be a Float32Array, Float64Array or number[] (rows flattened; one row is ${inputSize} values) or an array of rows (number[][]), got ${kind(x)}`);
  }
  if (x.length === 0) fail(where, Array.isArray(x) ? 'x has no rows' : 'x is empty');
  if (x.length % inputSize !== 0) {
    fail(where, `x has ${x.length} values, which is not a multiple of the model's inputSize ${inputSize} (x is n rows of ${inputSize} features, flattened)`);
  }
  return x.length / inputSize;
}

/**
 * The model's staging buffer for predict() inputs in backend memory: grown to the largest chunk seen,
 * then reused. Sequential owns it and frees it in dispose().
 */
export class PredictStage {
  private buffer: F32Buffer | null = null;
  private rows = 0;

  constructor(private readonly backend: Backend, private readonly inputSize: number) {}

  /**
   * Rows [start, start + m) of x, checked (numbers, finite) and copied in one pass; returns the
   * staging buffer. An error names the row and column, and the value only when it is not finite.
   */
  load(where: string, x: PredictInput, start: number, m: number): F32Buffer {
    if (this.buffer === null || this.rows < m) {
      this.free();
      this.buffer = this.backend.f32(m * this.inputSize);
      this.rows = m;
    }
    const d = this.buffer.data;
    const f = this.inputSize;
    if (isRowArray(x)) {
      for (let i = 0; i < m; i++) {
        const row = x[start + i];
        for (let j = 0; j < f; j++) d[i * f + j] = checkedValue(where, row[j], start + i, j, true);
      }
    } else if (Array.isArray(x)) {
      const base = start * f;
      for (let i = 0; i < m * f; i++) d[i] = checkedValue(where, x[base + i], start + Math.floor(i / f), i % f, false);
    } else {
      const t = x as Float32Array | Float64Array;
      const base = start * f;
      const len = m * f;
      if (base === 0 && t.length === len) {
        // The whole input in one chunk (one row, typically): a native copy (rounding a Float64Array
        // to f32), then one SIMD scan of the copy. A double too large for f32 is refused too (its
        // copy is ±Infinity), naming its value.
        d.set(t);
        const bad = uncheckedKernels(this.backend).firstNonFinite(this.buffer, len);
        if (bad >= 0) notFinite(where, t[bad], Math.floor(bad / f), bad % f);
      } else {
        for (let i = 0; i < len; i++) {
          d[i] = t[base + i];
          // Checked as stored (f32), as the scan above does: v − v is 0 for every finite number and
          // NaN for NaN and ±Infinity.
          const v = d[i];
          if (v - v !== 0) notFinite(where, t[base + i], start + Math.floor(i / f), i % f);
        }
      }
    }
    return this.buffer;
  }

  free(): void {
    if (this.buffer !== null) this.backend.free(this.buffer);
    this.buffer = null;
    this.rows = 0;
  }
}

function notFinite(where: string, v: number, row: number, col: number): never {
  fail(where, `x row ${row}, column ${col} is ${String(v)}; inputs must be finite numbers`);
}

/** A cell's kind for an error message, as data.ts names it (never its contents). */
function cellType(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** x's value at (row, col) (x[row][col] of an array of rows, else x[row·inputSize + col]), checked. */
function checkedValue(where: string, v: unknown, row: number, col: number, rows: boolean): number {
  // A typed-array store would turn null, '', false into 0 and '7' into 7: refuse any non-number.
  if (typeof v !== 'number') fail(where, `x${rows ? `[${row}][${col}]` : ` row ${row}, column ${col}`} is ${cellType(v)}, expected a number`);
  if (v - v !== 0) notFinite(where, v, row, col);
  return v;
}

/**
 * The model's predictions for every row of x into `out` [n, outputs], in chunks of `chunk` rows
 * (probabilities through the loss's prediction when a loss is given). Allocates nothing once the
 * stage and the arena are large enough.
 */
export function predictInto(net: Network, loss: Loss | null, stage: PredictStage, where: string, x: PredictInput, out: Float32Array, chunk: number): void {
  const n = predictRowCount(where, x, net.inputSize);
  const width = net.outputSize;
  if (!(out instanceof Float32Array)) fail(where, `out must be a Float32Array of ${n * width} values (${n} rows × ${width} outputs), got ${kind(out)}`);
  if (out.length !== n * width) fail(where, `out has ${out.length} values, expected ${n * width} (${n} rows × ${width} outputs)`);
  const rows = Math.min(chunk, n);
  const arena = net.arenaFor(rows);
  for (let start = 0; start < n; start += rows) {
    const m = Math.min(rows, n - start);
    const input = stage.load(where, x, start, m);
    const o = net.forward(arena, input, m, false);
    const p = loss === null ? o : loss.predictions(uncheckedKernels(net.backend), o, arena.predictions, m, width);
    // Read the view after the passes: a memory.grow during them would have replaced it.
    const src = p.data;
    const at = start * width;
    for (let i = 0; i < m * width; i++) out[at + i] = src[i];
  }
}

/** A flat [n, width] result as n rows of width numbers. */
export function toRows(flat: Float32Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let at = 0; at < flat.length; at += width) rows.push(Array.from(flat.subarray(at, at + width)));
  return rows;
}
