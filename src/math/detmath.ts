/**
 * Deterministic float64 math: exp, log, sin, cos and pow that return the same bits in every
 * JavaScript engine.
 *
 * Why: `Math.exp`, `Math.log`, `Math.sin`, `Math.cos`, `Math.pow` (and `**`) are not required to be
 * correctly rounded, and engines change them: Node 20's V8 uses fdlibm, Chromium 156's V8 uses LLVM
 * libc for some of them, and the last bit differs on 3–10% of random arguments. The library promises
 * that a seed gives the same weights everywhere, so everything that turns a seed into training
 * values (Rng.normal, the toy data sets, the learning-rate schedules, tuning samples) uses these
 * instead. They use only what IEEE 754 defines exactly and JavaScript evaluates without contraction
 * (+, −, ×, ÷, Math.sqrt, comparisons) plus reading and writing the two 32-bit halves of a double,
 * so any engine computes the same bits.
 *
 * Provenance: straight ports of fdlibm 5.3 (Sun Microsystems, 1993; "Permission to use, copy, modify,
 * and distribute this software is freely granted, provided that this notice is preserved") in the
 * form V8 carried in src/base/ieee754.cc before it moved some functions to LLVM libc: e_exp.c,
 * e_log.c, e_pow.c, k_sin.c, k_cos.c, s_sin.c, s_cos.c, e_rem_pio2.c, k_rem_pio2.c. Keeping V8's
 * variant (its exp(1) special case, its k_cos with the qx split, rem_pio2 with 64-bit precision
 * for huge arguments) makes these return exactly what Node 20's Math.exp/log/sin/cos/pow return,
 * so moving to them changed no result on Node 20. scalbn is musl's (exact: one rounding at most).
 *
 * Error bounds (fdlibm's analysis): exp, log < 1 ulp; sin, cos "nearly rounded" (< 1 ulp) for every
 * finite argument, huge ones included (the reduction uses 1584 bits of 2/π); pow "nearly rounded",
 * and exact when the true result is a representable integer (so pow(10, 3) is 1000). Measured:
 * - tests/detmath.test.ts: at most 1 ulp from Node 20's Math.* over a million arguments each, over
 *   every range (in fact equal bits: the same algorithms);
 * - tests/browser/detmath.test.ts: the same bits in Chromium 156, and at most 1 ulp from its Math.*
 *   (another implementation: recent V8 takes sin, cos, log from LLVM libc, which rounds correctly).
 *   Over a million arguments each, run once in Chromium 156: at most 1 ulp from its Math.*
 *   everywhere, differing on 3.2% of arguments for sin and cos, 0.1–7% for log (7% on (0, 1)),
 *   9.5% for exp and 9.9% for pow.
 *
 * JavaScript semantics are kept where they differ from C99's: pow(±1, ±Infinity) and pow(1, NaN) are
 * NaN, as Math.pow gives.
 */

// The two 32-bit halves of a double, through one shared buffer. fdlibm works on these words:
// "high" holds the sign, the exponent and the top 20 bits of the significand.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word in U32: 1 on little-endian hosts (all current ones), 0 on big-endian. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high word of x as a signed 32-bit integer (negative when the sign bit is set), as fdlibm's int32_t. */
function highWord(x: number): number {
  F64[0] = x;
  return U32[HI] | 0;
}

/** The low word of x as an unsigned 32-bit integer. */
function lowWord(x: number): number {
  F64[0] = x;
  return U32[LO];
}

/** The double with these two words (either may be given signed; only its 32 bits count). */
function fromWords(hi: number, lo: number): number {
  U32[HI] = hi;
  U32[LO] = lo;
  return F64[0];
}

function withHighWord(x: number, hi: number): number {
  F64[0] = x;
  U32[HI] = hi;
  return F64[0];
}

function withLowWord(x: number, lo: number): number {
  F64[0] = x;
  U32[LO] = lo;
  return F64[0];
}

const TWO_1023 = fromWords(0x7fe00000, 0);
const TWO_M969 = fromWords(0x03600000, 0); // 2^−1022 · 2^53

/** x·2^n with one rounding at most (musl's scalbn: the subnormal range is entered in one step). */
function scalbn(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= TWO_1023;
    n -= 1023;
    if (n > 1023) {
      y *= TWO_1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // Scale by 2^−969 first so that the final n stays below −53: the last product then rounds once.
    y *= TWO_M969;
    n += 969;
    if (n < -1022) {
      y *= TWO_M969;
      n += 969;
      if (n < -1022) n = -1022;
    }
  }
  return y * fromWords((0x3ff + n) << 20, 0);
}

// ---------------------------------------------------------------------------------------------- exp

const LN2_HI = 6.93147180369123816490e-1; // 0x3FE62E42 FEE00000: k·LN2_HI is exact for |k| < 2000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.44269504088896338700e0; // 0x3FF71547 652B82FE
const EXP_OVERFLOW = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF: above it exp(x) overflows
const EXP_UNDERFLOW = -7.45133219101941108420e2; // 0xC0874910 D52D3051: below it exp(x) rounds to 0
const E = 2.718281828459045; // 0x4005BF0A 8B145769, e correctly rounded
const TWO_M1000 = fromWords(0x01700000, 0);
// Remez coefficients of R(z) ≈ r·(e^r + 1)/(e^r − 1) = 2 + P1·z + … + P5·z^5, z = r², error ≤ 2^−59.
const P1 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4 = -1.65339022054652515390e-6; // 0xBEBBBD41 C5D26BF1
const P5 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0

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

// ---------------------------------------------------------------------------------------------- log

const TWO54 = 1.80143985094819840000e16; // 0x43500000 00000000
// Remez coefficients of R(s) ≈ (log(1+s) − log(1−s) − 2s)/s on [0, 0.1716], error ≤ 2^−58.45.
const LG1 = 6.666666666666735130e-1; // 0x3FE55555 55555593
const LG2 = 3.999999999940941908e-1; // 0x3FD99999 9997FA04
const LG3 = 2.857142874366239149e-1; // 0x3FD24924 94229359
const LG4 = 2.222219843214978396e-1; // 0x3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-1; // 0x3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-1; // 0x3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-1; // 0x3FC2F112 DF3E5244

/**
 * The natural logarithm (fdlibm e_log.c, error < 1 ulp). x = 2^k·(1+f) with √2/2 < 1+f < √2;
 * log(1+f) = 2s + s·R(s), s = f/(2+f); log(x) = k·ln2_hi + (log(1+f) + k·ln2_lo).
 */
export function log(x: number): number {
  F64[0] = x;
  let hx = U32[HI] | 0;
  const lx = U32[LO];

  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^−1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity; // log(±0)
    if (hx < 0) return NaN; // log(negative)
    k -= 54;
    x *= TWO54; // scale a subnormal up (exact)
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x; // +∞ or NaN
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // normalize x or x/2 into [√2/2, √2)
  k += i >> 20;
  const f = x - 1;
  const dk = k;

  if ((0x000fffff & (2 + hx)) < 3) {
    // −2^−20 ≤ f < 2^−20
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    // f not small: the hfsq form is more accurate
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

// ------------------------------------------------------------------------------------- sin and cos

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

// π/2 split for the reduction: PIO2_1 has 33 bits, so n·PIO2_1 is exact for the n used with it;
// PIO2_1T = π/2 − PIO2_1, and so on (33 + 33 + 53 bits for arguments near a multiple of π/2).
const INV_PIO2 = 6.36619772367581382433e-1; // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.57079632673412561417e0; // 0x3FF921FB 54400000
const PIO2_1T = 6.07710050650619224932e-11; // 0x3DD0B461 1A626331
const PIO2_2 = 6.07710050630396597660e-11; // 0x3DD0B461 1A600000
const PIO2_2T = 2.02226624879595063154e-21; // 0x3BA3198A 2E037073
const PIO2_3 = 2.02226624871116645580e-21; // 0x3BA3198A 2E000000
const PIO2_3T = 8.47842766036889956997e-32; // 0x397B839A 252049C1
/** High words of n·π/2 for n = 1..32: an argument this close to one needs the longer π/2. */
const NPIO2_HW = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb,
  0x402c463a, 0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb,
  0x403ab41b, 0x403c463a, 0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c,
  0x4043a28c, 0x40446b9c, 0x404534ac, 0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];

/** 2/π in 24-bit chunks: 66 × 24 = 1584 bits, enough for any double (k_rem_pio2.c's ipio2). */
const TWO_OVER_PI = [
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
  0x246e3a, 0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c,
  0x7026b4, 0x5f7e41, 0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11,
  0x8b5a0a, 0x6d1f6d, 0x367ecf, 0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7,
  0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08, 0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e,
  0xe61b08, 0x659985, 0x5f14a0, 0x68408d, 0xffd880, 0x4d7327, 0x310606, 0x1556ca, 0x73a8c9, 0x60e27b, 0xc08c6b,
];

/** π/2 in 24-bit chunks (k_rem_pio2.c's PIo2). */
const PIO2_CHUNKS = [
  1.57079625129699707031e0, // 0x3FF921FB 40000000
  7.54978941586159635335e-8, // 0x3E74442D 00000000
  5.39030252995776476554e-15, // 0x3CF84698 80000000
  3.28200341580791294123e-22, // 0x3B78CC51 60000000
  1.27065575308067607349e-29, // 0x39F01B83 80000000
  1.22933308981111328932e-36, // 0x387A2520 40000000
  2.73370053816464559624e-44, // 0x36E38222 80000000
  2.16741683877804819444e-51, // 0x3569F31D 00000000
];

const TWO24 = 16777216;
const TWON24 = 5.9604644775390625e-8; // 2^−24

/** The reduced argument of the last remPio2 call: x − n·π/2 = REDUCED[0] + REDUCED[1], |…| ≤ π/4. */
const REDUCED = new Float64Array(2);

/**
 * kernelRemPio2's working arrays, reused between calls: every element is written before it is read.
 * tx holds the argument's 24-bit pieces.
 */
const REM_SCRATCH = {
  tx: new Float64Array(3),
  f: new Float64Array(20),
  q: new Float64Array(20),
  fq: new Float64Array(20),
  iq: new Int32Array(20),
};

/**
 * Reduces x (|x| > π/4, finite) modulo π/2: returns n (its low bits suffice) and leaves
 * x − n·π/2 in REDUCED as a head and a tail (fdlibm e_rem_pio2.c as in V8).
 */
function remPio2(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;

  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = ±1
    const sign = hx > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    if (ix !== 0x3ff921fb) {
      // 33 + 53 bits of π/2 suffice
      REDUCED[0] = z - sign * PIO2_1T;
      REDUCED[1] = (z - REDUCED[0]) - sign * PIO2_1T;
    } else {
      // near π/2: 33 + 33 + 53 bits
      z -= sign * PIO2_2;
      REDUCED[0] = z - sign * PIO2_2T;
      REDUCED[1] = (z - REDUCED[0]) - sign * PIO2_2T;
    }
    return sign;
  }

  if (ix <= 0x413921fb) {
    // |x| ≤ 2^20·π/2: Cody–Waite with up to three pieces of π/2
    const t = Math.abs(x);
    const n = (t * INV_PIO2 + 0.5) | 0;
    let r = t - n * PIO2_1;
    let w = n * PIO2_1T; // first round good to 85 bits
    let y0 = r - w;
    if (!(n < 32 && ix !== NPIO2_HW[n - 1])) {
      // possible cancellation: check how many bits were lost
      const j = ix >> 20;
      let i = j - ((highWord(y0) >> 20) & 0x7ff);
      if (i > 16) {
        // second round, good to 118 bits
        let u = r;
        w = n * PIO2_2;
        r = u - w;
        w = n * PIO2_2T - ((u - r) - w);
        y0 = r - w;
        i = j - ((highWord(y0) >> 20) & 0x7ff);
        if (i > 49) {
          // third round, 151 bits: covers every double
          u = r;
          w = n * PIO2_3;
          r = u - w;
          w = n * PIO2_3T - ((u - r) - w);
          y0 = r - w;
        }
      }
    }
    const y1 = (r - y0) - w;
    if (hx < 0) {
      REDUCED[0] = -y0;
      REDUCED[1] = -y1;
      return -n;
    }
    REDUCED[0] = y0;
    REDUCED[1] = y1;
    return n;
  }

  // Huge |x|: split |x|·2^−e0 into three 24-bit integers and multiply by 2/π chunk by chunk.
  const e0 = (ix >> 20) - 1046; // ilogb(x) − 23
  let z = fromWords(ix - (e0 << 20), lowWord(x));
  const tx = REM_SCRATCH.tx;
  for (let i = 0; i < 2; i++) {
    tx[i] = z | 0; // z < 2^24 here
    z = (z - tx[i]) * TWO24;
  }
  tx[2] = z;
  let nx = 3;
  while (tx[nx - 1] === 0) nx--;
  const n = kernelRemPio2(tx, e0, nx);
  if (hx < 0) {
    REDUCED[0] = -REDUCED[0];
    REDUCED[1] = -REDUCED[1];
    return -n;
  }
  return n;
}

/**
 * fdlibm k_rem_pio2.c with prec = 2 (jk = 4), as V8 calls it: x[0..nx) are 24-bit pieces of the
 * argument (scaled by 2^e0); computes the fraction of x·2/π from only the chunks of 2/π that
 * matter (the product's integer part above 8 is dropped), recomputing with more chunks when the
 * fraction cancels. Leaves the result in REDUCED and returns n mod 8.
 */
function kernelRemPio2(x: Float64Array, e0: number, nx: number): number {
  const jk = 4;
  const jp = jk;
  const { f, q, fq, iq } = REM_SCRATCH;

  const jx = nx - 1;
  const jv = Math.max(0, Math.trunc((e0 - 3) / 24));
  let q0 = e0 - 24 * (jv + 1);

  // f[0..jx+jk] = TWO_OVER_PI[jv−jx .. jv+jk] (0 below the start)
  for (let i = 0, j = jv - jx; i <= jx + jk; i++, j++) f[i] = j < 0 ? 0 : TWO_OVER_PI[j];
  for (let i = 0; i <= jk; i++) {
    let fw = 0;
    for (let j = 0; j <= jx; j++) fw += x[j] * f[jx + i - j];
    q[i] = fw;
  }

  let jz = jk;
  let n = 0;
  let ih = 0;
  let z = 0;
  for (;;) {
    // distill q[] into iq[] in reverse
    z = q[jz];
    for (let i = 0, j = jz; j > 0; i++, j--) {
      const fw = (TWON24 * z) | 0;
      iq[i] = (z - TWO24 * fw) | 0;
      z = q[j - 1] + fw;
    }
    // n = the integer part mod 8
    z = scalbn(z, q0);
    z -= 8 * Math.floor(z * 0.125);
    n = z | 0;
    z -= n;
    ih = 0;
    if (q0 > 0) {
      // iq[jz−1] holds the low bits of n
      const i = iq[jz - 1] >> (24 - q0);
      n += i;
      iq[jz - 1] -= i << (24 - q0);
      ih = iq[jz - 1] >> (23 - q0);
    } else if (q0 === 0) {
      ih = iq[jz - 1] >> 23;
    } else if (z >= 0.5) {
      ih = 2;
    }

    if (ih > 0) {
      // fraction ≥ 0.5: take 1 − fraction and round n up
      n += 1;
      let carry = 0;
      for (let i = 0; i < jz; i++) {
        const j = iq[i];
        if (carry === 0) {
          if (j !== 0) {
            carry = 1;
            iq[i] = 0x1000000 - j;
          }
        } else {
          iq[i] = 0xffffff - j;
        }
      }
      if (q0 === 1) iq[jz - 1] &= 0x7fffff;
      else if (q0 === 2) iq[jz - 1] &= 0x3fffff;
      if (ih === 2) {
        z = 1 - z;
        if (carry !== 0) z -= scalbn(1, q0);
      }
    }

    // all bits cancelled: recompute with more chunks of 2/π
    if (z === 0) {
      let j = 0;
      for (let i = jz - 1; i >= jk; i--) j |= iq[i];
      if (j === 0) {
        let k = 1;
        while (jk >= k && iq[jk - k] === 0) k++; // k = number of terms needed
        for (let i = jz + 1; i <= jz + k; i++) {
          f[jx + i] = TWO_OVER_PI[jv + i];
          let fw = 0;
          for (let jj = 0; jj <= jx; jj++) fw += x[jj] * f[jx + i - jj];
          q[i] = fw;
        }
        jz += k;
        continue;
      }
    }
    break;
  }

  // chop off zero terms, or split a last z into 24-bit pieces
  if (z === 0) {
    jz -= 1;
    q0 -= 24;
    while (iq[jz] === 0) {
      jz--;
      q0 -= 24;
    }
  } else {
    z = scalbn(z, -q0);
    if (z >= TWO24) {
      const fw = (TWON24 * z) | 0;
      iq[jz] = (z - TWO24 * fw) | 0;
      jz += 1;
      q0 += 24;
      iq[jz] = fw;
    } else {
      iq[jz] = z | 0;
    }
  }

  // the 24-bit chunks back to doubles
  let fw = scalbn(1, q0);
  for (let i = jz; i >= 0; i--) {
    q[i] = fw * iq[i];
    fw *= TWON24;
  }
  // PIO2_CHUNKS[0..jp] · q[jz..0]
  for (let i = jz; i >= 0; i--) {
    fw = 0;
    for (let k = 0; k <= jp && k <= jz - i; k++) fw += PIO2_CHUNKS[k] * q[i + k];
    fq[jz - i] = fw;
  }
  // compress fq[] into a head and a tail
  fw = 0;
  for (let i = jz; i >= 0; i--) fw += fq[i];
  REDUCED[0] = ih === 0 ? fw : -fw;
  fw = fq[0] - fw;
  for (let i = 1; i <= jz; i++) fw += fq[i];
  REDUCED[1] = ih === 0 ? fw : -fw;
  return n & 7;
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

// ---------------------------------------------------------------------------------------------- pow

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
const OVT = 8.0085662595372944372e-17; // −(1024 − log2(ovfl + ½ulp))
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
  F64[0] = x;
  const hx = U32[HI] | 0;
  const lx = U32[LO];
  F64[0] = y;
  const hy = U32[HI] | 0;
  const ly = U32[LO];
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
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
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
  F64[0] = z;
  let j = U32[HI] | 0;
  let i = U32[LO];
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
