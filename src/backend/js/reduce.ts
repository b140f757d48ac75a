/**
 * Pure-JS twin of assembly/reduce.ts. The sums accumulate in float64 (x² of an f32 is exact in f64),
 * which makes them the accurate reference the blockwise-f32 wasm sums are tested against. The
 * elementwise kernels round each operation to f32 (Math.fround, or the store into a Float32Array),
 * as wasm's f32x4 arithmetic does, so those agree with wasm bit for bit.
 */

export function sumSquares(x: Float32Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[i] * x[i];
  return s;
}

export function sumAbs(x: Float32Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.abs(x[i]);
  return s;
}

/** y += alpha·x: the product rounded to f32, then the sum (rounded by the store). */
export function axpy(y: Float32Array, x: Float32Array, len: number, alpha: number): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < len; i++) y[i] += Math.fround(a * x[i]);
}

/** y += alpha·sign(x), with sign(0) = sign(NaN) = 0. */
export function addSign(y: Float32Array, x: Float32Array, len: number, alpha: number): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < len; i++) {
    const v = x[i];
    // Adding 0 (rather than skipping) matches wasm even for y = −0 (−0 + 0 = +0).
    y[i] += v > 0 ? a : v < 0 ? -a : 0;
  }
}

export function scale(x: Float32Array, len: number, s: number): void {
  const f = Math.fround(s);
  for (let i = 0; i < len; i++) x[i] *= f;
}

export function mul(out: Float32Array, a: Float32Array, b: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) out[i] = a[i] * b[i];
}

/** The first index of the largest value in x[o..o+n); NaN never wins, a row of NaN gives 0. */
function rowArgmax(x: Float32Array, o: number, n: number): number {
  let best = -Infinity;
  let idx = -1;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    // `idx < 0 && v === best` lets a leading −Infinity win over "nothing found yet".
    if (v > best || (idx < 0 && v === best)) {
      best = v;
      idx = j;
    }
  }
  return idx < 0 ? 0 : idx;
}

export function argmaxRows(x: Float32Array, out: Int32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) out[i] = rowArgmax(x, i * n, n);
}

export function countCorrect(x: Float32Array, labels: Int32Array, m: number, n: number): number {
  let count = 0;
  for (let i = 0; i < m; i++) if (rowArgmax(x, i * n, n) === labels[i]) count++;
  return count;
}

export function firstNonFinite(x: Float32Array, len: number): number {
  for (let i = 0; i < len; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}
