/**
 * The pure-JS twin of assembly/matmul.ts: C (+)= op(A)·op(B), row-major, typed arrays for addresses.
 * Same signature and layout ids (NN = 0, TN = 1, NT = 2; src/backend/codes.ts) as the wasm export.
 *
 * An honest scalar baseline, not a port of the packed SIMD kernel: cache-blocked loops in i-k-j order,
 * whose inner loop runs along contiguous rows of B and C with the row offsets hoisted out of it. C is
 * done four rows and four k steps at a time (see blockIKJ): the 16 A values are read once into locals,
 * and the inner loop streams four rows of B into four rows of C. The KB×JB blocks keep that piece of B
 * in cache while the row blocks pass over it.
 *
 * TN only changes where the four A values come from (a column of the stored [k,m] A, which is
 * contiguous across the four rows). NT (B stored [n,k]) would make the inner loop stride through B,
 * so each KB×JB block of B is first transposed into a small scratch panel and the same loop runs on
 * it. The arithmetic is then the same in every layout, so all three give bit-identical results.
 */
export const LAYOUT_NN = 0;
export const LAYOUT_TN = 1;
export const LAYOUT_NT = 2;

/** k rows of B per block: KB × JB floats = 64 KiB, reused by every row block of C. */
const KB = 128;
/** Columns of B and C per block. */
const JB = 128;

/** NT's transposed block of B, [KB, JB]; made once, reused by every call. */
let panel: Float32Array | null = null;

/** `finiteB` (a promise that B is finite, which the wasm kernel may use to skip products) is not used here. */
export function matmul(layout: number, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean, _finiteB = false): void {
  if (!accumulate) c.fill(0, 0, m * n);
  // A(i, p) = a[i·aRs + p·aCs].
  const aRs = layout === LAYOUT_TN ? 1 : k;
  const aCs = layout === LAYOUT_TN ? m : 1;
  const nt = layout === LAYOUT_NT;
  if (nt) panel ??= new Float32Array(KB * JB);
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(j0 + JB, n);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const p1 = Math.min(p0 + KB, k);
      // B(p, j) = bb[bBase + p·bStride + j] for p in [p0, p1), j in [j0, j1).
      let bb = b;
      let bBase = 0;
      let bStride = n;
      if (nt) {
        bb = panel!;
        for (let j = j0; j < j1; j++) {
          const src = j * k;
          const dst = j - j0;
          for (let p = p0; p < p1; p++) bb[(p - p0) * JB + dst] = b[src + p];
        }
        // | 0: for p0 = j0 = 0 this is −0, a double, and V8 would redo the index arithmetic in doubles.
        bBase = (-p0 * JB - j0) | 0;
        bStride = JB;
      }
      blockIKJ(a, aRs, aCs, bb, bBase, bStride, c, m, n, p0, p1, j0, j1);
    }
  }
}

/**
 * C[:, j0:j1] += A[:, p0:p1] · B[p0:p1, j0:j1] in i-k-j order, on a 4×4 register tile of A: four rows
 * of C by four k steps. The 16 A values sit in locals, and each C element takes the sum of four
 * products in one read-modify-write, so C is loaded and stored once per four k steps (this measured
 * 2.3× the speed of one k step per pass). Rows past the last multiple of 4, and k steps past the last
 * multiple of 4 in the block, take the same loop with fewer rows or steps.
 */
function blockIKJ(
  a: Float32Array, aRs: number, aCs: number, b: Float32Array, bBase: number, bStride: number,
  c: Float32Array, m: number, n: number, p0: number, p1: number, j0: number, j1: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    let p = p0;
    for (; p + 4 <= p1; p += 4) {
      // Row r of the tile starts at A(i + r, p); its k steps are aCs apart.
      const r0 = i * aRs + p * aCs, r1 = r0 + aRs, r2 = r1 + aRs, r3 = r2 + aRs;
      const s1 = aCs, s2 = 2 * aCs, s3 = 3 * aCs;
      const a00 = a[r0], a01 = a[r0 + s1], a02 = a[r0 + s2], a03 = a[r0 + s3];
      const a10 = a[r1], a11 = a[r1 + s1], a12 = a[r1 + s2], a13 = a[r1 + s3];
      const a20 = a[r2], a21 = a[r2 + s1], a22 = a[r2 + s2], a23 = a[r2 + s3];
      const a30 = a[r3], a31 = a[r3 + s1], a32 = a[r3 + s2], a33 = a[r3 + s3];
      const b0 = bBase + p * bStride, b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
      for (let j = j0; j < j1; j++) {
        const x0 = b[b0 + j], x1 = b[b1 + j], x2 = b[b2 + j], x3 = b[b3 + j];
        c[c0 + j] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3;
        c[c1 + j] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3;
        c[c2 + j] += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3;
        c[c3 + j] += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3;
      }
    }
    for (; p < p1; p++) {
      const r0 = i * aRs + p * aCs;
      const a0 = a[r0], a1 = a[r0 + aRs], a2 = a[r0 + 2 * aRs], a3 = a[r0 + 3 * aRs];
      const bo = bBase + p * bStride;
      for (let j = j0; j < j1; j++) {
        const x = b[bo + j];
        c[c0 + j] += a0 * x;
        c[c1 + j] += a1 * x;
        c[c2 + j] += a2 * x;
        c[c3 + j] += a3 * x;
      }
    }
  }
  for (; i < m; i++) {
    const co = i * n;
    let p = p0;
    for (; p + 4 <= p1; p += 4) {
      const r = i * aRs + p * aCs;
      const a0 = a[r], a1 = a[r + aCs], a2 = a[r + 2 * aCs], a3 = a[r + 3 * aCs];
      const b0 = bBase + p * bStride, b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
      for (let j = j0; j < j1; j++) c[co + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < p1; p++) {
      const av = a[i * aRs + p * aCs];
      const bo = bBase + p * bStride;
      for (let j = j0; j < j1; j++) c[co + j] += av * b[bo + j];
    }
  }
}
