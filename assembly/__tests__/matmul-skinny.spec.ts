// Inside wasm: the k slices both matmul paths share (matmul-slices.ts), the crossover predicate, and
// that the skinny path writes exactly C's m×n elements (the guard after C stays) in every layout.
import { kSliceStep, KC } from '../matmul-slices';
import { LAYOUT_NN, LAYOUT_NT, LAYOUT_TN, matmulSkinny, skinnyPays } from '../matmul-skinny';

const GUARD: f32 = 12345.0;

function filled(len: i32, start: f32): usize {
  const p = heap.alloc((len + 1) << 2);
  for (let i = 0; i < len; i++) store<f32>(p + (<usize>i << 2), start + 0.25 * <f32>(i % 7));
  store<f32>(p + (<usize>len << 2), GUARD);
  return p;
}

describe('matmul k slices', () => {
  it('are equal, at most KC deep, whole 4-step blocks', () => {
    for (let k = 1; k <= 3 * KC + 5; k += 7) {
      const step = kSliceStep(k);
      expect(step % 4).toBe(0);
      expect(step <= KC).toBe(true);
      const slices = (k + step - 1) / step;
      expect(slices).toBe((k + KC - 1) / KC);
    }
  });
});

describe('matmulSkinny', () => {
  it('is chosen for few rows (TN: a shallow k) only', () => {
    expect(skinnyPays(LAYOUT_NN, 1, 784)).toBe(true);
    expect(skinnyPays(LAYOUT_NN, 16, 784)).toBe(true);
    expect(skinnyPays(LAYOUT_NN, 17, 784)).toBe(false);
    expect(skinnyPays(LAYOUT_NT, 1, 128)).toBe(true);
    expect(skinnyPays(LAYOUT_NT, 2, 128)).toBe(false);
    expect(skinnyPays(LAYOUT_TN, 784, 16)).toBe(true);
    expect(skinnyPays(LAYOUT_TN, 784, 17)).toBe(false);
  });

  it('writes exactly m×n elements of C in every layout', () => {
    const layouts: i32[] = [LAYOUT_NN, LAYOUT_TN, LAYOUT_NT];
    for (let l = 0; l < 3; l++) {
      for (let m = 1; m <= 9; m++) {
        for (let n = 1; n <= 37; n += 3) {
          const k = 5 + m;
          const a = filled(m * k, 0.5), b = filled(k * n, -0.75), c = filled(m * n, 1);
          matmulSkinny(layouts[l], a, b, c, m, k, n, true, (m & 1) == 1);
          expect(load<f32>(c + (<usize>(m * n) << 2))).toBe(GUARD);
          heap.free(a); heap.free(b); heap.free(c);
        }
      }
    }
  });
});
