/**
 * Bias kernels: biasAdd (one f32 add per element, so wasm and js agree bit for bit) and biasGrad
 * (column sums: f32 in wasm, float64 in the js twin) on shapes with n below, at and above the vector
 * width, odd and prime, aligned and one element in; the accumulate option; bad arguments.
 */
import { describe, expect, it } from 'vitest';
import type { F32Buffer, ReadyBackend } from '../../src/index.js';
import { expectClose, expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const SHAPES: [number, number][] = [
  [1, 1], [1, 5], [3, 1], [2, 2], [3, 3], [4, 4], [5, 7], [8, 8], [9, 17], [7, 67], [33, 131], [64, 1000],
];
const U = 2 ** -24;

const { wasm, js, f32 } = await kernelTestSetup();

/** `values` on backend b, plus one guard element (7) after them; whole buffer or one element in. */
function place(b: ReadyBackend, values: Float32Array, offset: number): { buf: F32Buffer; guard: () => number } {
  const full = f32(b, values.length + offset + 1);
  full.data.set(values, offset);
  full.data[offset + values.length] = 7;
  return { buf: full.view(offset, values.length), guard: () => full.data[offset + values.length] };
}

describe('biasAdd', () => {
  it('wasm and js agree bit for bit, and nothing past m·n is written', () => {
    for (const [m, n] of SHAPES) {
      for (const offset of [0, 1]) {
        const xv = randomArray(m * n, 100 + m + n, 3);
        const bv = randomArray(n, 200 + n, 1);
        const label = `biasAdd m=${m} n=${n} offset=${offset}`;
        const out: Float32Array[] = [];
        for (const b of [wasm, js]) {
          const x = place(b, xv, offset);
          b.biasAdd(x.buf, place(b, bv, offset).buf, m, n);
          expect(x.guard(), `${label} ${b.name}: guard`).toBe(7);
          out.push(x.buf.data.slice());
        }
        expectSameBits(out[0], out[1], label);
        const want = xv.map((v, k) => Math.fround(v + bv[k % n]));
        expectSameBits(out[1], want, `${label} js vs x + bias`);
      }
    }
  });
});

describe('biasGrad', () => {
  for (const accumulate of [false, true]) {
    it(`wasm (f32 sums) vs js (float64 sums)${accumulate ? ', accumulating into db' : ''}`, () => {
      for (const [m, n] of SHAPES) {
        for (const offset of [0, 1]) {
          const dyv = randomArray(m * n, 300 + m * 7 + n, 2);
          const db0 = accumulate ? randomArray(n, 400 + n, 5) : new Float32Array(n).fill(Number.NaN);
          const label = `biasGrad m=${m} n=${n} offset=${offset} accumulate=${accumulate}`;
          const out: Float32Array[] = [];
          for (const b of [wasm, js]) {
            const db = place(b, db0, offset);
            b.biasGrad(place(b, dyv, offset).buf, db.buf, m, n, accumulate);
            expect(db.guard(), `${label} ${b.name}: guard`).toBe(7);
            out.push(db.buf.data.slice());
          }
          // wasm adds rows four at a time, pairwise, into db: each db[j] takes ⌈m/4⌉ + 2 rounded adds,
          // each off by at most U times the running magnitude ≤ |db0[j]| + Σ_i |dy[i, j]|; js rounds once.
          let worstColumn = 0;
          for (let j = 0; j < n; j++) {
            let s = Math.abs(db0[j]) || 0;
            for (let i = 0; i < m; i++) s += Math.abs(dyv[i * n + j]);
            worstColumn = Math.max(worstColumn, s);
          }
          const atol = (Math.ceil(m / 4) + 3) * U * worstColumn;
          expectClose(out[0], out[1], atol, 0, label);
        }
      }
    });
  }

  it('is the column sums (small exact case)', () => {
    // 5 rows × 6 columns of small integers: every partial sum is exact in f32.
    const m = 5, n = 6;
    const dyv = Float32Array.from({ length: m * n }, (_, k) => (k % 7) - 3);
    const want = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < m; i++) s += dyv[i * n + j];
      return s;
    });
    for (const b of [wasm, js]) {
      const db = f32(b, n);
      b.biasGrad(f32(b, dyv), db, m, n);
      expectSameBits(db.data, Float32Array.from(want), `biasGrad ${b.name} exact`);
      b.biasGrad(f32(b, dyv), db, m, n, true);
      expectSameBits(db.data, Float32Array.from(want, (v) => 2 * v), `biasGrad ${b.name} accumulate twice`);
    }
  });
});
