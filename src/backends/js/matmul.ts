// STUB: the pure-JS twin of assembly/matmul.ts (same signature, typed arrays for addresses).
export const LAYOUT_NN = 0;
export const LAYOUT_TN = 1;
export const LAYOUT_NT = 2;

export function matmul(layout: number, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean): void {
  throw new Error('not implemented');
}
