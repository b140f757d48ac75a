// Tail handling of the packed matmul (assembly/matmul.ts) inside wasm: for every m in 1..9 (two
// 4-row panels and a tail), n in 1..17 (two 8-column panels and a tail) and a few k around the 4-step
// transposes, in all three layouts, with and without accumulate, C is exactly the naive product
// (small integers, so every sum is exact in f32), the guard elements around C are untouched, and A
// and B are not written. Every operand starts one element past a 16-byte boundary, so no vector
// access may assume alignment, and a read past an operand's end would pick up a guard (a NaN).
import { matmul, LAYOUT_NN, LAYOUT_TN, LAYOUT_NT } from '../matmul';

const GUARD: f32 = NaN;
const GUARD_C: f32 = 12345.0;
const K_SIZES: StaticArray<i32> = [1, 2, 3, 4, 5, 7, 9];

/** len floats one element past a 16-byte boundary, with a guard before and after. */
function operand(len: i32, guard: f32): usize {
  const block = heap.alloc(<usize>(len + 2) << 2);
  store<f32>(block, guard);
  store<f32>(block + (<usize>(len + 1) << 2), guard);
  return block + 4;
}

function release(p: usize): void {
  heap.free(p - 4);
}

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** Mathematical A[i,p] and B[p,j]: small integers in −2..2 and −3..3. */
function aValue(i: i32, p: i32): f32 {
  return <f32>((i * 7 + p * 3) % 5 - 2);
}
function bValue(p: i32, j: i32): f32 {
  return <f32>((p * 5 + j * 2) % 7 - 3);
}

function checkShape(layout: i32, m: i32, k: i32, n: i32, accumulate: bool): bool {
  // NaN guards around A and B: any read past them would poison C. A finite guard around C.
  const a = operand(m * k, GUARD);
  const b = operand(k * n, GUARD);
  const c = operand(m * n, GUARD_C);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      store<f32>(a + (<usize>(layout == LAYOUT_TN ? p * m + i : i * k + p) << 2), aValue(i, p));
    }
  }
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      store<f32>(b + (<usize>(layout == LAYOUT_NT ? j * k + p : p * n + j) << 2), bValue(p, j));
    }
  }
  for (let i = 0; i < m * n; i++) store<f32>(c + (<usize>i << 2), <f32>(i % 3));
  matmul(layout, a, b, c, m, k, n, accumulate, false);
  let ok = at(c, -1) == GUARD_C && at(c, m * n) == GUARD_C;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = accumulate ? <f32>((i * n + j) % 3) : 0;
      for (let p = 0; p < k; p++) s += aValue(i, p) * bValue(p, j);
      if (at(c, i * n + j) != s) ok = false;
    }
  }
  // A and B are read only.
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      if (at(a, layout == LAYOUT_TN ? p * m + i : i * k + p) != aValue(i, p)) ok = false;
    }
  }
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      if (at(b, layout == LAYOUT_NT ? j * k + p : p * n + j) != bValue(p, j)) ok = false;
    }
  }
  release(a);
  release(b);
  release(c);
  return ok;
}

describe('matmul tails', () => {
  it('computes every small shape exactly, in place, in all layouts', () => {
    const layouts: StaticArray<i32> = [LAYOUT_NN, LAYOUT_TN, LAYOUT_NT];
    let failures = 0;
    for (let l = 0; l < 3; l++) {
      for (let m = 1; m <= 9; m++) {
        for (let n = 1; n <= 17; n++) {
          for (let q = 0; q < K_SIZES.length; q++) {
            const k = K_SIZES[q];
            for (let acc = 0; acc < 2; acc++) {
              if (!checkShape(layouts[l], m, k, n, acc == 1)) {
                failures++;
                log<string>(`layout ${layouts[l]} M=${m} K=${k} N=${n} accumulate=${acc == 1}`);
              }
            }
          }
        }
      }
    }
    expect(failures).toBe(0);
  });

  it('crosses a k slice (k = 513: two slices, the second added into C)', () => {
    expect(checkShape(LAYOUT_NN, 5, 513, 9, false)).toBe(true);
    expect(checkShape(LAYOUT_TN, 5, 513, 9, true)).toBe(true);
    expect(checkShape(LAYOUT_NT, 5, 513, 9, false)).toBe(true);
  });
});
