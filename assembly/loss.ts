// Softmax and the losses (src/backend/contract.ts, Kernels: softmax, softmaxCrossEntropy, sigmoidCrossEntropy,
// meanSquaredError). Optional outputs (probs, grad) are address 0 when absent.
//
// Rows of softmax / cross-entropy are short (n = classes) and are walked up to three times while
// they sit in L1: the row maximum, then e = exp(z − max) and its sum, then the scaling. The loss
// sums come back as f64: per-element terms are computed in f32 lanes and added into f64 (two f64x2
// accumulators, or one f64 per row), so a sum over a large batch loses nothing to f32 accumulation.
import { expv, log1pv, sigmoidFromExp } from './simd-math';
import { tailLoad, tailStore } from './tail';

/** All-ones in the first `rem` lanes, zeros after: masks the zero padding of a tail vector out of a sum. */
// @ts-ignore: decorator
@inline function laneMask(rem: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rem));
}

/** acc (f64x2) += the low (addLow) or high (addHigh) two lanes of v, promoted to f64 exactly. */
// @ts-ignore: decorator
@inline function addLow(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}

// @ts-ignore: decorator
@inline function addHigh(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
}

// @ts-ignore: decorator
@inline function sumF64(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** max_j x[j] over a row of n ≥ 1 values (f32x4.max, so a NaN in the row gives NaN). */
// @ts-ignore: decorator
@inline function rowMax(x: usize, n: i32): f32 {
  let best = f32x4.splat(-Infinity);
  const whole = n & ~3;
  for (let j = 0; j < whole; j += 4) best = f32x4.max(best, v128.load(x + (<usize>j << 2)));
  best = f32x4.max(best, f32x4.shuffle(best, best, 2, 3, 0, 1));
  best = f32x4.max(best, f32x4.shuffle(best, best, 1, 0, 3, 2));
  let mx = f32x4.extract_lane(best, 0);
  for (let j = whole; j < n; j++) mx = max(mx, load<f32>(x + (<usize>j << 2)));
  return mx;
}

/**
 * e[j] = exp(x[j] − mx) for a row, stored at `e` (may be x; skipped when e is 0), and returns Σ e[j]
 * in f64. With mx the row maximum every e[j] ≤ 1 and the largest is exactly 1, so the sum is in [1, n]:
 * no overflow, and its log is never log(0).
 */
// @ts-ignore: decorator
@inline function expRow(x: usize, e: usize, n: i32, mx: f32): f64 {
  const m = f32x4.splat(mx);
  let lo = f64x2.splat(0);
  let hi = lo;
  const whole = n & ~3;
  for (let j = 0; j < whole; j += 4) {
    const o = <usize>j << 2;
    const v = expv(f32x4.sub(v128.load(x + o), m));
    if (e) v128.store(e + o, v);
    lo = addLow(lo, v);
    hi = addHigh(hi, v);
  }
  const rem = n & 3;
  if (rem) {
    const o = <usize>whole << 2;
    // The padding lanes are 0, and exp(0 − mx) is not: mask them out of the sum.
    const v = v128.and(expv(f32x4.sub(tailLoad(x + o, rem), m)), laneMask(rem));
    if (e) tailStore(e + o, v, rem);
    lo = addLow(lo, v);
    hi = addHigh(hi, v);
  }
  return sumF64(lo, hi);
}

/** dst[j] = (src[j]·s1)·s2 for a row (two roundings, the same as probs = e·(1/Σ), grad = probs·gradScale). */
// @ts-ignore: decorator
@inline function scaleRow(src: usize, dst: usize, n: i32, s1: f32, s2: f32): void {
  const a = f32x4.splat(s1);
  const b = f32x4.splat(s2);
  const whole = n & ~3;
  for (let j = 0; j < whole; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.mul(f32x4.mul(v128.load(src + o), a), b));
  }
  const rem = n & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(dst + o, f32x4.mul(f32x4.mul(tailLoad(src + o, rem), a), b), rem);
  }
}

/** Row-wise softmax of an m×n matrix, y = exp(x − max)/Σ; y may be x. */
export function softmax(x: usize, y: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * rowBytes;
    const yr = y + <usize>i * rowBytes;
    const sum = expRow(xr, yr, n, rowMax(xr, n));
    scaleRow(yr, yr, n, <f32>(1.0 / sum), 1.0);
  }
}

/**
 * Σ_i −log p_i[label_i] with log-sum-exp per row: loss_i = log Σ_j e^(z_ij − max_i) + max_i − z_i,label,
 * in f64. Both terms are ≥ 0 (the sum is ≥ 1, the max ≥ z_label), so the loss is finite and ≥ 0 for
 * any finite logits, however large. probs (if given) = e/Σ; grad (if given) = (probs − onehot)·gradScale.
 * probs may be logits, grad may be logits (the label's logit is read before the row is overwritten);
 * without probs, e is staged in grad.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, probs: usize, grad: usize, m: i32, n: i32, gradScale: f32): f64 {
  const rowBytes = <usize>n << 2;
  let loss: f64 = 0;
  for (let i = 0; i < m; i++) {
    const zr = logits + <usize>i * rowBytes;
    const label = <usize>load<i32>(labels + (<usize>i << 2)) << 2;
    const zl = load<f32>(zr + label);
    const mx = rowMax(zr, n);
    const pr = probs ? probs + <usize>i * rowBytes : 0;
    const gr = grad ? grad + <usize>i * rowBytes : 0;
    const e = pr ? pr : gr;
    const sum = expRow(zr, e, n, mx);
    loss += Math.log(sum) + (<f64>mx - <f64>zl);
    if (e) {
      const inv = <f32>(1.0 / sum);
      // The label's probability, as stored in probs (e·inv rounded once), for its gradient below.
      const pl = load<f32>(e + label) * inv;
      if (pr) scaleRow(pr, pr, n, inv, 1.0);
      if (gr) {
        if (pr) scaleRow(pr, gr, n, 1.0, gradScale);
        else scaleRow(gr, gr, n, inv, gradScale);
        store<f32>(gr + label, (pl - 1.0) * gradScale);
      }
    }
  }
  return loss;
}

/**
 * One vector of the sigmoid cross-entropy: the loss terms max(z, 0) − z·t + log(1 + e^(−|z|)) (stable
 * for any z: no overflow, no log(0)), and (bceGrad) the gradient (σ(z) − t)·gradScale, with σ(z) from
 * the same u = e^(−|z|).
 */
// @ts-ignore: decorator
@inline function bceLoss(z: v128, t: v128, u: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.max(z, f32x4.splat(0)), f32x4.mul(z, t)), log1pv(u));
}

// @ts-ignore: decorator
@inline function bceGrad(z: v128, t: v128, u: v128, gs: v128): v128 {
  return f32x4.mul(f32x4.sub(sigmoidFromExp(z, u), t), gs);
}

/** Σ BCE(z, t) (returned in f64); grad (if given) = (σ(z) − t)·gradScale; grad may be logits. */
export function sigmoidCrossEntropy(logits: usize, targets: usize, grad: usize, len: i32, gradScale: f32): f64 {
  const gs = f32x4.splat(gradScale);
  let lo = f64x2.splat(0);
  let hi = lo;
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    const z = v128.load(logits + o);
    const t = v128.load(targets + o);
    const u = expv(f32x4.neg(f32x4.abs(z)));
    const l = bceLoss(z, t, u);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
    if (grad) v128.store(grad + o, bceGrad(z, t, u, gs));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    const z = tailLoad(logits + o, rem);
    const t = tailLoad(targets + o, rem);
    const u = expv(f32x4.neg(f32x4.abs(z)));
    // A padding lane (z = t = 0) has loss log 2, not 0: mask it out of the sum.
    const l = v128.and(bceLoss(z, t, u), laneMask(rem));
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
    if (grad) tailStore(grad + o, bceGrad(z, t, u, gs), rem);
  }
  return sumF64(lo, hi);
}

/** acc += the squares of the low (addLowSquares) or high (addHighSquares) two lanes of d, in f64. */
// @ts-ignore: decorator
@inline function addLowSquares(acc: v128, d: v128): v128 {
  const w = f64x2.promote_low_f32x4(d);
  return f64x2.add(acc, f64x2.mul(w, w));
}

// @ts-ignore: decorator
@inline function addHighSquares(acc: v128, d: v128): v128 {
  const w = f64x2.promote_low_f32x4(f32x4.shuffle(d, d, 2, 3, 2, 3));
  return f64x2.add(acc, f64x2.mul(w, w));
}

/**
 * Σ (p − t)² (returned in f64; each d = p − t is promoted and squared in f64); grad (if given)
 * = 2(p − t)·gradScale; grad may be pred. Padding lanes of the tail have d = 0 and add nothing.
 */
export function meanSquaredError(pred: usize, targets: usize, grad: usize, len: i32, gradScale: f32): f64 {
  const g2 = f32x4.splat(gradScale * 2);
  let lo = f64x2.splat(0);
  let hi = lo;
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(pred + o), v128.load(targets + o));
    lo = addLowSquares(lo, d);
    hi = addHighSquares(hi, d);
    if (grad) v128.store(grad + o, f32x4.mul(d, g2));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    const d = f32x4.sub(tailLoad(pred + o, rem), tailLoad(targets + o, rem));
    lo = addLowSquares(lo, d);
    hi = addHighSquares(hi, d);
    if (grad) tailStore(grad + o, f32x4.mul(d, g2), rem);
  }
  return sumF64(lo, hi);
}
