// Allocation for the JS bindings. The TLSF allocator of AssemblyScript's `minimal` runtime does the
// work (16-byte aligned blocks, so f32x4 loads and stores stay aligned); it grows linear memory when
// it needs to, after which the bindings remake their typed-array views (bindings/memory.ts).

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
