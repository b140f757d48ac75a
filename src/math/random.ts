import { cos, log, sin } from './detmath.js';

/**
 * Seeded randomness for everything that is random in training: initializers, shuffling, data splits,
 * toy data sets. One generator (mulberry32: 32-bit state, fast, good enough for ML sampling) so the same
 * seed gives the same numbers, bit for bit, in every JS engine (normal() uses src/math/detmath.ts, not
 * Math.log/sin/cos, whose last bit differs between engines). Dropout masks use a counter-based hash
 * in the kernels instead (see dropoutMask), so they match between the wasm and js backends.
 */
export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`simdnet Rng: seed must be a finite number, got ${String(seed)}`);
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * log(u));
    this.spareNormal = r * sin(2 * Math.PI * v);
    return r * cos(2 * Math.PI * v);
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends {
    /** How many elements to shuffle. */
    length: number;
    [i: number]: unknown;
  }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A new seed drawn from this generator (to give sub-tasks their own streams). */
  fork(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}
