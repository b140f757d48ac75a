// The error bounds stated in assembly/simd-math.ts, checked inside wasm: each vector function is run
// over a dense sweep of f32 inputs and compared with an f64 reference of the same f32 input (Math.*
// of AssemblyScript's std, and for erfc a series / continued fraction written below). The bounds are
// the measured maxima rounded up a little; the error of a result is relative unless stated.
import {
  erfcv, erfv, expm1v, expv, log1pv, logv, normalCdfv, normalPdfv, sigmoidv, tanhv,
} from '../simd-math';

/** One f32 ulp at 1, 2⁻²³: the bounds are written in these units. */
const ULP: f64 = 1.1920928955078125e-7;

const EXP: i32 = 0;
const EXPM1: i32 = 1;
const TANH: i32 = 2;
const LOG1P: i32 = 3;
const LOG: i32 = 4;
const ERFC: i32 = 5;
const ERF: i32 = 6;
const PHI: i32 = 7;
const PDF: i32 = 8;
const SIGMOID: i32 = 9;

function apply(fn: i32, v: v128): v128 {
  switch (fn) {
    case EXP: return expv(v);
    case EXPM1: return expm1v(v);
    case TANH: return tanhv(v);
    case LOG1P: return log1pv(v);
    case LOG: return logv(v);
    case ERFC: return erfcv(v);
    case ERF: return erfv(v);
    case PHI: return normalCdfv(v);
    case PDF: return normalPdfv(v);
    default: return sigmoidv(v);
  }
}

/** erf(x) for 0 ≤ x < 3: 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), all terms positive (no cancellation). */
function erfSeries(x: f64): f64 {
  let term = x;
  let sum = x;
  for (let n = 1; n < 300; n++) {
    term *= (2 * x * x) / <f64>(2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** erfc(x) for x ≥ 3 by its continued fraction e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcFraction(x: f64): f64 {
  let f = x;
  for (let k = 200; k >= 1; k--) f = x + <f64>k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erfc in f64, to ~1e-14 relative (the two forms agree to 1e-11 where they meet). */
function erfc64(x: f64): f64 {
  if (x < 0) return 2 - erfc64(-x);
  return x < 3 ? 1 - erfSeries(x) : erfcFraction(x);
}

function reference(fn: i32, x: f64): f64 {
  switch (fn) {
    case EXP: return Math.exp(x);
    case EXPM1: return Math.expm1(x);
    case TANH: return Math.tanh(x);
    case LOG1P: return Math.log1p(x);
    case LOG: return Math.log(x);
    case ERFC: return erfc64(x);
    case ERF: return 1 - erfc64(x);
    case PHI: return 0.5 * erfc64(-x * Math.SQRT1_2);
    case PDF: return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    default: return 1 / (1 + Math.exp(-x));
  }
}

/** |y − f(x)|, divided by |f(x)| unless `absolute` or f(x) = 0 (then y must be 0 exactly to score 0). */
function laneError(fn: i32, x: f32, y: f32, absolute: bool): f64 {
  const want = reference(fn, <f64>x);
  const err = Math.abs(<f64>y - want);
  return absolute || want == 0 ? err : err / Math.abs(want);
}

/** The largest error of fn over x = lo, lo + step, … ≤ hi (each rounded to f32), four lanes at a time. */
function worstError(fn: i32, lo: f64, hi: f64, step: f64, absolute: bool = false): f64 {
  let worst: f64 = 0;
  const n = <i32>Math.floor((hi - lo) / step) + 1;
  for (let i = 0; i < n; i += 4) {
    const x0 = <f32>(lo + <f64>i * step);
    const x1 = <f32>min(lo + <f64>(i + 1) * step, hi);
    const x2 = <f32>min(lo + <f64>(i + 2) * step, hi);
    const x3 = <f32>min(lo + <f64>(i + 3) * step, hi);
    const y = apply(fn, f32x4(x0, x1, x2, x3));
    worst = max(worst, laneError(fn, x0, f32x4.extract_lane(y, 0), absolute));
    worst = max(worst, laneError(fn, x1, f32x4.extract_lane(y, 1), absolute));
    worst = max(worst, laneError(fn, x2, f32x4.extract_lane(y, 2), absolute));
    worst = max(worst, laneError(fn, x3, f32x4.extract_lane(y, 3), absolute));
  }
  return worst;
}

/** The largest relative error at ±10^e for e = −30 … 0 in steps of 0.01 (tiny arguments). */
function worstNearZero(fn: i32, positiveOnly: bool): f64 {
  let worst: f64 = 0;
  for (let e: f64 = -30; e <= 0; e += 0.01) {
    const x = <f32>Math.pow(10, e);
    const y = apply(fn, f32x4(x, -x, x, -x));
    worst = max(worst, laneError(fn, x, f32x4.extract_lane(y, 0), false));
    if (!positiveOnly) worst = max(worst, laneError(fn, -x, f32x4.extract_lane(y, 1), false));
  }
  return worst;
}

function lane0(fn: i32, x: f32): f32 {
  return f32x4.extract_lane(apply(fn, f32x4.splat(x)), 0);
}

describe('expv', () => {
  it('is within 1 ulp over [−87.3, 88.7] (normal results)', () => {
    expect(worstError(EXP, -87.3, 88.7, 1e-3)).toBeLessThanOrEqual(1.0 * ULP);
  });
  it('underflows gradually to 0 and overflows to +Inf', () => {
    // Subnormal results: absolute error within half the smallest subnormal, 2⁻¹⁵⁰.
    expect(worstError(EXP, -103.9, -87.4, 1e-3, true)).toBeLessThanOrEqual(<f64>1.401298464324817e-45);
    expect(lane0(EXP, -104)).toBe(0);
    expect(lane0(EXP, -1e4)).toBe(0);
    expect(lane0(EXP, -Infinity)).toBe(0);
    expect(lane0(EXP, 88.8)).toBe(Infinity);
    expect(lane0(EXP, 1e4)).toBe(Infinity);
    expect(lane0(EXP, Infinity)).toBe(Infinity);
    expect(lane0(EXP, 0)).toBe(1);
    expect(isNaN(lane0(EXP, NaN))).toBe(true);
  });
});

describe('expm1v', () => {
  it('is within 1 ulp over [−88, 88] and near 0', () => {
    expect(worstError(EXPM1, -88, 88, 1e-3)).toBeLessThanOrEqual(1.0 * ULP);
    expect(worstNearZero(EXPM1, false)).toBeLessThanOrEqual(1.0 * ULP);
  });
  it('goes to −1 and +Inf without NaN', () => {
    expect(lane0(EXPM1, -1e4)).toBe(-1);
    expect(lane0(EXPM1, 88.72)).toBeLessThan(Infinity);
    expect(lane0(EXPM1, 88.8)).toBe(Infinity);
    expect(lane0(EXPM1, 1e4)).toBe(Infinity);
  });
});

describe('tanhv', () => {
  it('is within 1.5 ulp over [−20, 20] and near 0', () => {
    expect(worstError(TANH, -20, 20, 1e-4)).toBeLessThanOrEqual(1.5 * ULP);
    expect(worstNearZero(TANH, false)).toBeLessThanOrEqual(1.5 * ULP);
  });
  it('is ±1 far out, keeps the sign of zero, passes NaN', () => {
    expect(lane0(TANH, 1e4)).toBe(1);
    expect(lane0(TANH, -Infinity)).toBe(-1);
    expect<f32>(<f32>1 / lane0(TANH, -0.0)).toBe(-Infinity);
    expect(isNaN(lane0(TANH, NaN))).toBe(true);
  });
});

describe('log1pv and logv', () => {
  it('log1pv is within 1.25 ulp over [0, 1] and for tiny u', () => {
    expect(worstError(LOG1P, 0.0, 1, 1e-6)).toBeLessThanOrEqual(1.25 * ULP);
    expect(worstNearZero(LOG1P, true)).toBeLessThanOrEqual(1.25 * ULP);
    expect(lane0(LOG1P, 0)).toBe(0);
  });
  it('logv is within 1 ulp over [0.001, 1000]', () => {
    expect(worstError(LOG, 0.001, 1000, 1e-3)).toBeLessThanOrEqual(1.0 * ULP);
  });
});

describe('erfcv, erfv, normalCdfv, normalPdfv', () => {
  it('erfcv is within 3.5 ulp relative over [−9, 9], the tail included', () => {
    expect(worstError(ERFC, -9, 9, 1e-4)).toBeLessThanOrEqual(3.5 * ULP);
  });
  it('erfv is within 4e-7 absolute over [−9, 9]', () => {
    expect(worstError(ERF, -9, 9, 1e-4, true)).toBeLessThanOrEqual(4e-7);
  });
  it('normalCdfv is within 4 ulp relative over [−12.9, 14] (its normal-range results)', () => {
    expect(worstError(PHI, -12.9, 14, 1e-4)).toBeLessThanOrEqual(4.0 * ULP);
  });
  it('normalPdfv is within 2 ulp relative over [−13, 13]', () => {
    expect(worstError(PDF, -13, 13, 1e-4)).toBeLessThanOrEqual(2.0 * ULP);
  });
  it('saturate without NaN at ±Inf', () => {
    expect(lane0(ERFC, Infinity)).toBe(0);
    expect(lane0(ERFC, -Infinity)).toBe(2);
    expect(lane0(PHI, -Infinity)).toBe(0);
    expect(lane0(PHI, Infinity)).toBe(1);
    expect(lane0(PDF, Infinity)).toBe(0);
  });
});

describe('sigmoidv', () => {
  it('is within 1.5 ulp over [−87, 88]', () => {
    expect(worstError(SIGMOID, -87, 88, 1e-3)).toBeLessThanOrEqual(1.5 * ULP);
  });
  it('reaches 0 and 1 without NaN, through the subnormals below', () => {
    expect(lane0(SIGMOID, -1e4)).toBe(0);
    expect(lane0(SIGMOID, 1e4)).toBe(1);
    expect(lane0(SIGMOID, -95)).toBeGreaterThan(0);
  });
});
