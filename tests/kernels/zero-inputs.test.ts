/**
 * finiteB: the caller's promise that B is all finite lets the one-row products skip the k steps where
 * A is ±0 (matmulPacked's row kernel, panelRow; the skinny NN row stream, rowStream), since such a
 * product is ±0 and adds nothing to a sum from +0. The bits must be those of the full sum on every
 * edge size: ±0 among the inputs, a row all zero, a single non-zero, NaN in A (which is not skipped),
 * −0, huge and tiny values in B, k over one and two slices, accumulating into a C holding −0.
 * A broken promise (an infinite weight under a zero input) shows that the steps really are skipped.
 */
import { describe, expect, it } from 'vitest';
import type { ReadyBackend } from '../../src/backend/init.js';
import { expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const { wasm, js, f32 } = await kernelTestSetup();

const M = [1, 2, 3, 4, 5];
const KN: [number, number][] = [[1, 1], [3, 7], [5, 9], [17, 16], [67, 24], [392, 131], [784, 128], [513, 33], [1031, 10], [100, 257], [130, 520]];

/** A [m, k] in one of the patterns the skip meets: mostly zeros (both signs), all zero, one non-zero, dense, a NaN. */
function inputs(m: number, k: number, pattern: number, seed: number): Float32Array {
  const a = randomArray(m * k, seed, 1.5);
  for (let i = 0; i < a.length; i++) {
    const p = i % k;
    if (pattern === 0 && p % 5 !== 0) a[i] = p % 3 === 0 ? -0 : 0;
    if (pattern === 1) a[i] = i % 2 === 0 ? 0 : -0;
    if (pattern === 2 && p !== k - 1) a[i] = 0;
    if (pattern === 4 && p % 2 === 0) a[i] = p === Math.floor(k / 2) * 2 ? NaN : 0;
  }
  return a;
}

/** B [k, n] with −0, huge and tiny entries among random ones (all finite). */
function weights(k: number, n: number, seed: number): Float32Array {
  const w = randomArray(k * n, seed, 0.5);
  for (let i = 0; i < w.length; i += 7) w[i] = -0;
  for (let i = 3; i < w.length; i += 11) w[i] *= 1e30;
  for (let i = 5; i < w.length; i += 13) w[i] *= 1e-30;
  return w;
}

function packed(b: ReadyBackend, a: Float32Array, w: Float32Array, c0: Float32Array | null, m: number, k: number, n: number, finiteB: boolean): Float32Array {
  const bp = f32(b, k * n);
  b.packB(f32(b, w), bp, k, n);
  const c = f32(b, c0 ?? m * n);
  b.matmulPacked(f32(b, a), bp, c, m, k, n, c0 !== null, finiteB);
  return c.data.slice(0, m * n);
}

function plain(b: ReadyBackend, kernel: 'matmul' | 'matmulSkinny', a: Float32Array, w: Float32Array, c0: Float32Array | null, m: number, k: number, n: number, finiteB: boolean): Float32Array {
  const c = f32(b, c0 ?? m * n);
  b[kernel]('NN', f32(b, a), f32(b, w), c, m, k, n, c0 !== null, finiteB);
  return c.data.slice(0, m * n);
}

describe('finiteB: zero inputs skipped, the same bits', () => {
  it('wasm matmulPacked, matmul and matmulSkinny (NN) against their full sums, and the js twins', () => {
    let seed = 1;
    for (const [k, n] of KN) {
      const w = weights(k, n, seed++);
      for (const m of M) {
        const c0 = randomArray(m * n, seed++).map((v, i) => (i % 4 === 0 ? -0 : v));
        for (let pattern = 0; pattern < 5; pattern++) {
          const a = inputs(m, k, pattern, seed++);
          for (const acc of [null, c0]) {
            const label = `m=${m} k=${k} n=${n} pattern=${pattern} accumulate=${acc !== null}`;
            const want = plain(wasm, 'matmulSkinny', a, w, acc, m, k, n, false);
            expectSameBits(packed(wasm, a, w, acc, m, k, n, true), want, `matmulPacked ${label}`);
            expectSameBits(plain(wasm, 'matmulSkinny', a, w, acc, m, k, n, true), want, `matmulSkinny ${label}`);
            expectSameBits(plain(wasm, 'matmul', a, w, acc, m, k, n, true), plain(wasm, 'matmul', a, w, acc, m, k, n, false), `matmul ${label}`);
            if (k * n < 40000 && m < 3) expectSameBits(packed(js, a, w, acc, m, k, n, true), want, `js matmulPacked ${label}`);
          }
        }
      }
    }
  });

  it('a broken promise shows the skip: an infinite weight under a zero input adds NaN only when finiteB is false', () => {
    for (const [k, n] of [[784, 128], [392, 131], [67, 24]]) {
      const w = weights(k, n, 90);
      w[2 * n] = Infinity; // B(2, 0), under A(0, 2) = 0
      const a = inputs(1, k, 0, 91);
      a[2] = 0;
      expect(Number.isNaN(plain(wasm, 'matmulSkinny', a, w, null, 1, k, n, false)[0]), 'full sum').toBe(true);
      expect(Number.isNaN(packed(wasm, a, w, null, 1, k, n, false)[0]), 'full packed sum').toBe(true);
      // rowStream runs for n ≥ 128 only (narrower rows take 1×16 tiles, which do not skip).
      if (n >= 128) expect(Number.isFinite(plain(wasm, 'matmulSkinny', a, w, null, 1, k, n, true)[0]), `matmulSkinny skips k=${k} n=${n}`).toBe(true);
      expect(Number.isFinite(packed(wasm, a, w, null, 1, k, n, true)[0]), `matmulPacked skips k=${k} n=${n}`).toBe(true);
    }
  });
});
