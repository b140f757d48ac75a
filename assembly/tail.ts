// Tails of the elementwise SIMD loops (reduce.ts, dropout.ts, optim.ts, activation.ts, bias.ts, loss.ts).
//
// A kernel's main loop runs its vector code on whole f32x4 vectors. The last len % 4 (1..3) elements
// are put into a zero-padded vector, run through the SAME vector code, and written back. So no kernel
// needs a second, scalar copy of its formula, and the tail elements get exactly the arithmetic of the
// main loop (lanes are independent): the wasm and js results agree bit for bit there too. The padding
// lanes hold zeros, which add nothing to sums and are finite for firstNonFinite; whatever a kernel
// computes in them is never written out.
//
// Two ways in and out: tailLoad / tailStore move the 1..3 lanes directly (load32_lane, store32_lane),
// for kernels that work on vectors; tailIn / tailOut copy them into and out of a zero-filled scratch
// slot, for kernels that work through pointers (optim.ts). Scratch: IN_SLOTS vectors (one per buffer
// a kernel reads: Adam reads w, g, m, v), 16-byte aligned. No kernel calls another mid-tail, so one
// area per instance is enough. Per instance, not one static area: with shared memory
// (bindings/threads/) helper threads run kernels at the same time as the main thread, so each helper's
// instance is pointed at a block of its own by setThreadScratch (memory.ts). (The static area is also
// a data segment, which every instantiation on the shared memory writes again.)

const IN_SLOTS: i32 = 4;
/** Bytes of tail scratch an instance needs. */
export const TAIL_SCRATCH_BYTES: usize = IN_SLOTS << 4;
let SCRATCH: usize = memory.data(IN_SLOTS << 4, 16);

/** Points this instance's tail scratch at `ptr` (TAIL_SCRATCH_BYTES, 16-byte aligned). */
export function setTailScratch(ptr: usize): void {
  SCRATCH = ptr;
}

/** Copies the `rem` (1..3) f32 values at `src` into zeroed scratch slot `slot`; returns the slot's address. */
// @ts-ignore: decorator
@inline export function tailIn(slot: i32, src: usize, rem: i32): usize {
  const dst = SCRATCH + (<usize>slot << 4);
  v128.store(dst, i32x4.splat(0));
  memory.copy(dst, src, <usize>rem << 2);
  return dst;
}

/**
 * The `rem` values at `src` as a vector, zero-padded: loaded lane by lane (load32_zero, then
 * load32_lane), not through the scratch slot: memory.copy is a call out of the compiled code in V8
 * (~7 ns), which doubled the time of softmaxCrossEntropy on rows of 10 classes (8 tails per row).
 */
// @ts-ignore: decorator
@inline export function tailLoad(src: usize, rem: i32): v128 {
  let v = v128.load32_zero(src);
  if (rem > 1) v = v128.load32_lane(src, v, 1, 4);
  if (rem > 2) v = v128.load32_lane(src, v, 2, 8);
  return v;
}

/** Copies the first `rem` values of scratch slot `slot` back to `dst`. */
// @ts-ignore: decorator
@inline export function tailOut(dst: usize, slot: i32, rem: i32): void {
  memory.copy(dst, SCRATCH + (<usize>slot << 4), <usize>rem << 2);
}

/** Stores the first `rem` lanes of `v` at `dst` (lane by lane, as tailLoad loads). */
// @ts-ignore: decorator
@inline export function tailStore(dst: usize, v: v128, rem: i32): void {
  v128.store32_lane(dst, v, 0);
  if (rem > 1) v128.store32_lane(dst, v, 1, 4);
  if (rem > 2) v128.store32_lane(dst, v, 2, 8);
}
