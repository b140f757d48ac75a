/** Seeded toy data for the model tests, generated inline (the data module is tested on its own). */
import { Rng } from '../../src/index.js';

/** Gaussian blobs: `classes` centres on a circle of radius `spread`, unit-variance points around each. */
export function gaussianBlobs(n: number, classes: number, features: number, seed: number, spread = 6): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < features; j++) {
      const centre = j < 2 ? spread * (j === 0 ? Math.cos((2 * Math.PI * c) / classes) : Math.sin((2 * Math.PI * c) / classes)) : 0;
      x[i * features + j] = centre + rng.normal();
    }
  }
  return { x, y };
}

/** The four XOR points and their labels. */
export const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
export const XOR_Y = [0, 1, 1, 0];

/** The bits of a Float32Array, for exact comparisons in expect(). */
export function bits(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
