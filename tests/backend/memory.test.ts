import { describe, expect, it } from 'vitest';
import { init, jsBackend } from '../../src/index.js';
import { loadWasm } from '../../bindings/loader.js';
import { WasmAllocator } from '../../bindings/memory.js';

describe('wasm memory ownership', () => {
  it('keeps every view valid across memory.grow', async () => {
    const wasm = await loadWasm();
    const mem = new WasmAllocator(wasm);
    const before = wasm.memory.buffer.byteLength;
    const small = mem.f32([1, 2, 3, 4, 5]);
    const oldView = small.data;
    // Allocate well past the initial memory so the allocator must grow it.
    const big = mem.f32((before / 4) * 2);
    expect(wasm.memory.buffer.byteLength).toBeGreaterThan(before);
    // The old view is detached (that is the hazard) ...
    expect(oldView.length).toBe(0);
    // ... but the buffer's .data is remade on the new memory and still holds the values.
    expect(Array.from(small.data)).toEqual([1, 2, 3, 4, 5]);
    expect(big.data.length).toBe((before / 4) * 2);
    big.data[big.length - 1] = 7;
    expect(big.data[big.length - 1]).toBe(7);
    const v = small.view(1, 3);
    expect(Array.from(v.data)).toEqual([2, 3, 4]);
    mem.free(big);
    mem.free(small);
    expect(mem.liveBuffers).toBe(0);
    expect(() => small.data).toThrow(/freed/);
    expect(v.disposed).toBe(true);
  });

  it('zero-fills new buffers even when memory is reused', async () => {
    const wasm = await loadWasm();
    const mem = new WasmAllocator(wasm);
    const a = mem.f32(1000);
    a.data.fill(3);
    mem.free(a);
    const b = mem.f32(1000);
    expect(b.data.every((x) => x === 0)).toBe(true);
  });

  it('rejects bad lengths, double frees and freeing views', async () => {
    for (const b of [jsBackend(), await init({ backend: 'wasm', warmup: false })]) {
      expect(() => b.f32(0)).toThrow(/f32\(length\) expects an integer/);
      expect(() => b.f32(-3)).toThrow(/got -3/);
      expect(() => b.i32(2.5)).toThrow(/got 2.5/);
      const x = b.f32(8);
      expect(() => b.free(x.view(2, 2))).toThrow(/view cannot be freed/);
      expect(() => x.view(6, 4)).toThrow(/outside a buffer of 8/);
      b.free(x);
      expect(() => b.free(x)).toThrow(/already freed/);
    }
  });

  it('refuses a buffer of the other backend', async () => {
    const wasm = await init({ backend: 'wasm', warmup: false });
    const js = jsBackend();
    const a = js.f32(4);
    expect(() => wasm.free(a)).toThrow(/wasm backend/);
    expect(() => wasm.sumSquares(a, 4)).toThrow(/x belongs to the 'js' backend, not 'wasm'/);
  });
});
