// The skinny matmul: C (+)= op(A)·op(B) without packing, for the shapes where packing does not pay.
// With one row (a predict of one example, an online-SGD step) the packed path (matmul.ts) copies the
// whole of B into panels on every call, as much memory traffic as the multiply itself. Here B is read
// where it lies:
//
//   NN, TN (B stored [k,n]): B(p, j..j+3) is one vector of row p of B; each C row's tile keeps its
//     accumulators in registers down one k slice and streams the rows of B.
//   NT (B stored [n,k]): row j of the stored B is column j of op(B), contiguous in k. Four such rows
//     at 4 k steps are 4 vector loads, transposed in registers into B(p..p+3, j..j+3), so nothing is
//     written to memory.
//
// Same bits as the packed path. Each C element is summed exactly as the packed micro-kernel sums it:
// over the same k slices (kSliceStep, matmul-slices.ts), within a slice one product at a time in
// order of k starting from +0 (mul, then add: no fma), and the slice total added to C (or stored,
// for the first slice when not accumulating). A lane of an f32x4 op and a scalar f32 op round the
// same way, so the vector tiles and the scalar tails agree too. tests/kernels/matmul-skinny.test.ts
// checks the bits against the packed path in every layout.

import { madd } from './madd';
import { kSliceStep } from './matmul-slices';

export const LAYOUT_NN: i32 = 0;
export const LAYOUT_TN: i32 = 1;
export const LAYOUT_NT: i32 = 2;

// The crossover, measured on this project's 2-core machine while it was shared (load average 8, so
// absolute times are several times a quiet machine's; ratios are what counts): skinny and packed
// side by side, alternating, medians of 31 runs; times in µs, packed/skinny in brackets.
//   NN 784×128 (m×784 · 784×128):  m = 1: 13.5 (3.1×)  2: 26.6 (1.6×)  4: 29.7 (1.2×)  8: 58 (1.1×)
//                                  12: 93 (1.01×)  16: 110 (1.03×)  20: 147 (0.94×)  32: 240 (0.92×)
//   NN 512×512:                    m = 1: 3.9×  4: 1.7×  8: 1.2×  16: 1.01×  20: 0.95×  32: 0.94×
//   NT 128×784 and 512×512:        m = 1: 1.8× and 1.7×;  2: 0.90× and 0.85×;  4: 0.8×;  16: 0.6×
//     (each row transposes B's vectors again; packing transposes once for all rows)
//   TN 784×k · k×128 (∂W of a batch of k): k = 1: 1.4×  8: 1.16×  16: 1.13×  24: 1.08×  32: 1.05×
//
// A C row on its own (m = 1, and the m mod 4 rows after the 4-row groups) with n ≥ STREAM_MIN_N is
// summed by rowStream, which reads B in whole rows; below, by 1×16 tiles, which read a 64-byte strip
// of every row of B. Measured (issue 12: both in one process, alternating, medians of 40 × 200
// calls, each order run, the geometric mean of the two ratios; shared machine), 1×k·k×n, stream/tiles:
//   784×64: 1.15   784×128: 0.95   784×256: 0.73   512×512: 0.47 (60.7 → 28.2 µs)   784×512: 0.45
//   128×10, 512×10 (n < 16: both take the 4-column tail): 1.03, 0.95
// A 1×32 tile (8 accumulators) was in between: 784×128 1.09, 784×64 1.46, 512×512 0.57, 784×512 0.53.

/** The largest m (NN) the skinny path takes. */
export const SKINNY_MAX_NN: i32 = 16;
/** The largest m (NT) the skinny path takes: one row only (see above). */
export const SKINNY_MAX_NT: i32 = 1;
/** The largest k (TN: the batch of a weight gradient xᵀ·Δ) the skinny path takes. */
export const SKINNY_MAX_TN_K: i32 = 16;

/** True when matmul() should take the skinny path for this shape. */
// @ts-ignore: decorator
@inline
export function skinnyPays(layout: i32, m: i32, k: i32): bool {
  if (layout == LAYOUT_TN) return k <= SKINNY_MAX_TN_K;
  return m <= (layout == LAYOUT_NT ? SKINNY_MAX_NT : SKINNY_MAX_NN);
}

// @ts-ignore: decorator
@inline
function min32(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** The slice total `acc` into C at `c`: stored, or added to what C holds. */
// @ts-ignore: decorator
@inline
function putVec(c: usize, acc: v128, addC: bool): void {
  v128.store(c, addC ? f32x4.add(acc, v128.load(c)) : acc);
}

// @ts-ignore: decorator
@inline
function putScalar(c: usize, acc: f32, addC: bool): void {
  store<f32>(c, addC ? load<f32>(c) + acc : acc);
}

/** C[m,n] (+)= op(A)·op(B) unpacked, for any shape (fastest for the skinny ones: see the crossovers above). */
export function matmulSkinny(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool): void {
  matmulSkinnyStrided(layout, a, b, c, m, k, n, accumulate, m, finiteB);
}

/** Rows [start, start + count) of matmulSkinny's C: one thread's share (as matmulRows in matmul.ts). */
export function matmulSkinnyRows(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool, start: i32, count: i32): void {
  const aOffset = layout == LAYOUT_TN ? start : start * k;
  matmulSkinnyStrided(layout, a + (<usize>aOffset << 2), b, c + (<usize>(start * n) << 2), count, k, n, accumulate, m, finiteB);
}

/**
 * matmulSkinny where A stored [k, ·] (TN) has rows `ldaTN` elements long (≥ m): a block of columns of a
 * wider A, which is how matmulRows (matmul.ts) hands a thread its rows of C. NN and NT ignore it.
 * `finiteB` (B is all finite): the NN rows summed by rowStream skip the k steps where A is ±0.
 */
export function matmulSkinnyStrided(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, ldaTN: i32, finiteB: bool): void {
  // A(i, p) = a[i·aRs + p·aCs] (elements).
  const aRs = layout == LAYOUT_TN ? 1 : k;
  const aCs = layout == LAYOUT_TN ? ldaTN : 1;
  const step = kSliceStep(k);
  // NN only: the one-row forward product (a TN product of this path is a weight gradient, over a batch k ≤ 16).
  const skipZeros = finiteB && layout == LAYOUT_NN && !ASC_FEATURE_RELAXED_SIMD;
  for (let pc = 0; pc < k; pc += step) {
    const kc = min32(step, k - pc);
    const addC = accumulate || pc > 0;
    if (layout == LAYOUT_NT) sliceNT(a, b, c, m, k, n, pc, kc, addC);
    else sliceRowsOfB(a, aRs, aCs, b, c, m, n, pc, kc, addC, skipZeros);
  }
}

/**
 * One k slice [pc, pc + kc) of NN or TN: C rows in groups of 4 × 8 columns (8 accumulators, as the
 * packed micro-kernel), the rest of the rows one at a time × 16 columns (a whole cache line of B per
 * k step); then 4-column vectors, then single columns.
 */
function sliceRowsOfB(a: usize, aRs: i32, aCs: i32, b: usize, c: usize, m: i32, n: i32, pc: i32, kc: i32, addC: bool, skipZeros: bool): void {
  const ldb = <usize>n << 2;
  const ldc = <usize>n << 2;
  const aStep = <usize>aCs << 2;
  const rowStep = <usize>aRs << 2;
  const b0 = b + <usize>pc * ldb;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const ar = a + (<usize>(i * aRs + pc * aCs) << 2);
    const cr = c + <usize>i * ldc;
    let j = 0;
    for (; j + 8 <= n; j += 8) tile4x8(kc, ar, rowStep, aStep, b0 + (<usize>j << 2), ldb, cr + (<usize>j << 2), ldc, addC);
    for (let r = 0; r < 4; r++) rowTail(kc, ar + <usize>r * rowStep, aStep, b0, ldb, cr + <usize>r * ldc, j, n, addC);
  }
  for (; i < m; i++) {
    const ar = a + (<usize>(i * aRs + pc * aCs) << 2);
    const cr = c + <usize>i * ldc;
    let j = 0;
    if (n >= STREAM_MIN_N) {
      j = n & ~3;
      rowStream(kc, ar, aStep, b0, ldb, cr, j, addC, skipZeros);
    }
    for (; j + 16 <= n; j += 16) tile1x16(kc, ar, aStep, b0 + (<usize>j << 2), ldb, cr + (<usize>j << 2), addC);
    rowTail(kc, ar, aStep, b0, ldb, cr, j, n, addC);
  }
}

/** 4 rows × 8 columns of C over kc steps; A(r, p) at ar + r·rowStep + p·aStep, B(p, ·) at b + p·ldb. */
// @ts-ignore: decorator
@inline
function tile4x8(kc: i32, ar: usize, rowStep: usize, aStep: usize, b: usize, ldb: usize, c: usize, ldc: usize, addC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = ar;
  const a1 = rowStep, a2 = rowStep << 1, a3 = rowStep * <usize>3;
  for (let p = 0; p < kc; p++) {
    const x0 = v128.load(b);
    const x1 = v128.load(b, 16);
    let s = v128.load32_splat(a0);
    c00 = madd(s, x0, c00);
    c01 = madd(s, x1, c01);
    s = v128.load32_splat(a0 + a1);
    c10 = madd(s, x0, c10);
    c11 = madd(s, x1, c11);
    s = v128.load32_splat(a0 + a2);
    c20 = madd(s, x0, c20);
    c21 = madd(s, x1, c21);
    s = v128.load32_splat(a0 + a3);
    c30 = madd(s, x0, c30);
    c31 = madd(s, x1, c31);
    a0 += aStep;
    b += ldb;
  }
  putVec(c, c00, addC); putVec(c + 16, c01, addC);
  putVec(c + ldc, c10, addC); putVec(c + ldc + 16, c11, addC);
  putVec(c + 2 * ldc, c20, addC); putVec(c + 2 * ldc + 16, c21, addC);
  putVec(c + 3 * ldc, c30, addC); putVec(c + 3 * ldc + 16, c31, addC);
}

/** 1 row × 16 columns of C over kc steps. */
// @ts-ignore: decorator
@inline
function tile1x16(kc: i32, ar: usize, aStep: usize, b: usize, ldb: usize, c: usize, addC: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const s = v128.load32_splat(ar);
    c0 = madd(s, v128.load(b), c0);
    c1 = madd(s, v128.load(b, 16), c1);
    c2 = madd(s, v128.load(b, 32), c2);
    c3 = madd(s, v128.load(b, 48), c3);
    ar += aStep;
    b += ldb;
  }
  putVec(c, c0, addC); putVec(c + 16, c1, addC); putVec(c + 32, c2, addC); putVec(c + 48, c3, addC);
}

/** Columns [j0, n) of one C row: 4-column vectors, then single columns. */
function rowTail(kc: i32, ar: usize, aStep: usize, b0: usize, ldb: usize, cr: usize, j0: i32, n: i32, addC: bool): void {
  let j = j0;
  for (; j + 4 <= n; j += 4) {
    let acc = f32x4.splat(0);
    let ap = ar;
    let bp = b0 + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      acc = madd(v128.load32_splat(ap), v128.load(bp), acc);
      ap += aStep;
      bp += ldb;
    }
    putVec(cr + (<usize>j << 2), acc, addC);
  }
  for (; j < n; j++) {
    let acc: f32 = 0;
    let ap = ar;
    let bp = b0 + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      acc += load<f32>(ap) * load<f32>(bp);
      ap += aStep;
      bp += ldb;
    }
    putScalar(cr + (<usize>j << 2), acc, addC);
  }
}

/**
 * One k slice [pc, pc + kc) of NT (A stored [m,k], B stored [n,k]): C in tiles of up to 4 rows × 4
 * columns; 4 k steps at a time, the 4 B rows' vectors are transposed in registers; the last kc mod 4
 * steps and the last n mod 4 columns are scalar.
 */
function sliceNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, pc: i32, kc: i32, addC: bool): void {
  const ldc = <usize>n << 2;
  const lda = <usize>k << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) sliceNTRows(a + <usize>i * lda + (<usize>pc << 2), lda, b, c + <usize>i * ldc, k, n, pc, kc, addC, 4);
  for (; i < m; i++) sliceNTRows(a + <usize>i * lda + (<usize>pc << 2), lda, b, c + <usize>i * ldc, k, n, pc, kc, addC, 1);
}

/**
 * `rows` (4 or 1, a constant after inlining) rows of C, starting at A row `ar` (already at k = pc)
 * and C row `cr`, for one NT slice.
 */
// @ts-ignore: decorator
@inline
function sliceNTRows(ar: usize, lda: usize, b: usize, cr: usize, k: i32, n: i32, pc: i32, kc: i32, addC: bool, rows: i32): void {
  const ldb = <usize>k << 2;
  const ldc = <usize>n << 2;
  const kc4 = kc & ~3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const bj = b + <usize>j * ldb + (<usize>pc << 2);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let p = 0;
    for (; p < kc4; p += 4) {
      const o = <usize>p << 2;
      // x0..x3: B(pc+p .. pc+p+3, j+q) for q = 0..3; transposed to t0..t3 = B(pc+p+s, j..j+3).
      const x0 = v128.load(bj + o), x1 = v128.load(bj + ldb + o), x2 = v128.load(bj + 2 * ldb + o), x3 = v128.load(bj + 3 * ldb + o);
      const u0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const u1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const u2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const u3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const t0 = v128.shuffle<f32>(u0, u1, 0, 1, 4, 5);
      const t1 = v128.shuffle<f32>(u0, u1, 2, 3, 6, 7);
      const t2 = v128.shuffle<f32>(u2, u3, 0, 1, 4, 5);
      const t3 = v128.shuffle<f32>(u2, u3, 2, 3, 6, 7);
      c0 = ntStep(c0, ar + o, t0, t1, t2, t3);
      if (rows > 1) {
        c1 = ntStep(c1, ar + lda + o, t0, t1, t2, t3);
        c2 = ntStep(c2, ar + 2 * lda + o, t0, t1, t2, t3);
        c3 = ntStep(c3, ar + 3 * lda + o, t0, t1, t2, t3);
      }
    }
    for (; p < kc; p++) {
      const o = <usize>p << 2;
      let t = f32x4.splat(load<f32>(bj + o));
      t = f32x4.replace_lane(t, 1, load<f32>(bj + ldb + o));
      t = f32x4.replace_lane(t, 2, load<f32>(bj + 2 * ldb + o));
      t = f32x4.replace_lane(t, 3, load<f32>(bj + 3 * ldb + o));
      c0 = madd(v128.load32_splat(ar + o), t, c0);
      if (rows > 1) {
        c1 = madd(v128.load32_splat(ar + lda + o), t, c1);
        c2 = madd(v128.load32_splat(ar + 2 * lda + o), t, c2);
        c3 = madd(v128.load32_splat(ar + 3 * lda + o), t, c3);
      }
    }
    const cj = cr + (<usize>j << 2);
    putVec(cj, c0, addC);
    if (rows > 1) {
      putVec(cj + ldc, c1, addC);
      putVec(cj + 2 * ldc, c2, addC);
      putVec(cj + 3 * ldc, c3, addC);
    }
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * ldb + (<usize>pc << 2);
    for (let r = 0; r < rows; r++) {
      const ap = ar + <usize>r * lda;
      let acc: f32 = 0;
      for (let p = 0; p < kc; p++) acc += load<f32>(ap + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
      putScalar(cr + <usize>r * ldc + (<usize>j << 2), acc, addC);
    }
  }
}

/** acc + A(p)·t0 + A(p+1)·t1 + A(p+2)·t2 + A(p+3)·t3, one product at a time, A's 4 values at `ap`. */
// @ts-ignore: decorator
@inline
function ntStep(acc: v128, ap: usize, t0: v128, t1: v128, t2: v128, t3: v128): v128 {
  acc = madd(v128.load32_splat(ap), t0, acc);
  acc = madd(v128.load32_splat(ap, 4), t1, acc);
  acc = madd(v128.load32_splat(ap, 8), t2, acc);
  return madd(v128.load32_splat(ap, 12), t3, acc);
}

/** The narrowest C row that rowStream sums (see the crossovers at the top). */
const STREAM_MIN_N: i32 = 128;

/** Columns the streaming row kernel sums at once: its scratch row (4 KiB, in L1 with the four B rows). */
const STREAM_COLS: i32 = 1024;
/** Bytes of the streaming row kernel's scratch row. */
export const STREAM_SCRATCH_BYTES: usize = <usize>STREAM_COLS << 2;
// Per instance, as the tail scratch (tail.ts): a helper thread's instance on shared memory is pointed
// at a block of its own (setStreamScratch, from memory.ts's setThreadScratch), so two threads' row
// streams never share a row, whatever rows a split gives each.
let STREAM_SCRATCH: usize = memory.data(<i32>STREAM_SCRATCH_BYTES, 16);

/** Points this instance's row-stream scratch at `ptr` (STREAM_SCRATCH_BYTES, 16-byte aligned). */
export function setStreamScratch(ptr: usize): void {
  STREAM_SCRATCH = ptr;
}

/**
 * Columns [0, n4) (n4 a multiple of 4) of one C row over one k slice, streaming B row by row:
 * the running sums of up to STREAM_COLS columns live in memory (C itself, or the scratch row when
 * the slice total must be added to C), and each pass over them adds the products of 4 k steps, one
 * at a time in order of k. So every element is summed as tile1x16 sums it (from +0, in order of k,
 * then stored or added to C), but B is read in whole rows, sequentially, instead of a column strip
 * at a stride of n floats (which the hardware prefetcher serves poorly when n is large).
 *
 * `skipZeros` (NN, B all finite, not the relaxed build): the 4 k steps of a pass are the next 4 where
 * A is not ±0, so rows of B under a zero input are not read. Their products would be ±0, and adding
 * ±0 to a sum from +0 changes nothing (mul then add: the sum is never −0; see matmul-prepacked.ts),
 * so the bits are the same. An online-SGD step on an MNIST digit reads about a fifth of W this way.
 */
function rowStream(kc: i32, ar: usize, aStep: usize, b0: usize, ldb: usize, cr: usize, n4: i32, addC: bool, skipZeros: bool): void {
  for (let j0 = 0; j0 < n4; j0 += STREAM_COLS) {
    const w = min32(STREAM_COLS, n4 - j0);
    const bytes = <usize>w << 2;
    const acc = addC ? STREAM_SCRATCH : cr + (<usize>j0 << 2);
    const bj = b0 + (<usize>j0 << 2);
    // +0 loaded is +0 splatted: the sums start as tile1x16's do.
    memory.fill(acc, 0, bytes);
    if (skipZeros) streamNonZeroSteps(kc, ar, aStep, bj, ldb, acc, bytes);
    else streamSteps(kc, ar, aStep, bj, ldb, acc, bytes);
    if (addC) {
      const cj = cr + (<usize>j0 << 2);
      for (let o: usize = 0; o < bytes; o += 16) putVec(cj + o, v128.load(acc + o), true);
    }
  }
}

/** acc[0..bytes) += A(p)·B(p, ·) for p = 0..kc−1, four steps a pass (rowStream). */
function streamSteps(kc: i32, ar: usize, aStep: usize, br: usize, ldb: usize, acc: usize, bytes: usize): void {
  let ap = ar;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    streamPass(acc, bytes, v128.load32_splat(ap), v128.load32_splat(ap + aStep), v128.load32_splat(ap + 2 * aStep), v128.load32_splat(ap + 3 * aStep),
      br, br + ldb, br + 2 * ldb, br + 3 * ldb);
    ap += 4 * aStep;
    br += 4 * ldb;
  }
  for (; p < kc; p++) {
    streamSingle(acc, bytes, v128.load32_splat(ap), br);
    ap += aStep;
    br += ldb;
  }
}

/** streamSteps over the steps p where A(p) is not ±0 only (NaN counts as non-zero), in the same order. */
function streamNonZeroSteps(kc: i32, ar: usize, aStep: usize, b0: usize, ldb: usize, acc: usize, bytes: usize): void {
  let p = nextNonZero(ar, aStep, 0, kc);
  while (p < kc) {
    const p1 = nextNonZero(ar, aStep, p + 1, kc);
    const p2 = p1 < kc ? nextNonZero(ar, aStep, p1 + 1, kc) : kc;
    const p3 = p2 < kc ? nextNonZero(ar, aStep, p2 + 1, kc) : kc;
    if (p3 >= kc) {
      // Fewer than four left: one at a time.
      for (let q = p; q < kc; q = nextNonZero(ar, aStep, q + 1, kc)) streamSingle(acc, bytes, v128.load32_splat(ar + <usize>q * aStep), b0 + <usize>q * ldb);
      return;
    }
    streamPass(acc, bytes, v128.load32_splat(ar + <usize>p * aStep), v128.load32_splat(ar + <usize>p1 * aStep), v128.load32_splat(ar + <usize>p2 * aStep),
      v128.load32_splat(ar + <usize>p3 * aStep), b0 + <usize>p * ldb, b0 + <usize>p1 * ldb, b0 + <usize>p2 * ldb, b0 + <usize>p3 * ldb);
    p = nextNonZero(ar, aStep, p3 + 1, kc);
  }
}

/** The first step q in [from, kc) with A(q) not ±0, or kc. */
// @ts-ignore: decorator
@inline
function nextNonZero(ar: usize, aStep: usize, from: i32, kc: i32): i32 {
  let q = from;
  while (q < kc && load<f32>(ar + <usize>q * aStep) == 0) q++;
  return q;
}

/** acc += s0·B row r0, then s1·r1, s2·r2, s3·r3, one product at a time, over `bytes` of the row. */
// @ts-ignore: decorator
@inline
function streamPass(acc: usize, bytes: usize, s0: v128, s1: v128, s2: v128, s3: v128, r0: usize, r1: usize, r2: usize, r3: usize): void {
  for (let o: usize = 0; o < bytes; o += 16) {
    let v = v128.load(acc + o);
    v = madd(s0, v128.load(r0 + o), v);
    v = madd(s1, v128.load(r1 + o), v);
    v = madd(s2, v128.load(r2 + o), v);
    v = madd(s3, v128.load(r3 + o), v);
    v128.store(acc + o, v);
  }
}

/** acc += s0·B row r0 over `bytes` of the row. */
// @ts-ignore: decorator
@inline
function streamSingle(acc: usize, bytes: usize, s0: v128, r0: usize): void {
  for (let o: usize = 0; o < bytes; o += 16) v128.store(acc + o, madd(s0, v128.load(r0 + o), v128.load(acc + o)));
}
