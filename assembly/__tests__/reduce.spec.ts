// The SIMD tails inside wasm (assembly/tail.ts): for every length 1..13, each kernel of reduce.ts,
// dropout.ts and optim.ts writes exactly its first len elements and never the guard element after
// them, and the sums count exactly len elements (zero padding adds nothing).
import { addSign, axpy, firstNonFinite, mul, scale, sumAbs, sumSquares } from '../reduce';
import { dropoutMask } from '../dropout';
import { adagradStep, adamStep, momentumStep, rmspropStep, sgdStep } from '../optim';

const GUARD: f32 = 12345.0;
const MAX: i32 = 13;

/** A buffer of MAX + 1 floats: x[i] = start + i for i < MAX, then the guard. */
function buffer(start: f32): usize {
  const p = heap.alloc((MAX + 1) << 2);
  for (let i = 0; i < MAX; i++) store<f32>(p + (<usize>i << 2), start + <f32>i);
  store<f32>(p + (<usize>MAX << 2), GUARD);
  return p;
}

/** Puts the guard right after the first len elements (checked by guardKept after a kernel call). */
function guardAt(p: usize, len: i32): void {
  store<f32>(p + (<usize>len << 2), GUARD);
}

function guardKept(p: usize, len: i32): bool {
  return load<f32>(p + (<usize>len << 2)) == GUARD;
}

describe('tails of the SIMD loops', () => {
  it('sums count exactly len elements', () => {
    const x = buffer(1);
    for (let len = 1; len <= MAX; len++) {
      // 1² + … + len² and 1 + … + len.
      const l = <f64>len;
      expect(sumSquares(x, len)).toBe((l * (l + 1) * (2 * l + 1)) / 6);
      expect(sumAbs(x, len)).toBe((l * (l + 1)) / 2);
    }
    heap.free(x);
  });

  it('elementwise kernels write len elements and not the one after', () => {
    for (let len = 1; len <= MAX; len++) {
      const y = buffer(1);
      const x = buffer(2);
      guardAt(y, len);
      axpy(y, x, len, 1);
      addSign(y, x, len, 1);
      scale(y, len, 2);
      mul(y, y, x, len);
      for (let i = 0; i < len; i++) {
        const yi = <f32>1 + <f32>i, xi = <f32>2 + <f32>i;
        expect(load<f32>(y + (<usize>i << 2))).toBe(((yi + xi + 1) * 2) * xi);
      }
      expect(guardKept(y, len)).toBe(true);
      dropoutMask(y, len, 0.5, 1, 2);
      expect(guardKept(y, len)).toBe(true);
      heap.free(y);
      heap.free(x);
    }
  });

  it('optimizers write len elements of w and state, and not the one after', () => {
    for (let len = 1; len <= MAX; len++) {
      const w = buffer(1), g = buffer(1), a = buffer(0), b = buffer(0);
      for (let k = 0; k < 5; k++) {
        guardAt(w, len); guardAt(a, len); guardAt(b, len);
        if (k == 0) sgdStep(w, g, len, 0.1, 0.01);
        if (k == 1) momentumStep(w, g, a, len, 0.1, 0.9, true, 0.01);
        if (k == 2) adamStep(w, g, a, b, len, 0.1, 0.9, 0.999, 1e-8, 1, 0.01);
        if (k == 3) rmspropStep(w, g, a, len, 0.1, 0.9, 1e-8, 0.01);
        if (k == 4) adagradStep(w, g, a, len, 0.1, 1e-8, 0.01);
        expect(guardKept(w, len) && guardKept(a, len) && guardKept(b, len)).toBe(true);
      }
      // Every element moved against its positive gradient.
      for (let i = 0; i < len; i++) expect(load<f32>(w + (<usize>i << 2)) < <f32>1 + <f32>i).toBe(true);
      heap.free(w); heap.free(g); heap.free(a); heap.free(b);
    }
  });

  it('firstNonFinite finds a NaN in the tail and ignores the guard slot', () => {
    for (let len = 1; len <= MAX; len++) {
      const x = buffer(0);
      store<f32>(x + (<usize>len << 2), NaN);
      expect(firstNonFinite(x, len)).toBe(-1);
      store<f32>(x + (<usize>(len - 1) << 2), Infinity);
      expect(firstNonFinite(x, len)).toBe(len - 1);
      heap.free(x);
    }
  });
});
