/** sin and cos in float64 with the same bits in every engine (fdlibm s_sin.c, s_cos.c, k_sin.c, k_cos.c; see src/math/detmath.ts). */
import { fromWords, highWord } from './float-words.js';
import { REDUCED, remPio2 } from './rem-pio2.js';

// Polynomials on [−π/4, π/4]: sin(x)/x ≈ 1 + S1·x² + … + S6·x¹², cos(x) ≈ 1 − x²/2 + C1·x⁴ + … + C6·x¹⁴,
// both with Remez error ≤ 2^−58.
const S1 = -1.66666666666666324348e-1; // 0xBFC55555 55555549
const S2 = 8.33333333332248946124e-3; // 0x3F811111 1110F8A6
const S3 = -1.98412698298579493134e-4; // 0xBF2A01A0 19C161D5
const S4 = 2.75573137070700676789e-6; // 0x3EC71DE3 57B1FE7D
const S5 = -2.50507602534068634195e-8; // 0xBE5AE5E6 8A2B9CEB
const S6 = 1.58969099521155010221e-10; // 0x3DE5D93A 5ACFD57C
const C1 = 4.16666666666666019037e-2; // 0x3FA55555 5555554C
const C2 = -1.38888888888741095749e-3; // 0xBF56C16C 16C15177
const C3 = 2.48015872894767294178e-5; // 0x3EFA01A0 19CB1590
const C4 = -2.75573143513906633035e-7; // 0xBE927E4F 809C52AD
const C5 = 2.08757232129817482790e-9; // 0x3E21EE9E BDB4B1C4
const C6 = -1.13596475577881948265e-11; // 0xBDA8FAE9 BE8838D4

/** sin(x + y) for |x| ≤ π/4, y the tail of x (0 when iy is 0) (fdlibm k_sin.c). */
function kernelSin(x: number, y: number, iy: 0 | 1): number {
  if ((highWord(x) & 0x7fffffff) < 0x3e400000) return x; // |x| < 2^−27: sin x = x (keeps −0)
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

/**
 * cos(x + y) for |x| ≤ π/4, y the tail of x (fdlibm k_cos.c as in V8: for |x| ≥ 0.3, 1 − x²/2 is
 * split as (1 − qx) − (x²/2 − qx) with qx ≈ x²/4 so that both parts are exact).
 */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^−27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4, low word dropped
  const iz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (iz - (z * r - x * y));
}

/**
 * The sine (fdlibm s_sin.c, "nearly rounded": error < 1 ulp). x is reduced to r = x − n·π/2,
 * |r| ≤ π/4, then ±sin r or ±cos r by n mod 4. Exact reduction for every finite x.
 */
export function sin(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0); // |x| ≤ π/4
  if (ix >= 0x7ff00000) return NaN; // ±∞, NaN
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelSin(REDUCED[0], REDUCED[1], 1);
    case 1:
      return kernelCos(REDUCED[0], REDUCED[1]);
    case 2:
      return -kernelSin(REDUCED[0], REDUCED[1], 1);
    default:
      return -kernelCos(REDUCED[0], REDUCED[1]);
  }
}

/** The cosine (fdlibm s_cos.c, error < 1 ulp); see sin. */
export function cos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return NaN;
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelCos(REDUCED[0], REDUCED[1]);
    case 1:
      return -kernelSin(REDUCED[0], REDUCED[1], 1);
    case 2:
      return -kernelCos(REDUCED[0], REDUCED[1]);
    default:
      return kernelSin(REDUCED[0], REDUCED[1], 1);
  }
}
