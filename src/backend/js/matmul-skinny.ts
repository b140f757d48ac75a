/**
 * The pure-JS twin of assembly/matmul-skinny.ts, bit for bit: each C element is the sum over the
 * same k slices as the wasm kernels (kSliceStep below is assembly/matmul-slices.ts's), within a slice
 * one f32 product at a time in order of k from +0, then added to C. Math.fround after every
 * operation gives f32 arithmetic: a product of two f32 values is exact in a double, and a double sum
 * of two f32 values rounded to f32 is the correctly rounded f32 sum, so this matches wasm's f32.mul
 * and f32.add exactly. A plain scalar loop: the oracle, not a fast path.
 */
import { LAYOUT_NT, LAYOUT_TN } from './matmul.js';

const KC = 512;
const fr = Math.fround;

/** The depth of every k slice but the last (see assembly/matmul-slices.ts). */
export function kSliceStep(k: number): number {
  const slices = Math.floor((k + KC - 1) / KC);
  return (Math.floor((k + slices - 1) / slices) + 3) & ~3;
}

/** `finiteB` changes nothing here: the wasm kernel's skipped products (zero A, finite B) add nothing to a sum. */
export function matmulSkinny(layout: number, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean, _finiteB = false): void {
  // A(i, p) = a[i·aRs + p·aCs], B(p, j) = b[p·bRs + j·bCs].
  const aRs = layout === LAYOUT_TN ? 1 : k;
  const aCs = layout === LAYOUT_TN ? m : 1;
  const bRs = layout === LAYOUT_NT ? 1 : n;
  const bCs = layout === LAYOUT_NT ? k : 1;
  const step = kSliceStep(k);
  for (let pc = 0; pc < k; pc += step) {
    const end = Math.min(pc + step, k);
    const addC = accumulate || pc > 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = pc; p < end; p++) acc = fr(acc + fr(a[i * aRs + p * aCs] * b[p * bRs + j * bCs]));
        c[i * n + j] = addC ? fr(c[i * n + j] + acc) : acc;
      }
    }
  }
}
