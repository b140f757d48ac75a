// The tails of the activation kernels inside wasm: for every length 1..9 and every activation id,
// activationForward, activationBackward and biasActivation write exactly their first len elements
// (the guard after them stays), and the tail elements are bit for bit what the same inputs give in a
// run of whole vectors (lanes are independent, so the zero padding of a tail must not show).
import { activationBackward, activationForward, biasActivation } from '../activation';
import { ACT_COUNT, ACT_MISH } from '../activation-ids.generated';

const GUARD: f32 = 12345.0;
/** Whole vectors covering the longest length tried. */
const WHOLE: i32 = 12;
const MAX_LEN: i32 = 9;

/** WHOLE + 1 floats, x[i] = start + step·i (then the guard at WHOLE). */
function buffer(start: f32, step: f32): usize {
  const p = heap.alloc((WHOLE + 1) << 2);
  for (let i = 0; i < WHOLE; i++) store<f32>(p + (<usize>i << 2), start + step * <f32>i);
  store<f32>(p + (<usize>WHOLE << 2), GUARD);
  return p;
}

function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** The first len elements of a and b hold the same bits. */
function sameBits(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    if (load<u32>(a + (<usize>i << 2)) != load<u32>(b + (<usize>i << 2))) return false;
  }
  return true;
}

describe('activation tails', () => {
  it('activationForward: len 1..9 writes len elements, equal to the whole-vector run', () => {
    const x = buffer(-2.3, 0.55);
    const full = buffer(0, 0);
    for (let act = 0; act < ACT_COUNT; act++) {
      activationForward(act, x, full, WHOLE, 0.5);
      for (let len = 1; len <= MAX_LEN; len++) {
        const y = buffer(0, 0);
        store<f32>(y + (<usize>len << 2), GUARD);
        activationForward(act, x, y, len, 0.5);
        expect(sameBits(y, full, len)).toBe(true, `forward act ${act} len ${len}`);
        expect(at(y, len)).toBe(GUARD, `forward act ${act} len ${len} guard`);
        heap.free(y);
      }
    }
    heap.free(x);
    heap.free(full);
  });

  it('activationBackward: len 1..9 writes len elements, equal to the whole-vector run', () => {
    const x = buffer(-2.3, 0.55);
    const y = buffer(0, 0);
    const dy = buffer(0.7, -0.13);
    const full = buffer(0, 0);
    for (let act = 0; act < ACT_COUNT; act++) {
      activationForward(act, x, y, WHOLE, 0.5);
      activationBackward(act, x, y, dy, full, WHOLE, 0.5);
      for (let len = 1; len <= MAX_LEN; len++) {
        const dx = buffer(0, 0);
        store<f32>(dx + (<usize>len << 2), GUARD);
        activationBackward(act, x, y, dy, dx, len, 0.5);
        expect(sameBits(dx, full, len)).toBe(true, `backward act ${act} len ${len}`);
        expect(at(dx, len)).toBe(GUARD, `backward act ${act} len ${len} guard`);
        heap.free(dx);
      }
    }
    heap.free(x);
    heap.free(y);
    heap.free(dy);
    heap.free(full);
  });

  it('biasActivation: rows of n = 1..9 write n elements each, as in a whole-vector row', () => {
    const bias = buffer(0.25, -0.1);
    const src = buffer(-2.3, 0.55);
    for (let act = 0; act < ACT_COUNT; act++) {
      // Reference: one row of WHOLE columns (no tail).
      const zFull = buffer(-2.3, 0.55);
      const yFull = buffer(0, 0);
      biasActivation(act, zFull, bias, yFull, 1, WHOLE, 0.5);
      for (let n = 1; n <= MAX_LEN; n++) {
        // Two rows of n columns, each a copy of the first n inputs, then a guard.
        const m = 2;
        const z = heap.alloc((m * n + 1) << 2);
        const y = heap.alloc((m * n + 1) << 2);
        for (let i = 0; i < m; i++) memory.copy(z + (<usize>(i * n) << 2), src, <usize>n << 2);
        store<f32>(y + (<usize>(m * n) << 2), GUARD);
        store<f32>(z + (<usize>(m * n) << 2), GUARD);
        biasActivation(act, z, bias, y, m, n, 0.5);
        for (let i = 0; i < m; i++) {
          expect(sameBits(y + (<usize>(i * n) << 2), yFull, n)).toBe(true, `biasActivation act ${act} n ${n} row ${i}: y`);
          expect(sameBits(z + (<usize>(i * n) << 2), zFull, n)).toBe(true, `biasActivation act ${act} n ${n} row ${i}: z`);
        }
        expect(at(y, m * n)).toBe(GUARD, `biasActivation act ${act} n ${n} y guard`);
        expect(at(z, m * n)).toBe(GUARD, `biasActivation act ${act} n ${n} z guard`);
        heap.free(z);
        heap.free(y);
      }
      heap.free(zFull);
      heap.free(yFull);
    }
    heap.free(bias);
    heap.free(src);
  });
});

// The error bounds of the activations that compose simd-math functions in a new way (mish), measured
// like those of assembly/simd-math.ts: the kernels run over a dense sweep of f32 inputs and are
// compared with an f64 reference of the same input (AssemblyScript's Math.*). The bounds are the
// measured maxima rounded up a little; 1 ulp = 2⁻²³.
const ULP: f64 = 1.1920928955078125e-7;
const CHUNK: i32 = 1024;

function softplus64(x: f64): f64 {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function mish64(x: f64): f64 {
  return x * Math.tanh(softplus64(x));
}

function dmish64(x: f64): f64 {
  const t = Math.tanh(softplus64(x));
  return t + x * (1 / (1 + Math.exp(-x))) * (1 - t * t);
}

/**
 * The largest error of activation `act` over lo, lo + step, … < hi (`geometric`: lo, lo·step, …
 * while |x| < |hi|): forward relative to |f(x)|, or,
 * `backward`, of f′ (dy = 1) relative to max(|f′(x)|, 1) (absolute where |f′| < 1: f′ crosses 0).
 */
function sweep(act: i32, lo: f64, hi: f64, step: f64, backward: bool, geometric: bool = false): f64 {
  const x = heap.alloc(CHUNK << 2);
  const y = heap.alloc(CHUNK << 2);
  const dy = heap.alloc(CHUNK << 2);
  const dx = heap.alloc(CHUNK << 2);
  for (let i = 0; i < CHUNK; i++) store<f32>(dy + (<usize>i << 2), 1);
  let worst: f64 = 0;
  let k: i64 = 0;
  let done = false;
  while (!done) {
    let len = 0;
    while (len < CHUNK) {
      const v = geometric ? lo * Math.pow(step, <f64>k) : lo + <f64>k * step;
      if (geometric ? Math.abs(v) >= Math.abs(hi) : v >= hi) { done = true; break; }
      store<f32>(x + (<usize>len << 2), <f32>v);
      len++;
      k++;
    }
    activationForward(act, x, y, len, 0);
    if (backward) activationBackward(act, x, y, dy, dx, len, 0);
    for (let i = 0; i < len; i++) {
      const xi = <f64>load<f32>(x + (<usize>i << 2));
      const got = <f64>load<f32>((backward ? dx : y) + (<usize>i << 2));
      const want = backward ? dmish64(xi) : mish64(xi);
      const scale = backward ? Math.max(Math.abs(want), 1) : Math.abs(want);
      const err = scale == 0 ? (got == 0 ? 0 : Infinity) : Math.abs(got - want) / scale;
      if (!(err <= worst)) worst = err; // NaN counts as the worst
    }
  }
  heap.free(x);
  heap.free(y);
  heap.free(dy);
  heap.free(dx);
  return worst / ULP;
}

describe('mish error bounds (dense sweeps)', () => {
  // Measured: forward 2.24 ulp over [−87, 40], 1.58 ulp for tiny |x| (1e-30 … 1); backward 1.42 ulp.
  it('forward: within 2.5 ulp relative over [−87, 40] (normal results) and for tiny ±x', () => {
    expect(sweep(ACT_MISH, -87, 40, 1e-4, false)).toBeLessThanOrEqual(2.5);
    expect(sweep(ACT_MISH, 1e-30, 1, 1.001, false, true)).toBeLessThanOrEqual(2.5);
    expect(sweep(ACT_MISH, -1e-30, -1, 1.001, false, true)).toBeLessThanOrEqual(2.5);
  });
  it('backward: within 1.5 ulp of max(|f′|, 1) over [−87, 40]', () => {
    expect(sweep(ACT_MISH, -87, 40, 1e-4, true)).toBeLessThanOrEqual(1.5);
  });
});
