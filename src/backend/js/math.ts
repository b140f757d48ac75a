/**
 * Scalar float64 helpers of the activations' js math (src/backend/activations.ts holds each activation's
 * f and f′ next to each other; what they share and JavaScript lacks is here).
 */

/**
 * erfc(x) by the Chebyshev-fitted formula of Press et al., Numerical Recipes in C (2nd ed., §6.2,
 * `erfcc`), fractional error < 1.2e-7 for all x (measured ≤ 1.05e-7 against a series/continued-fraction
 * reference on [0, 9.5]): accurate to about 2 f32 ulps, and, unlike 1 − erf, relatively accurate in the
 * tail, which gelu(x) = ½x·erfc(−x/√2) needs for negative x. JavaScript has no Math.erf; the wasm
 * kernel (assembly/simd-math.ts, erfcv) evaluates the same formula in f32.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(p - z * z);
  return x >= 0 ? r : 2 - r;
}
