/**
 * Activation kernels (activationForward, activationBackward, biasActivation): wasm against the js twin
 * on every length of the edge-case matrix (tail-only, vector width ± 1, primes, large), aligned and
 * one element in (unaligned addresses), in place and not; both backends' derivatives against central
 * differences of the float64 definitions (src/backend/js/math.ts); the id numbering of
 * assembly/activation.ts against ACTIVATIONS; and bad arguments through the checked backend.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, ACTIVATION_DEFAULT_ALPHA, type ActivationName } from '../../src/index.js';
import { ACTIVATION_MATH } from '../../src/backend/js/math.js';
import { centralDiff, expectClose, expectSameBits, kernelTestSetup, randomArray } from '../support/helpers.js';

const LENS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 67, 131, 512, 1000];
/** (m, n) for the fused epilogue: n below, at and above the vector width, odd and prime. */
const SHAPES: [number, number][] = [[1, 1], [3, 2], [2, 3], [4, 4], [5, 5], [3, 7], [2, 8], [7, 17], [4, 67], [9, 131]];

/** f32 unit roundoff: one correctly rounded f32 operation is off by at most U relative. */
const U = 2 ** -24;

/**
 * These activations are one comparison and at most one f32 multiply (a·x), which both backends round
 * the same way (the js twin's f64 product of two f32 values is exact, then rounded once by the store):
 * the wasm and js results must be the same bits, forward. (Backward, relu gives +0 in wasm and dy·0 =
 * −0 in js where dy < 0, so there equality is by value.)
 */
const EXACT = new Set<ActivationName>(['identity', 'step', 'relu', 'leakyRelu']);

/**
 * Tolerance of the smooth activations, forward. The simd-math functions are within 4 ulp = 8·U of the
 * exact function (normalCdfv, for gelu; 1.5 ulp = 3·U for exp, expm1, tanh, log1p, sigmoid: measured
 * and enforced in assembly/__tests__/simd-math.spec.ts); an activation adds at most two more f32
 * roundings (≤ U each), and the js twin rounds once when it stores (its erfc is within 1.05e-7 ≈ 1.8·U):
 * ≤ 12·U. Inputs |x| ≤ 4 with a ∈ {1, 0.5, 2} keep a·x exact, so the argument adds nothing.
 * (Measured over 100k inputs: gelu 6.6·U, sigmoid and silu 4·U, the others ≤ 3.5·U.)
 */
const FWD_RTOL = 12 * U;
/**
 * Backward, the derivative formulas subtract: 1 − y² (tanh), Φ(x) + x·φ(x) (gelu, 0 at x ≈ −0.75),
 * σ(x)·(1 + x·σ(−x)) (silu), so the result can be far smaller than its terms (≤ ~1.2 here): the error
 * is bounded absolutely, by the forward bound times the largest term times |dy| ≤ 1: 12·U·1.2 < 16·U,
 * and relatively, where there is no cancellation, by the forward bound.
 * (Measured: ≤ 4·U absolute.)
 */
const BWD_ATOL = 16 * U;
const BWD_RTOL = 12 * U;

const { wasm, js, f32, place } = await kernelTestSetup();

/** alpha values to try per activation: the default, and one more for those that use it. */
function alphasFor(act: ActivationName): number[] {
  const other: Partial<Record<ActivationName, number>> = { sigmoid: 2, leakyRelu: 0.2, elu: 0.5 };
  const a = other[act];
  return a === undefined ? [ACTIVATION_DEFAULT_ALPHA[act]] : [ACTIVATION_DEFAULT_ALPHA[act], a];
}

/** The float64 definition of f, with the kernels' f32 alpha. */
function f64Of(act: ActivationName, alpha: number): (x: number) => number {
  const a = Math.fround(alpha);
  return (x) => ACTIVATION_MATH[act].f(x, a);
}

describe('activation ids', () => {
  // Inputs on which the ten functions all differ (relu vs leakyRelu, silu vs gelu, ...).
  const xs = Float32Array.from([-2.5, -1, -0.25, 0.5, 1.5, 3]);

  it('each id in assembly/activation.ts computes the function its name has in ACTIVATIONS', () => {
    ACTIVATIONS.forEach((act, id) => {
      const alpha = ACTIVATION_DEFAULT_ALPHA[act];
      const x = f32(wasm, xs);
      const y = f32(wasm, xs.length);
      wasm.activationForward(act, x, y, xs.length, alpha);
      const want = Array.from(xs, f64Of(act, alpha));
      expectClose(y.data, want, 1e-6, 1e-6, `wasm id ${id} forward should be ${act}`);
      // The backward switch has its own ids: check the derivative there too.
      const dy = f32(wasm, new Float32Array(xs.length).fill(1));
      const dx = f32(wasm, xs.length);
      wasm.activationBackward(act, x, y, dy, dx, xs.length, alpha);
      const a = Math.fround(alpha);
      const dwant = Array.from(xs, (v, i) => ACTIVATION_MATH[act].df(v, y.data[i], a));
      expectClose(dx.data, dwant, 1e-6, 1e-6, `wasm id ${id} backward should be ${act}'`);
    });
  });

  it('the functions are told apart by these inputs (so the check above can fail)', () => {
    const seen = new Set<string>();
    for (const act of ACTIVATIONS) {
      seen.add(Array.from(xs, f64Of(act, ACTIVATION_DEFAULT_ALPHA[act])).map((v) => v.toFixed(6)).join());
    }
    expect(seen.size).toBe(ACTIVATIONS.length);
  });
});

describe('activationForward: wasm vs js', () => {
  for (const act of ACTIVATIONS) {
    it(act, () => {
      for (const alpha of alphasFor(act)) {
        for (const len of LENS) {
          for (const offset of [0, 1]) {
            const xv = randomArray(len, 1000 + len, 4);
            const label = `activationForward ${act} alpha=${alpha} len=${len} offset=${offset}`;
            const out: Float32Array[] = [];
            for (const b of [wasm, js]) {
              // Not in place; with one element of sentinel after y, which must stay untouched.
              const x = place(b, xv, offset);
              const yFull = place(b, new Float32Array(len + 1).fill(7), offset);
              b.activationForward(act, x, yFull.view(0, len), len, alpha);
              expect(yFull.data[len], `${label}: ${b.name} wrote past the end`).toBe(7);
              // In place must give the same values.
              const z = place(b, xv, offset);
              b.activationForward(act, z, z, len, alpha);
              expectSameBits(z.data, yFull.data.subarray(0, len), `${label} ${b.name} in place`);
              out.push(yFull.data.slice(0, len));
            }
            if (EXACT.has(act)) expectSameBits(out[0], out[1], label);
            else expectClose(out[0], out[1], 0, FWD_RTOL, label);
          }
        }
      }
    });
  }

  it('is finite and saturates correctly at extreme inputs', () => {
    const xv = Float32Array.from([-1e4, -200, -100, -88.8, -87, -20, -1e-30, 0, 1e-30, 20, 87, 88.8, 100, 200, 1e4]);
    for (const act of ACTIVATIONS) {
      for (const b of [wasm, js]) {
        const x = f32(b, xv);
        const y = f32(b, xv.length);
        b.activationForward(act, x, y, xv.length, ACTIVATION_DEFAULT_ALPHA[act]);
        const want = Array.from(xv, f64Of(act, ACTIVATION_DEFAULT_ALPHA[act])).map(Math.fround);
        // Relative error as above; the absolute 1e-40 admits results in the subnormal range, which
        // have fewer significant bits (softplus(−100) ≈ 3.7e-44).
        expectClose(y.data, want, 1e-40, FWD_RTOL, `activationForward ${act} ${b.name} extremes`);
      }
    }
  });

  it('sigmoid with slope a = 10, 1, 0.1 is 1/(1 + exp(−a·z))', () => {
    const zv = randomArray(131, 77, 8);
    for (const a of [10, 1, 0.1]) {
      const af = Math.fround(a);
      const want = Array.from(zv, (z) => 1 / (1 + Math.exp(-af * z)));
      for (const b of [wasm, js]) {
        const z = f32(b, zv);
        const y = f32(b, zv.length);
        b.activationForward('sigmoid', z, y, zv.length, a);
        // −a·z is rounded to f32 in wasm (|a·z| ≤ 80 here): e^(−a·z) is then off by up to |a·z|·U
        // relative, and σ by that times (1 − σ) ≤ 1; plus the forward bound.
        expectClose(y.data, want, 0, FWD_RTOL + 80 * U, `sigmoid slope a=${a} ${b.name}`);
      }
    }
  });
});

describe('activationBackward: wasm vs js', () => {
  for (const act of ACTIVATIONS) {
    it(act, () => {
      for (const alpha of alphasFor(act)) {
        for (const len of LENS) {
          for (const offset of [0, 1]) {
            const xv = randomArray(len, 2000 + len, 4);
            const dyv = randomArray(len, 3000 + len, 1);
            // y = f(x) as the js twin computes it; both backends get the same x, y and dy.
            const yjs = f32(js, len);
            js.activationForward(act, f32(js, xv), yjs, len, alpha);
            const yv = yjs.data.slice();
            const label = `activationBackward ${act} alpha=${alpha} len=${len} offset=${offset}`;
            const out: Float32Array[] = [];
            for (const b of [wasm, js]) {
              const x = place(b, xv, offset);
              const y = place(b, yv, offset);
              const dxFull = place(b, new Float32Array(len + 1).fill(7), offset);
              b.activationBackward(act, x, y, place(b, dyv, offset), dxFull.view(0, len), len, alpha);
              expect(dxFull.data[len], `${label}: ${b.name} wrote past the end`).toBe(7);
              const dy = place(b, dyv, offset);
              b.activationBackward(act, x, y, dy, dy, len, alpha);
              expectSameBits(dy.data, dxFull.data.subarray(0, len), `${label} ${b.name} in place (dx = dy)`);
              out.push(dxFull.data.slice(0, len));
            }
            expectClose(out[0], out[1], EXACT.has(act) ? 0 : BWD_ATOL, EXACT.has(act) ? 0 : BWD_RTOL, label);
          }
        }
      }
    });
  }
});

describe('activation derivatives against central differences', () => {
  // Points away from 0, where relu, leakyRelu, step and elu (alpha ≠ 1) have their kinks.
  // Rounded to f32, so the kernels and the float64 reference see the same x.
  const points = Float64Array.from([-3.7, -2, -1.3, -0.75, -0.31, -0.05, 0.05, 0.4, 0.9, 1.7, 2.6, 4.2], Math.fround);
  const H = 1e-5;

  for (const act of ACTIVATIONS) {
    it(act, () => {
      for (const alpha of alphasFor(act)) {
        const f = f64Of(act, alpha);
        const x64 = new Float64Array(1);
        // Central differences of the float64 definition: error ~H²·|f‴|/6 + 1e-16/H ≈ 1e-10.
        const want = Array.from(points, (p) => {
          x64[0] = p;
          return centralDiff((v) => f(v[0]), x64, 0, H);
        });
        const xv = Float32Array.from(points);
        for (const b of [wasm, js]) {
          const x = f32(b, xv);
          const y = f32(b, xv.length);
          b.activationForward(act, x, y, xv.length, alpha);
          const dy = f32(b, new Float32Array(xv.length).fill(1));
          const dx = f32(b, xv.length);
          b.activationBackward(act, x, y, dy, dx, xv.length, alpha);
          // The points are f32-exact, so only the kernels' f32 rounding separates dx from f′: the
          // backward tolerance above.
          expectClose(dx.data, want, BWD_ATOL, BWD_RTOL, `d/dx ${act} alpha=${alpha} ${b.name}`);
        }
      }
    });
  }
});

describe('biasActivation: wasm vs js', () => {
  for (const act of ACTIVATIONS) {
    it(act, () => {
      const alpha = ACTIVATION_DEFAULT_ALPHA[act];
      for (const [m, n] of SHAPES) {
        for (const withBias of [true, false]) {
          for (const inPlace of [false, true]) {
            const zv = randomArray(m * n, 4000 + m * 31 + n, 3);
            const bv = randomArray(n, 5000 + n, 1);
            const label = `biasActivation ${act} m=${m} n=${n} ${withBias ? 'bias' : 'no bias'} ${inPlace ? 'in place' : 'y ≠ z'}`;
            const zs: Float32Array[] = [];
            const ys: Float32Array[] = [];
            for (const b of [wasm, js]) {
              const z = f32(b, zv);
              const bias = withBias ? f32(b, bv) : null;
              const y = inPlace ? z : f32(b, m * n);
              const before = z.data.slice();
              b.biasActivation(act, z, bias, y, m, n, alpha);
              // Not in place, z keeps the pre-activation z + bias (one f32 add: exact agreement).
              if (!inPlace) zs.push(z.data.slice());
              ys.push(y.data.slice());
              if (!inPlace) {
                const pre = before.map((v, k) => Math.fround(v + (withBias ? bv[k % n] : 0)));
                expectSameBits(z.data, pre, `${label} ${b.name}: z holds z + bias`);
              }
            }
            if (!inPlace) expectSameBits(zs[0], zs[1], `${label}: z`);
            if (EXACT.has(act)) expectSameBits(ys[0], ys[1], label);
            else expectClose(ys[0], ys[1], 0, FWD_RTOL, label);
          }
        }
      }
    });
  }

  it('equals biasAdd then activationForward (the unfused pair)', () => {
    const [m, n] = [5, 67];
    for (const act of ACTIVATIONS) {
      const zv = randomArray(m * n, 6000, 3);
      const bv = randomArray(n, 6001, 1);
      const z1 = f32(wasm, zv);
      const y1 = f32(wasm, m * n);
      wasm.biasActivation(act, z1, f32(wasm, bv), y1, m, n);
      const z2 = f32(wasm, zv);
      const y2 = f32(wasm, m * n);
      wasm.biasAdd(z2, f32(wasm, bv), m, n);
      wasm.activationForward(act, z2, y2, m * n);
      expectSameBits(y1.data, y2.data, `biasActivation ${act} vs biasAdd + activationForward`);
    }
  });
});

describe('activation arguments', () => {
  it('rejects an unknown activation, listing the known ones', () => {
    for (const b of [wasm, js]) {
      const x = f32(b, 4);
      expect(() => b.activationForward('swish' as ActivationName, x, x, 4)).toThrow(
        `unknown activation 'swish'; expected one of ${ACTIVATIONS.join(', ')}`,
      );
      expect(() => b.biasActivation('Relu' as ActivationName, x, null, x, 2, 2)).toThrow(/unknown activation 'Relu'; expected one of identity, step/);
    }
  });

  it('names the buffer that is too short', () => {
    for (const b of [wasm, js]) {
      const x = f32(b, 8);
      const short = f32(b, 7);
      expect(() => b.activationForward('relu', x, short, 8)).toThrow(/activationForward: y has 7 elements, expected at least 8/);
      expect(() => b.activationBackward('relu', x, x, short, f32(b, 8), 8)).toThrow(/activationBackward: dy has 7 elements/);
      expect(() => b.biasActivation('relu', x, f32(b, 3), x, 2, 4)).toThrow(/biasActivation: bias has 3 elements, expected at least 4 \(n = 4\)/);
      expect(() => b.biasActivation('relu', x, null, short, 2, 4)).toThrow(/biasActivation: y has 7 elements, expected at least 8/);
    }
  });

  it('rejects a non-finite alpha and partly overlapping buffers', () => {
    for (const b of [wasm, js]) {
      const x = f32(b, 8);
      expect(() => b.activationForward('elu', x, x, 8, Number.NaN)).toThrow(/alpha must be a finite number/);
      expect(() => b.activationForward('tanh', x.view(0, 4), x.view(2, 4), 4)).toThrow(/y must not overlap x/);
    }
  });
});
