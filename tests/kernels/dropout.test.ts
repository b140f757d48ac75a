/**
 * dropoutMask: the wasm and js masks are the same bit for bit; the mask has the right statistics
 * (kept fraction within a binomial bound, neighbours and other streams independent); seeds and
 * streams select masks reproducibly; bad arguments are refused with their name.
 */
import { describe, expect, it } from 'vitest';
import type { ReadyBackend } from '../../src/index.js';
import { expectSameBits, kernelTestSetup } from '../support/helpers.js';

const LENS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 67, 131, 512, 4099, 100000];
const RATES = [0, 0.1, 0.25, 0.5, 0.9, 0.999];

const { wasm, js, f32 } = await kernelTestSetup();

/** The mask of `len` elements from backend b (a copy). */
function mask(b: ReadyBackend, len: number, rate: number, seed: number, stream: number): Float32Array {
  const buf = f32(b, len);
  b.dropoutMask(buf, len, rate, seed, stream);
  return Float32Array.from(buf.data);
}

/** |count − n·p| within 5 standard deviations of Binomial(n, p) (fails by chance < 1e-6). */
function expectBinomial(count: number, n: number, p: number, label: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p), `${label}: ${count} of ${n}, expected ≈ ${n * p} ± ${(5 * sd).toFixed(1)}`).toBeLessThanOrEqual(5 * sd + 1e-9);
}

describe('dropoutMask', () => {
  for (const len of LENS) {
    it(`is identical on wasm and js, bit for bit, len = ${len}`, () => {
      for (const rate of RATES) {
        for (const [seed, stream] of [[0, 0], [1, 0], [0, 1], [123456789, 42], [-7, 2 ** 31 + 5], [2 ** 40 + 3, 9]]) {
          const a = mask(wasm, len, rate, seed, stream);
          const b = mask(js, len, rate, seed, stream);
          expectSameBits(a, b, `len=${len} rate=${rate} seed=${seed} stream=${stream}`);
        }
      }
    });
  }

  it('keeps 1 − rate of 100k elements (binomial bound), at exactly 1/(1−rate) in f32', () => {
    const n = 100000;
    for (const rate of RATES.slice(1)) {
      for (const b of [wasm, js]) {
        const m = mask(b, n, rate, 2024, 3);
        const keep = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
        let kept = 0;
        for (let i = 0; i < n; i++) {
          if (m[i] !== 0 && m[i] !== keep) expect.fail(`${b.name} rate=${rate}: mask[${i}] = ${m[i]}, expected 0 or ${keep}`);
          if (m[i] === keep) kept++;
        }
        expectBinomial(kept, n, 1 - rate, `${b.name} rate=${rate} kept`);
      }
    }
  });

  it('keeps every element at rate 0, with value 1', () => {
    for (const b of [wasm, js]) {
      expect(mask(b, 4099, 0, 5, 5).every((v) => v === 1), b.name).toBe(true);
    }
  });

  it('draws neighbours and other streams independently', () => {
    const n = 100000;
    const rate = 0.5;
    const p = 1 - rate;
    const a = mask(wasm, n, rate, 99, 0);
    // Adjacent pairs (i, i+1), and pairs 4 apart (the same lane of the next vector), both kept: p².
    for (const gap of [1, 4, 1024]) {
      let both = 0;
      for (let i = 0; i + gap < n; i++) if (a[i] !== 0 && a[i + gap] !== 0) both++;
      expectBinomial(both, n - gap, p * p, `pairs ${gap} apart`);
    }
    // The same element under another stream, another seed, or seeds/streams swapped: kept in both ≈ p².
    for (const [seed, stream] of [[99, 1], [100, 0], [0, 99], [99 + 2 ** 32, 2 ** 32]]) {
      const other = mask(wasm, n, rate, seed, stream);
      if (seed === 99 + 2 ** 32) {
        // Seeds and streams are taken modulo 2³² (their 32-bit patterns), so this is the same mask.
        expectSameBits(other, a, 'seed and stream modulo 2^32');
        continue;
      }
      let both = 0;
      for (let i = 0; i < n; i++) if (a[i] !== 0 && other[i] !== 0) both++;
      expectBinomial(both, n, p * p, `seed=${seed} stream=${stream} vs seed=99 stream=0`);
    }
  });

  it('gives the same mask for the same seed and stream, on any buffer', () => {
    for (const b of [wasm, js]) {
      const first = mask(b, 1001, 0.3, 7, 11);
      expectSameBits(mask(b, 1001, 0.3, 7, 11), first, `${b.name} repeat`);
      // Element i hashes its index, not its address: a view one element into a buffer gets the same mask,
      // and a shorter mask is a prefix of a longer one.
      const buf = f32(b, 1003);
      buf.data.fill(-1);
      b.dropoutMask(buf.view(1, 1001), 1001, 0.3, 7, 11);
      expectSameBits(buf.data.subarray(1, 1002), first, `${b.name} view`);
      expect([buf.data[0], buf.data[1002]], `${b.name} untouched outside the view`).toEqual([-1, -1]);
      expectSameBits(mask(b, 7, 0.3, 7, 11), first.subarray(0, 7), `${b.name} prefix`);
    }
  });

  it('refuses a rate outside [0, 1) and non-integer seeds, naming them', () => {
    for (const b of [wasm, js]) {
      const buf = f32(b, 8);
      for (const rate of [1, 1.5, -0.1, NaN, Infinity]) {
        expect(() => b.dropoutMask(buf, 8, rate, 0, 0), `${b.name} rate=${rate}`).toThrow(/dropoutMask: rate must be in \[0, 1\)/);
      }
      expect(() => b.dropoutMask(buf, 8, 0.5, 0.5, 0), b.name).toThrow(/dropoutMask: seed and stream must be integers/);
      expect(() => b.dropoutMask(buf, 8, 0.5, 0, NaN), b.name).toThrow(/dropoutMask: seed and stream must be integers/);
      expect(() => b.dropoutMask(buf, 9, 0.5, 0, 0), b.name).toThrow(/dropoutMask: mask has 8 elements, expected at least 9/);
    }
  });
});
