// Weights packed once, for inference: packB copies B (stored [k,n]: a dense layer's kernel, the NN
// layout) into the micro-panels that matmul() (matmul.ts) packs on every call, and matmulPacked
// multiplies by them, so a model that predicts many times with the same weights packs them once.
//
// Packed layout (f32 elements), exactly k·n of them: for each NC-wide column block jc (nc = min(NC,
// n − jc) columns) and each k slice pc (kSliceStep, kc deep), a block at jc·k + pc·nc holding
//   the full 8-column panels of the block, as matmul.ts's packB lays them out ([kc][8] each), then
//   the edge panel of the last nc mod 8 columns, unpadded ([kc][nc mod 8]).
// (matmul() pads the edge panel to 8 columns; here matmulPacked pads it into scratch per slice, kc·8
// floats, so the stored panels take no more room than B.)
//
// Same bits as matmul(): each C element is summed over the same k slices, within a slice one
// product at a time in order of k from +0, and the slice total stored or added to C: by the packed
// micro-kernel for 4-row groups (the loop nest of matmul(), with packB replaced by the stored panels),
// and by panelRow, which reads 3 panels (24 columns) of one row at a time, for the rows of a small m.
// matmulPackedCols computes a block of columns only (a thread's share), visiting a subset of the same
// panels in the same slices, so its columns have the same bits too.
//
// Zero inputs skipped (finiteB): a one-row product's terms A(i,p)·B(p,j) with A(i,p) = ±0 are ±0 when
// B(p,j) is finite, and adding ±0 to a sum that started from +0 leaves it as it was: in round to
// nearest a sum is −0 only when both addends are −0, so a running sum from +0 is never −0 (mul then
// add: each step rounds the product first). So when the caller says every element of B is finite,
// panelRow sums only the k steps whose A is non-zero, in the same order, with the same bits. A digit
// of MNIST is about 81% zero pixels, and a ReLU layer's output about half zeros: that much less of the
// weights is read. Not in the relaxed build: a fused multiply-add rounds A·B + sum once, so a tiny
// product can leave a sum at −0, and a skipped +0 term would have made it +0 again.
// tests/kernels/matmul-prepacked.test.ts checks the bits against matmul() on the edge sizes.

import { madd } from './madd';
import { KC, kSliceStep } from './matmul-slices';
import { MC, MR, NC, NR, ensureScratch, microKernel, packA, packB as packFullPanels, packEdgePanel } from './matmul';

/** Below this many rows each C row is summed by panelRow; from it on, by the packed micro-kernel. */
const PANEL_ROWS_BELOW: i32 = 4;

// @ts-ignore: decorator
@inline
function min32(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

// @ts-ignore: decorator
@inline
function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** bp [k·n] = B [k,n] in the panel layout of the file comment. */
export function packB(b: usize, bp: usize, k: i32, n: i32): void {
  const step = kSliceStep(k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min32(NC, n - jc);
    const full = nc & ~(NR - 1);
    for (let pc = 0; pc < k; pc += step) {
      const kc = min32(step, k - pc);
      const block = bp + (<usize>(jc * k + pc * nc) << 2);
      if (full > 0) packFullPanels(block, b, n, 1, pc, jc, kc, full);
      // The edge panel at its own width: lane l at k step p is B(pc + p, jc + full + l).
      if (full < nc) packEdgePanel(block + (<usize>(full * kc) << 2), b, nc - full, nc - full, jc + full, 1, pc, n, kc);
    }
  }
}

/**
 * C[m,n] (+)= A[m,k]·B with B given as packB's panels `bp`; the same bits as matmul('NN').
 * `finiteB`: the caller knows every element of B is finite, so zero elements of A may be skipped
 * (see the file comment); the result is the same.
 */
export function matmulPacked(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool): void {
  packedColumns(a, bp, c, m, k, n, accumulate, finiteB, 0, n);
}

/**
 * Columns [start, start + count) of matmulPacked's C: one thread's share (src/backend/threaded.ts), so
 * a one-row product (a predict) splits too, each thread reading only its own panels. `start` is a
 * multiple of NR; so is `count` unless start + count = n (the edge panel goes with column n − 1).
 * Each C element is computed by the same instructions as in matmulPacked (its panel is visited in the
 * same k slices; the accumulators of different columns never mix), so any such split gives its bits.
 */
export function matmulPackedCols(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool, start: i32, count: i32): void {
  packedColumns(a, bp, c, m, k, n, accumulate, finiteB, start, start + count);
}

/** matmulPacked restricted to the 8-column panels of columns [from, to) (from a multiple of NR). */
function packedColumns(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool, from: i32, to: i32): void {
  const step = kSliceStep(k);
  const ldc = <usize>n << 2;
  const rows = m < PANEL_ROWS_BELOW;
  const skipZeros = rows && finiteB && !ASC_FEATURE_RELAXED_SIMD;
  const mcMax = min32(roundUp(m, MR), MC);
  const kcMax = min32(k, KC);
  const apBytes: usize = rows ? 0 : <usize>(mcMax * kcMax) << 2;
  const edgeBytes = <usize>(kcMax * NR) << 2;
  const tileBytes = <usize>(MR * NR) << 2;
  const base = ensureScratch(apBytes + edgeBytes + tileBytes + (skipZeros ? <usize>kcMax << 2 : <usize>0));
  const ap = base;
  const edge = base + apBytes;
  const tile = edge + edgeBytes;
  const steps = tile + tileBytes;
  // The NC blocks that hold a column of [from, to), from the one holding column `from`.
  for (let jc = from - from % NC; jc < to; jc += NC) {
    const nc = min32(NC, n - jc);
    const full = nc & ~(NR - 1);
    // This part's columns of the block, [lo, hi) from jc: lo a multiple of NR, hi one too or nc.
    const lo = from > jc ? from - jc : 0;
    const hi = min32(to - jc, nc);
    const ownFull = min32(hi, full);
    const lanes = hi > full ? nc - full : 0;
    for (let pc = 0; pc < k; pc += step) {
      const kc = min32(step, k - pc);
      const addC = accumulate || pc > 0;
      const block = bp + (<usize>(jc * k + pc * nc) << 2);
      if (rows) {
        for (let i = 0; i < m; i++) {
          const ar = a + (<usize>(i * k + pc) << 2);
          const cr = c + <usize>i * ldc + (<usize>jc << 2);
          if (skipZeros && countNonZero(ar, kc) <= kc - (kc >> SPARSE_BELOW_SHIFT)) {
            panelRowSparse(kc, ar, steps, listNonZero(ar, kc, steps), block, lo, ownFull, full, lanes, cr, addC);
          } else {
            panelRow(kc, ar, block, lo, ownFull, full, lanes, cr, addC);
          }
        }
        continue;
      }
      if (lanes > 0) padEdge(edge, block + (<usize>(full * kc) << 2), lanes, kc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min32(MC, m - ic);
        packA(ap, a, k, 1, ic, pc, mc, kc);
        for (let jr = lo; jr < hi; jr += NR) {
          const cols = min32(NR, nc - jr);
          const bPanel = jr < full ? block + (<usize>(jr * kc) << 2) : edge;
          const cCol = c + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(kc, ap + (<usize>(ir * kc) << 2), bPanel, cCol + <usize>(ic + ir) * ldc, ldc, min32(MR, mc - ir), cols, addC, tile);
          }
        }
      }
    }
  }
}

/** The unpadded edge panel [kc][lanes] at `src` as a zero-padded [kc][NR] panel at `dst`. */
function padEdge(dst: usize, src: usize, lanes: i32, kc: i32): void {
  for (let p = 0; p < kc; p++) {
    const d = dst + (<usize>(p * NR) << 2);
    const s = src + (<usize>(p * lanes) << 2);
    for (let l = 0; l < NR; l++) store<f32>(d + (<usize>l << 2), l < lanes ? load<f32>(s + (<usize>l << 2)) : 0);
  }
}

/** The slice total `acc` into C at `c`: stored, or added to what C holds (as the micro-kernel does). */
// @ts-ignore: decorator
@inline
function putVec(c: usize, acc: v128, addC: bool): void {
  v128.store(c, addC ? f32x4.add(acc, v128.load(c)) : acc);
}

/** The lanes of A(p..p+3) at `at` that are not ±0 (NaN is not), as a 4-bit mask. */
// @ts-ignore: decorator
@inline
function nonZeroLanes(at: usize): i32 {
  return i32x4.bitmask(f32x4.ne(v128.load(at), f32x4.splat(0)));
}

/** How many of A(0..kc) at `ar` are not ±0. */
function countNonZero(ar: usize, kc: i32): i32 {
  let count = 0;
  let p = 0;
  for (; p + 4 <= kc; p += 4) count += popcnt<i32>(nonZeroLanes(ar + (<usize>p << 2)));
  for (; p < kc; p++) count += i32(load<f32>(ar + (<usize>p << 2)) != 0);
  return count;
}

/** Writes the steps p in [0, kc) where A(p) is not ±0 to `steps` (i32, in order); returns how many. */
function listNonZero(ar: usize, kc: i32, steps: usize): i32 {
  let count = 0;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    for (let mask = nonZeroLanes(ar + (<usize>p << 2)); mask != 0; mask &= mask - 1) {
      store<i32>(steps + (<usize>count << 2), p + ctz<i32>(mask));
      count++;
    }
  }
  for (; p < kc; p++) {
    if (load<f32>(ar + (<usize>p << 2)) != 0) {
      store<i32>(steps + (<usize>count << 2), p);
      count++;
    }
  }
  return count;
}

/**
 * The listed row loop runs when at least a quarter of A's row is ±0 (at most kc − kc/2^SPARSE_BELOW_SHIFT
 * steps left): its indexed loads cost more per step than the dense loop. Measured (issue 12, one
 * thread, unchecked kernels, one process, alternating, medians of 31 × 200 calls, two runs; zeros
 * spread evenly), the time without finiteB over the time with it, 1×784·784×128 and 1×512·512×512,
 * by the share of zeros: 0 (the count, then the dense loop): 0.99–1.05, 0.97; 0.125: 0.97, 1.01;
 * 0.25: 1.01–1.07, 1.12; 0.5: 1.21–1.47, 1.40; 0.8: 2.04–2.09, 1.69. (MNIST digits: about 0.8.)
 */
const SPARSE_BELOW_SHIFT: i32 = 2;

/**
 * One C row of one block and k slice: A(i, pc..pc+kc) at `ar`, the block's panels at `block`
 * (full/8 panels of [kc][8], then the [kc][lanes] edge), C's row at `cr` (column jc). Computes the
 * full panels of columns [from, to) (multiples of 8) and, when `lanes` > 0, the edge columns. Three
 * panels (6 accumulators, three sequential streams) at a time, then single panels, then the edge
 * columns; a column's sum is the same whichever group its panel falls in.
 * Three, not four: measured (issue 12, one process, alternating, medians of 41 × 100 calls; 1×784 by
 * 784×128 and 1×512 by 512×512), four panels took 14.3 and 35.3 µs, three 8.7 and 22.3, two 9.9 and
 * 26.3, one 12.9 and 34.0 (eight accumulators, the splat and four stream pointers are more than
 * V8's 16 vector registers hold without spilling; four streams 16 KiB apart also alias in L1).
 */
function panelRow(kc: i32, ar: usize, block: usize, from: i32, to: i32, full: i32, lanes: i32, cr: usize, addC: bool): void {
  panelRowSteps(kc, ar, 0, kc, block, from, to, full, lanes, cr, addC, false);
}

/** panelRow over the `count` k steps listed at `steps` (listNonZero) only: the same sums when B is finite. */
function panelRowSparse(kc: i32, ar: usize, steps: usize, count: i32, block: usize, from: i32, to: i32, full: i32, lanes: i32, cr: usize, addC: bool): void {
  panelRowSteps(kc, ar, steps, count, block, from, to, full, lanes, cr, addC, true);
}

/**
 * panelRow's loops over k steps t in [0, count): step p = t, or the t-th entry of `steps` when
 * `listed` (a constant once inlined, so each caller compiles to its own loop).
 */
// @ts-ignore: decorator
@inline
function panelRowSteps(kc: i32, ar: usize, steps: usize, count: i32, block: usize, from: i32, to: i32, full: i32, lanes: i32, cr: usize, addC: bool, listed: bool): void {
  const panelBytes = <usize>kc << 5;
  let jr = from;
  for (; jr + 24 <= to; jr += 24) {
    const p0 = block + (<usize>(jr * kc) << 2);
    const p1 = p0 + panelBytes, p2 = p1 + panelBytes;
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    for (let t = 0; t < count; t++) {
      const p = listed ? load<i32>(steps + (<usize>t << 2)) : t;
      const o = <usize>p << 5;
      const s = v128.load32_splat(ar + (<usize>p << 2));
      c0 = madd(s, v128.load(p0 + o), c0);
      c1 = madd(s, v128.load(p0 + o, 16), c1);
      c2 = madd(s, v128.load(p1 + o), c2);
      c3 = madd(s, v128.load(p1 + o, 16), c3);
      c4 = madd(s, v128.load(p2 + o), c4);
      c5 = madd(s, v128.load(p2 + o, 16), c5);
    }
    const cj = cr + (<usize>jr << 2);
    putVec(cj, c0, addC); putVec(cj + 16, c1, addC); putVec(cj + 32, c2, addC);
    putVec(cj + 48, c3, addC); putVec(cj + 64, c4, addC); putVec(cj + 80, c5, addC);
  }
  for (; jr < to; jr += 8) {
    const p0 = block + (<usize>(jr * kc) << 2);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let t = 0; t < count; t++) {
      const p = listed ? load<i32>(steps + (<usize>t << 2)) : t;
      const o = <usize>p << 5;
      const s = v128.load32_splat(ar + (<usize>p << 2));
      c0 = madd(s, v128.load(p0 + o), c0);
      c1 = madd(s, v128.load(p0 + o, 16), c1);
    }
    const cj = cr + (<usize>jr << 2);
    putVec(cj, c0, addC); putVec(cj + 16, c1, addC);
  }
  if (lanes > 0) {
    const e = block + (<usize>(full * kc) << 2);
    const laneBytes = <usize>lanes << 2;
    for (let l = 0; l < lanes; l++) {
      let acc: f32 = 0;
      for (let t = 0; t < count; t++) {
        const p = listed ? load<i32>(steps + (<usize>t << 2)) : t;
        acc += load<f32>(ar + (<usize>p << 2)) * load<f32>(e + <usize>p * laneBytes + (<usize>l << 2));
      }
      const cj = cr + (<usize>(full + l) << 2);
      store<f32>(cj, addC ? load<f32>(cj) + acc : acc);
    }
  }
}
