/**
 * The two 32-bit words of a float64, read and written exactly, and scalbn: the bit-level tools the
 * deterministic math (src/math/detmath.ts) is built from. fdlibm works on these words: "high" holds
 * the sign, the exponent and the top 20 bits of the significand; "low" the rest of the significand.
 */

// One shared buffer reinterprets a double as two 32-bit words with no allocation per call.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word in U32: 1 on little-endian hosts (all current ones), 0 on big-endian. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high word of x as a signed 32-bit integer (negative when the sign bit is set), as fdlibm's int32_t. */
export function highWord(x: number): number {
  F64[0] = x;
  return U32[HI] | 0;
}

/** The low word of x as an unsigned 32-bit integer. */
export function lowWord(x: number): number {
  F64[0] = x;
  return U32[LO];
}

/** The double with these two words (either may be given signed; only its 32 bits count). */
export function fromWords(hi: number, lo: number): number {
  U32[HI] = hi;
  U32[LO] = lo;
  return F64[0];
}

/** x with its high word replaced. */
export function withHighWord(x: number, hi: number): number {
  F64[0] = x;
  U32[HI] = hi;
  return F64[0];
}

/** x with its low word replaced. */
export function withLowWord(x: number, lo: number): number {
  F64[0] = x;
  U32[LO] = lo;
  return F64[0];
}

/** 2^1023, the largest power of two. */
export const TWO_1023 = fromWords(0x7fe00000, 0);
const TWO_M969 = fromWords(0x03600000, 0); // 2^−1022 · 2^53

/** x·2^n with one rounding at most (musl's scalbn: the subnormal range is entered in one step). */
export function scalbn(x: number, n: number): number {
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
