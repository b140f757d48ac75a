/** e^x in float64 with the same bits in every engine (fdlibm e_exp.c; see src/math/detmath.ts). */
import { fromWords, highWord, lowWord, TWO_1023 } from './float-words.js';

export const LN2_HI = 6.93147180369123816490e-1; // 0x3FE62E42 FEE00000: k·LN2_HI is exact for |k| < 2000
export const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
export const INV_LN2 = 1.44269504088896338700e0; // 0x3FF71547 652B82FE
const EXP_OVERFLOW = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF: above it exp(x) overflows
const EXP_UNDERFLOW = -7.45133219101941108420e2; // 0xC0874910 D52D3051: below it exp(x) rounds to 0
const E = 2.718281828459045; // 0x4005BF0A 8B145769, e correctly rounded
const TWO_M1000 = fromWords(0x01700000, 0);
// Remez coefficients of R(z) ≈ r·(e^r + 1)/(e^r − 1) = 2 + P1·z + … + P5·z^5, z = r², error ≤ 2^−59
// (pow reuses them for its final 2^x).
export const P1 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
export const P2 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
export const P3 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
export const P4 = -1.65339022054652515390e-6; // 0xBEBBBD41 C5D26BF1
export const P5 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0

/**
 * e^x (fdlibm e_exp.c, error < 1 ulp). x = k·ln2 + r with |r| ≤ ln2/2 (r kept as hi − lo), e^r
 * from a rational approximation, then scaled by 2^k through the exponent bits.
 */
export function exp(x: number): number {
  let hx = highWord(x);
  const xsb = hx >>> 31; // sign bit
  hx &= 0x7fffffff; // high word of |x|

  if (hx >= 0x40862e42) {
    // |x| ≥ 709.78…: NaN, ±Infinity, overflow or underflow
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x; // NaN
      return xsb === 0 ? x : 0; // exp(+∞) = +∞, exp(−∞) = 0
    }
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0;
  }

  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2/2: reduce
    if (hx < 0x3ff0a2b2) {
      // |x| < 1.5·ln2: k = ±1
      if (x === 1) return E; // the general path gets e's last bit wrong (V8's special case)
      hi = xsb === 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb === 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = (INV_LN2 * x + (xsb === 0 ? 0.5 : -0.5)) | 0; // C's (int) cast: truncation toward 0
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    // |x| < 2^−28: e^x = 1 + x to within half an ulp
    return 1 + x;
  }

  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2 * TWO_1023;
    return y * fromWords(0x3ff00000 + (k << 20), 0);
  }
  return y * fromWords(0x3ff00000 + ((k + 1000) << 20), 0) * TWO_M1000;
}
