// How every matmul path splits k. Both the packed path (matmul.ts) and the skinny path
// (matmul-skinny.ts) sum each C element over the same k slices, in the same order, so they give the
// same bits.

/** Largest k slice: one A micro-panel (8 KiB) and one B micro-panel (16 KiB) fit L1 together. */
export const KC: i32 = 512;

/**
 * The depth of every k slice but the last: equal slices (rounded up to whole 4-step transposes)
 * instead of KC-deep ones plus a thin rest. k = 784 runs as 2 × 392 rather than 512 + 272, k = 520
 * as 2 × 260 rather than 512 + 8 (a thin slice costs a whole pass over C for little work).
 */
export function kSliceStep(k: i32): i32 {
  const slices = (k + KC - 1) / KC;
  return ((k + slices - 1) / slices + 3) & ~3;
}
