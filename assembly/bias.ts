// Bias kernels (src/backend/contract.ts, Kernels: biasAdd, biasGrad) on m×n row-major matrices, f32x4 across
// columns. The fused bias + activation of the dense forward pass is biasActivation (activation.ts);
// these serve the other cases (identity layers) and the backward pass.
import { tailLoad, tailStore } from './tail';

/** x[i, j] += bias[j]. */
export function biasAdd(x: usize, bias: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  const whole = n & ~3;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * rowBytes;
    for (let j = 0; j < whole; j += 4) {
      const o = <usize>j << 2;
      v128.store(xr + o, f32x4.add(v128.load(xr + o), v128.load(bias + o)));
    }
    if (rem) {
      const o = <usize>whole << 2;
      tailStore(xr + o, f32x4.add(tailLoad(xr + o, rem), tailLoad(bias + o, rem)), rem);
    }
  }
}

/**
 * db[j] (+)= Σ_i dy[i, j]: column sums, streaming dy row by row (unit stride, whatever n) and
 * accumulating into db, which stays in L1. Rows are taken four at a time and summed pairwise,
 * (r0 + r1) + (r2 + r3), before the add into db: a quarter of the loads and stores of db, and each
 * db element takes ⌈m/4⌉ + 2 rounded adds instead of m (error ≤ ~(m/4 + 2)·2⁻²⁴·Σ|dy|).
 * The last n % 4 columns are done one by one in the same order, so their sums are the same as if
 * they had been in a vector.
 */
export function biasGrad(dy: usize, db: usize, m: i32, n: i32, accumulate: bool): void {
  const rowBytes = <usize>n << 2;
  const whole = n & ~3;
  if (!accumulate) memory.fill(db, 0, rowBytes);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = dy + <usize>i * rowBytes;
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    let j = 0;
    for (; j < whole; j += 4) {
      const o = <usize>j << 2;
      const s = f32x4.add(
        f32x4.add(v128.load(r0 + o), v128.load(r1 + o)),
        f32x4.add(v128.load(r2 + o), v128.load(r3 + o)),
      );
      v128.store(db + o, f32x4.add(v128.load(db + o), s));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const s = (load<f32>(r0 + o) + load<f32>(r1 + o)) + (load<f32>(r2 + o) + load<f32>(r3 + o));
      store<f32>(db + o, load<f32>(db + o) + s);
    }
  }
  for (; i < m; i++) {
    const r = dy + <usize>i * rowBytes;
    let j = 0;
    for (; j < whole; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(r + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(db + o, load<f32>(db + o) + load<f32>(r + o));
    }
  }
}
