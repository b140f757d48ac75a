// c + a·b on four lanes: the one place the two wasm builds differ.
//
// The default build multiplies, rounds, adds and rounds again (f32x4.mul then f32x4.add): the same
// bits on every host, and the same as the pure-JS twin's Math.fround(c + Math.fround(a * b)).
// The relaxed build (asconfig target "relaxed", `--enable relaxed-simd`) uses f32x4.relaxed_madd,
// which a host with FMA runs as one fused multiply-add (one rounding) and a host without it as
// mul + add: results then differ in the last bits between hosts, so that build is opt-in
// (init({ simd: 'relaxed' })). Only the matrix products use madd; every other kernel keeps its bits.
//
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each build holds one branch only.

// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
