/**
 * Pure-JS twin of assembly/dropout.ts, which documents the scheme: a keyed lowbias32 hash of (seed,
 * stream, i) gives a 24-bit uniform u, and mask[i] = u ≥ rate ? 1/(1−rate) : 0. Only 32-bit integer
 * operations (Math.imul, >>>) and f32-rounded floats are used, so the mask matches wasm bit for bit.
 */

/** Wellons' lowbias32 finaliser, on the unsigned 32-bit value of x. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const GOLDEN = 0x9e3779b9;
const UNIT = 2 ** -24;

export function dropoutMask(mask: Float32Array, len: number, rate: number, seed: number, stream: number): void {
  // wasm receives rate as an f32 and computes keep in f32: 1 − r and 1/(…) each rounded once.
  const r = Math.fround(rate);
  const keep = Math.fround(1 / Math.fround(1 - r));
  // seed and stream enter as their low 32 bits, as the wasm adapter passes them (seed | 0).
  const k1 = mix(((seed >>> 0) + GOLDEN) >>> 0);
  const k2 = mix(((stream >>> 0) ^ k1) >>> 0);
  for (let i = 0; i < len; i++) {
    const h = mix(mix(i ^ k1) ^ k2);
    mask[i] = (h >>> 8) * UNIT >= r ? keep : 0;
  }
}
