// Allocation for the JS bindings. The TLSF allocator of AssemblyScript's `minimal` runtime does the
// work (16-byte aligned blocks, so f32x4 loads and stores stay aligned); it grows linear memory when
// it needs to, after which the bindings remake their typed-array views (bindings/memory.ts).
//
// On failure it does not return 0: a block of 1 GiB or more aborts ("Allocation too large"), and a
// memory.grow the engine refuses traps (unreachable). The bindings refuse oversized blocks before
// calling and turn the trap into an error that says what was asked, what is in use and the limit.
// Addresses are unsigned: past 2 GiB JavaScript sees the i32 result as negative (bindings use >>> 0).
//
// Helper threads (bindings/threads/) never call alloc or free: the allocator is not thread-safe, and a
// helper's instance has its own, uninitialized TLSF root. What scratch their kernels need (matmul's
// packing panels, the skinny matmul's row stream, the elementwise tails) is one block the main thread
// allocates per helper and hands to setThreadScratch.

import { SCRATCH_MAX_BYTES, setMatmulScratch } from './matmul';
import { STREAM_SCRATCH_BYTES, setStreamScratch } from './matmul-skinny';
import { TAIL_SCRATCH_BYTES, setTailScratch } from './tail';

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Bytes of the scratch block setThreadScratch takes. */
export function threadScratchBytes(): usize {
  return SCRATCH_MAX_BYTES + TAIL_SCRATCH_BYTES + STREAM_SCRATCH_BYTES;
}

/** Makes this instance's kernels use the block at `ptr` (threadScratchBytes(), 16-byte aligned) as scratch. */
export function setThreadScratch(ptr: usize): void {
  setMatmulScratch(ptr, SCRATCH_MAX_BYTES);
  setTailScratch(ptr + SCRATCH_MAX_BYTES);
  setStreamScratch(ptr + SCRATCH_MAX_BYTES + TAIL_SCRATCH_BYTES);
}
