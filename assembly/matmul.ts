// Single-precision matrix multiply, C (+)= op(A)·op(B), row-major, in the three layouts of
// src/backend/contract.ts (MatmulLayout): NN, TN (A stored [k,m]) and NT (B stored [n,k]).
//
// The structure is the classic Goto/BLIS one. The operands are copied ("packed") block by block into
// scratch panels whose order is exactly the order the micro-kernel reads them in, so:
//  - the micro-kernel reads both panels with unit stride, whatever the layout (the transposition of
//    TN and NT happens in the packing routines, which are O(m·k + k·n), not in the O(m·k·n) loop);
//  - a 1024-wide row of B no longer means a 4 KiB stride between consecutive k steps;
//  - edges are padded with zeros, so the micro-kernel always computes a full MR×NR tile and only the
//    write-back into C looks at the true tile size (C is never read or written out of bounds).
//
// Loop nest (cache blocking): for each NC-wide column block of B (jc), each slice of k at most KC
// deep (pc): pack B[pc:pc+kc, jc:jc+nc] (≤ KC·NC·4 = 512 KiB); then for each MC-tall row block of A
// (ic): pack A[ic:ic+mc, pc:pc+kc] (≤ 256 KiB; both blocks stay in the 1 MiB L2); then for each
// 8-column micro-panel of B (jr; ≤ 16 KiB, stays in the 48 KiB L1 while ...) each 4-row micro-panel
// of A (ir; ≤ 8 KiB): one micro-kernel call.
//
// Packed memory (f32 elements; p = k index within the KC slice, r/j = row/column within the panel):
//
//   Ap (MR = 4 rows per micro-panel)             Bp (NR = 8 columns per micro-panel)
//   panel 0: rows ic+0 .. ic+3                   panel 0: columns jc+0 .. jc+7
//   ┌────────────────────┐                       ┌────────────────────────────────────────┐
//   │ A00 A10 A20 A30    │ p = 0                 │ B00 B01 B02 B03 │ B04 B05 B06 B07       │ p = 0
//   │ A01 A11 A21 A31    │ p = 1                 │ B10 B11 B12 B13 │ B14 B15 B16 B17       │ p = 1
//   │ ...                │                       │ ...   (v128 b0) │   (v128 b1)           │
//   │ A0,kc-1 ... A3,kc-1│ p = kc-1              │ B(kc-1)0 ...             ... B(kc-1)7  │
//   ├────────────────────┤                       ├────────────────────────────────────────┤
//   panel 1: rows ic+4 .. ic+7                   panel 1: columns jc+8 .. jc+15
//   ...  (rows past m are zeros)                 ...  (columns past n are zeros)
//
// Ap[panel][p][r] = A(ic + 4·panel + r, pc + p)   at byte (panel·kc·4 + p·4 + r)·4
// Bp[panel][p][j] = B(pc + p, jc + 8·panel + j)   at byte (panel·kc·8 + p·8 + j)·4
//
// Micro-kernel: 4×8 tile of C in 8 f32x4 accumulators (4 rows × 2 vectors). Per k step it loads the
// two B vectors and broadcasts each of the 4 A values (v128.load32_splat), then 8 mul + 8 add. That
// is 11 live vector registers: wider tiles (12–16 accumulators) measured slower because V8 spills
// them, so the tile is deliberately this size. No relaxed SIMD (no fma): mul then add.

import { madd } from './madd';
import { KC, kSliceStep } from './matmul-slices';
import { LAYOUT_NN, LAYOUT_NT, LAYOUT_TN, matmulSkinnyStrided, skinnyPays } from './matmul-skinny';

export { LAYOUT_NN, LAYOUT_NT, LAYOUT_TN };

/** Rows of the micro-tile (A values broadcast per k step). */
export const MR: i32 = 4;
/** Columns of the micro-tile (two f32x4 vectors). */
export const NR: i32 = 8;
// Block sizes, measured on the 2-core Zen machine this project benchmarks on (48 KiB L1d, 1 MiB L2
// per core): KC = 512 (matmul-slices.ts) beat 256 and 384 by 1–3%, mostly through fewer passes over
// C and fewer calls.
/** Rows of A packed at once (multiple of MR): MC·KC·4 = 256 KiB. */
export const MC: i32 = 128;
/** Columns of B packed at once (multiple of NR): KC·NC·4 = 512 KiB. */
export const NC: i32 = 256;

// Packing scratch, grown on demand and kept (no allocation per call once warm). heap.alloc may grow
// linear memory; that only moves the JS views (the bindings remake them), not our addresses.
// A module global, so each instance has its own: with shared memory (bindings/threads/) a helper
// thread's instance is given a block of SCRATCH_MAX_BYTES by setScratch() (allocated by the main
// thread), so ensureScratch never allocates there: AssemblyScript's allocator is not thread-safe, and
// a helper's instance has never initialized it (its TLSF root is a global of its own, still 0, and
// would be laid over the main thread's heap).
let scratch: usize = 0;
let scratchBytes: usize = 0;

/** The most scratch one matmul call needs: an MC×KC block of A, a KC×NC block of B, one tile. */
export const SCRATCH_MAX_BYTES: usize = (<usize>(MC * KC + KC * NC + MR * NR)) << 2;

/** Gives this instance its packing scratch (`bytes` ≥ SCRATCH_MAX_BYTES, 16-byte aligned); see above. */
export function setMatmulScratch(ptr: usize, bytes: usize): void {
  scratch = ptr;
  scratchBytes = bytes;
}

export function ensureScratch(bytes: usize): usize {
  if (bytes > scratchBytes) {
    // The old contents are not needed: free + alloc rather than realloc (which would copy them).
    // Forget the old block first, so a failed alloc (a trap) cannot leave a freed block in use.
    if (scratch != 0) heap.free(scratch);
    scratch = 0;
    scratchBytes = 0;
    scratch = heap.alloc(bytes);
    scratchBytes = bytes;
  }
  return scratch;
}

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

/**
 * Packs the mc×kc block of A starting at (ic, pc) into MR-row micro-panels at `dst`.
 * A(i, p) lives at a[i·rs + p·cs] (elements): rs = k, cs = 1 for a stored [m,k]; rs = 1, cs = m for [k,m].
 */
export function packA(dst: usize, a: usize, rs: i32, cs: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  // Rows in whole MR-row panels; the rest (fewer than MR) go to one zero-padded edge panel.
  const full = mc & ~(MR - 1);
  if (cs == 1) {
    // A stored [m,k]: rows are contiguous in k. Transpose 4×4 blocks (4 rows × 4 k steps) into
    // 4 k steps × 4 rows; the 4 source rows are 4 cache-line streams.
    for (let ir = 0; ir < full; ir += MR) {
      const panel = dst + (<usize>(ir * kc) << 2);
      const r0 = a + (<usize>((ic + ir) * rs + pc) << 2);
      const r1 = r0 + (<usize>rs << 2);
      const r2 = r1 + (<usize>rs << 2);
      const r3 = r2 + (<usize>rs << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const off = <usize>p << 2;
        transpose4(panel + (<usize>(p * MR) << 2), v128.load(r0 + off), v128.load(r1 + off), v128.load(r2 + off), v128.load(r3 + off));
      }
      for (; p < kc; p++) {
        const off = <usize>p << 2;
        const d = panel + (<usize>(p * MR) << 2);
        store<f32>(d, load<f32>(r0 + off));
        store<f32>(d, load<f32>(r1 + off), 4);
        store<f32>(d, load<f32>(r2 + off), 8);
        store<f32>(d, load<f32>(r3 + off), 12);
      }
    }
  } else {
    // A stored [k,m]: the 4 rows of a panel at one k step are one contiguous vector. Walk 4 k steps
    // at a time across all panels, so each panel receives one whole 64-byte line per visit and the
    // source is 4 sequential streams (walking one panel down all of k instead would stride by m,
    // 4 KiB for m = 1024, and thrash one L1 set).
    const step = <usize>cs << 2;
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const s0 = a + (<usize>((pc + p) * cs + ic) << 2);
      const d0 = dst + (<usize>(p * MR) << 2);
      for (let ir = 0; ir < full; ir += MR) {
        const s = s0 + (<usize>ir << 2);
        const d = d0 + (<usize>(ir * kc) << 2);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s + step), 16);
        v128.store(d, v128.load(s + 2 * step), 32);
        v128.store(d, v128.load(s + 3 * step), 48);
      }
    }
    for (; p < kc; p++) {
      const s0 = a + (<usize>((pc + p) * cs + ic) << 2);
      const d0 = dst + (<usize>(p * MR) << 2);
      for (let ir = 0; ir < full; ir += MR) v128.store(d0 + (<usize>(ir * kc) << 2), v128.load(s0 + (<usize>ir << 2)));
    }
  }
  // Edge panel: the last mc − full rows (fewer than MR); A(i, p) = a[i·rs + p·cs].
  if (full < mc) packEdgePanel(dst + (<usize>(full * kc) << 2), a, MR, mc - full, ic + full, rs, pc, cs, kc);
}

/**
 * Packs the kc×nc block of B starting at (pc, jc) into NR-column micro-panels at `dst`.
 * B(p, j) lives at b[p·rs + j·cs]: rs = n, cs = 1 for b stored [k,n]; rs = 1, cs = k for [n,k].
 */
export function packB(dst: usize, b: usize, rs: i32, cs: i32, pc: i32, jc: i32, kc: i32, nc: i32): void {
  // Columns in whole NR-column panels; the rest (fewer than NR) go to one zero-padded edge panel.
  const full = nc & ~(NR - 1);
  if (cs == 1) {
    // B stored [k,n]: the 8 columns of a panel at one k step are two contiguous vectors. Walk 2 k
    // steps at a time across all panels, so each panel receives one whole 64-byte line per visit and
    // the source is 2 sequential streams (walking one panel down all of k instead strides by n and
    // crowds a few L1 sets, so the next panel reloads the same lines from L2).
    const step = <usize>rs << 2;
    let p = 0;
    for (; p + 2 <= kc; p += 2) {
      const s0 = b + (<usize>((pc + p) * rs + jc) << 2);
      const d0 = dst + (<usize>(p * NR) << 2);
      for (let jr = 0; jr < full; jr += NR) {
        const s = s0 + (<usize>jr << 2);
        const d = d0 + (<usize>(jr * kc) << 2);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        v128.store(d, v128.load(s + step), 32);
        v128.store(d, v128.load(s + step, 16), 48);
      }
    }
    if (p < kc) {
      const s0 = b + (<usize>((pc + p) * rs + jc) << 2);
      const d0 = dst + (<usize>(p * NR) << 2);
      for (let jr = 0; jr < full; jr += NR) {
        const s = s0 + (<usize>jr << 2);
        const d = d0 + (<usize>(jr * kc) << 2);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
    }
  } else {
    // B stored [n,k]: each column is contiguous in k. Transpose two 4×4 blocks per 4 k steps; the
    // 8 source columns are 8 cache-line streams.
    const colStep = <usize>cs << 2;
    for (let jr = 0; jr < full; jr += NR) {
      const panel = dst + (<usize>(jr * kc) << 2);
      const c0 = b + (<usize>((jc + jr) * cs + pc) << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s0 = c0 + (<usize>p << 2);
        const s4 = s0 + 4 * colStep;
        transpose4x2(
          panel + (<usize>(p * NR) << 2),
          v128.load(s0), v128.load(s0 + colStep), v128.load(s0 + 2 * colStep), v128.load(s0 + 3 * colStep),
          v128.load(s4), v128.load(s4 + colStep), v128.load(s4 + 2 * colStep), v128.load(s4 + 3 * colStep),
        );
      }
      for (; p < kc; p++) {
        const d = panel + (<usize>(p * NR) << 2);
        const s = c0 + (<usize>p << 2);
        for (let jj = 0; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(s + <usize>jj * colStep));
      }
    }
  }
  // Edge panel: the last nc − full columns (fewer than NR); B(p, j) = b[p·rs + j·cs].
  if (full < nc) packEdgePanel(dst + (<usize>(full * kc) << 2), b, NR, nc - full, jc + full, cs, pc, rs, kc);
}

/**
 * The zero-padded edge micro-panel of packA (width MR, lanes = rows of A) or packB (width NR, lanes =
 * columns of B): for each of the kc k steps, `width` f32 at `panel`, the first `lanes` copied (scalar)
 * and the rest zero. Lane l at k step p is src[(lane0 + l)·laneStride + (pc + p)·kStride] (elements).
 * Inlined, so `width` is the constant MR or NR in each packer, as when each had its own loop.
 */
// @ts-ignore: decorator
@inline
export function packEdgePanel(panel: usize, src: usize, width: i32, lanes: i32, lane0: i32, laneStride: i32, pc: i32, kStride: i32, kc: i32): void {
  for (let p = 0; p < kc; p++) {
    const d = panel + (<usize>(p * width) << 2);
    for (let l = 0; l < width; l++) {
      const v: f32 = l < lanes ? load<f32>(src + (<usize>((lane0 + l) * laneStride + (pc + p) * kStride) << 2)) : 0;
      store<f32>(d + (<usize>l << 2), v);
    }
  }
}

/** Writes the transpose of the 4×4 block with rows x0..x3 as 4 consecutive vectors at dst. */
// @ts-ignore: decorator
@inline
function transpose4(dst: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5); // x00 x10 x01 x11
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5); // x20 x30 x21 x31
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7); // x02 x12 x03 x13
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7); // x22 x32 x23 x33
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
}

/**
 * Transposes two 4×4 blocks (columns 0–3 in lo*, 4–7 in hi*, each vector 4 k steps of one column)
 * into 4 k steps of 8 columns: row p of the result is (lo0[p] lo1[p] lo2[p] lo3[p] hi0[p] … hi3[p]).
 */
// @ts-ignore: decorator
@inline
function transpose4x2(dst: usize, l0: v128, l1: v128, l2: v128, l3: v128, h0: v128, h1: v128, h2: v128, h3: v128): void {
  let t0 = v128.shuffle<f32>(l0, l1, 0, 4, 1, 5);
  let t1 = v128.shuffle<f32>(l2, l3, 0, 4, 1, 5);
  let t2 = v128.shuffle<f32>(l0, l1, 2, 6, 3, 7);
  let t3 = v128.shuffle<f32>(l2, l3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
  t0 = v128.shuffle<f32>(h0, h1, 0, 4, 1, 5);
  t1 = v128.shuffle<f32>(h2, h3, 0, 4, 1, 5);
  t2 = v128.shuffle<f32>(h0, h1, 2, 6, 3, 7);
  t3 = v128.shuffle<f32>(h2, h3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), 16);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 48);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 80);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 112);
}

/**
 * The 4×8 micro-kernel: tile = Ap panel (kc×4) ᵀ· Bp panel (kc×8), then C[rows×cols] (+)= tile,
 * with C's top-left element at `c` and rows `ldc` bytes apart. `addC` adds into C (accumulate, or a
 * later k slice); otherwise C is overwritten. `tile` is 128 bytes of scratch for edge tiles.
 */
export function microKernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, rows: i32, cols: i32, addC: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  if (rows == MR && cols == NR) {
    // Full tile: vector read-modify-write of 4 rows × 8 columns, all inside C.
    if (addC) {
      c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
    v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
    return;
  }
  // Edge tile: spill the tile to scratch, then copy only the rows × cols that exist in C.
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    const src = tile + (<usize>(r * NR) << 2);
    const dst = c + <usize>r * ldc;
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, addC ? load<f32>(dst + o) + v : v);
    }
  }
}

/** C[m,n] (+)= op(A)·op(B); see the header comment and MatmulLayout in src/backend/contract.ts. */
export function matmul(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool): void {
  matmulStrided(layout, a, b, c, m, k, n, accumulate, finiteB, m);
}

/**
 * Rows [start, start + count) of C = op(A)·op(B) for the full m×k×n product: one thread's share
 * (src/backend/threaded.ts). The rows of C and of op(A) are a contiguous block for NN and NT, and
 * a block of columns of A stored [k,m] for TN (rows m apart). Every element is computed exactly as
 * matmul computes it (the same k slices, summed in the same order; the skinny path agrees bit for
 * bit), so any split of the rows gives matmul's bits.
 */
export function matmulRows(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool, start: i32, count: i32): void {
  const aOffset = layout == LAYOUT_TN ? start : start * k;
  matmulStrided(layout, a + (<usize>aOffset << 2), b, c + (<usize>(start * n) << 2), count, k, n, accumulate, finiteB, m);
}

/**
 * matmul where A stored [k, ·] (TN) has rows `ldaTN` elements long (≥ m); NN and NT ignore it.
 * `finiteB` reaches the skinny path only (the packed path sums every product).
 */
function matmulStrided(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, finiteB: bool, ldaTN: i32): void {
  // Few rows (or, for TN, a shallow k): packing would copy a whole operand for little reuse.
  if (skinnyPays(layout, m, k)) {
    matmulSkinnyStrided(layout, a, b, c, m, k, n, accumulate, ldaTN, finiteB);
    return;
  }
  // Element strides of A(i,p) and B(p,j) for this layout.
  const aRs = layout == LAYOUT_TN ? 1 : k;
  const aCs = layout == LAYOUT_TN ? ldaTN : 1;
  const bRs = layout == LAYOUT_NT ? 1 : n;
  const bCs = layout == LAYOUT_NT ? k : 1;

  const mcMax = min32(roundUp(m, MR), MC);
  const kcMax = min32(k, KC);
  const ncMax = min32(roundUp(n, NR), NC);
  const apBytes = <usize>(mcMax * kcMax) << 2;
  const bpBytes = <usize>(kcMax * ncMax) << 2;
  const base = ensureScratch(apBytes + bpBytes + (<usize>(MR * NR) << 2));
  const ap = base;
  const bp = base + apBytes;
  const tile = bp + bpBytes;
  const ldc = <usize>n << 2;

  const kcStep = kSliceStep(k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min32(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min32(kcStep, k - pc);
      const addC = accumulate || pc > 0;
      packB(bp, b, bRs, bCs, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min32(MC, m - ic);
        packA(ap, a, aRs, aCs, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min32(NR, nc - jr);
          const bPanel = bp + (<usize>(jr * kc) << 2);
          const cCol = c + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min32(MR, mc - ir);
            microKernel(kc, ap + (<usize>(ir * kc) << 2), bPanel, cCol + <usize>(ic + ir) * ldc, ldc, rows, cols, addC, tile);
          }
        }
      }
    }
  }
}
