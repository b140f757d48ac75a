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

/** C[m,n] (+)= A[m,k]·B with B given as packB's panels `bp`; the same bits as matmul('NN'). */
export function matmulPacked(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  packedColumns(a, bp, c, m, k, n, accumulate, 0, n);
}

/**
 * Columns [start, start + count) of matmulPacked's C: one thread's share (src/backend/threaded.ts), so
 * a one-row product (a predict) splits too, each thread reading only its own panels. `start` is a
 * multiple of NR; so is `count` unless start + count = n (the edge panel goes with column n − 1).
 * Each C element is computed by the same instructions as in matmulPacked (its panel is visited in the
 * same k slices; the accumulators of different columns never mix), so any such split gives its bits.
 */
export function matmulPackedCols(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, start: i32, count: i32): void {
  packedColumns(a, bp, c, m, k, n, accumulate, start, start + count);
}

/** matmulPacked restricted to the 8-column panels of columns [from, to) (from a multiple of NR). */
function packedColumns(a: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, from: i32, to: i32): void {
  const step = kSliceStep(k);
  const ldc = <usize>n << 2;
  const rows = m < PANEL_ROWS_BELOW;
  const mcMax = min32(roundUp(m, MR), MC);
  const kcMax = min32(k, KC);
  const apBytes = rows ? 0 : <usize>(mcMax * kcMax) << 2;
  const edgeBytes = <usize>(kcMax * NR) << 2;
  const base = ensureScratch(apBytes + edgeBytes + (<usize>(MR * NR) << 2));
  const ap = base;
  const edge = base + apBytes;
  const tile = edge + edgeBytes;
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
          panelRow(kc, a + (<usize>(i * k + pc) << 2), block, lo, ownFull, full, lanes, c + <usize>i * ldc + (<usize>jc << 2), addC);
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
  const panelBytes = <usize>kc << 5;
  let jr = from;
  for (; jr + 24 <= to; jr += 24) {
    const p0 = block + (<usize>(jr * kc) << 2);
    const p1 = p0 + panelBytes, p2 = p1 + panelBytes;
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    for (let p = 0; p < kc; p++) {
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
    for (let p = 0; p < kc; p++) {
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
      for (let p = 0; p < kc; p++) acc += load<f32>(ar + (<usize>p << 2)) * load<f32>(e + <usize>p * laneBytes + (<usize>l << 2));
      const cj = cr + (<usize>(full + l) << 2);
      store<f32>(cj, addC ? load<f32>(cj) + acc : acc);
    }
  }
}
