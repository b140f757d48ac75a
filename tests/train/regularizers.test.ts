import { describe, expect, it } from 'vitest';
import { l1, l1l2, l2, regularizerFromConfig, type Backend, type Regularizer } from '../../src/index.js';
import { backends, centralDiff, expectClose, randomArray } from '../support/helpers.js';

/** 53: prime, so the kernels' vector tails run. */
const N = 53;

/** Weights with |w| ≥ 0.1, so a central difference with h = 1e-2 never crosses the kink of |w| at 0. */
function weights(seed: number): Float32Array {
  return randomArray(N, seed).map((x) => Math.sign(x || 1) * (0.1 + Math.abs(x)));
}

/** The penalty evaluated by the backend at x (rounded to f32 as the weights are). */
function penaltyAt(b: Backend, reg: Regularizer) {
  const buf = b.f32(N);
  return {
    f: (x: Float64Array) => {
      buf.data.set(x);
      return reg.penalty(b, buf, N);
    },
    free: () => b.free(buf),
  };
}

/** ∂penalty/∂w from addGradient into a zero gradient. */
function gradient(b: Backend, reg: Regularizer, w: Float32Array): Float32Array {
  const wb = b.f32(w);
  const g = b.f32(N);
  reg.addGradient(b, wb, g, N);
  const out = g.data.slice();
  b.free(wb);
  b.free(g);
  return out;
}

const CASES: { label: string; reg: Regularizer; penalty: (w: ArrayLike<number>) => number }[] = [
  { label: 'l2(0.3)', reg: l2(0.3), penalty: (w) => 0.3 * Array.from(w).reduce((s, x) => s + x * x, 0) },
  { label: 'l1(0.2)', reg: l1(0.2), penalty: (w) => 0.2 * Array.from(w).reduce((s, x) => s + Math.abs(x), 0) },
  {
    label: 'l1l2(0.05, 0.4)',
    reg: l1l2({ l1: 0.05, l2: 0.4 }),
    penalty: (w) => Array.from(w).reduce((s, x) => s + 0.05 * Math.abs(x) + 0.4 * x * x, 0),
  },
];

describe('regularizers', () => {
  it('penalty matches its formula on both backends', async () => {
    const { js, wasm } = await backends();
    for (const b of [js, wasm]) {
      for (const { label, reg, penalty } of CASES) {
        const w = weights(1);
        const wb = b.f32(w);
        expectClose([reg.penalty(b, wb, N)], [penalty(w)], 1e-7, 1e-5, `${b.name} ${label} penalty`);
        b.free(wb);
      }
    }
  });

  it('gradient matches central differences of the penalty on both backends', async () => {
    const { js, wasm } = await backends();
    for (const b of [js, wasm]) {
      for (const { label, reg } of CASES) {
        const w = weights(2);
        const analytic = gradient(b, reg, w);
        const p = penaltyAt(b, reg);
        const x = Float64Array.from(w);
        const numeric = Array.from(w, (_, i) => centralDiff(p.f, x, i, 1e-2));
        p.free();
        // The penalty is a sum of ~N f32 terms of size ~0.3, differenced over 2h = 0.02.
        expectClose(analytic, numeric, 2e-4, 1e-3, `${b.name} ${label} gradient vs central differences`);
      }
    }
  });

  it('adds to the gradient rather than overwriting it, and l1 uses sign(0) = 0', async () => {
    const { js, wasm } = await backends();
    for (const b of [js, wasm]) {
      const w = b.f32([0, 2, -3, 0.5]);
      const g = b.f32([1, 1, 1, 1]);
      l1l2({ l1: 0.5, l2: 0.25 }).addGradient(b, w, g, 4);
      expectClose(g.data, [1, 1 + 0.5 + 1, 1 - 0.5 - 1.5, 1 + 0.5 + 0.25], 1e-7, 1e-6, `${b.name} accumulated gradient`);
      b.free(w);
      b.free(g);
    }
  });

  it('zero coefficients are a no-op', async () => {
    const { js, wasm } = await backends();
    for (const b of [js, wasm]) {
      const w = b.f32(weights(3));
      const g0 = randomArray(N, 4);
      const g = b.f32(g0);
      for (const reg of [l2(0), l1(0), l1l2()]) {
        expect(reg.penalty(b, w, N)).toBe(0);
        reg.addGradient(b, w, g, N);
      }
      expect(Array.from(g.data)).toEqual(Array.from(g0));
      b.free(w);
      b.free(g);
    }
  });

  it("l2 with α = λ/2 adds λ·w to the gradient, as PyTorch's weight_decay λ does", async () => {
    const { js } = await backends();
    const lambda = 0.1;
    const w0 = weights(5);
    const g0 = randomArray(N, 6);
    const g = js.f32(g0);
    const w = js.f32(w0);
    l2(lambda / 2).addGradient(js, w, g, N);
    expectClose(g.data, Array.from(g0, (x, i) => x + lambda * w0[i]), 1e-7, 1e-6, 'l2(λ/2) gradient = g + λw');
    js.free(w);
    js.free(g);
  });
});

describe('regularizer configs', () => {
  it('rebuild from JSON, with Keras defaults for a bare name and Keras spelling l1_l2', () => {
    for (const reg of [l2(0.3), l1(0.2), l1l2({ l1: 0.05, l2: 0.4 })]) {
      expect(regularizerFromConfig(JSON.parse(JSON.stringify(reg.config))).config).toEqual(reg.config);
    }
    expect(l2().config).toEqual({ name: 'l2', alpha: 0.01 });
    expect(regularizerFromConfig({ name: 'l1' }).config).toEqual({ name: 'l1', alpha: 0.01 });
    expect(regularizerFromConfig({ name: 'l1_l2', l1: 0.1 }).config).toEqual({ name: 'l1l2', l1: 0.1, l2: 0 });
    expect(() => regularizerFromConfig({ name: 'elastic' })).toThrow("simdnet: unknown regularizer 'elastic'; known regularizers: l1, l2, l1l2");
  });

  it('negative or non-finite coefficients and unknown options give an error naming them', () => {
    expect(() => l2(-0.1)).toThrow('simdnet l2: alpha must be a finite number ≥ 0, got -0.1');
    expect(() => l1(NaN)).toThrow('simdnet l1: alpha must be a finite number ≥ 0, got NaN');
    expect(() => l1l2({ l2: -1 })).toThrow('simdnet l1l2: l2 must be a finite number ≥ 0, got -1');
    expect(() => l1l2({ l1: Infinity })).toThrow(/l1 must be a finite number/);
    expect(() => l1l2({ alpha: 1 } as never)).toThrow("simdnet l1l2: unknown option 'alpha'; known options: l1, l2");
    expect(() => regularizerFromConfig({ name: 'l2', l2: 0.1 })).toThrow("simdnet l2: unknown option 'l2'; known options: alpha");
  });
});
