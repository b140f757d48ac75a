// Optimizer updates (src/backend/contract.ts, Kernels.sgdStep … adagradStep): one pass over flat f32 buffers of
// parameters w, gradients g and optimizer state, four elements per f32x4 step. The js twin
// (src/backend/js/optim.ts) performs the same f32 operations in the same order, each rounded to f32,
// and there is no fma outside relaxed SIMD, so the two backends give the same bits.
//
// Per element, in this order (every operation rounded to f32; decay = lr·weightDecay, once per call):
//   all:       w ← w − decay·w                              (decoupled weight decay, as in AdamW)
//   sgd:       w ← w − lr·g
//   momentum:  v ← μ·v + g;   d = nesterov ? g + μ·v : v;   w ← w − lr·d
//   adam:      m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·(g·g);   w ← w − (lrₜ·m) / (√v·c + eps)
//   rmsprop:   s ← ρ·s + (1−ρ)·(g·g);   w ← w − (lr·g) / (√s + eps)
//   adagrad:   s ← s + g·g;   w ← w − (lr·g) / (√s + eps)
//
// Adam's bias corrections, computed in f64 once per call from the 1-based step t and rounded to f32:
//   lrₜ = lr / (1 − β1ᵗ),   c = 1 / √(1 − β2ᵗ)
// so lrₜ·m / (√v·c + eps) = lr·m̂ / (√v̂ + eps) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ), exactly as in the
// paper's algorithm (eps added to √v̂, not to √v). βᵗ is computed by repeated squaring (powInt), not
// Math.pow, so both backends get the same f64 bits.
//
// Each *At function updates the 4 elements at the given addresses; the loop calls it on the buffers
// and the tail calls it on zero-padded scratch copies (tail.ts).
import { tailIn, tailOut } from './tail';

/** baseⁿ for n ≥ 1 by repeated squaring (f64 multiplies only: reproducible in JS). */
// @ts-ignore: decorator
@inline function powInt(base: f64, n: i32): f64 {
  let r: f64 = 1;
  let b = base;
  while (n != 0) {
    if (n & 1) r *= b;
    b *= b;
    n >>>= 1;
  }
  return r;
}

/** w − decay·w: decoupled weight decay. */
// @ts-ignore: decorator
@inline function decayed(w: v128, decay: v128): v128 {
  return f32x4.sub(w, f32x4.mul(decay, w));
}

// @ts-ignore: decorator
@inline function sgdAt(w: usize, g: usize, lr: v128, decay: v128): void {
  const wv = decayed(v128.load(w), decay);
  v128.store(w, f32x4.sub(wv, f32x4.mul(lr, v128.load(g))));
}

export function sgdStep(w: usize, g: usize, len: i32, lr: f32, weightDecay: f32): void {
  const lrv = f32x4.splat(lr);
  const decay = f32x4.splat(lr * weightDecay);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    sgdAt(w + o, g + o, lrv, decay);
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    sgdAt(tailIn(0, w + o, rem), tailIn(1, g + o, rem), lrv, decay);
    tailOut(w + o, 0, rem);
  }
}

// @ts-ignore: decorator
@inline function momentumAt(w: usize, g: usize, v: usize, lr: v128, mu: v128, nesterov: bool, decay: v128): void {
  const gv = v128.load(g);
  const vv = f32x4.add(f32x4.mul(mu, v128.load(v)), gv);
  const d = nesterov ? f32x4.add(gv, f32x4.mul(mu, vv)) : vv;
  const wv = decayed(v128.load(w), decay);
  v128.store(v, vv);
  v128.store(w, f32x4.sub(wv, f32x4.mul(lr, d)));
}

export function momentumStep(
  w: usize, g: usize, v: usize, len: i32, lr: f32, momentum: f32, nesterov: bool, weightDecay: f32,
): void {
  const lrv = f32x4.splat(lr);
  const mu = f32x4.splat(momentum);
  const decay = f32x4.splat(lr * weightDecay);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    momentumAt(w + o, g + o, v + o, lrv, mu, nesterov, decay);
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    momentumAt(tailIn(0, w + o, rem), tailIn(1, g + o, rem), tailIn(2, v + o, rem), lrv, mu, nesterov, decay);
    tailOut(w + o, 0, rem);
    tailOut(v + o, 2, rem);
  }
}

// @ts-ignore: decorator
@inline function adamAt(
  w: usize, g: usize, m: usize, v: usize,
  b1: v128, omb1: v128, b2: v128, omb2: v128, lrt: v128, c: v128, eps: v128, decay: v128,
): void {
  const gv = v128.load(g);
  const mv = f32x4.add(f32x4.mul(b1, v128.load(m)), f32x4.mul(omb1, gv));
  const vv = f32x4.add(f32x4.mul(b2, v128.load(v)), f32x4.mul(omb2, f32x4.mul(gv, gv)));
  const wv = decayed(v128.load(w), decay);
  const den = f32x4.add(f32x4.mul(f32x4.sqrt(vv), c), eps);
  v128.store(m, mv);
  v128.store(v, vv);
  v128.store(w, f32x4.sub(wv, f32x4.div(f32x4.mul(lrt, mv), den)));
}

export function adamStep(
  w: usize, g: usize, m: usize, v: usize, len: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: i32, weightDecay: f32,
): void {
  const lrt = <f32>(<f64>lr / (1 - powInt(<f64>beta1, step)));
  const c = <f32>(1 / Math.sqrt(1 - powInt(<f64>beta2, step)));
  const b1 = f32x4.splat(beta1);
  const omb1 = f32x4.splat(<f32>1 - beta1);
  const b2 = f32x4.splat(beta2);
  const omb2 = f32x4.splat(<f32>1 - beta2);
  const lrtv = f32x4.splat(lrt);
  const cv = f32x4.splat(c);
  const epsv = f32x4.splat(eps);
  const decay = f32x4.splat(lr * weightDecay);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    adamAt(w + o, g + o, m + o, v + o, b1, omb1, b2, omb2, lrtv, cv, epsv, decay);
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    adamAt(
      tailIn(0, w + o, rem), tailIn(1, g + o, rem), tailIn(2, m + o, rem), tailIn(3, v + o, rem),
      b1, omb1, b2, omb2, lrtv, cv, epsv, decay,
    );
    tailOut(w + o, 0, rem);
    tailOut(m + o, 2, rem);
    tailOut(v + o, 3, rem);
  }
}

/** s is the new squared-gradient average (rmsprop) or sum (adagrad); both then step the same way. */
// @ts-ignore: decorator
@inline function scaledStep(w: usize, gv: v128, sv: v128, lr: v128, eps: v128, decay: v128): void {
  const wv = decayed(v128.load(w), decay);
  v128.store(w, f32x4.sub(wv, f32x4.div(f32x4.mul(lr, gv), f32x4.add(f32x4.sqrt(sv), eps))));
}

// @ts-ignore: decorator
@inline function rmspropAt(w: usize, g: usize, s: usize, lr: v128, rho: v128, omr: v128, eps: v128, decay: v128): void {
  const gv = v128.load(g);
  const sv = f32x4.add(f32x4.mul(rho, v128.load(s)), f32x4.mul(omr, f32x4.mul(gv, gv)));
  v128.store(s, sv);
  scaledStep(w, gv, sv, lr, eps, decay);
}

export function rmspropStep(w: usize, g: usize, s: usize, len: i32, lr: f32, rho: f32, eps: f32, weightDecay: f32): void {
  const lrv = f32x4.splat(lr);
  const rhov = f32x4.splat(rho);
  const omr = f32x4.splat(<f32>1 - rho);
  const epsv = f32x4.splat(eps);
  const decay = f32x4.splat(lr * weightDecay);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    rmspropAt(w + o, g + o, s + o, lrv, rhov, omr, epsv, decay);
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    rmspropAt(tailIn(0, w + o, rem), tailIn(1, g + o, rem), tailIn(2, s + o, rem), lrv, rhov, omr, epsv, decay);
    tailOut(w + o, 0, rem);
    tailOut(s + o, 2, rem);
  }
}

// @ts-ignore: decorator
@inline function adagradAt(w: usize, g: usize, s: usize, lr: v128, eps: v128, decay: v128): void {
  const gv = v128.load(g);
  const sv = f32x4.add(v128.load(s), f32x4.mul(gv, gv));
  v128.store(s, sv);
  scaledStep(w, gv, sv, lr, eps, decay);
}

export function adagradStep(w: usize, g: usize, s: usize, len: i32, lr: f32, eps: f32, weightDecay: f32): void {
  const lrv = f32x4.splat(lr);
  const epsv = f32x4.splat(eps);
  const decay = f32x4.splat(lr * weightDecay);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    adagradAt(w + o, g + o, s + o, lrv, epsv, decay);
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    adagradAt(tailIn(0, w + o, rem), tailIn(1, g + o, rem), tailIn(2, s + o, rem), lrv, epsv, decay);
    tailOut(w + o, 0, rem);
    tailOut(s + o, 2, rem);
  }
}
