// Inverted-dropout mask (src/backend/contract.ts, Kernels.dropoutMask), counter-based so that the js twin
// (src/backend/js/dropout.ts) produces the same mask bit for bit:
//
//   k1 = mix(seed + 0x9E3779B9)        k2 = mix(stream ^ k1)          (once per call)
//   h  = mix(mix(i ^ k1) ^ k2)                                          (element i, 32-bit ops only)
//   u  = (h >>> 8) · 2⁻²⁴              a 24-bit uniform in [0, 1), exact in f32
//   mask[i] = u ≥ rate ? keep : 0,     keep = 1 / (1 − rate) rounded to f32 (computed once, in f32)
//
// mix is Wellons' lowbias32, a xorshift-multiply finaliser found by his "hash prospector" (avalanche
// bias ≈ 0.17): x ^= x >>> 16; x *= 0x7feb352d; x ^= x >>> 15; x *= 0x846ca68b; x ^= x >>> 16.
// Two rounds keyed with k1 and k2 make masks of different (seed, stream) pairs unrelated, not shifted
// copies of one sequence; (seed, stream) → (k1, k2) is one-to-one because mix is a bijection. An
// element needs no state, so the SIMD loop hashes four counters at once.
import { tailStore } from './tail';

const GOLDEN: u32 = 0x9e3779b9;

/** mix (lowbias32) of each 32-bit lane. */
// @ts-ignore: decorator
@inline function mixVec(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  x = v128.xor(x, i32x4.shr_u(x, 16));
  return x;
}

/** The mask values for the four counters in `i`. */
// @ts-ignore: decorator
@inline function maskVec(i: v128, k1: v128, k2: v128, rate: v128, keep: v128): v128 {
  const h = mixVec(v128.xor(mixVec(v128.xor(i, k1)), k2));
  // h >>> 8 < 2²⁴ converts to f32 exactly, and the scaling by 2⁻²⁴ is exact too.
  const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), f32x4.splat(<f32>1.0 / <f32>16777216.0));
  return v128.and(f32x4.ge(u, rate), keep);
}

export function dropoutMask(mask: usize, len: i32, rate: f32, seed: u32, stream: u32): void {
  const keep: f32 = <f32>1.0 / (<f32>1.0 - rate);
  // The keys, hashed in every lane at once (so the scalar hash needs no second copy).
  const k1v = mixVec(i32x4.splat(seed + GOLDEN));
  const k2v = mixVec(v128.xor(i32x4.splat(stream), k1v));
  const rateV = f32x4.splat(rate);
  const keepV = f32x4.splat(keep);
  const four = i32x4.splat(4);
  let counter = i32x4(0, 1, 2, 3);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    v128.store(mask + (<usize>i << 2), maskVec(counter, k1v, k2v, rateV, keepV));
    counter = i32x4.add(counter, four);
  }
  const rem = len & 3;
  if (rem) tailStore(mask + (<usize>whole << 2), maskVec(counter, k1v, k2v, rateV, keepV), rem);
}
