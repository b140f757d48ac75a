import { describe, expect, it } from 'vitest';
import { init, jsBackend } from '../../src/index.js';
import { loadWasm } from '../../bindings/loader.js';
import { MAX_BLOCK_BYTES, WasmAllocator } from '../../bindings/memory.js';
import type { WasmExports } from '../../bindings/exports.js';

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

describe('wasm memory past 2 GiB and its limits', () => {
  it('hands out addresses above 2^31 as unsigned, with working views and kernels, and frees them', async () => {
    const wasm = await loadWasm();
    const mem = new WasmAllocator(wasm);
    // Three blocks of 700 MiB (the third straddles 2 GiB), then one that starts past 2 GiB, where
    // alloc's i32 result is negative.
    const big = (700 * 2 ** 20) / 4;
    const length = (16 * 2 ** 20) / 4;
    const blocks = [mem.f32(big), mem.f32(big), mem.f32(big)];
    blocks.push(mem.f32(length));
    try {
      const straddling = blocks[2];
      straddling.data[big - 1] = 3;
      expect(straddling.data[big - 1]).toBe(3);
      const top = blocks[3];
      expect(top.ptr).toBeGreaterThan(2 ** 31);
      expect(wasm.memory.buffer.byteLength).toBeGreaterThan(2 ** 31);
      top.data[0] = 1.5;
      top.data[length - 1] = -2;
      expect([top.data[0], top.data[length - 1]]).toEqual([1.5, -2]);
      const tail = top.view(length - 4, 4);
      expect(tail.ptr).toBe(top.ptr + (length - 4) * 4);
      tail.data.set([1, 2, 3, 4]);
      // A kernel given the high address (it crosses as a negative i32) reads the same memory.
      expect(wasm.sumSquares(tail.ptr, 4)).toBe(30);
    } finally {
      for (const b of blocks) mem.free(b);
    }
    expect(mem.liveBuffers).toBe(0);
  });

  it('refuses a block past the allocator limit, saying what was asked, what is in use and the limit', async () => {
    const wasm = await loadWasm();
    const mem = new WasmAllocator(wasm);
    const kept = mem.f32(1000);
    const before = wasm.memory.buffer.byteLength;
    expect(() => mem.f32(MAX_BLOCK_BYTES / 4 + 1)).toThrow(
      new RegExp(`^simdnet: out of wasm memory: f32\\(${MAX_BLOCK_BYTES / 4 + 1}\\) asks for \\d+ bytes .*at most ${MAX_BLOCK_BYTES} bytes.*In use: 4000 bytes \\(0\\.0 MiB\\) in 1 buffers.*limit 4096\\.0 MiB`),
    );
    expect(wasm.memory.buffer.byteLength).toBe(before);
    mem.free(kept);
  });

  it('turns the allocator trap of a refused memory.grow into the same clear error', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const fake = { memory, alloc: () => { throw new WebAssembly.RuntimeError('unreachable'); }, free: () => undefined };
    const mem = new WasmAllocator(fake as unknown as WasmExports);
    expect(() => mem.i32(2 ** 20)).toThrow(/^simdnet: out of wasm memory: i32\(1048576\) asks for 4194304 bytes \(4\.0 MiB\); the engine could not grow wasm memory that far\. In use: 0 bytes/);
    try {
      mem.i32(10);
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    }
  });
});
