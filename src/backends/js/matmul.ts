/**
 * The pure-JS twin of assembly/matmul.ts: C (+)= op(A)·op(B), row-major, typed arrays for addresses.
 * Same signature and layout ids (NN = 0, TN = 1, NT = 2; src/backends/codes.ts) as the wasm export.
 *
 * An honest scalar baseline, not a port of the packed SIMD kernel: cache-blocked loops in i-k-j order,
 * whose inner loop runs along contiguous rows of B and C with the row offsets hoisted out of it. C is
 * done four rows at a time: for each k the four A values are read once into locals, and the inner loop
 * streams one row of B into four rows of C (one B load per four multiply-adds). The KB×JB blocks keep
 * that piece of B in cache while the row blocks pass over it.
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

export function matmul(layout: number, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean): void {
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
        bBase = -p0 * JB - j0;
        bStride = JB;
      }
      blockIKJ(a, aRs, aCs, bb, bBase, bStride, c, m, n, p0, p1, j0, j1);
    }
  }
}

/** C[:, j0:j1] += A[:, p0:p1] · B[p0:p1, j0:j1], i-k-j, four rows of C per pass. */
function blockIKJ(
  a: Float32Array, aRs: number, aCs: number, b: Float32Array, bBase: number, bStride: number,
  c: Float32Array, m: number, n: number, p0: number, p1: number, j0: number, j1: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let p = p0; p < p1; p++) {
      const ao = i * aRs + p * aCs;
      const a0 = a[ao], a1 = a[ao + aRs], a2 = a[ao + 2 * aRs], a3 = a[ao + 3 * aRs];
      const bo = bBase + p * bStride;
      for (let j = j0; j < j1; j++) {
        const bv = b[bo + j];
        c[c0 + j] += a0 * bv;
        c[c1 + j] += a1 * bv;
        c[c2 + j] += a2 * bv;
        c[c3 + j] += a3 * bv;
      }
    }
  }
  // The last m mod 4 rows, one at a time.
  for (; i < m; i++) {
    const co = i * n;
    for (let p = p0; p < p1; p++) {
      const av = a[i * aRs + p * aCs];
      const bo = bBase + p * bStride;
      for (let j = j0; j < j1; j++) c[co + j] += av * b[bo + j];
    }
  }
}
