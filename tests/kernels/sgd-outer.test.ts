/**
 * sgdOuterStep (assembly/optim-outer.ts) against the unfused pair it replaces in online SGD: matmul TN
 * with k = 1 into a gradient buffer, then sgdStep over the weights. The same bits on both backends,
 * on the edge sizes (the 16- and 4-column vector loops and the scalar tail), with and without weight
 * decay, and with the values that could tell the orders apart: ±0 in the weights, the input and the
 * output gradient (−0·x is −0, and 0 + (−0) is +0; a negative lr is where that sign reaches the
 * weights), huge and tiny magnitudes. The wasm kernel against its twin is also checked by
 * tests/kernels/manifest.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ReadyBackend } from '../../src/backend/init.js';
import { expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const { wasm, js, f32, i32, place } = await kernelTestSetup();

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 67, 131];

/** Values where rounding and the sign of zero show: a few ±0, huge and tiny entries among random ones. */
function specials(n: number, seed: number, scale: number): Float32Array {
  const v = randomArray(n, seed, scale);
  for (let i = 0; i < n; i += 5) v[i] = i % 10 === 0 ? -0 : 0;
  for (let i = 3; i < n; i += 11) v[i] *= 1e30;
  for (let i = 7; i < n; i += 13) v[i] *= 1e-30;
  return v;
}

/**
 * The gradient by the skinny matmul (what wasm's matmul runs for TN with k = 1, and its bit-exact js
 * twin; the js backend's own matmul is a blocked loop with its own order, within the manifest's
 * tolerance, whose zeros may differ in sign), then sgdStep.
 */
function unfused(b: ReadyBackend, w0: Float32Array, x: Float32Array, dy: Float32Array, m: number, n: number, lr: number, wd: number, kernel: 'matmul' | 'matmulSkinny' = 'matmulSkinny'): Float32Array {
  const w = f32(b, w0), g = f32(b, m * n);
  b[kernel]('TN', f32(b, x), f32(b, dy), g, m, 1, n);
  b.sgdStep(w, g, m * n, lr, wd);
  return w.data.slice(0, m * n);
}

function fused(b: ReadyBackend, w0: Float32Array, x: Float32Array, dy: Float32Array, m: number, n: number, lr: number, wd: number, offset: number): Float32Array {
  // offset 1: addresses that are not 16-byte aligned.
  const w = place(b, w0, offset);
  const notOk = b.sgdOuterStep(w, place(b, x, offset), place(b, dy, offset), m, n, lr, wd, null);
  const out = w.data.slice(0, m * n);
  expect(notOk, `${b.name} rows not finite or with −0, m=${m} n=${n}`).toBe(rowFlags(out, m, n).filter((f) => f === 0).length);
  return out;
}

/** What sgdOuterStep's row flags say of w [m, n]: 1 for a row all finite and free of −0, else 0. */
function rowFlags(w: Float32Array, m: number, n: number): number[] {
  return Array.from({ length: m }, (_, i) => (w.subarray(i * n, (i + 1) * n).every((v) => Number.isFinite(v) && !Object.is(v, -0)) ? 1 : 0));
}

describe('sgdOuterStep: the same bits as matmul TN (k = 1) + sgdStep', () => {
  for (const b of [wasm, js]) {
    it(`${b.name}: every edge size, decay 0 and 0.05, aligned and not`, () => {
      let seed = 1;
      for (const m of SIZES) {
        for (const n of SIZES) {
          const w0 = specials(m * n, seed++, 0.5), x = specials(m, seed++, 2), dy = specials(n, seed++, 0.1);
          for (const wd of [0, 0.05]) {
            for (const lr of [0.01, 0.1, -0.01]) {
              const want = unfused(b, w0, x, dy, m, n, lr, wd);
              if (b === wasm) expectSameBits(unfused(b, w0, x, dy, m, n, lr, wd, 'matmul'), want, `matmul is skinny for TN k=1, m=${m} n=${n}`);
              for (const offset of [0, 1]) expectSameBits(fused(b, w0, x, dy, m, n, lr, wd, offset), want, `${b.name} m=${m} n=${n} lr=${lr} wd=${wd} offset=${offset}`);
            }
          }
        }
      }
    });
  }

  it('wasm and js agree on the 784×128 kernel of 784-128-10', () => {
    const m = 784, n = 128;
    const w0 = specials(m * n, 91, 0.05), x = specials(m, 92, 1), dy = specials(n, 93, 0.2);
    expectSameBits(fused(wasm, w0, x, dy, m, n, 0.1, 0, 0), fused(js, w0, x, dy, m, n, 0.1, 0, 0), 'wasm vs js 784×128');
    expectSameBits(fused(wasm, w0, x, dy, m, n, 0.1, 0, 0), unfused(wasm, w0, x, dy, m, n, 0.1, 0), 'fused vs unfused 784×128');
  });

  // Online SGD keeps the flags from step to step (rowsKnown), so rows of zero input are not read:
  // the bits must stay those of the unfused pair through any mix of flagged rows, zero inputs and the
  // values that forbid a skip (±Infinity, NaN or −0 in W, a non-finite dy, weight decay), and an overflow.
  for (const b of [wasm, js]) {
    it(`${b.name}: the row flags over several steps, rows of zero input left unread, the same bits`, () => {
      let seed = 700;
      for (const [m, n] of [[1, 1], [5, 3], [9, 16], [17, 21], [67, 131], [784, 128]]) {
        const w0 = randomArray(m * n, seed++, 0.5);
        // Rows that must never be skipped: each holds one bad value.
        const bad = [Infinity, -Infinity, NaN, -0];
        for (let t = 0; t < bad.length && 3 * t + 1 < m; t++) w0[(3 * t + 1) * n + (t % n)] = bad[t];
        const steps: { lr: number; wd: number; dyBad?: number }[] = [
          { lr: 0.1, wd: 0 }, { lr: 0.05, wd: 0 }, { lr: 0.1, wd: 0.01 }, { lr: 0.1, wd: 0, dyBad: Infinity },
          { lr: 0.2, wd: 0, dyBad: NaN }, { lr: -0.1, wd: 0 }, { lr: 0.1, wd: 0 },
          // Overflow: rows with a non-zero input go to ±Infinity and are flagged 0 from then on.
          { lr: 3e38, wd: 0 }, { lr: 0.1, wd: 0 },
        ];
        let want: Float32Array = w0.slice();
        const w = f32(b, w0), rows = i32(b, m), xb = f32(b, m), dyb = f32(b, n);
        rows.data.fill(7); // garbage: the first call, rowsKnown false, must write every flag
        steps.forEach((step, s) => {
          // About 80% of the inputs zero, −0 among them, as an MNIST digit's pixels.
          const x = randomArray(m, seed++, 2).map((v, i) => ((i + s) % 5 === 0 ? v : i % 7 === 0 ? -0 : 0));
          const dy = randomArray(n, seed++, 0.1);
          if (step.dyBad !== undefined) dy[n - 1] = step.dyBad;
          xb.data.set(x);
          dyb.data.set(dy);
          want = unfused(b, want, x, dy, m, n, step.lr, step.wd);
          const notOk = b.sgdOuterStep(w, xb, dyb, m, n, step.lr, step.wd, rows, s > 0);
          const label = `${b.name} m=${m} n=${n} step ${s} (lr=${step.lr} wd=${step.wd} dy[n-1]=${dy[n - 1]})`;
          expectSameBits(w.data.slice(0, m * n), want, label);
          const flags = rowFlags(want, m, n);
          expect(Array.from(rows.data.slice(0, m)), `${label}: flags`).toEqual(flags);
          expect(notOk, `${label}: rows flagged 0`).toBe(flags.filter((f) => f === 0).length);
        });
      }
    });
  }
});
