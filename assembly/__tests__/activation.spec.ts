// The tails of the activation kernels inside wasm: for every length 1..9 and every activation id,
// activationForward, activationBackward and biasActivation write exactly their first len elements
// (the guard after them stays), and the tail elements are bit for bit what the same inputs give in a
// run of whole vectors (lanes are independent, so the zero padding of a tail must not show).
import { activationBackward, activationForward, biasActivation } from '../activation';
import { ACT_COUNT } from '../activation-ids.generated';

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
