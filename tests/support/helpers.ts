/** Shared test utilities: both backends, seeded data, closeness checks, central differences. */
import { afterEach, expect } from 'vitest';
import { init, jsBackend, type F32Buffer, type I32Buffer, type ReadyBackend, type Sequential } from '../../src/index.js';

let wasmPromise: Promise<ReadyBackend> | null = null;

/** The two backends (wasm instantiated once per test file, without warm-up). */
export async function backends(): Promise<{ wasm: ReadyBackend; js: ReadyBackend }> {
  wasmPromise ??= init({ backend: 'wasm', warmup: false });
  return { wasm: await wasmPromise, js: jsBackend() };
}

/** mulberry32: a small seeded PRNG so every test's data is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [−scale, scale), from `seed`. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

/** n integer labels in [0, classes). */
export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * classes);
  return out;
}

/**
 * Asserts |actual[i] − expected[i]| ≤ atol + rtol·|expected[i]| for every i, and reports the worst
 * element with `label` (which should name the sizes, e.g. "NN M=3 K=67 N=5") on failure.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
      if (Number.isNaN(a)) break;
    }
  }
  if (worst >= 0) {
    expect.fail(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/**
 * Central-difference derivative of a scalar function of x at element i: (f(x+h) − f(x−h)) / 2h.
 * Evaluate f in float64 where possible; with float32 forward passes use h ≈ 1e-2..1e-3.
 */
export function centralDiff(f: (x: Float64Array) => number, x: Float64Array, i: number, h: number): number {
  const saved = x[i];
  x[i] = saved + h;
  const plus = f(x);
  x[i] = saved - h;
  const minus = f(x);
  x[i] = saved;
  return (plus - minus) / (2 * h);
}

/** Asserts two f32 arrays hold the same bits (NaN-safe; −0 ≠ +0), naming the first element that differs. */
export function expectSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Int32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${label}: element ${i} is ${actual[i]}, expected the bits of ${expected[i]}`);
  }
}

/**
 * Buffers for one test at a time: f32()/i32()/place() allocate and remember; freeAll(...backends) (call
 * it in afterEach) frees them and checks that each backend given is left with no live buffer, so no
 * test leaks.
 */
export function bufferScope() {
  const made: [ReadyBackend, F32Buffer | I32Buffer][] = [];
  function f32(b: ReadyBackend, lengthOrValues: number | ArrayLike<number>): F32Buffer {
    const buf = b.f32(lengthOrValues);
    made.push([b, buf]);
    return buf;
  }
  return {
    f32,
    i32(b: ReadyBackend, lengthOrValues: number | ArrayLike<number>): I32Buffer {
      const buf = b.i32(lengthOrValues);
      made.push([b, buf]);
      return buf;
    },
    /**
     * `values` on backend b: the whole buffer (offset 0), or a view `offset` elements in (offset 1
     * gives the wasm kernels an address that is not 16-aligned).
     */
    place(b: ReadyBackend, values: Float32Array, offset: number): F32Buffer {
      const buf = f32(b, values.length + offset);
      buf.data.set(values, offset);
      return offset === 0 ? buf : buf.view(offset, values.length);
    },
    freeAll(...backends: ReadyBackend[]): void {
      for (const [b, buf] of made.splice(0)) b.free(buf);
      for (const b of backends) expect(b.liveBuffers, `${b.name} buffers left after the test`).toBe(0);
    },
  };
}

/**
 * The setup of a kernel test file, called once at its top level
 * (`const { wasm, js, f32, place } = await kernelTestSetup();`): both backends and a bufferScope whose
 * buffers are freed after each test, with both backends checked for leaks.
 */
export async function kernelTestSetup() {
  const { wasm, js } = await backends();
  const scope = bufferScope();
  afterEach(() => scope.freeAll(wasm, js));
  return { wasm, js, f32: scope.f32, i32: scope.i32, place: scope.place };
}

const ULP_VIEW = new DataView(new ArrayBuffer(8));

/**
 * How many float64 values lie between a and b (0 when they are the same number, +0 and −0 counting as
 * the same; 0 for two NaNs, Infinity for a NaN and a number). Exact up to 2^52 ulps.
 */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  ULP_VIEW.setFloat64(0, a);
  const ha = ULP_VIEW.getUint32(0);
  const la = ULP_VIEW.getUint32(4);
  ULP_VIEW.setFloat64(0, b);
  const hb = ULP_VIEW.getUint32(0);
  const lb = ULP_VIEW.getUint32(4);
  // The bit patterns of same-signed doubles are ordered like their magnitudes; the words are
  // subtracted separately so that the difference stays exact.
  if (ha >>> 31 === hb >>> 31) return Math.abs((ha - hb) * 2 ** 32 + (la - lb));
  return ((ha & 0x7fffffff) + (hb & 0x7fffffff)) * 2 ** 32 + la + lb;
}

/** Runs `body` with a model and disposes it, even when the body throws. */
export async function withModel<T>(model: Sequential, body: (m: Sequential) => Promise<T> | T): Promise<T> {
  try {
    return await body(model);
  } finally {
    model.dispose();
  }
}

/** The float64 reference softmax of each row of k values of z (max subtracted first). */
export function softmaxRows(z: ArrayLike<number>, k: number): Float64Array {
  const p = new Float64Array(z.length);
  for (let i = 0; i < z.length / k; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[i * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += (p[i * k + j] = Math.exp(z[i * k + j] - max));
    for (let j = 0; j < k; j++) p[i * k + j] /= s;
  }
  return p;
}
