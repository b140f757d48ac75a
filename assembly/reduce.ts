// Reductions and small elementwise kernels (src/backend/contract.ts, Kernels: sumSquares … firstNonFinite).
// Each runs f32x4 vectors over the whole of its buffers, then the last len % 4 elements through the
// same vector code (tail.ts). Pointers are byte addresses; buffers need not be 16-byte aligned
// (views start anywhere), and v128.load/store accept any address.
import { tailLoad, tailStore } from './tail';

/**
 * Elements summed in f32 before the partial sum is added into the f64 total. Within a block each of
 * the 4 accumulators × 4 lanes sums BLOCK/16 = 64 terms, so the f32 rounding error stays that of a
 * 64-term sum (≤ ~66·2⁻²⁴ ≈ 4e-6 relative in the worst case, ~1e-7 typically) whatever the length;
 * a single f32 accumulator over 400k parameters would lose ~3 digits. The f64 adds cost one
 * horizontal sum per 1024 elements.
 */
const BLOCK: i32 = 1024;

// @ts-ignore: decorator
@inline function term(v: v128, squares: bool): v128 {
  return squares ? f32x4.mul(v, v) : f32x4.abs(v);
}

// @ts-ignore: decorator
@inline function lanesToF64(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1))
    + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

/** Σ x² (squares) or Σ |x|, blockwise: f32x4 accumulators within a block, f64 across blocks. */
// @ts-ignore: decorator
@inline function sumOf(x: usize, len: i32, squares: bool): f64 {
  let total: f64 = 0;
  const whole = len & ~3;
  let i = 0;
  while (i < whole) {
    const end = min(i + BLOCK, whole);
    let a0 = f32x4.splat(0);
    let a1 = a0, a2 = a0, a3 = a0;
    // Four independent accumulators hide the add latency.
    for (; i + 16 <= end; i += 16) {
      const p = x + (<usize>i << 2);
      a0 = f32x4.add(a0, term(v128.load(p), squares));
      a1 = f32x4.add(a1, term(v128.load(p, 16), squares));
      a2 = f32x4.add(a2, term(v128.load(p, 32), squares));
      a3 = f32x4.add(a3, term(v128.load(p, 48), squares));
    }
    for (; i < end; i += 4) a0 = f32x4.add(a0, term(v128.load(x + (<usize>i << 2)), squares));
    total += lanesToF64(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  const rem = len & 3;
  if (rem) total += lanesToF64(term(tailLoad(x + (<usize>whole << 2), rem), squares));
  return total;
}

export function sumSquares(x: usize, len: i32): f64 {
  return sumOf(x, len, true);
}

export function sumAbs(x: usize, len: i32): f64 {
  return sumOf(x, len, false);
}

/** y += alpha·x (mul then add, each rounded to f32: there is no fma outside relaxed SIMD). */
export function axpy(y: usize, x: usize, len: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(y + o, f32x4.add(tailLoad(y + o, rem), f32x4.mul(a, tailLoad(x + o, rem))), rem);
  }
}

/** alpha·sign(x) with sign(0) = sign(NaN) = 0: alpha where x > 0, −alpha where x < 0, else 0. */
// @ts-ignore: decorator
@inline function signStep(x: v128, pos: v128, neg: v128): v128 {
  const zero = f32x4.splat(0);
  return v128.or(v128.and(f32x4.gt(x, zero), pos), v128.and(f32x4.lt(x, zero), neg));
}

/** y += alpha·sign(x). */
export function addSign(y: usize, x: usize, len: i32, alpha: f32): void {
  const pos = f32x4.splat(alpha);
  const neg = f32x4.splat(-alpha);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), signStep(v128.load(x + o), pos, neg)));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(y + o, f32x4.add(tailLoad(y + o, rem), signStep(tailLoad(x + o, rem), pos, neg)), rem);
  }
}

/** x *= s. */
export function scale(x: usize, len: i32, s: f32): void {
  const sv = f32x4.splat(s);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), sv));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(x + o, f32x4.mul(tailLoad(x + o, rem), sv), rem);
  }
}

/** out = a ⊙ b; out may be a or b (each vector is loaded before it is stored). */
export function mul(out: usize, a: usize, b: usize, len: i32): void {
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(out + o, f32x4.mul(tailLoad(a + o, rem), tailLoad(b + o, rem)), rem);
  }
}

/**
 * The first index of the largest value of the n floats at p. NaN never wins (every comparison with
 * it is false); a row that is all NaN gives 0. Two passes: the maximum (f32x4.pmax, then the tail),
 * then the first position equal to it (an f32x4.eq bitmask per vector), which gives "first on ties"
 * without tracking indices per lane. Rows are short (n = classes), both passes stay in L1.
 */
// @ts-ignore: decorator
@inline function rowArgmax(p: usize, n: i32): i32 {
  // pmax(a, b) = a < b ? b : a keeps a when b is NaN, so NaN never enters the running maximum.
  let best = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) best = f32x4.pmax(best, v128.load(p + (<usize>j << 2)));
  best = f32x4.pmax(best, f32x4.shuffle(best, best, 2, 3, 0, 1));
  best = f32x4.pmax(best, f32x4.shuffle(best, best, 1, 0, 3, 2));
  let m = f32x4.extract_lane(best, 0);
  for (; j < n; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    if (m < v) m = v;
  }
  const mv = f32x4.splat(m);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const hit = i32x4.bitmask(f32x4.eq(v128.load(p + (<usize>j << 2)), mv));
    if (hit) return j + ctz(hit);
  }
  for (; j < n; j++) {
    if (load<f32>(p + (<usize>j << 2)) == m) return j;
  }
  return 0;
}

/** out[i] = argmax_j x[i, j] for an m×n row-major matrix. */
export function argmaxRows(x: usize, out: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    store<i32>(out + (<usize>i << 2), rowArgmax(x + <usize>i * rowBytes, n));
  }
}

/** The number of rows i with argmax_j x[i, j] = labels[i]. */
export function countCorrect(x: usize, labels: usize, m: i32, n: i32): i32 {
  const rowBytes = <usize>n << 2;
  let count = 0;
  for (let i = 0; i < m; i++) {
    if (rowArgmax(x + <usize>i * rowBytes, n) == load<i32>(labels + (<usize>i << 2))) count++;
  }
  return count;
}

/** Lanes holding NaN or ±Infinity: x − x is 0 for every finite x and NaN otherwise (NaN ≠ 0). */
// @ts-ignore: decorator
@inline function nonFinite(v: v128): v128 {
  return f32x4.ne(f32x4.sub(v, v), f32x4.splat(0));
}

/** Index of the first NaN or ±Infinity in x[0..len), or −1. */
export function firstNonFinite(x: usize, len: i32): i32 {
  let i = 0;
  // Scan 16 at a time with one any_true per 4 vectors (the common case: nothing found).
  for (; i + 16 <= len; i += 16) {
    const p = x + (<usize>i << 2);
    const bad = v128.or(
      v128.or(nonFinite(v128.load(p)), nonFinite(v128.load(p, 16))),
      v128.or(nonFinite(v128.load(p, 32)), nonFinite(v128.load(p, 48))),
    );
    if (v128.any_true(bad)) break;
  }
  // Find the lane: vector by vector from where the scan stopped, then the zero-padded tail.
  const whole = len & ~3;
  for (; i < whole; i += 4) {
    const hit = i32x4.bitmask(nonFinite(v128.load(x + (<usize>i << 2))));
    if (hit) return i + ctz(hit);
  }
  const rem = len & 3;
  if (rem) {
    const hit = i32x4.bitmask(nonFinite(tailLoad(x + (<usize>whole << 2), rem)));
    if (hit) return whole + ctz(hit);
  }
  return -1;
}
