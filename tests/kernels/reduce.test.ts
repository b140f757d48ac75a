/**
 * Reductions and small elementwise kernels: wasm vs the js twin vs float64 references written here.
 * Lengths cover 1..3 (tail only), the vector width 4 and its neighbours, the 16-element unrolled step,
 * primes, a 1024-block boundary crossing (4099) and a 400k-parameter buffer. Every buffer is also
 * tried as a view starting one element in, so the wasm kernels see addresses that are not 16-aligned.
 */
import { describe, expect, it } from 'vitest';
import type { F32Buffer, ReadyBackend } from '../../src/index.js';
import { expectClose, expectSameBits, kernelTestSetup, randomArray, randomLabels, rng } from '../support/helpers.js';

const LENS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 67, 131, 512, 4099, 400000];

/**
 * The documented accuracy of the blockwise sums (assembly/reduce.ts): each f32 lane sums at most 64
 * terms of one 1024-element block, plus 3 adds to combine lanes, before the f64 total takes over.
 * For non-negative terms the relative error is then at most about (64 + 3 + 1)·2⁻²⁴ ≈ 4.1e-6.
 */
const SUM_RTOL = 68 * 2 ** -24;

const { wasm, js, f32, i32, place } = await kernelTestSetup();

function ref64Sum(x: Float32Array, f: (v: number) => number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i]);
  return s;
}

describe('sumSquares and sumAbs', () => {
  for (const len of LENS) {
    it(`agree with a float64 reference within ${SUM_RTOL.toExponential(2)} relative, len = ${len}`, () => {
      const x = randomArray(len, 1000 + len, 3);
      const sq = ref64Sum(x, (v) => v * v);
      const ab = ref64Sum(x, Math.abs);
      for (const b of [wasm, js]) {
        for (const offset of [0, 1]) {
          const buf = place(b, x, offset);
          const label = `${b.name} len=${len} offset=${offset}`;
          expect(Math.abs(b.sumSquares(buf, len) - sq), `${label} sumSquares`).toBeLessThanOrEqual(SUM_RTOL * sq);
          expect(Math.abs(b.sumAbs(buf, len) - ab), `${label} sumAbs`).toBeLessThanOrEqual(SUM_RTOL * ab);
        }
      }
    });
  }

  it('stays accurate where one f32 accumulator would drift: 400000 copies of 0.1', () => {
    // A single f32 running sum of 0.01 reaches 4000 with an ulp of 2.4e-4 (2.4% of each term) and
    // ends far off; the blockwise sum keeps every f32 partial sum small.
    const len = 400000;
    const x = new Float32Array(len).fill(0.1);
    const v = x[0];
    for (const b of [wasm, js]) {
      const buf = place(b, x, 0);
      expect(Math.abs(b.sumSquares(buf, len) / (len * v * v) - 1), `${b.name} sumSquares`).toBeLessThan(1e-6);
      expect(Math.abs(b.sumAbs(buf, len) / (len * v) - 1), `${b.name} sumAbs`).toBeLessThan(1e-6);
    }
  });

  it('sums only the first len elements', () => {
    for (const b of [wasm, js]) {
      const buf = f32(b, [1, 2, 3, 4, 5, 100]);
      expect(b.sumSquares(buf, 5), b.name).toBe(55);
      expect(b.sumAbs(buf.view(1, 5), 3), b.name).toBe(9);
    }
  });
});

/** Runs `kernel` on both backends over copies of the same inputs; returns each backend's `out`. */
function runElementwise(
  len: number,
  offset: number,
  inputs: Float32Array[],
  kernel: (b: ReadyBackend, bufs: F32Buffer[]) => void,
): { wasm: Float32Array; js: Float32Array } {
  const result: Record<string, Float32Array> = {};
  for (const b of [wasm, js]) {
    const bufs = inputs.map((x) => place(b, x, offset));
    kernel(b, bufs);
    result[b.name] = Float32Array.from(bufs[0].data.subarray(0, len));
  }
  return { wasm: result.wasm, js: result.js };
}

describe('elementwise kernels: axpy, addSign, scale, mul', () => {
  const ULP = 2 ** -23;
  for (const len of LENS) {
    it(`match the float64 formula to 1 ulp and each other bit for bit, len = ${len}`, () => {
      const y = randomArray(len, 1 + len, 2);
      const x = randomArray(len, 2 + len, 2);
      // Exact zeros for sign(0) = 0.
      for (let i = 0; i < len; i += 5) x[i] = 0;
      const alpha = -0.37;
      const a32 = Math.fround(alpha);
      const cases: [string, Float32Array[], (b: ReadyBackend, t: F32Buffer[]) => void, (i: number) => number][] = [
        ['axpy', [y, x], (b, [yb, xb]) => b.axpy(yb, xb, len, alpha), (i) => y[i] + a32 * x[i]],
        ['addSign', [y, x], (b, [yb, xb]) => b.addSign(yb, xb, len, alpha), (i) => y[i] + a32 * Math.sign(x[i])],
        ['scale', [y], (b, [yb]) => b.scale(yb, len, alpha), (i) => y[i] * a32],
        ['mul', [new Float32Array(len).fill(7), y, x], (b, [ob, yb, xb]) => b.mul(ob, yb, xb, len), (i) => y[i] * x[i]],
      ];
      for (const [name, inputs, kernel, formula] of cases) {
        const expected = Float64Array.from({ length: len }, (_, i) => formula(i));
        for (const offset of [0, 1]) {
          const out = runElementwise(len, offset, inputs, kernel);
          const label = `${name} len=${len} offset=${offset}`;
          expectSameBits(out.wasm, out.js, label);
          // Two f32 roundings (product, sum): within an ulp of the operands' scale.
          expectClose(out.wasm, expected, 2 * 4 * ULP, 2 * ULP, label);
        }
      }
    });
  }

  it('work in place where the contract allows it (axpy y = x, mul out = a = b)', () => {
    for (const b of [wasm, js]) {
      const v = f32(b, [1, -2, 3, -4, 5, -6, 7]);
      b.axpy(v, v, 7, 0.5);
      expect(Array.from(v.data), `${b.name} axpy in place`).toEqual([1.5, -3, 4.5, -6, 7.5, -9, 10.5]);
      b.mul(v, v, v, 7);
      expect(Array.from(v.data), `${b.name} mul in place`).toEqual([2.25, 9, 20.25, 36, 56.25, 81, 110.25]);
    }
  });

  it('leave the elements past len untouched', () => {
    for (const b of [wasm, js]) {
      for (const len of [1, 2, 3, 5, 6, 7]) {
        const y = f32(b, new Float32Array(8).fill(1));
        const x = f32(b, new Float32Array(8).fill(2));
        b.axpy(y, x, len, 1);
        b.scale(y, len, 2);
        b.addSign(y, x, len, 1);
        b.mul(y, y, x, len);
        const expected = [...Array(len).fill(((1 + 2) * 2 + 1) * 2), ...Array(8 - len).fill(1)];
        expect(Array.from(y.data), `${b.name} len=${len}`).toEqual(expected);
      }
    }
  });
});

/** First index of the row maximum, in float64, ignoring NaN (0 if the row is all NaN). */
function refArgmax(x: Float32Array, o: number, n: number): number {
  let best = -1;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    if (!Number.isNaN(v) && (best < 0 || v > x[o + best])) best = j;
  }
  return best < 0 ? 0 : best;
}

describe('argmaxRows and countCorrect', () => {
  const SHAPES: [number, number][] = [
    [1, 1], [5, 1], [3, 2], [4, 3], [2, 4], [6, 5], [3, 7], [5, 8], [64, 10], [7, 15], [3, 16], [9, 17], [2, 67], [3, 131],
  ];
  for (const [m, n] of SHAPES) {
    it(`find the first maximum of each row, m = ${m}, n = ${n}`, () => {
      // Few distinct values (ties everywhere), all of them negative in half of the rows.
      const r = rng(m * 1000 + n);
      const x = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) x[i * n + j] = Math.floor(r() * 4) - (i % 2 === 0 ? 10 : 1.5);
      }
      const expected = Array.from({ length: m }, (_, i) => refArgmax(x, i * n, n));
      // Labels: right on even rows, random (often wrong) on odd rows.
      const random = randomLabels(m, n, m + n);
      const labels = Int32Array.from({ length: m }, (_, i) => (i % 2 === 0 ? expected[i] : random[i]));
      const correct = expected.filter((e, i) => e === labels[i]).length;
      for (const b of [wasm, js]) {
        for (const offset of [0, 1]) {
          const xb = place(b, x, offset);
          const out = i32(b, m);
          b.argmaxRows(xb, out, m, n);
          expect(Array.from(out.data), `${b.name} argmaxRows m=${m} n=${n} offset=${offset}`).toEqual(expected);
          const lb = i32(b, labels);
          expect(b.countCorrect(xb, lb, m, n), `${b.name} countCorrect m=${m} n=${n}`).toBe(correct);
        }
      }
    });
  }

  it('treats a tie in the SIMD body and in the tail alike: the first index wins', () => {
    const n = 11;
    // Maximum 5 at j = 2 (first vector), 6 (second vector) and 9 (tail).
    const row = [0, 1, 5, 2, -1, 3, 5, 4, 0, 5, 1];
    const tailOnly = [0, 1, 2, 0, 4, 3, 2, 1, 0, 9, 9];
    for (const b of [wasm, js]) {
      const out = i32(b, 2);
      b.argmaxRows(f32(b, [...row, ...tailOnly]), out, 2, n);
      expect(Array.from(out.data), b.name).toEqual([2, 9]);
    }
  });

  it('never picks NaN, and agrees across backends on rows of NaN and −Infinity', () => {
    const n = 6;
    const rows = [
      [NaN, 1, 2, NaN, 3, 3], // → 4
      [NaN, NaN, NaN, NaN, NaN, NaN], // → 0 (no number at all)
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity], // → 0
      [NaN, -Infinity, NaN, NaN, NaN, NaN], // → 1
      [NaN, NaN, NaN, NaN, NaN, -7], // → 5 (in the tail)
      [1, 2, 3, Infinity, NaN, Infinity], // → 3
    ];
    const x = new Float32Array(rows.flat());
    for (const b of [wasm, js]) {
      const out = i32(b, rows.length);
      b.argmaxRows(f32(b, x), out, rows.length, n);
      expect(Array.from(out.data), b.name).toEqual([4, 0, 0, 1, 5, 3]);
    }
  });
});

describe('firstNonFinite', () => {
  for (const len of LENS) {
    it(`finds NaN, +Infinity and −Infinity in the body and the tail, len = ${len}`, () => {
      const clean = randomArray(len, 77 + len, 1e30);
      // Finite extremes are not flagged.
      clean[0] = 3.4e38;
      clean[len - 1] = -3.4e38;
      const positions = [...new Set([0, 1, 5, 15, 16, 17, len >> 1, len - 4, len - 3, len - 2, len - 1])].filter((p) => p >= 0 && p < len);
      for (const b of [wasm, js]) {
        for (const offset of [0, 1]) {
          const buf = place(b, clean, offset);
          expect(b.firstNonFinite(buf, len), `${b.name} clean len=${len} offset=${offset}`).toBe(-1);
          for (const bad of [NaN, Infinity, -Infinity]) {
            for (const p of positions) {
              const d = buf.data;
              const saved = d[p];
              d[p] = bad;
              // A second bad value later must not win.
              const later = Math.min(len - 1, p + 3);
              const savedLater = d[later];
              d[later] = NaN;
              expect(b.firstNonFinite(buf, len), `${b.name} ${bad} at ${p} of ${len} offset=${offset}`).toBe(p);
              d[p] = saved;
              d[later] = savedLater;
            }
          }
          // A bad value just past len is outside the scan.
          if (offset === 1) {
            const whole = place(b, new Float32Array(len + 1), 0);
            whole.data[len] = NaN;
            expect(b.firstNonFinite(whole, len), `${b.name} NaN past len=${len}`).toBe(-1);
          }
        }
      }
    });
  }
});
