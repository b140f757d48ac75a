/**
 * Pure-JS twin of assembly/matmul-prepacked.ts (which documents the panel layout): packB copies B
 * [k,n] into the panels, matmulPacked multiplies by them, summing each element as the wasm kernel
 * does (over the same k slices, one product at a time in order of k from +0, each step rounded to
 * f32), so both backends give the same bits.
 */
import { kSliceStep } from './matmul-skinny.js';

/** The packed matmul's column block and panel widths (assembly/matmul.ts: NC, NR). */
const NC = 256;
const NR = 8;
const fr = Math.fround;

/** Where B(p, j) lies in the panels of a [k, n] B. */
function packedIndex(p: number, j: number, k: number, n: number, step: number): number {
  const jc = j - (j % NC);
  const nc = Math.min(NC, n - jc);
  const pc = p - (p % step);
  const kc = Math.min(step, k - pc);
  const block = jc * k + pc * nc;
  const jj = j - jc;
  const full = nc - (nc % NR);
  if (jj < full) return block + (jj - (jj % NR)) * kc + (p - pc) * NR + (jj % NR);
  return block + full * kc + (p - pc) * (nc - full) + (jj - full);
}

export function packB(b: Float32Array, bp: Float32Array, k: number, n: number): void {
  const step = kSliceStep(k);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bp[packedIndex(p, j, k, n, step)] = b[p * n + j];
}

/** `finiteB` changes nothing here: skipping zero elements of A (the wasm kernel's shortcut) gives the same sums. */
export function matmulPacked(a: Float32Array, bp: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean, _finiteB = false): void {
  const step = kSliceStep(k);
  for (let pc = 0; pc < k; pc += step) {
    const end = Math.min(pc + step, k);
    const addC = accumulate || pc > 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < m; i++) {
        let acc = 0;
        for (let p = pc; p < end; p++) acc = fr(acc + fr(a[i * k + p] * bp[packedIndex(p, j, k, n, step)]));
        c[i * n + j] = addC ? fr(c[i * n + j] + acc) : acc;
      }
    }
  }
}
