/**
 * The image kernels (im2col, col2im, pooling, batch normalization) against float64 references written
 * from their definitions, on both backends (the manifest test checks wasm against the twin; this
 * checks the twin's math): im2col is the receptive field with TensorFlow's padding, col2im its
 * adjoint (⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩), max pooling's argmax routes the backward pass, and batch
 * normalization's statistics and output follow their formulas.
 */
import { describe, expect, test } from 'vitest';
import type { ReadyBackend } from '../../src/index.js';
import { expectClose, kernelTestSetup, randomArray } from '../support/helpers.js';

const { wasm, js, f32, i32 } = await kernelTestSetup();

interface Geo { m: number; h: number; w: number; c: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; same: boolean }

const out = (size: number, k: number, s: number, d: number, same: boolean) => (same ? Math.ceil(size / s) : Math.floor((size - (k - 1) * d - 1) / s) + 1);
const pad = (size: number, o: number, k: number, s: number, d: number, same: boolean) => (same ? Math.max(0, Math.floor(((o - 1) * s + (k - 1) * d + 1 - size) / 2)) : 0);

const GEOS: Geo[] = [
  { m: 2, h: 7, w: 6, c: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: true },
  { m: 1, h: 9, w: 10, c: 2, kh: 4, kw: 3, sh: 2, sw: 3, dh: 1, dw: 1, same: true },
  { m: 3, h: 8, w: 8, c: 5, kh: 3, kw: 2, sh: 3, sw: 2, dh: 1, dw: 1, same: false },
  { m: 1, h: 9, w: 9, c: 1, kh: 3, kw: 3, sh: 1, sw: 2, dh: 2, dw: 3, same: true },
  { m: 2, h: 1, w: 1, c: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: true },
];

function reference(g: Geo, x: Float32Array): { cols: Float64Array; outH: number; outW: number } {
  const outH = out(g.h, g.kh, g.sh, g.dh, g.same), outW = out(g.w, g.kw, g.sw, g.dw, g.same);
  const pt = pad(g.h, outH, g.kh, g.sh, g.dh, g.same), pl = pad(g.w, outW, g.kw, g.sw, g.dw, g.same);
  const cols = new Float64Array(g.m * outH * outW * g.kh * g.kw * g.c);
  let at = 0;
  for (let n = 0; n < g.m; n++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let ci = 0; ci < g.c; ci++, at++) {
      const iy = oy * g.sh - pt + ky * g.dh, ix = ox * g.sw - pl + kx * g.dw;
      cols[at] = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? x[((n * g.h + iy) * g.w + ix) * g.c + ci] : 0;
    }
  }
  return { cols, outH, outW };
}

describe('im2col and col2im', () => {
  for (const g of GEOS) {
    test(`${JSON.stringify(g)}: the receptive fields, and col2im is im2col's adjoint`, () => {
      for (const b of [wasm, js] as ReadyBackend[]) {
        const xv = randomArray(g.m * g.h * g.w * g.c, 1);
        const { cols, outH, outW } = reference(g, xv);
        const x = f32(b, xv);
        const c = f32(b, cols.length);
        b.im2col(x, c, g.m, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, outH, outW, g.same);
        expect(Array.from(c.data), b.name).toEqual(Array.from(cols));
        const cv = randomArray(cols.length, 2);
        const dx = f32(b, xv.length);
        b.col2im(f32(b, cv), dx, g.m, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, outH, outW, g.same, false);
        let lhs = 0, rhs = 0;
        for (let i = 0; i < cols.length; i++) lhs += cols[i] * cv[i];
        for (let i = 0; i < xv.length; i++) rhs += xv[i] * dx.data[i];
        expect(Math.abs(lhs - rhs), `${b.name}: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩`).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
        // accumulate adds onto what dx holds.
        const before = Float32Array.from(dx.data);
        b.col2im(f32(b, cv), dx, g.m, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, outH, outW, g.same, true);
        expectClose(dx.data, before.map((v) => 2 * v), 1e-6, 1e-6, `${b.name}: accumulate`);
      }
    });
  }
});

describe('pooling', () => {
  const geo = { m: 2, h: 7, w: 9, c: 6, ph: 3, pw: 2, sh: 2, sw: 2 };
  for (const same of [false, true]) {
    test(`max and average, 3x2 windows, stride 2, ${same ? 'same' : 'valid'}: values, argmax, and the gradients they route`, () => {
      const outH = out(geo.h, geo.ph, geo.sh, 1, same), outW = out(geo.w, geo.pw, geo.sw, 1, same);
      const pt = pad(geo.h, outH, geo.ph, geo.sh, 1, same), pl = pad(geo.w, outW, geo.pw, geo.sw, 1, same);
      const xv = randomArray(geo.m * geo.h * geo.w * geo.c, 3);
      const dyv = randomArray(geo.m * outH * outW * geo.c, 4);
      const outs = geo.m * outH * outW * geo.c;
      const maxRef = new Float64Array(outs), avgRef = new Float64Array(outs);
      const dxMax = new Float64Array(xv.length), dxAvg = new Float64Array(xv.length);
      let e = 0;
      for (let n = 0; n < geo.m; n++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let ci = 0; ci < geo.c; ci++, e++) {
        const taps: number[] = [];
        for (let ky = 0; ky < geo.ph; ky++) for (let kx = 0; kx < geo.pw; kx++) {
          const iy = oy * geo.sh - pt + ky, ix = ox * geo.sw - pl + kx;
          if (iy >= 0 && iy < geo.h && ix >= 0 && ix < geo.w) taps.push(((n * geo.h + iy) * geo.w + ix) * geo.c + ci);
        }
        let best = taps[0];
        for (const t of taps) if (xv[t] > xv[best]) best = t;
        maxRef[e] = xv[best];
        dxMax[best] += dyv[e];
        avgRef[e] = taps.reduce((s, t) => s + xv[t], 0) / taps.length;
        for (const t of taps) dxAvg[t] += dyv[e] / taps.length;
      }
      for (const b of [wasm, js] as ReadyBackend[]) {
        const x = f32(b, xv), y = f32(b, outs), arg = i32(b, outs), dx = f32(b, xv.length);
        b.maxPoolForward(x, y, arg, geo.m, geo.h, geo.w, geo.c, geo.ph, geo.pw, geo.sh, geo.sw, outH, outW, same);
        expect(Array.from(y.data), `${b.name} max`).toEqual(Array.from(maxRef, Math.fround));
        b.maxPoolBackward(f32(b, dyv), arg, dx, geo.m, geo.h, geo.w, geo.c, outH, outW);
        expectClose(dx.data, dxMax, 1e-6, 1e-6, `${b.name} max ∂x`);
        b.avgPoolForward(x, y, geo.m, geo.h, geo.w, geo.c, geo.ph, geo.pw, geo.sh, geo.sw, outH, outW, same);
        expectClose(y.data, avgRef, 1e-6, 1e-6, `${b.name} average`);
        b.avgPoolBackward(f32(b, dyv), dx, geo.m, geo.h, geo.w, geo.c, geo.ph, geo.pw, geo.sh, geo.sw, outH, outW, same);
        expectClose(dx.data, dxAvg, 1e-6, 1e-6, `${b.name} average ∂x`);
      }
    });
  }

  test('maxPoolBackward skips indices outside the image (−1 from an empty window, or garbage)', () => {
    for (const b of [wasm, js] as ReadyBackend[]) {
      const dx = f32(b, 8);
      dx.data.fill(5);
      b.maxPoolBackward(f32(b, [1, 2, 3, 4]), i32(b, [-1, 8, 3, 2 ** 30]), dx, 1, 2, 2, 2, 1, 2);
      expect(Array.from(dx.data), b.name).toEqual([0, 0, 0, 3, 0, 0, 0, 0]);
    }
  });
});

describe('batch normalization', () => {
  test('statistics, output and gradients follow their formulas (float64 references)', () => {
    const m = 37, n = 6, eps = 1e-3;
    const xv = randomArray(m * n, 5, 3).map((v, i) => v + (i % n));
    const dyv = randomArray(m * n, 6);
    const gv = randomArray(n, 7).map((v) => 1 + v), bv = randomArray(n, 8);
    for (const b of [wasm, js] as ReadyBackend[]) {
      const x = f32(b, xv), mean = f32(b, n), variance = f32(b, n), y = f32(b, m * n);
      b.batchNormStats(x, mean, variance, m, n);
      const mu: number[] = [], s: number[] = [];
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += xv[i * n + j];
        mu.push(sum / m);
        let q = 0;
        for (let i = 0; i < m; i++) q += (xv[i * n + j] - mu[j]) ** 2;
        s.push(q / m);
      }
      expectClose(mean.data, mu, 1e-7, 1e-6, `${b.name} mean`);
      expectClose(variance.data, s, 1e-7, 1e-6, `${b.name} variance`);
      b.batchNormForward(x, mean, variance, f32(b, gv), f32(b, bv), y, m, n, eps);
      const xhat = (i: number, j: number) => (xv[i * n + j] - mu[j]) / Math.sqrt(s[j] + eps);
      expectClose(y.data, Array.from({ length: m * n }, (_, k) => gv[k % n] * xhat(Math.floor(k / n), k % n) + bv[k % n]), 1e-5, 1e-5, `${b.name} output`);
      // Backward with the batch statistics: ∂x = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)).
      const dx = f32(b, m * n), dg = f32(b, n), db = f32(b, n);
      b.batchNormBackward(x, f32(b, dyv), mean, variance, f32(b, gv), dx, dg, db, m, n, eps, true);
      const refDx: number[] = [], refDg: number[] = [], refDb: number[] = [];
      for (let j = 0; j < n; j++) {
        let sdy = 0, sdyx = 0;
        for (let i = 0; i < m; i++) {
          sdy += dyv[i * n + j];
          sdyx += dyv[i * n + j] * xhat(i, j);
        }
        refDb.push(sdy);
        refDg.push(sdyx);
      }
      for (let k = 0; k < m * n; k++) {
        const i = Math.floor(k / n), j = k % n;
        refDx.push((gv[j] / Math.sqrt(s[j] + eps)) * (dyv[k] - refDb[j] / m - (xhat(i, j) * refDg[j]) / m));
      }
      expectClose(dx.data, refDx, 1e-5, 1e-4, `${b.name} ∂x`);
      expectClose(dg.data, refDg, 1e-5, 1e-5, `${b.name} ∂γ`);
      expectClose(db.data, refDb, 1e-5, 1e-5, `${b.name} ∂β`);
      // With fixed statistics (inference), ∂x is dy·γ/σ.
      b.batchNormBackward(x, f32(b, dyv), mean, variance, f32(b, gv), dx, null, null, m, n, eps, false);
      expectClose(dx.data, dyv.map((d, k) => (d * gv[k % n]) / Math.sqrt(s[k % n] + eps)), 1e-6, 1e-5, `${b.name} ∂x, inference`);
    }
  });
});
