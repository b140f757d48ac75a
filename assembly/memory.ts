// Allocation for the JS bindings. The TLSF allocator of AssemblyScript's `minimal` runtime does the
// work (16-byte aligned blocks, so f32x4 loads and stores stay aligned); it grows linear memory when
// it needs to, after which the bindings remake their typed-array views (bindings/memory.ts).
//
// On failure it does not return 0: a block of 1 GiB or more aborts ("Allocation too large"), and a
// memory.grow the engine refuses traps (unreachable). The bindings refuse oversized blocks before
// calling and turn the trap into an error that says what was asked, what is in use and the limit.
// Addresses are unsigned: past 2 GiB JavaScript sees the i32 result as negative (bindings use >>> 0).

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
