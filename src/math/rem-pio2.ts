/**
 * Argument reduction modulo π/2 for sin and cos (fdlibm e_rem_pio2.c and k_rem_pio2.c as in V8):
 * exact for every finite double, huge ones included, using 1584 bits of 2/π.
 */
import { fromWords, highWord, lowWord, scalbn } from './float-words.js';

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
export const REDUCED = new Float64Array(2);

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
export function remPio2(x: number): number {
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
  // Set on every pass of the loop below (fdlibm's `recompute:` label), read after it.
  let n: number;
  let ih: number;
  let z: number;
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
