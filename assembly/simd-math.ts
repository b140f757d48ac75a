// Elementary functions on f32x4 vectors, for the activation and loss kernels (activation.ts, loss.ts).
//
// Each function works lane by lane on four f32 values, without branches (both sides of a choice are
// computed and one is picked with a mask), so it serves a kernel's main loop and its tail alike.
// Plain SIMD 128 only: there is no fused multiply-add outside relaxed SIMD, which this project does
// not use, so every product and sum below is rounded to f32 on its own.
//
// Error bounds, measured: the largest error over a dense sweep of f32 inputs against the f64 function
// of the same f32 input (AssemblyScript's Math.*, and for erfc a series / continued fraction accurate
// to ~1e-14), relative unless stated; 1 ulp = 2⁻²³ ≈ 1.19e-7. assembly/__tests__/simd-math.spec.ts
// repeats every sweep and fails if a bound (the measured maximum, rounded up) is exceeded.
//
//   function      sweep (step)                         measured max       bound in the spec
//   expv          [−87.3, 88.7] (1e-3)                 7.6e-8 (0.64 ulp)  1 ulp
//                 [−103.9, −87.4]: subnormal results, absolute error ≤ 2⁻¹⁴⁹; −104 and below → 0,
//                 above 88.72 → +Inf, NaN → NaN
//   expm1v        [−88, 88] (1e-3), ±1e-30…1           1.1e-7 (0.89 ulp)  1 ulp
//   tanhv         [−20, 20] (1e-4), ±1e-30…1           1.5e-7 (1.30 ulp)  1.5 ulp
//   log1pv        [0, 1] (1e-6), 1e-30…1               1.3e-7 (1.09 ulp)  1.25 ulp
//   logv          [0.001, 1000] (1e-3)                 7.7e-8 (0.64 ulp)  1 ulp
//   sigmoidv      [−87, 88] (1e-3)                     1.7e-7 (1.46 ulp)  1.5 ulp
//   erfcv         [−9, 9] (1e-4), tail included        3.9e-7 (3.31 ulp)  3.5 ulp
//   erfv          [−9, 9] (1e-4)                       3.7e-7 absolute    4e-7 absolute
//   normalCdfv    [−12.9, 14] (1e-4)                   4.3e-7 (3.62 ulp)  4 ulp
//   normalPdfv    [−13, 13] (1e-4)                     2.0e-7 (1.71 ulp)  2 ulp
//
// (The ranges stop where the results leave the normal f32 range; below it the functions underflow
// gradually through the subnormals, where relative error has no meaning.)

/** log2(e), and ln 2 split so that n·LN2_HI is exact for |n| < 2¹⁵ (LN2_HI has 9 significant bits). */
const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SQRT1_2: f32 = 0.70710678;
const INV_SQRT_2PI: f32 = 0.39894228;

/**
 * e^r − 1 for |r| ≤ ln2/2, as r + r²·P(r): the degree-7 minimax fit of Cephes' expf
 * (S. L. Moshier, Cephes Math Library, expf.c), coefficients ≈ 1/2!, 1/3!, … 1/7!.
 * Written as r + r²·P(r) rather than 1 + … so that expm1v keeps full relative accuracy near 0.
 */
// @ts-ignore: decorator
@inline function expm1Poly(r: v128): v128 {
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  return f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r);
}

/** n = round(x / ln2), as f32 lanes. Inputs must already be clamped (see expv). */
// @ts-ignore: decorator
@inline function expN(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
}

/** r = x − n·ln2 in two steps (n·LN2_HI is exact, so no digits of x are lost): |r| ≤ ln2/2 + tiny. */
// @ts-ignore: decorator
@inline function expR(x: v128, n: v128): v128 {
  const r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  return f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
}

/**
 * 2^(n >> 1) as f32 lanes, built by writing the biased exponent (an integer add and shift into the
 * exponent field). 2^n is applied as 2^(n>>1) · 2^(n − (n>>1)) so that each factor stays a normal
 * number for every n in [−150, 128] (the range of the clamped inputs): then the product overflows to
 * +Inf or underflows gradually through the subnormals to 0 exactly as IEEE multiplication does,
 * instead of producing garbage bit patterns when n leaves [−126, 127].
 */
// @ts-ignore: decorator
@inline function pow2Half(ni: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.shr_s(ni, 1), i32x4.splat(127)), 23);
}

// @ts-ignore: decorator
@inline function pow2Rest(ni: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.sub(ni, i32x4.shr_s(ni, 1)), i32x4.splat(127)), 23);
}

/**
 * e^x. Inputs are clamped to [−104, 89] first, which keeps n in [−150, 128]: e^−104 ≈ 7e-46 is below
 * half the smallest subnormal (so it rounds to 0, like every smaller input) and e^89 > FLT_MAX (so it
 * and every larger input give +Inf). NaN passes through min/max and the polynomial as NaN.
 */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = expN(xc);
  const q = expm1Poly(expR(xc, n));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  // (1 + q)·2^n, the scaling in two exact-or-correctly-rounding multiplications.
  return f32x4.mul(f32x4.mul(f32x4.add(q, f32x4.splat(1.0)), pow2Half(ni)), pow2Rest(ni));
}

/**
 * e^x − 1 without the cancellation of expv(x) − 1 near 0 (elu, tanh). With 2^n = s1·s2 as in expv,
 * e^x − 1 = (s2·q + (s2 − 1/s1))·s1: for n = 0 that is q itself (s1 = s2 = 1), for small |n| the
 * bracket's s2 − 1/s1 = 2^(n − n>>1) − 2^−(n>>1) is exact and the final ·s1 is exact, and at the ends
 * the product overflows to +Inf (x > 88.72) or tends to −1 (x → −∞) with no Inf − Inf on the way.
 * 1/s1 is built from its exponent like s1, not divided.
 */
// @ts-ignore: decorator
@inline export function expm1v(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = expN(xc);
  const q = expm1Poly(expR(xc, n));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const s2 = pow2Rest(ni);
  const invS1 = i32x4.shl(i32x4.sub(i32x4.splat(127), i32x4.shr_s(ni, 1)), 23);
  const inner = f32x4.add(f32x4.mul(s2, q), f32x4.sub(s2, invS1));
  return f32x4.mul(inner, pow2Half(ni));
}

/**
 * tanh(x) = sign(x) · t / (t + 2) with t = e^(2|x|) − 1 (expm1v, so tanh keeps its relative accuracy
 * near 0, where tanh x ≈ x). |x| is capped at 10: tanh(10) = 1 − 4e-9 already rounds to 1 in f32, and
 * the cap keeps t finite (t = Inf would give Inf/Inf = NaN). The sign is or'ed back in, so tanh(−0) = −0.
 */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(10.0));
  const t = expm1v(f32x4.add(ax, ax));
  const y = f32x4.div(t, f32x4.add(t, f32x4.splat(2.0)));
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * σ(t) = 1/(1 + e^(−t)) from u = e^(−|t|) (so callers that also need u compute one exp): with
 * r = 1/(1 + u), σ(t) = r for t ≥ 0 and u·r for t < 0. u ≤ 1 never overflows, and for very negative t
 * σ keeps its relative accuracy down into the subnormals (σ(−88.8) ≈ 2.7e-39, where 1/(1 + e^88.8)
 * would be 1/Inf = 0). 1 − σ(t) = σ(−t) comes from the same u.
 */
// @ts-ignore: decorator
@inline export function sigmoidFromExp(t: v128, u: v128): v128 {
  const r = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), u));
  return v128.bitselect(r, f32x4.mul(u, r), f32x4.ge(t, f32x4.splat(0)));
}

/** σ(t) = 1/(1 + e^(−t)); see sigmoidFromExp. */
// @ts-ignore: decorator
@inline export function sigmoidv(t: v128): v128 {
  return sigmoidFromExp(t, expv(f32x4.neg(f32x4.abs(t))));
}

/**
 * ln(1 + f) for f = m − 1, m ∈ [√½, √2): with s = f/(2 + f), ln(1 + f) = 2·atanh(s)
 * = 2s + 2s³/3 + 2s⁵/5 + …, and |s| ≤ 0.1716, so the terms after s⁹ add < 2e-9 relative
 * (plain Taylor coefficients suffice). Since 2s = f − s·f, the sum is rearranged as
 * f − s·(f − R) with R = s²·(2/3 + s²·(2/5 + …)): f is exact, and the rounded part s·(f − R) is only
 * ~f²/2, so the result is accurate to about 1 ulp.
 */
// @ts-ignore: decorator
@inline function log1pReduced(f: v128): v128 {
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let r = f32x4.splat(<f32>(2.0 / 9.0));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(<f32>(2.0 / 7.0)));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(<f32>(2.0 / 5.0)));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(<f32>(2.0 / 3.0)));
  r = f32x4.mul(r, z);
  return f32x4.sub(f, f32x4.mul(s, f32x4.sub(f, r)));
}

/**
 * ln(x) for positive normal x (not 0, subnormal, Inf or NaN: the kernels only pass values in [1, 2]).
 * x = 2^k · m with m ∈ [√½, √2): subtracting the bit pattern of √½ before taking the exponent field
 * moves the split point from 1 to √½, so m stays close to 1 and f = m − 1 is exact (Sterbenz).
 * Then ln x = k·ln2 + ln(1 + f), with k·LN2_HI exact.
 */
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const SQRT_HALF_BITS = 0x3f3504f3;
  const k = i32x4.shr_s(i32x4.sub(x, i32x4.splat(SQRT_HALF_BITS)), 23);
  const m = i32x4.sub(x, i32x4.shl(k, 23));
  const kf = f32x4.convert_i32x4_s(k);
  const l = log1pReduced(f32x4.sub(m, f32x4.splat(1.0)));
  return f32x4.add(f32x4.add(f32x4.mul(kf, f32x4.splat(LN2_LO)), l), f32x4.mul(kf, f32x4.splat(LN2_HI)));
}

/**
 * ln(1 + u) for finite u ≥ 0 (softplus and the sigmoid cross-entropy call it with u = e^−|z| ∈ (0, 1]).
 * w = 1 + u is rounded; c = u − (w − 1) is that rounding error exactly (Fast2Sum, as 1 ≥ u; for u > 1
 * c is tiny next to the result anyway), and ln(1 + u) = ln(w) + c/w to first order. So u = 1e-30
 * gives 1e-30, not ln(1) = 0.
 */
// @ts-ignore: decorator
@inline export function log1pv(u: v128): v128 {
  const one = f32x4.splat(1.0);
  const w = f32x4.add(one, u);
  const c = f32x4.sub(u, f32x4.sub(w, one));
  return f32x4.add(logv(w), f32x4.div(c, w));
}

/** Clears the low 12 mantissa bits: the result has ≤ 12 significant bits, so its square is exact in f32. */
// @ts-ignore: decorator
@inline function high12(v: v128): v128 {
  return v128.and(v, i32x4.splat(0xfffff000));
}

/**
 * erfc(z) for z ≥ 0 by the Chebyshev-fitted formula of Press et al., Numerical Recipes in C (2nd ed.,
 * §6.2, `erfcc`): with t = 1/(1 + z/2), erfc(z) = t·exp(−z² − 1.26551223 + t·P(t)), P of degree 9,
 * fractional error < 1.2e-7 for every z ≥ 0 in exact arithmetic (relative, so also in the tail).
 *
 * −z² is passed split as hi + lo, hi exact: rounding −z² + t·P(t) to one f32 would cost ≈ z²·2⁻²⁴ of
 * relative accuracy (1.5e-6 at z = 4, 7.7e-6 at z = 9, measured), so e^hi is a separate expv of an
 * exact argument and only the small lo joins t·P(t). z is used only through t, where its rounding
 * is not amplified.
 */
// @ts-ignore: decorator
@inline function erfcPos(z: v128, negSqHi: v128, negSqLo: v128): v128 {
  const t = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), f32x4.mul(z, f32x4.splat(0.5))));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  return f32x4.mul(f32x4.mul(t, expv(negSqHi)), expv(f32x4.add(p, negSqLo)));
}

/**
 * erfc(x); for x < 0, 2 − erfc(|x|). With zh = high12(z), z² = zh² + zl·(z + zh) (zl = z − zh exact).
 * |x| is capped at 10.5 (erfc(10.5) ≈ 7e-50 is 0 in f32), so x = ±Inf gives 0 or 2, not NaN.
 */
// @ts-ignore: decorator
@inline export function erfcv(x: v128): v128 {
  const z = f32x4.min(f32x4.abs(x), f32x4.splat(10.5));
  const zh = high12(z);
  const zl = f32x4.sub(z, zh);
  const r = erfcPos(z, f32x4.neg(f32x4.mul(zh, zh)), f32x4.neg(f32x4.mul(zl, f32x4.add(z, zh))));
  return v128.bitselect(f32x4.sub(f32x4.splat(2.0), r), r, f32x4.lt(x, f32x4.splat(0)));
}

/**
 * Φ(x) = ½·erfc(−x/√2), the standard normal CDF (gelu(x) = x·Φ(x)). Not erfcv(−x/√2): rounding x/√2
 * to f32 would be amplified by the tail (≈ x²·2⁻²⁴ relative; 20 f32 roundings' worth at x = −4,
 * measured), so the exponent −x²/2 is split from x itself, uh = high12(|x|):
 * −x²/2 = −uh²/2 − ul·(|x| + uh)/2, the first part exact. |x| is capped at 14.9 (Φ(−14.9) ≈ 2e-50).
 */
// @ts-ignore: decorator
@inline export function normalCdfv(x: v128): v128 {
  const negHalf = f32x4.splat(-0.5);
  const u = f32x4.min(f32x4.abs(x), f32x4.splat(14.9));
  const uh = high12(u);
  const ul = f32x4.sub(u, uh);
  const z = f32x4.mul(u, f32x4.splat(SQRT1_2));
  const r = f32x4.mul(
    erfcPos(z, f32x4.mul(f32x4.mul(uh, uh), negHalf), f32x4.mul(f32x4.mul(ul, f32x4.add(u, uh)), negHalf)),
    f32x4.splat(0.5),
  );
  return v128.bitselect(r, f32x4.sub(f32x4.splat(1.0), r), f32x4.lt(x, f32x4.splat(0)));
}

/** φ(x) = e^(−x²/2)/√(2π), the standard normal density, with −x²/2 split as in normalCdfv. */
// @ts-ignore: decorator
@inline export function normalPdfv(x: v128): v128 {
  const negHalf = f32x4.splat(-0.5);
  const u = f32x4.min(f32x4.abs(x), f32x4.splat(14.9));
  const uh = high12(u);
  const ul = f32x4.sub(u, uh);
  const e = f32x4.mul(expv(f32x4.mul(f32x4.mul(uh, uh), negHalf)), expv(f32x4.mul(f32x4.mul(ul, f32x4.add(u, uh)), negHalf)));
  return f32x4.mul(e, f32x4.splat(INV_SQRT_2PI));
}

/** erf(x) = 1 − erfc(x): absolute error ≤ that of erfcv (relative accuracy near 0 is not kept). */
// @ts-ignore: decorator
@inline export function erfv(x: v128): v128 {
  return f32x4.sub(f32x4.splat(1.0), erfcv(x));
}
