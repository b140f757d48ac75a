/**
 * Optimizer steps: several steps of each optimizer against a float64 implementation of its formula
 * written here (not the f32 js twin), wasm and js identical bit for bit, hand-checked first steps,
 * and the argument checks of checked.ts.
 *
 * The references use the hyper-parameters rounded to f32, as the kernels receive them (1 − β2 for
 * β2 = 0.999 moves by 1.3e-5 when β2 is rounded: that is the caller's f32, not a kernel error).
 */
import { describe, expect, it } from 'vitest';
import type { F32Buffer, ReadyBackend } from '../../src/index.js';
import { expectClose, expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const LENS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 67, 131, 512, 4099, 400000];
const STEPS = 5;
const f = Math.fround;

const LR = 0.01;
const WD = 0.05;
const MU = 0.9;
const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const RHO = 0.9;

const { wasm, js, f32 } = await kernelTestSetup();

/**
 * One optimizer: how many state buffers it keeps, the kernel call, and the float64 reference of one
 * step (updating w and the states in place, element i).
 */
interface Optimizer {
  name: string;
  states: number;
  step(b: ReadyBackend, w: F32Buffer, g: F32Buffer, s: F32Buffer[], len: number, t: number, wd: number): void;
  ref(w: Float64Array, g: Float32Array, s: Float64Array[], i: number, t: number, wd: number): void;
}

const lr = f(LR), mu = f(MU), b1 = f(B1), b2 = f(B2), eps = f(EPS), rho = f(RHO);

function momentum(nesterov: boolean): Optimizer {
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    states: 1,
    step: (b, w, g, [v], len, _t, wd) => b.momentumStep(w, g, v, len, LR, MU, nesterov, wd),
    ref(w, g, [v], i, _t, wd) {
      w[i] -= lr * f(wd) * w[i];
      v[i] = mu * v[i] + g[i];
      w[i] -= lr * (nesterov ? g[i] + mu * v[i] : v[i]);
    },
  };
}

const OPTIMIZERS: Optimizer[] = [
  {
    name: 'sgd',
    states: 0,
    step: (b, w, g, _s, len, _t, wd) => b.sgdStep(w, g, len, LR, wd),
    ref(w, g, _s, i, _t, wd) {
      w[i] -= lr * f(wd) * w[i];
      w[i] -= lr * g[i];
    },
  },
  momentum(false),
  momentum(true),
  {
    name: 'adam',
    states: 2,
    step: (b, w, g, [m, v], len, t, wd) => b.adamStep(w, g, m, v, len, LR, B1, B2, EPS, t, wd),
    ref(w, g, [m, v], i, t, wd) {
      w[i] -= lr * f(wd) * w[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    },
  },
  {
    name: 'rmsprop',
    states: 1,
    step: (b, w, g, [s], len, _t, wd) => b.rmspropStep(w, g, s, len, LR, RHO, EPS, wd),
    ref(w, g, [s], i, _t, wd) {
      w[i] -= lr * f(wd) * w[i];
      s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
      w[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + eps);
    },
  },
  {
    name: 'adagrad',
    states: 1,
    step: (b, w, g, [s], len, _t, wd) => b.adagradStep(w, g, s, len, LR, EPS, wd),
    ref(w, g, [s], i, _t, wd) {
      w[i] -= lr * f(wd) * w[i];
      s[i] += g[i] * g[i];
      w[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + eps);
    },
  },
];

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/**
 * Runs `steps` steps of `opt` on backend b from w0 with gradients gradient(t); returns w and states.
 * Buffers are views one element in when `offset` is 1 (addresses not 16-aligned).
 */
function run(b: ReadyBackend, opt: Optimizer, w0: Float32Array, gradient: (t: number) => Float32Array, steps: number, wd: number, offset = 0) {
  const len = w0.length;
  const place = (values: Float32Array) => {
    const buf = f32(b, len + offset);
    buf.data.set(values, offset);
    return offset === 0 ? buf : buf.view(offset, len);
  };
  const w = place(w0);
  const g = place(new Float32Array(len));
  const s = Array.from({ length: opt.states }, () => place(new Float32Array(len)));
  for (let t = 1; t <= steps; t++) {
    g.data.set(gradient(t));
    opt.step(b, w, g, s, len, t, wd);
  }
  return { w: Float32Array.from(w.data), s: s.map((x) => Float32Array.from(x.data)) };
}

describe('optimizer steps', () => {
  for (const len of LENS) {
    it(`follow the float64 formulas for ${STEPS} steps, and wasm = js bit for bit, len = ${len}`, () => {
      const w0 = randomArray(len, 10 + len);
      const grads = Array.from({ length: STEPS }, (_, t) => randomArray(len, 500 + 31 * t + len, 0.5));
      const gradient = (t: number) => grads[t - 1];
      for (const opt of OPTIMIZERS) {
        // The reference, in float64 from the same f32 inputs.
        const w = Float64Array.from(w0);
        const s = Array.from({ length: opt.states }, () => new Float64Array(len));
        for (let t = 1; t <= STEPS; t++) for (let i = 0; i < len; i++) opt.ref(w, grads[t - 1], s, i, t, WD);
        for (const offset of len < 1000 ? [0, 1] : [0]) {
          const label = `${opt.name} len=${len} offset=${offset}`;
          const onWasm = run(wasm, opt, w0, gradient, STEPS, WD, offset);
          const onJs = run(js, opt, w0, gradient, STEPS, WD, offset);
          expectSameBits(onWasm.w, onJs.w, `${label} w`);
          onWasm.s.forEach((x, k) => expectSameBits(x, onJs.s[k], `${label} state ${k}`));
          // Each step rounds a handful of f32 operations (≤ ~4 ulps of the values involved): allow
          // 4 ulps of the largest value per step.
          const tol = STEPS * 4 * 2 ** -24;
          expectClose(onWasm.w, w, tol * maxAbs(w), tol, `${label} w`);
          onWasm.s.forEach((x, k) => expectClose(x, s[k], tol * maxAbs(s[k]), tol, `${label} state ${k}`));
        }
      }
    });
  }

  it('Adam: the first step moves each weight by ≈ lr against the gradient, whatever its size', () => {
    // m̂ = g and v̂ = g² after one step, so Δw = −lr·g/(|g| + eps).
    const g = new Float32Array([0.3, -2, 1e-3, -5e-5, 40, 1e-7, -0.75]);
    const w0 = new Float32Array(g.length).fill(0.5);
    const adam = OPTIMIZERS.find((o) => o.name === 'adam')!;
    for (const b of [wasm, js]) {
      const { w } = run(b, adam, w0, () => g, 1, 0);
      for (let i = 0; i < g.length; i++) {
        const expected = 0.5 - (LR * g[i]) / (Math.abs(g[i]) + EPS);
        expect(Math.abs(w[i] - expected), `${b.name} g=${g[i]}: w=${w[i]}, expected ${expected}`).toBeLessThan(1e-7);
      }
      // |Δw| ≈ lr for gradients far above eps (1e-7 is only 10 eps: there Δw = lr·10/11).
      expect(Math.abs(w[0] - 0.5), b.name).toBeCloseTo(LR, 6);
      expect(Math.abs(w[4] - 0.5), b.name).toBeCloseTo(LR, 6);
    }
  });

  it('momentum and Nesterov: first steps by hand, and they part ways', () => {
    const g = new Float32Array([1, -2, 0.5, 4, -1]);
    const w0 = new Float32Array(g.length);
    const [plain, nest] = [momentum(false), momentum(true)];
    for (const b of [wasm, js]) {
      // Step 1 from v = 0: v = g; plain w = −lr·g, Nesterov w = −lr·(g + μ·g).
      const one = run(b, plain, w0, () => g, 1, 0).w;
      const oneN = run(b, nest, w0, () => g, 1, 0).w;
      expectClose(one, Array.from(g, (x) => -LR * x), 1e-9, 1e-6, `${b.name} momentum step 1`);
      expectClose(oneN, Array.from(g, (x) => -LR * (1 + MU) * x), 1e-9, 1e-6, `${b.name} nesterov step 1`);
      // Step 2 with the same g: v = (1 + μ)g; plain adds −lr(1+μ)g, Nesterov −lr(g + μ(1+μ)g).
      const two = run(b, plain, w0, () => g, 2, 0).w;
      const twoN = run(b, nest, w0, () => g, 2, 0).w;
      expectClose(two, Array.from(g, (x) => -LR * (2 + MU) * x), 1e-9, 1e-6, `${b.name} momentum step 2`);
      expectClose(twoN, Array.from(g, (x) => -LR * (1 + MU + 1 + MU * (1 + MU)) * x), 1e-9, 1e-6, `${b.name} nesterov step 2`);
    }
  });

  it('weight decay alone shrinks every weight by the factor (1 − lr·wd) per step', () => {
    // With g = 0 every update term is 0 (Adam, RMSprop, Adagrad: 0/(0 + eps)), so only the decay acts.
    const len = 13;
    const w0 = randomArray(len, 3, 2);
    const zero = new Float32Array(len);
    const factor = (1 - LR * 0.5) ** 3;
    for (const opt of OPTIMIZERS) {
      for (const b of [wasm, js]) {
        const { w } = run(b, opt, w0, () => zero, 3, 0.5);
        for (let i = 0; i < len; i++) expect(Math.abs(w[i]), `${b.name} ${opt.name} |w[${i}]|`).toBeLessThan(Math.abs(w0[i]));
        expectClose(w, Array.from(w0, (x) => x * factor), 0, 4 * 2 ** -24 * 3, `${b.name} ${opt.name} decay`);
        // Without decay and without gradient nothing moves.
        expectClose(run(b, opt, w0, () => zero, 3, 0).w, w0, 0, 0, `${b.name} ${opt.name} no decay`);
      }
    }
  });
});
