/**
 * src/math/detmath.ts: exp, log, sin, cos and pow from exact IEEE operations only. Here: at most 1 ulp
 * from Math.* over about a million arguments per function (dense sweeps of each range, the edges
 * included), and the special cases exactly. That the bits are the same in another engine is checked
 * by tests/browser/detmath.test.ts (Node against Chromium).
 */
import { describe, expect, it } from 'vitest';
import { cos, exp, log, pow, sin } from '../../src/math/detmath.js';
import { rng, ulpDistance } from '../support/helpers.js';

type Fn = (...args: number[]) => number;

/**
 * Evaluates f and its Math twin on n arguments drawn by `draw` and asserts they are at most 1 ulp
 * apart, naming the worst argument. (On Node 20 they are equal: its V8 uses the same fdlibm
 * algorithms. Newer engines use others, within 1 ulp of the true value as these are.)
 */
function expectWithin1Ulp(label: string, f: Fn, twin: Fn, n: number, draw: (r: () => number) => number[]): void {
  const r = rng(1);
  let worst = 0;
  let worstArgs: number[] = [];
  for (let i = 0; i < n; i++) {
    const args = draw(r);
    const d = ulpDistance(f(...args), twin(...args));
    if (d > worst) {
      worst = d;
      worstArgs = args;
    }
  }
  expect(worst, `${label}: ${worst} ulp from Math at (${worstArgs.join(', ')})`).toBeLessThanOrEqual(1);
}

/** x moved k representable doubles up (k > 0) or down (k < 0). */
function step(x: number, k: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x === 0 ? (k > 0 ? 0 : -0) : x);
  // the bit pattern grows with the magnitude: upward is +1 for positive x, −1 for negative x
  const dir = Object.is(v.getFloat64(0), -0) || v.getFloat64(0) < 0 ? -1n : 1n;
  v.setBigInt64(0, v.getBigInt64(0) + dir * BigInt(k));
  return v.getFloat64(0);
}

/** A uniform draw in [lo, hi). */
const between = (r: () => number, lo: number, hi: number): number => lo + (hi - lo) * r();
/** A draw whose magnitude is log-uniform in [2^lo, 2^hi), with a random sign when `signed`. */
const magnitude = (r: () => number, lo: number, hi: number, signed = true): number =>
  (signed && r() < 0.5 ? -1 : 1) * 2 ** between(r, lo, hi) * (1 + r());

describe('exp', () => {
  it('is within 1 ulp of Math.exp over its whole range', () => {
    expectWithin1Ulp('exp, [−746, 710]', exp, Math.exp, 400_000, (r) => [between(r, -746, 710)]);
    expectWithin1Ulp('exp, [−1.5 ln2, 1.5 ln2]', exp, Math.exp, 300_000, (r) => [between(r, -1.04, 1.04)]);
    expectWithin1Ulp('exp, tiny |x|', exp, Math.exp, 200_000, (r) => [magnitude(r, -60, -1)]);
    expectWithin1Ulp('exp, near the overflow and underflow thresholds', exp, Math.exp, 100_000, (r) => [
      r() < 0.5 ? between(r, 709.7, 709.79) : between(r, -745.2, -744.9),
    ]);
  });

  it('gets the special cases exactly', () => {
    expect(exp(0)).toBe(1);
    expect(exp(-0)).toBe(1);
    expect(exp(Infinity)).toBe(Infinity);
    expect(Object.is(exp(-Infinity), 0)).toBe(true);
    expect(exp(NaN)).toBeNaN();
    expect(exp(1)).toBe(Math.E); // the correctly rounded e
    expect(exp(1e-300)).toBe(1);
    // 709.782712893384 is the largest x with a finite e^x; the next double overflows.
    expect(exp(709.782712893384)).toBe(1.7976931348622732e308);
    expect(exp(step(709.782712893384, 1))).toBe(Infinity);
    // −745.1332191019411 is the smallest x whose e^x rounds up to the least subnormal.
    expect(exp(-745.1332191019411)).toBe(Number.MIN_VALUE);
    expect(Object.is(exp(step(-745.1332191019411, -1)), 0)).toBe(true);
  });
});

describe('log', () => {
  it('is within 1 ulp of Math.log over its whole range', () => {
    expectWithin1Ulp('log, normal x', log, Math.log, 400_000, (r) => [magnitude(r, -1022, 1023, false)]);
    expectWithin1Ulp('log, x in [0.5, 2]', log, Math.log, 250_000, (r) => [between(r, 0.5, 2)]);
    expectWithin1Ulp('log, x within 2^−20 of 1', log, Math.log, 150_000, (r) => [1 + between(r, -(2 ** -20), 2 ** -20)]);
    expectWithin1Ulp('log, subnormal x', log, Math.log, 200_000, (r) => [Number.MIN_VALUE * Math.floor(2 ** between(r, 0, 52))]);
  });

  it('gets the special cases exactly', () => {
    expect(log(0)).toBe(-Infinity);
    expect(log(-0)).toBe(-Infinity);
    expect(log(-1)).toBeNaN();
    expect(log(-Infinity)).toBeNaN();
    expect(log(-Number.MIN_VALUE)).toBeNaN();
    expect(log(Infinity)).toBe(Infinity);
    expect(log(NaN)).toBeNaN();
    expect(Object.is(log(1), 0)).toBe(true);
    expect(log(Math.E)).toBe(1);
    expect(log(2)).toBe(Math.LN2);
    expect(log(10)).toBe(Math.LN10);
    expect(log(Number.MIN_VALUE)).toBe(-744.4400719213812); // −1074·ln2, correctly rounded
    expect(log(Number.MAX_VALUE)).toBe(709.782712893384);
    for (const x of [step(1, 1), step(1, -1)]) expect(ulpDistance(log(x), x - 1), `log(${x})`).toBeLessThanOrEqual(1);
  });
});

describe('sin and cos', () => {
  for (const [name, f, twin] of [['sin', sin, Math.sin], ['cos', cos, Math.cos]] as const) {
    it(`${name} is within 1 ulp of Math.${name} for small, medium and huge arguments`, () => {
      expectWithin1Ulp(`${name}, [−10, 10]`, f, twin, 400_000, (r) => [between(r, -10, 10)]);
      expectWithin1Ulp(`${name}, tiny |x|`, f, twin, 100_000, (r) => [magnitude(r, -80, -1)]);
      // |x| ≤ 2^20·π/2: the Cody–Waite reduction with two or three pieces of π/2
      expectWithin1Ulp(`${name}, |x| ≤ 1.6e6`, f, twin, 300_000, (r) => [between(r, -1.6e6, 1.6e6)]);
      // beyond: the reduction with 2/π to 1584 bits
      expectWithin1Ulp(`${name}, huge |x|`, f, twin, 200_000, (r) => [magnitude(r, 21, 1023)]);
    });

    it(`${name} is within 1 ulp of Math.${name} next to multiples of π/2, where the reduction cancels`, () => {
      const ks = [...Array.from({ length: 2000 }, (_, i) => i + 1), 6381956970095103, 2 ** 30 + 7, 1e9, 1e15, 1e22, 1e100, 1e300];
      let worst = 0;
      let at = 0;
      for (const k of ks) {
        for (const sign of [1, -1]) {
          const x0 = sign * k * (Math.PI / 2);
          for (let u = -4; u <= 4; u++) {
            const x = step(x0, u);
            const d = ulpDistance(f(x), twin(x));
            if (d > worst) [worst, at] = [d, x];
          }
        }
      }
      expect(worst, `${name}: ${worst} ulp from Math at ${at}`).toBeLessThanOrEqual(1);
    });
  }

  it('get the special cases exactly', () => {
    expect(Object.is(sin(0), 0)).toBe(true);
    expect(Object.is(sin(-0), -0)).toBe(true);
    expect(cos(0)).toBe(1);
    expect(cos(-0)).toBe(1);
    for (const x of [Infinity, -Infinity, NaN]) {
      expect(sin(x), `sin(${x})`).toBeNaN();
      expect(cos(x), `cos(${x})`).toBeNaN();
    }
    // π is not the double Math.PI: sin(Math.PI) is π − Math.PI, correctly rounded.
    expect(sin(Math.PI)).toBe(1.2246467991473532e-16);
    expect(cos(Math.PI / 2)).toBe(6.123233995736766e-17);
    expect(cos(Math.PI)).toBe(-1);
    expect(sin(Math.PI / 2)).toBe(1);
    expect(sin(1e-300)).toBe(1e-300);
    expect(sin(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    // The double closest to an odd multiple of π/2 (Kahan, McDonald; in Muller's "Elementary
    // Functions"): cos of it is −4.68716592425462761112e−19, its sine is 1 to within 2^−120.
    const hard = 6381956970095103 * 2 ** 797;
    // eslint-disable-next-line no-loss-of-precision -- the true value to 21 digits, as Muller gives it; compared in ulps
    expect(ulpDistance(cos(hard), -4.68716592425462761112e-19)).toBeLessThanOrEqual(1);
    expect(sin(hard)).toBe(1);
  });
});

describe('pow', () => {
  it('is within 1 ulp of Math.pow', () => {
    expectWithin1Ulp('pow, x in (0, 100], y in [−100, 100]', pow, Math.pow, 300_000, (r) => [between(r, 1e-9, 100), between(r, -100, 100)]);
    expectWithin1Ulp('pow, x from 2^−1074 to 2^1023, y in [−1, 1]', pow, Math.pow, 250_000, (r) => [magnitude(r, -1074, 1023, false), between(r, -1, 1)]);
    expectWithin1Ulp('pow, x < 0, integer y', pow, Math.pow, 150_000, (r) => [between(r, -20, 0), Math.round(between(r, -300, 300))]);
    expectWithin1Ulp('pow, x near 1, |y| > 2^31', pow, Math.pow, 150_000, (r) => [1 + between(r, -1e-9, 1e-9), magnitude(r, 31, 40)]);
    expectWithin1Ulp('pow, results near overflow and underflow', pow, Math.pow, 150_000, (r) => {
      const x = between(r, 1.5, 1e4);
      const target = r() < 0.5 ? between(r, 1000, 1024.5) : between(r, -1080, -1000);
      return [x, target / Math.log2(x)];
    });
  });

  it('is exact when the result is a representable integer', () => {
    for (let a = 2; a <= 30; a++) {
      for (let b = 0; BigInt(a) ** BigInt(b) <= 2n ** 53n; b++) {
        const exact = Number(BigInt(a) ** BigInt(b));
        expect(pow(a, b), `${a}^${b}`).toBe(exact);
        expect(pow(-a, b), `(−${a})^${b}`).toBe(b % 2 === 0 ? exact : -exact);
      }
    }
    expect(pow(10, 22)).toBe(1e22); // 10^22 is still exactly representable
  });

  it('gives Math.pow’s answer on every pair of special values', () => {
    const specials = [0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 1.5, -1.5, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53, 2 ** 53 + 2, 2 ** 31 + 1, 1e-310];
    for (const x of specials) {
      for (const y of specials) {
        const want = Math.pow(x, y);
        const got = pow(x, y);
        expect(Object.is(got, want) || ulpDistance(got, want) <= 1, `pow(${x}, ${y}) = ${got}, Math.pow gives ${want}`).toBe(true);
        // the spec-defined cases (zeros, infinities, NaN and signs) must agree exactly
        if (!Number.isFinite(want) || want === 0) expect(Object.is(got, want), `pow(${x}, ${y})`).toBe(true);
      }
    }
    expect(pow(1, Infinity)).toBeNaN(); // JavaScript, unlike C
    expect(pow(-1, -Infinity)).toBeNaN();
    expect(pow(1, NaN)).toBeNaN();
    expect(pow(NaN, 0)).toBe(1);
    expect(pow(-8, 1 / 3)).toBeNaN();
    expect(pow(2, 0.5)).toBe(Math.SQRT2);
    expect(Object.is(pow(-0, 3), -0)).toBe(true);
    expect(pow(-0, -1)).toBe(-Infinity);
    expect(pow(2, -1074)).toBe(Number.MIN_VALUE);
    expect(Object.is(pow(2, -1075), 0)).toBe(true);
    expect(pow(2, 1023)).toBe(2 ** 1023);
    expect(pow(2, 1024)).toBe(Infinity);
    expect(pow(0.5, -1024)).toBe(Infinity);
  });
});
