/**
 * The skinny matmul (assembly/matmul-skinny.ts) against the packed one (assembly/matmul.ts): the same
 * bits, in every layout, on the edge sizes. matmul() takes the skinny path for few rows (TN: small k),
 * so the packed result for few rows is read out of a taller product: row i of C depends only on row i
 * of op(A), and each element's summation order depends only on k. The pure-JS twin's bits are checked
 * against the kernel by tests/kernels/manifest.test.ts (tolerance: bits).
 */
import { describe, expect, it } from 'vitest';
import { MATMUL_LAYOUTS, type MatmulLayout } from '../../src/index.js';
import { kSliceStep } from '../../src/backend/js/matmul-skinny.js';
import { expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const { wasm, js, f32 } = await kernelTestSetup();

/** The crossovers (assembly/matmul-skinny.ts): matmul() is skinny for NN m ≤ 16, NT m = 1, TN k ≤ 16. */
const SKINNY_MAX = 16;
/** Rows of the packed reference product: more than SKINNY_MAX, not a multiple of the 4-row tile. */
const TALL = 41;
const SMALL_M = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16];
const K_SIZES = [1, 2, 3, 4, 5, 7, 16, 17, 67, 392, 511, 512, 513, 784, 1031];
const N_SIZES = [1, 3, 4, 5, 8, 9, 15, 16, 17, 67, 131];

/** Operands for m = TALL rows: A [TALL·k] (any layout stores as many values), B [k·n], C₀ [TALL, n]. */
function operands(k: number, n: number, seed: number) {
  return { a: randomArray(TALL * k, seed, 1.5), b: randomArray(k * n, seed + 1, 0.75), c0: randomArray(TALL * n, seed + 2) };
}

function matmulOn(kernel: 'matmul' | 'matmulSkinny', layout: MatmulLayout, a: Float32Array, b: Float32Array, c0: Float32Array | null, m: number, k: number, n: number): Float32Array {
  const ab = f32(wasm, a), bb = f32(wasm, b), cb = f32(wasm, c0 ?? m * n);
  wasm[kernel](layout, ab, bb, cb, m, k, n, c0 !== null);
  return cb.data.slice(0, m * n);
}

/** The first `rows` rows of a [TALL, k] row-major A (NN and NT store A as op(A)). */
const firstRows = (x: Float32Array, rows: number, width: number) => x.slice(0, rows * width);

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

describe('matmulSkinny: the same bits as the packed path', () => {
  for (const layout of MATMUL_LAYOUTS) {
    it(`${layout}: any shape, against packed matmul of ${TALL} rows`, () => {
      let seed = 1;
      for (const k of K_SIZES) {
        for (const n of N_SIZES) {
          // TN with k ≤ 16 is skinny in matmul() too; its packed twin is checked below.
          if (layout === 'TN' && k <= SKINNY_MAX) continue;
          const { a, b, c0 } = operands(k, n, seed++);
          for (const acc of [null, c0]) {
            const packed = matmulOn('matmul', layout, a, b, acc, TALL, k, n);
            expectSameBits(matmulOn('matmulSkinny', layout, a, b, acc, TALL, k, n), packed, `${layout} m=${TALL} k=${k} n=${n} accumulate=${acc !== null}`);
          }
        }
      }
    });
  }

  for (const layout of ['NN', 'NT'] as const) {
    it(`${layout}: matmul() on m ≤ ${SKINNY_MAX} rows gives the packed bits of those rows`, () => {
      let seed = 100;
      for (const k of K_SIZES) {
        for (const n of N_SIZES) {
          const { a, b, c0 } = operands(k, n, seed++);
          const packed = matmulOn('matmul', layout, a, b, c0, TALL, k, n);
          for (const m of SMALL_M) {
            const small = matmulOn('matmul', layout, firstRows(a, m, k), b, firstRows(c0, m, n), m, k, n);
            expectSameBits(small, packed.subarray(0, m * n), `${layout} m=${m} k=${k} n=${n}`);
          }
        }
      }
    });
  }

  it('NN: single rows of a wide C (streamed in blocks of 1024 columns) give the packed bits', () => {
    let seed = 300;
    for (const k of [3, 784, 1031]) {
      for (const n of [1024, 1027, 1030, 2053]) {
        const { a, b, c0 } = operands(k, n, seed++);
        for (const acc of [null, c0]) {
          const packed = matmulOn('matmul', 'NN', a, b, acc, TALL, k, n);
          for (const m of [1, 3, 5]) {
            const small = matmulOn('matmul', 'NN', firstRows(a, m, k), b, acc === null ? null : firstRows(acc, m, n), m, k, n);
            expectSameBits(small, packed.subarray(0, m * n), `NN m=${m} k=${k} n=${n} accumulate=${acc !== null}`);
          }
        }
      }
    }
  });

  it(`TN: matmul() with k ≤ ${SKINNY_MAX} (a weight gradient of a small batch) gives the packed NN bits`, () => {
    // TN's op(A) is the transpose of the stored [k,m] A; NN with A stored transposed is the same
    // product, and with m = TALL rows NN takes the packed path.
    let seed = 200;
    for (const k of [1, 2, 3, 4, 5, 8, 15, 16]) {
      for (const n of N_SIZES) {
        const { a, b, c0 } = operands(k, n, seed++);
        for (const acc of [null, c0]) {
          const packed = matmulOn('matmul', 'NN', a, b, acc, TALL, k, n);
          expectSameBits(matmulOn('matmul', 'TN', transpose(a, TALL, k), b, acc, TALL, k, n), packed, `TN m=${TALL} k=${k} n=${n} accumulate=${acc !== null}`);
        }
      }
    }
  });

  it('the js twin sums over the same k slices as the wasm kernels', () => {
    // assembly/matmul-slices.ts: equal slices of at most 512, rounded up to a multiple of 4.
    expect([1, 4, 511, 512, 513, 784, 1024, 1031].map(kSliceStep)).toEqual([4, 4, 512, 512, 260, 392, 512, 344]);
  });

  it('the js twin gives the wasm bits on a one-row predict shape (784 → 128)', () => {
    const a = randomArray(784, 5), b = randomArray(784 * 128, 6, 0.1);
    const cj = f32(js, 128);
    js.matmulSkinny('NN', f32(js, a), f32(js, b), cj, 1, 784, 128);
    const jc = cj.data.slice(0, 128);
    expectSameBits(matmulOn('matmul', 'NN', a, b, null, 1, 784, 128), jc, 'NN 1×784×128');
  });
});
