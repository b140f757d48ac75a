// Tails of the elementwise SIMD loops (reduce.ts, dropout.ts, optim.ts).
//
// A kernel's main loop runs its vector code on whole f32x4 vectors. The last len % 4 (1..3) elements
// are copied into a zero-filled 16-byte scratch vector, run through the SAME vector code, and copied
// back. So no kernel needs a second, scalar copy of its formula, and the tail elements get exactly the
// arithmetic of the main loop (lanes are independent): the wasm and js results agree bit for bit there
// too. The padding lanes hold zeros, which add nothing to sums and are finite for firstNonFinite;
// whatever a kernel computes in them is never copied out.
//
// Scratch: IN_SLOTS input vectors (one per buffer a kernel reads: Adam reads w, g, m, v) and one
// output vector for tailStore, 16-byte aligned. Single-threaded, and no kernel calls another
// mid-tail, so one static area is enough.

const IN_SLOTS: i32 = 4;
const SCRATCH: usize = memory.data((IN_SLOTS + 1) << 4, 16);
const OUT_SLOT: usize = SCRATCH + (<usize>IN_SLOTS << 4);

/** Copies the `rem` (1..3) f32 values at `src` into zeroed scratch slot `slot`; returns the slot's address. */
// @ts-ignore: decorator
@inline export function tailIn(slot: i32, src: usize, rem: i32): usize {
  const dst = SCRATCH + (<usize>slot << 4);
  v128.store(dst, i32x4.splat(0));
  memory.copy(dst, src, <usize>rem << 2);
  return dst;
}

/** The `rem` values at `src` as a vector, zero-padded. */
// @ts-ignore: decorator
@inline export function tailLoad(slot: i32, src: usize, rem: i32): v128 {
  return v128.load(tailIn(slot, src, rem));
}

/** Copies the first `rem` values of scratch slot `slot` back to `dst`. */
// @ts-ignore: decorator
@inline export function tailOut(dst: usize, slot: i32, rem: i32): void {
  memory.copy(dst, SCRATCH + (<usize>slot << 4), <usize>rem << 2);
}

/** Stores the first `rem` lanes of `v` at `dst`. */
// @ts-ignore: decorator
@inline export function tailStore(dst: usize, v: v128, rem: i32): void {
  v128.store(OUT_SLOT, v);
  memory.copy(dst, OUT_SLOT, <usize>rem << 2);
}
