// STUB: to be replaced by the packed-panel SIMD implementation.
export const LAYOUT_NN: i32 = 0;
export const LAYOUT_TN: i32 = 1;
export const LAYOUT_NT: i32 = 2;

export function matmul(layout: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  unreachable();
}
