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

// Rows left as they are. MNIST's digits are about 81% zero pixels, and a row i of W whose input x[i]
// is ±0 gets g = ±0 in every column. With d = lr·weightDecay = ±0, a finite lr and a finite dy, each
// of its weights w becomes (w − d·w) − lr·g = w exactly, unless w is ±Infinity or NaN (0·w is NaN) or
// −0 (−0 − (+0·−0) is +0). So such a row is skipped when the caller's row flags say it holds none of
// those: the same bits without reading or writing it. The flags (`rows`, one i32 per row of W) are
// written by this kernel: 1 when the row after the step is all finite and free of −0, else 0. A
// skipped row keeps its 1 (it did not change). They describe W only as this kernel left it, so the
// caller says whether they still do (`rowsKnown`: no other writer since); else every row is updated
// and its flag written afresh. The count of rows with a 0 is returned: 0 means W is all finite, which
// lets the next forward product skip zero inputs too (matmul's finiteB).

/** The lanes of `w` that are ±Infinity, NaN or −0, as all-ones lanes. */
// @ts-ignore: decorator
@inline
function badLanes(w: v128): v128 {
  const exponent = i32x4.splat(0x7f800000);
  const notFinite = i32x4.eq(v128.and(w, exponent), exponent);
  return v128.or(notFinite, i32x4.eq(w, i32x4.splat(0x80000000)));
}

/** The scalar badLanes: true when `w` is ±Infinity, NaN or −0. */
// @ts-ignore: decorator
@inline
function isBad(w: f32): bool {
  const bits = reinterpret<i32>(w);
  return (bits & 0x7f800000) == 0x7f800000 || bits == 0x80000000;
}

/** True when none of x[0..len) is ±Infinity or NaN. */
function allFinite(x: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    if ((reinterpret<i32>(load<f32>(x + (<usize>i << 2))) & 0x7f800000) == 0x7f800000) return false;
  }
  return true;
}

/** The update of four weights at `w`; returns badLanes of the new weights. */
// @ts-ignore: decorator
@inline
function updateAt(w: usize, s: v128, dy: v128, lr: v128, decay: v128, plusZero: bool): v128 {
  const p = f32x4.mul(s, dy);
  const g = plusZero ? f32x4.add(f32x4.splat(0), p) : p;
  let wv = v128.load(w);
  wv = f32x4.sub(wv, f32x4.mul(decay, wv));
  wv = f32x4.sub(wv, f32x4.mul(lr, g));
  v128.store(w, wv);
  return badLanes(wv);
}

/**
 * W[m,n] ← (W − lr·weightDecay·W) − lr·(xᵀ·dy), x [m] and dy [n] one row each; rows [m] (or 0: none)
 * the row flags, rowsKnown whether they describe W as it is; returns the rows of W that are not all
 * finite and free of −0 after the step. See the file comment.
 */
export function sgdOuterStep(w: usize, x: usize, dy: usize, m: i32, n: i32, lr: f32, weightDecay: f32, rows: usize, rowsKnown: bool): i32 {
  const d: f32 = lr * weightDecay;
  const skip = rows != 0 && rowsKnown && d == 0 && isFinite<f32>(lr) && allFinite(dy, n);
  if (reinterpret<i32>(d) < 0) return updateRows(w, x, dy, m, n, lr, d, rows, skip, true);
  return updateRows(w, x, dy, m, n, lr, d, rows, skip, false);
}

/** The loop of sgdOuterStep; inlined twice, so `plusZero` is a constant in each copy. */
// @ts-ignore: decorator
@inline
function updateRows(w: usize, x: usize, dy: usize, m: i32, n: i32, lr: f32, d: f32, rows: usize, skip: bool, plusZero: bool): i32 {
  const lrv = f32x4.splat(lr);
  const decay = f32x4.splat(d);
  const ldw = <usize>n << 2;
  const n16 = n & ~15;
  const n4 = n & ~3;
  let notOk = 0;
  for (let i = 0; i < m; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    const flag = rows + (<usize>i << 2);
    if (skip && xi == 0 && load<i32>(flag) != 0) continue;
    const s = f32x4.splat(xi);
    const wr = w + <usize>i * ldw;
    let bad = i32x4.splat(0);
    let j = 0;
    for (; j < n16; j += 16) {
      const o = <usize>j << 2;
      bad = v128.or(bad, updateAt(wr + o, s, v128.load(dy + o), lrv, decay, plusZero));
      bad = v128.or(bad, updateAt(wr + o + 16, s, v128.load(dy + o, 16), lrv, decay, plusZero));
      bad = v128.or(bad, updateAt(wr + o + 32, s, v128.load(dy + o, 32), lrv, decay, plusZero));
      bad = v128.or(bad, updateAt(wr + o + 48, s, v128.load(dy + o, 48), lrv, decay, plusZero));
    }
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      bad = v128.or(bad, updateAt(wr + o, s, v128.load(dy + o), lrv, decay, plusZero));
    }
    let ok = !v128.any_true(bad);
    // The last n mod 4 columns in scalar f32: a lane of an f32x4 op rounds as the scalar op does.
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const p: f32 = xi * load<f32>(dy + o);
      const g: f32 = plusZero ? <f32>0 + p : p;
      let wv = load<f32>(wr + o);
      wv = wv - d * wv;
      wv = wv - lr * g;
      store<f32>(wr + o, wv);
      if (isBad(wv)) ok = false;
    }
    if (rows != 0) store<i32>(flag, i32(ok));
    notOk += i32(!ok);
  }
  return notOk;
}
