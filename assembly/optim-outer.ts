// The SGD update of a kernel W [m,n] from a one-row batch, with its gradient never written out:
//
//   ∂W = xᵀ·Δ  (an outer product: x [m] is the layer's input row, Δ [n] its output gradient)
//   W ← W − lr·∂W  (with decoupled weight decay first, as sgdStep)
//
// Unfused, online SGD writes the m·n gradient (matmul TN with k = 1), then sgdStep reads it back
// with W: three passes over m·n floats where this is one (read W, write W). For 784-128-10 at batch
// 1 the pair measured 43 + 25 µs against this kernel's 15 µs (bench figures in the report of issue
// 12; one process, shared machine).
//
// Same bits as the unfused pair, element by element, every operation rounded to f32 (no fma):
//   g = 0 + x[i]·Δ[j]           the TN k = 1 product: one k slice, summed from +0 (matmul-skinny.ts)
//   w = w − (lr·weightDecay)·w  sgdStep's decay
//   w = w − lr·g                sgdStep's update
// tests/kernels/sgd-outer.test.ts checks the bits against matmul + sgdStep on both backends.
//
// The `0 +` only turns a −0 product into +0, and that sign reaches w only when the decayed weight is
// −0: w − d·w is −0 only for w = −0 and d·w = +0, that is d = lr·weightDecay negative (or −0). For
// d with its sign bit clear (every fit() with lr > 0 and weightDecay ≥ 0) the add is skipped: 5 vector
// operations per 4 weights instead of 6, for the same bits. The test runs a negative lr for the other.

// @ts-ignore: decorator
@inline
function updateAt(w: usize, s: v128, dy: v128, lr: v128, decay: v128, plusZero: bool): void {
  const p = f32x4.mul(s, dy);
  const g = plusZero ? f32x4.add(f32x4.splat(0), p) : p;
  let wv = v128.load(w);
  wv = f32x4.sub(wv, f32x4.mul(decay, wv));
  v128.store(w, f32x4.sub(wv, f32x4.mul(lr, g)));
}

/** W[m,n] ← (W − lr·weightDecay·W) − lr·(xᵀ·dy), x [m] and dy [n] one row each; see the file comment. */
export function sgdOuterStep(w: usize, x: usize, dy: usize, m: i32, n: i32, lr: f32, weightDecay: f32): void {
  const d: f32 = lr * weightDecay;
  if (reinterpret<i32>(d) < 0) rows(w, x, dy, m, n, lr, d, true);
  else rows(w, x, dy, m, n, lr, d, false);
}

/** The loop of sgdOuterStep; inlined twice, so `plusZero` is a constant in each copy. */
// @ts-ignore: decorator
@inline
function rows(w: usize, x: usize, dy: usize, m: i32, n: i32, lr: f32, d: f32, plusZero: bool): void {
  const lrv = f32x4.splat(lr);
  const decay = f32x4.splat(d);
  const ldw = <usize>n << 2;
  const n16 = n & ~15;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    const s = f32x4.splat(xi);
    const wr = w + <usize>i * ldw;
    let j = 0;
    for (; j < n16; j += 16) {
      const o = <usize>j << 2;
      updateAt(wr + o, s, v128.load(dy + o), lrv, decay, plusZero);
      updateAt(wr + o + 16, s, v128.load(dy + o, 16), lrv, decay, plusZero);
      updateAt(wr + o + 32, s, v128.load(dy + o, 32), lrv, decay, plusZero);
      updateAt(wr + o + 48, s, v128.load(dy + o, 48), lrv, decay, plusZero);
    }
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      updateAt(wr + o, s, v128.load(dy + o), lrv, decay, plusZero);
    }
    // The last n mod 4 columns in scalar f32: a lane of an f32x4 op rounds as the scalar op does.
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const p: f32 = xi * load<f32>(dy + o);
      const g: f32 = plusZero ? <f32>0 + p : p;
      let wv = load<f32>(wr + o);
      wv = wv - d * wv;
      store<f32>(wr + o, wv - lr * g);
    }
  }
}
