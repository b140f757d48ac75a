/**
 * matmulPacked over packB's panels (assembly/matmul-prepacked.ts) against matmul('NN'), which packs B
 * itself on every call (or, for few rows, takes the skinny path with the same bits): the same bits on
 * the edge sizes: rows on either side of the row-kernel / micro-kernel switch and of the 4-row tile,
 * k over one to three slices, n across the 8-column panels, their unpadded edge and the 256-column
 * blocks; with and without accumulate. The wasm kernels against their twins are checked by
 * tests/kernels/manifest.test.ts.
 */
import { describe, it } from 'vitest';
import type { ReadyBackend } from '../../src/backend/init.js';
import { expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const { wasm, js, f32 } = await kernelTestSetup();

const M = [1, 2, 3, 4, 5, 7, 8, 16, 17, 41, 131];
const KN: [number, number][] = [
  [1, 1], [3, 7], [4, 8], [5, 9], [17, 16], [67, 17], [392, 131], [513, 33], [784, 128], [1031, 10], [100, 255], [33, 256], [9, 257], [130, 520],
];

function packedProduct(b: ReadyBackend, a: Float32Array, w: Float32Array, c0: Float32Array | null, m: number, k: number, n: number): Float32Array {
  const bp = f32(b, k * n);
  b.packB(f32(b, w), bp, k, n);
  const c = f32(b, c0 ?? m * n);
  b.matmulPacked(f32(b, a), bp, c, m, k, n, c0 !== null);
  return c.data.slice(0, m * n);
}

function plainProduct(b: ReadyBackend, kernel: 'matmul' | 'matmulSkinny', a: Float32Array, w: Float32Array, c0: Float32Array | null, m: number, k: number, n: number): Float32Array {
  const c = f32(b, c0 ?? m * n);
  b[kernel]('NN', f32(b, a), f32(b, w), c, m, k, n, c0 !== null);
  return c.data.slice(0, m * n);
}

describe('matmulPacked(packB(B)): the same bits as matmul NN', () => {
  it('wasm: every edge shape, accumulating or not', () => {
    let seed = 1;
    for (const [k, n] of KN) {
      const w = randomArray(k * n, seed++, 0.5);
      for (const m of M) {
        const a = randomArray(m * k, seed++, 1.5), c0 = randomArray(m * n, seed++);
        for (const acc of [null, c0]) {
          expectSameBits(packedProduct(wasm, a, w, acc, m, k, n), plainProduct(wasm, 'matmul', a, w, acc, m, k, n), `m=${m} k=${k} n=${n} accumulate=${acc !== null}`);
        }
      }
    }
  });

  it('js: the twin gives the slice-order bits (its matmulSkinny\'s), the wasm kernel\'s', () => {
    let seed = 500;
    for (const [k, n] of KN.filter(([k, n]) => k * n < 40000)) {
      const w = randomArray(k * n, seed++, 0.5);
      for (const m of [1, 5, 17]) {
        const a = randomArray(m * k, seed++, 1.5), c0 = randomArray(m * n, seed++);
        const want = plainProduct(js, 'matmulSkinny', a, w, c0, m, k, n);
        expectSameBits(packedProduct(js, a, w, c0, m, k, n), want, `js m=${m} k=${k} n=${n}`);
        expectSameBits(packedProduct(wasm, a, w, c0, m, k, n), want, `wasm m=${m} k=${k} n=${n}`);
      }
    }
  });
});
