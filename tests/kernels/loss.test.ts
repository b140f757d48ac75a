/**
 * Softmax and the loss kernels: wasm against the js twin (float64) on rows of n = 1, 2, 3, the vector
 * width and its neighbours, 10 classes, primes; every combination of the optional outputs and the
 * allowed aliasing; gradients against central differences of the returned loss on both backends;
 * extreme logits; bad labels and buffer lengths through the checked backend.
 */
import { describe, expect, it } from 'vitest';
import type { F32Buffer, ReadyBackend } from '../../src/index.js';
import { expectClose, kernelTestSetup, randomArray, randomLabels } from '../support/helpers.js';

const NS = [1, 2, 3, 4, 5, 7, 8, 10, 16, 17, 67];
const MS = [1, 3, 8];
const LENS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 67, 131, 1000];
const U = 2 ** -24;
/** Logits are drawn from [−S, S]. */
const S = 5;

/**
 * Softmax in wasm: z − max is rounded to f32 (off by ≤ |z − max|·U ≤ 2S·U, which e^(z − max) turns into
 * the same relative error), expv adds ≤ 1 ulp = 2·U, the f64 sum nothing that matters, 1/Σ and the
 * product one U each; the js twin rounds once when it stores. So probabilities agree to (5 + 2S)·U
 * relative; the bound used is (8 + 2S)·U.
 */
const P_RTOL = (8 + 2 * S) * U;
/** Per row the loss log Σ + max − z_label inherits the sum's relative error as an absolute one. */
const CE_ATOL_PER_ROW = (4 + 2 * S) * U;

const { wasm, js, f32, i32, place } = await kernelTestSetup();

/** Row sums of an m×n matrix. */
function rowSums(p: Float32Array, m: number, n: number): number[] {
  return Array.from({ length: m }, (_, i) => p.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0));
}

/**
 * Central differences of a loss computed by backend b, at every element of x (f32): (L(x + h) − L(x − h))
 * divided by the f32 step actually taken.
 */
function lossGradientByDifferences(b: ReadyBackend, xv: Float32Array, h: number, loss: (x: F32Buffer) => number): number[] {
  const x = f32(b, xv);
  return Array.from(xv, (v, k) => {
    const plus = Math.fround(v + h);
    const minus = Math.fround(v - h);
    x.data[k] = plus;
    const lp = loss(x);
    x.data[k] = minus;
    const lm = loss(x);
    x.data[k] = v;
    return (lp - lm) / (plus - minus);
  });
}

/**
 * The elementwise loss `name` on both backends (input xv: logits or predictions; targets tv; buffers
 * `offset` elements in): on each, the loss must be the same without a gradient and with the gradient
 * written over the input, which must then hold the gradient. Returns each backend's loss and
 * gradient, wasm first.
 */
function elementwiseLossOnBoth(
  name: 'sigmoidCrossEntropy' | 'meanSquaredError', xv: Float32Array, tv: Float32Array, offset: number, gs: number, label: string,
): { loss: number; grad: Float32Array }[] {
  const len = xv.length;
  return [wasm, js].map((b) => {
    const x = place(b, xv, offset);
    const t = place(b, tv, offset);
    const grad = place(b, new Float32Array(len), offset);
    const loss = b[name](x, t, grad, len, gs);
    expect(b[name](x, t, null, len, gs), `${label} ${b.name} without grad`).toBe(loss);
    expect(b[name](x, t, x, len, gs), `${label} ${b.name} grad over the input`).toBe(loss);
    expectClose(x.data, grad.data, 0, 0, `${label} ${b.name} grad over the input`);
    return { loss, grad: grad.data.slice() };
  });
}

/**
 * On both backends, the gradient of the elementwise loss `name` (gradScale 1) at input xv, targets tv,
 * is within `atol` of the central differences (h = 0.03) of the loss it returns.
 */
function expectElementwiseGradient(name: 'sigmoidCrossEntropy' | 'meanSquaredError', xv: Float32Array, tv: Float32Array, atol: number): void {
  const len = xv.length;
  for (const b of [wasm, js]) {
    const t = f32(b, tv);
    const grad = f32(b, len);
    b[name](f32(b, xv), t, grad, len, 1);
    const numeric = lossGradientByDifferences(b, xv, 0.03, (x) => b[name](x, t, null, len, 1));
    expectClose(grad.data, numeric, atol, 0, `${name} gradient ${b.name}`);
  }
}

describe('softmax', () => {
  it('wasm vs js, rows sum to 1, in place equals out of place', () => {
    for (const m of MS) {
      for (const n of NS) {
        for (const offset of [0, 1]) {
          const xv = randomArray(m * n, 10 + m * 100 + n, S);
          const label = `softmax m=${m} n=${n} offset=${offset}`;
          const out: Float32Array[] = [];
          for (const b of [wasm, js]) {
            const x = place(b, xv, offset);
            const y = place(b, new Float32Array(m * n), offset);
            b.softmax(x, y, m, n);
            b.softmax(x, x, m, n);
            expectClose(x.data, y.data, 0, 0, `${label} ${b.name} in place`);
            expectClose(rowSums(y.data, m, n), new Array(m).fill(1), n * P_RTOL, 0, `${label} ${b.name} row sums`);
            out.push(y.data.slice());
          }
          expectClose(out[0], out[1], 0, P_RTOL, label);
        }
      }
    }
  });

  it('is finite and sums to 1 for logits of ±1e4', () => {
    const xv = Float32Array.from([1e4, -1e4, 0, 1e4, -1e4, -1e4, -1e4, -1e4, 3, -2, 1e4 - 1, 1e4]);
    const [m, n] = [3, 4];
    for (const b of [wasm, js]) {
      const y = f32(b, m * n);
      b.softmax(f32(b, xv), y, m, n);
      expect(y.data.every(Number.isFinite), `${b.name} finite`).toBe(true);
      expectClose(rowSums(y.data, m, n), [1, 1, 1], 4 * P_RTOL, 0, `softmax ${b.name} ±1e4 row sums`);
      // Row 0: two equal maxima share the mass; row 1: all equal.
      expectClose(y.data.subarray(0, 8), [0.5, 0, 0, 0.5, 0.25, 0.25, 0.25, 0.25], 0, P_RTOL, `softmax ${b.name} ±1e4 values`);
    }
  });
});

describe('softmaxCrossEntropy', () => {
  it('wasm vs js: loss, probs and grad, with every combination of the optional outputs', () => {
    for (const m of MS) {
      for (const n of NS) {
        const xv = randomArray(m * n, 20 + m * 100 + n, S);
        const lv = randomLabels(m, n, 30 + m + n);
        const gs = 1 / m;
        for (const offset of [0, 1]) {
          const label = `softmaxCrossEntropy m=${m} n=${n} offset=${offset}`;
          const res: { loss: number[]; probs: Float32Array; grad: Float32Array }[] = [];
          for (const b of [wasm, js]) {
            const logits = place(b, xv, offset);
            const labels = i32(b, lv);
            const probs = place(b, new Float32Array(m * n), offset);
            const grad = place(b, new Float32Array(m * n), offset);
            const losses = [
              b.softmaxCrossEntropy(logits, labels, probs, grad, m, n, gs),
              b.softmaxCrossEntropy(logits, labels, null, null, m, n, gs),
            ];
            const probsOnly = place(b, new Float32Array(m * n), offset);
            losses.push(b.softmaxCrossEntropy(logits, labels, probsOnly, null, m, n, gs));
            const gradOnly = place(b, new Float32Array(m * n), offset);
            losses.push(b.softmaxCrossEntropy(logits, labels, null, gradOnly, m, n, gs));
            // Each output is the same whichever others are asked for.
            expectClose(probsOnly.data, probs.data, 0, 0, `${label} ${b.name} probs alone`);
            expectClose(gradOnly.data, grad.data, 0, 0, `${label} ${b.name} grad alone`);
            expect(new Set(losses).size, `${label} ${b.name}: the same loss every time`).toBe(1);
            expect(losses[0], `${label} ${b.name}: loss ≥ 0`).toBeGreaterThanOrEqual(0);
            res.push({ loss: losses, probs: probs.data.slice(), grad: grad.data.slice() });
          }
          expectClose([res[0].loss[0]], [res[1].loss[0]], m * CE_ATOL_PER_ROW, 0, `${label} loss`);
          expectClose(res[0].probs, res[1].probs, 0, P_RTOL, `${label} probs`);
          // grad = (p − onehot)·gs: p's relative error, taken absolutely where p − 1 cancels.
          expectClose(res[0].grad, res[1].grad, gs * P_RTOL, P_RTOL, `${label} grad`);
        }
      }
    }
  });

  it('may write probs or grad over the logits', () => {
    const [m, n] = [4, 7];
    const xv = randomArray(m * n, 40, S);
    const lv = randomLabels(m, n, 41);
    for (const b of [wasm, js]) {
      const probs = f32(b, m * n);
      const grad = f32(b, m * n);
      const loss = b.softmaxCrossEntropy(f32(b, xv), i32(b, lv), probs, grad, m, n, 0.5);
      const a = f32(b, xv);
      expect(b.softmaxCrossEntropy(a, i32(b, lv), a, grad, m, n, 0.5), `${b.name} probs = logits`).toBe(loss);
      expectClose(a.data, probs.data, 0, 0, `${b.name} probs written over logits`);
      const c = f32(b, xv);
      expect(b.softmaxCrossEntropy(c, i32(b, lv), null, c, m, n, 0.5), `${b.name} grad = logits`).toBe(loss);
      expectClose(c.data, grad.data, 0, 0, `${b.name} grad written over logits (no probs)`);
      const d = f32(b, xv);
      b.softmaxCrossEntropy(d, i32(b, lv), probs, d, m, n, 0.5);
      expectClose(d.data, grad.data, 0, 0, `${b.name} grad written over logits (with probs)`);
    }
  });

  it('the gradient is the central difference of the returned loss (both backends)', () => {
    for (const [m, n] of [[1, 1], [2, 3], [3, 10], [2, 17]]) {
      const xv = randomArray(m * n, 50 + n, 3);
      const labels = randomLabels(m, n, 51 + n);
      const gs = 1 / m;
      for (const b of [wasm, js]) {
        const lab = i32(b, labels);
        const grad = f32(b, m * n);
        b.softmaxCrossEntropy(f32(b, xv), lab, null, grad, m, n, gs);
        // The returned loss is the sum over rows, and grad its gradient times gradScale. h = 0.03:
        // truncation ≤ h²/6·max|L‴| < 1e-4·0.1, and the loss's rounding (≤ CE_ATOL_PER_ROW per row,
        // ~1e-6) over 2h adds < 1e-4·m; both scaled by gs like the gradient.
        const numeric = lossGradientByDifferences(b, xv, 0.03, (x) => b.softmaxCrossEntropy(x, lab, null, null, m, n, gs));
        expectClose(grad.data, numeric.map((d) => d * gs), 2e-4, 0, `softmaxCrossEntropy gradient m=${m} n=${n} ${b.name}`);
      }
    }
  });

  it('is finite and ≥ 0 for logits of ±1e4, mixed', () => {
    const [m, n] = [4, 5];
    const xv = Float32Array.from([
      1e4, -1e4, 1e4, -1e4, 0,
      -1e4, -1e4, -1e4, -1e4, -1e4,
      1e4, 1e4, 1e4, 1e4, 1e4,
      -1e4, 3, 1e4, -2, 1e4,
    ]);
    const lv = Int32Array.from([1, 4, 2, 0]);
    // Row by row: 2e4 + ln 2, ln 5, ln 5, 2e4 + ln 2 (the label's logit is 2e4 below two maxima).
    const want = 4e4 + 2 * Math.LN2 + 2 * Math.log(5);
    for (const b of [wasm, js]) {
      const probs = f32(b, m * n);
      const grad = f32(b, m * n);
      const loss = b.softmaxCrossEntropy(f32(b, xv), i32(b, lv), probs, grad, m, n, 1);
      expect(loss, `${b.name} loss`).toBeCloseTo(want, 3);
      expect(probs.data.every(Number.isFinite) && grad.data.every(Number.isFinite), `${b.name} finite`).toBe(true);
      expectClose(rowSums(probs.data, m, n), [1, 1, 1, 1], 8 * P_RTOL, 0, `${b.name} probs sum to 1`);
      // Each gradient row sums to 0 (Σp − 1).
      expectClose(rowSums(grad.data, m, n), [0, 0, 0, 0], 8 * P_RTOL, 0, `${b.name} grad rows sum to 0`);
    }
  });

  it('is 0 for one class', () => {
    for (const b of [wasm, js]) {
      const grad = f32(b, 3);
      expect(b.softmaxCrossEntropy(f32(b, [4, -7, 1e4]), i32(b, [0, 0, 0]), null, grad, 3, 1, 1)).toBe(0);
      expect(Array.from(grad.data)).toEqual([0, 0, 0]);
    }
  });
});

describe('sigmoidCrossEntropy', () => {
  /**
   * Each wasm term max(z, 0) − z·t + log1p(e^−|z|) takes four f32 roundings (≤ U times magnitudes
   * ≤ |z| + 1) and log1pv / expv add ≤ 2.5 ulp of a term ≤ ln 2: ≤ 4·U·(|z| + 1) per element.
   */
  function bceAtol(zv: Float32Array): number {
    return zv.reduce((s, z) => s + 4 * U * (Math.abs(z) + 1), 0);
  }

  it('wasm vs js: loss and grad, grad optional or over the logits', () => {
    for (const len of LENS) {
      for (const offset of [0, 1]) {
        const zv = randomArray(len, 60 + len, S);
        const tv = randomArray(len, 61 + len, 0.5).map((v) => v + 0.5);
        const gs = 1 / len;
        const label = `sigmoidCrossEntropy len=${len} offset=${offset}`;
        const res = elementwiseLossOnBoth('sigmoidCrossEntropy', zv, tv, offset, gs, label);
        expectClose([res[0].loss], [res[1].loss], bceAtol(zv), 0, `${label} loss`);
        // σ is within 1.5 ulp = 3·U, plus one U for σ − t and one for ·gs; σ − t cancels, so absolutely.
        expectClose(res[0].grad, res[1].grad, 6 * U * gs, 6 * U, `${label} grad`);
      }
    }
  });

  it('the gradient is the central difference of the returned loss (both backends)', () => {
    const len = 13;
    const zv = randomArray(len, 70, 4);
    const tv = randomArray(len, 71, 0.5).map((v) => v + 0.5);
    // Truncation ≤ h²/6·max|L‴| (≤ 0.1) ≈ 1.5e-5; the loss's rounding (bceAtol ≈ 2e-5) over 2h ≈ 3e-4.
    expectElementwiseGradient('sigmoidCrossEntropy', zv, tv, 4e-4);
  });

  it('is finite for logits of ±1e4', () => {
    const zv = Float32Array.from([1e4, -1e4, 1e4, -1e4, 0]);
    const tv = Float32Array.from([1, 0, 0, 1, 0.5]);
    // Terms: 0, 0, 1e4, 1e4, ln 2.
    for (const b of [wasm, js]) {
      const grad = f32(b, 5);
      const loss = b.sigmoidCrossEntropy(f32(b, zv), f32(b, tv), grad, 5, 1);
      expect(loss, `${b.name} loss`).toBeCloseTo(2e4 + Math.LN2, 3);
      expectClose(grad.data, [0, 0, 1, -1, 0], 0, 0, `${b.name} grad at ±1e4`);
    }
  });
});

describe('meanSquaredError', () => {
  it('wasm vs js: loss and grad, grad optional or over pred', () => {
    for (const len of LENS) {
      for (const offset of [0, 1]) {
        const pv = randomArray(len, 80 + len, 2);
        const tv = randomArray(len, 81 + len, 2);
        const gs = 1 / len;
        const label = `meanSquaredError len=${len} offset=${offset}`;
        const res = elementwiseLossOnBoth('meanSquaredError', pv, tv, offset, gs, label);
        // wasm rounds d = p − t to f32 (U), then squares and sums in f64; terms are ≥ 0, so the sum is
        // within 2·U relative (plus f64 noise). grad: d, then ·2gs, two roundings against js's one.
        expectClose([res[0].loss], [res[1].loss], 0, 3 * U, `${label} loss`);
        expectClose(res[0].grad, res[1].grad, 0, 3 * U, `${label} grad`);
      }
    }
  });

  it('the gradient is the central difference of the returned loss (both backends)', () => {
    const len = 11;
    const pv = randomArray(len, 90, 2);
    const tv = randomArray(len, 91, 2);
    // Quadratic: central differences are exact but for rounding (~U·loss/2h ≈ 1e-5).
    expectElementwiseGradient('meanSquaredError', pv, tv, 1e-4);
  });
});
