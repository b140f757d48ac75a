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

// @ts-ignore: decorator
@inline
function updateAt(w: usize, s: v128, dy: v128, lr: v128, decay: v128): void {
  const g = f32x4.add(f32x4.splat(0), f32x4.mul(s, dy));
  let wv = v128.load(w);
  wv = f32x4.sub(wv, f32x4.mul(decay, wv));
  v128.store(w, f32x4.sub(wv, f32x4.mul(lr, g)));
}

/** W[m,n] ← (W − lr·weightDecay·W) − lr·(xᵀ·dy), x [m] and dy [n] one row each; see the file comment. */
export function sgdOuterStep(w: usize, x: usize, dy: usize, m: i32, n: i32, lr: f32, weightDecay: f32): void {
  const lrv = f32x4.splat(lr);
  const d: f32 = lr * weightDecay;
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
      updateAt(wr + o, s, v128.load(dy + o), lrv, decay);
      updateAt(wr + o + 16, s, v128.load(dy + o, 16), lrv, decay);
      updateAt(wr + o + 32, s, v128.load(dy + o, 32), lrv, decay);
      updateAt(wr + o + 48, s, v128.load(dy + o, 48), lrv, decay);
    }
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      updateAt(wr + o, s, v128.load(dy + o), lrv, decay);
    }
    // The last n mod 4 columns in scalar f32: a lane of an f32x4 op rounds as the scalar op does.
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const g: f32 = <f32>0 + xi * load<f32>(dy + o);
      let wv = load<f32>(wr + o);
      wv = wv - d * wv;
      store<f32>(wr + o, wv - lr * g);
    }
  }
}
