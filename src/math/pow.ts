/** x^y in float64 with the same bits in every engine (fdlibm e_pow.c; see src/math/detmath.ts). */
import { INV_LN2, P1, P2, P3, P4, P5 } from './exp.js';
import { fromWords, highWord, lowWord, scalbn, withHighWord, withLowWord } from './float-words.js';

const BP = [1, 1.5];
const DP_H = [0, 5.84962487220764160156e-1]; // log2(1.5) high, 0x3FE2B803 40000000
const DP_L = [0, 1.35003920212974897128e-8]; // log2(1.5) tail, 0x3E4CFDEB 43CFD006
const TWO53 = 9007199254740992;
const HUGE = 1e300;
const TINY = 1e-300;
// Remez coefficients for (3/2)·(log(x) − 2s − (2/3)·s³)
const L1 = 5.99999999999994648725e-1; // 0x3FE33333 33333303
const L2 = 4.28571428578550184252e-1; // 0x3FDB6DB6 DB6FABFF
const L3 = 3.33333329818377432918e-1; // 0x3FD55555 518F264D
const L4 = 2.72728123808534006489e-1; // 0x3FD17460 A91D4101
const L5 = 2.30660745775561754067e-1; // 0x3FCD864A 93C9DB65
const L6 = 2.06975017800338417784e-1; // 0x3FCA7E28 4A454EEF
const LN2 = 6.93147180559945286227e-1; // ln 2, 0x3FE62E42 FEFA39EF
const POW_LN2_H = 6.93147182464599609375e-1; // 0x3FE62E43 00000000
const POW_LN2_L = -1.90465429995776804525e-9; // 0xBE205C61 0CA86C39
const OVT = 8.008566259537294e-17; // −(1024 − log2(ovfl + ½ulp)); fdlibm writes 8.0085662595372944372e-17, the same double
const CP = 9.61796693925975554329e-1; // 2/(3·ln2), 0x3FEEC709 DC3A03FD
const CP_H = 9.61796700954437255859e-1; // 0x3FEEC709 E0000000
const CP_L = -7.02846165095275826516e-9; // 0xBE3E2FE0 145B01F5
const IVLN2_H = 1.44269502162933349609e0; // 0x3FF71547 60000000, 24 bits
const IVLN2_L = 1.92596299112661746887e-8; // 0x3E54AE0B F85DDF44

/**
 * x^y with Math.pow's semantics (fdlibm e_pow.c as V8's legacy pow: "nearly rounded", exact for
 * integer results that are representable). log2|x| is computed in two pieces (the first with 29
 * trailing zero bits), y·log2|x| = n + y' in simulated extra precision, and 2^y' · 2^n.
 */
export function pow(x: number, y: number): number {
  const hx = highWord(x);
  const lx = lowWord(x);
  const hy = highWord(y);
  const ly = lowWord(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;

  if ((iy | ly) === 0) return 1; // x^±0 = 1, even for NaN x
  if (ix > 0x7ff00000 || (ix === 0x7ff00000 && lx !== 0) || iy > 0x7ff00000 || (iy === 0x7ff00000 && ly !== 0)) {
    return x + y; // NaN
  }

  // yisint: 0 when y is not an integer, 1 when an odd integer, 2 when even (only needed for x < 0)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) {
      yisint = 2; // |y| ≥ 2^53: even
    } else if (iy >= 0x3ff00000) {
      const k = (iy >> 20) - 0x3ff; // exponent of y
      if (k > 20) {
        const j = ly >>> (52 - k);
        if ((j << (52 - k)) >>> 0 === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - k);
        if (j << (20 - k) === iy) yisint = 2 - (j & 1);
      }
    }
  }

  // special y
  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y = ±∞
      if (((ix - 0x3ff00000) | lx) === 0) return NaN; // (±1)^±∞ (JavaScript: NaN)
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0; // |x| > 1
      return hy < 0 ? -y : 0; // |x| < 1
    }
    if (iy === 0x3ff00000) return hy < 0 ? 1 / x : x; // y = ±1
    if (hy === 0x40000000) return x * x; // y = 2
    if (hy === 0x3fe00000 && hx >= 0) return Math.sqrt(x); // y = 0.5, x ≥ +0
  }

  let ax = Math.abs(x);
  // special x: ±0, ±∞, ±1
  if (lx === 0 && (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000)) {
    let z = ax;
    if (hy < 0) z = 1 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0) z = NaN; // (−1)^non-integer
      else if (yisint === 1) z = -z; // (x < 0)^odd = −(|x|^odd)
    }
    return z;
  }

  let n = (hx >> 31) + 1; // 0 for x < 0, 1 otherwise
  if ((n | yisint) === 0) return NaN; // (x < 0)^non-integer

  let s = 1; // the sign of the result
  if ((n | (yisint - 1)) === 0) s = -1; // (x < 0)^odd

  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      // |y| > 2^64: must over- or underflow
      if (ix <= 0x3fefffff) return hy < 0 ? HUGE * HUGE : TINY * TINY;
      if (ix >= 0x3ff00000) return hy > 0 ? HUGE * HUGE : TINY * TINY;
    }
    // over- or underflow unless x is close to 1
    if (ix < 0x3fefffff) return hy < 0 ? s * HUGE * HUGE : s * TINY * TINY;
    if (ix > 0x3ff00000) return hy > 0 ? s * HUGE * HUGE : s * TINY * TINY;
    // |1 − x| ≤ 2^−20: log(x) by x − x²/2 + x³/3 − x⁴/4
    const t = ax - 1; // 20 trailing zeros
    const w = t * t * (0.5 - t * (0.3333333333333333 - t * 0.25));
    const u = IVLN2_H * t; // IVLN2_H has 21 significant bits
    const v = t * IVLN2_L - w * INV_LN2;
    t1 = withLowWord(u + v, 0);
    t2 = v - (t1 - u);
  } else {
    n = 0;
    if (ix < 0x00100000) {
      // subnormal x: scale up (exact)
      ax *= TWO53;
      n -= 53;
      ix = highWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    // the interval of the significand: [1, √1.5), [√1.5, √3) around 1.5, or [√3, 2) as half of [√3/2, 1)
    ix = j | 0x3ff00000;
    let b: 0 | 1; // index into BP, DP_H, DP_L
    if (j <= 0x3988e) {
      b = 0;
    } else if (j < 0xbb67a) {
      b = 1;
    } else {
      b = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHighWord(ax, ix);

    // ss = s_h + s_l = (x − 1)/(x + 1) or (x − 1.5)/(x + 1.5)
    let u = ax - BP[b];
    let v = 1 / (ax + BP[b]);
    const ss = u * v;
    const sH = withLowWord(ss, 0);
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (b << 18), 0); // ax + BP[b], high part
    let tL = ax - (tH - BP[b]);
    const sL = v * ((u - sH * tH) - sH * tL);
    // log(ax)
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = withLowWord(3 + s2 + r, 0);
    tL = r - ((tH - 3) - s2);
    // u + v = ss·(1 + …)
    u = sH * tH;
    v = sL * tH + tL * ss;
    // 2/(3·ln2)·(ss + …)
    const pH = withLowWord(u + v, 0);
    const pL = v - (pH - u);
    const zH = CP_H * pH; // CP_H + CP_L = 2/(3·ln2)
    const zL = CP_L * pH + pL * CP + DP_L[b];
    // log2(ax) = (ss + …)·2/(3·ln2) = n + DP_H + zH + zL
    const t = n;
    t1 = withLowWord(((zH + zL) + DP_H[b]) + t, 0);
    t2 = zL - (((t1 - t) - DP_H[b]) - zH);
  }

  // (y1 + y2)·(t1 + t2) with y1 = y's high part
  const y1 = withLowWord(y, 0);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  let j = highWord(z);
  let i = lowWord(z);
  if (j >= 0x40900000) {
    // z ≥ 1024
    if (j !== 0x40900000 || i !== 0) return s * HUGE * HUGE; // z > 1024: overflow
    if (pL + OVT > z - pH) return s * HUGE * HUGE;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z ≤ −1075
    if (j !== (0xc090cc00 | 0) || i !== 0) return s * TINY * TINY; // z < −1075: underflow
    if (pL <= z - pH) return s * TINY * TINY;
  }

  // 2^(pH + pL): n = the nearest integer when |z| > 0.5
  i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  n = 0;
  if (i > 0x3fe00000) {
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff; // the new k for n
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  let t = withLowWord(pL + pH, 0);
  const u = t * POW_LN2_H;
  const v = (pL - (t - pH)) * LN2 + t * POW_LN2_L;
  z = u + v;
  const w = v - (z - u);
  t = z * z;
  const tt = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const r = (z * tt) / ((tt - 2) - (w + z * w));
  z = 1 - (r - z);
  j = (highWord(z) + (n << 20)) | 0;
  if (j >> 20 <= 0) z = scalbn(z, n); // subnormal result
  else z = withHighWord(z, j);
  return s * z;
}
