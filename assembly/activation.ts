// Activation functions (src/backend/contract.ts, Kernels: activationForward, activationBackward) and the fused
// dense epilogue biasActivation (z += bias, y = f(z) in one pass over z, each vector activated while
// it is still in a register).
//
// Every activation is written once per direction, as an f32x4 function (forward4, backward4) next to
// its derivative. The loops that run them are @inline helpers taking the activation id as a
// parameter; the exported kernels switch on the id and call a helper with a constant id, so after
// inlining the switch inside forward4/backward4 folds away and each activation gets its own loop
// with no per-vector dispatch. Tails (len % 4 elements) go through the same vector code on a
// zero-padded vector (tail.ts), so there is no second, scalar formula to keep in step.
import { expm1v, expv, log1pv, normalCdfv, normalPdfv, sigmoidFromExp, sigmoidv, tanhv } from './simd-math';
import { biasAdd } from './bias';
import { tailLoad, tailStore } from './tail';
// The ids are the row indices of ACTIVATION_TABLE (src/backend/activations.ts), generated from it;
// the generator also checks that every switch (act) below has a case for each of them.
import {
  ACT_ELU, ACT_GELU, ACT_HARD_SIGMOID, ACT_IDENTITY, ACT_LEAKY_RELU, ACT_MISH, ACT_RELU, ACT_SIGMOID, ACT_SILU, ACT_SOFTPLUS, ACT_STEP, ACT_TANH,
} from './activation-ids.generated';

/**
 * mish(x) = x·tanh(softplus(x)) through n = u·(u + 2), u = e^x: tanh(ln(1 + u)) = ((1 + u)² − 1)/((1 + u)² + 1)
 * = n/(n + 2), with no subtraction. x is capped at 12 inside u: above it n/(n + 2) = 1 − 2/(n + 2)
 * rounds to 1 and the derivative's term 4x·e^(−2x) < 2e-9 is below half an ulp of 1, so the cap
 * changes no result; it keeps (1 + u)·(n + 2)² (≈ 1e26 at the cap) finite. For very negative x, u
 * tends to 0 with its relative accuracy (expv), and so does mish ≈ x·u.
 * Error, measured by a dense sweep in assembly/__tests__/activation.spec.ts: forward 2.24 ulp relative
 * over [−87, 40] (bound 2.5), backward 1.42 ulp of max(|f′|, 1) (bound 1.5; absolute where |f′| < 1,
 * as f′ crosses 0 near x = −1.19).
 */
// @ts-ignore: decorator
@inline function mishU(x: v128): v128 {
  return expv(f32x4.min(x, f32x4.splat(12.0)));
}

// @ts-ignore: decorator
@inline function mishN(u: v128): v128 {
  return f32x4.mul(u, f32x4.add(u, f32x4.splat(2.0)));
}

/** y = f(x) for four lanes; `a` is alpha splatted. */
// @ts-ignore: decorator
@inline function forward4(act: i32, x: v128, a: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (act) {
    case ACT_STEP: // 1 for x ≥ 0, else 0 (NaN gives 0): the all-ones compare mask and'ed with 1.0.
      return v128.and(f32x4.ge(x, zero), one);
    case ACT_SIGMOID: // 1/(1 + e^(−a·x))
      return sigmoidv(f32x4.mul(a, x));
    case ACT_TANH:
      return tanhv(x);
    case ACT_RELU: // max propagates NaN, like Math.max in the js twin.
      return f32x4.max(x, zero);
    case ACT_LEAKY_RELU:
      return v128.bitselect(x, f32x4.mul(a, x), f32x4.gt(x, zero));
    case ACT_ELU: // expm1 keeps α(e^x − 1) accurate for x just below 0.
      return v128.bitselect(x, f32x4.mul(a, expm1v(x)), f32x4.gt(x, zero));
    case ACT_GELU: // x·Φ(x), the exact (erf) form
      return f32x4.mul(x, normalCdfv(x));
    case ACT_SOFTPLUS: // ln(1 + e^x) = max(x, 0) + ln(1 + e^(−|x|)): no overflow, no log(0).
      return f32x4.add(f32x4.max(x, zero), log1pv(expv(f32x4.neg(f32x4.abs(x)))));
    case ACT_SILU: // x·σ(x)
      return f32x4.mul(x, sigmoidv(x));
    case ACT_HARD_SIGMOID: // clip(a·x + ½, 0, 1): max, then min, so NaN stays NaN (as Math.max/min)
      return f32x4.min(f32x4.max(f32x4.add(f32x4.mul(a, x), f32x4.splat(0.5)), zero), one);
    case ACT_MISH: { // x·t, t = n/(n + 2) (not x·n/(n + 2): x·n would overflow for x > 1e28)
      const n = mishN(mishU(x));
      return f32x4.mul(x, f32x4.div(n, f32x4.add(n, f32x4.splat(2.0))));
    }
    case ACT_IDENTITY: // (the kernels copy instead of calling this)
      return x;
    default:
      unreachable();
      return x;
  }
}

/** dx = dy·f′ for four lanes, from the input x and the forward output y = f(x). */
// @ts-ignore: decorator
@inline function backward4(act: i32, x: v128, y: v128, dy: v128, a: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (act) {
    case ACT_SIGMOID: // a·y(1 − y)
      return f32x4.mul(dy, f32x4.mul(a, f32x4.mul(y, f32x4.sub(one, y))));
    case ACT_TANH: // 1 − y²
      return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
    case ACT_RELU: // 1 for x > 0, else 0 (relu′(0) = 0)
      return v128.and(dy, f32x4.gt(x, zero));
    case ACT_LEAKY_RELU:
      return v128.bitselect(dy, f32x4.mul(a, dy), f32x4.gt(x, zero));
    case ACT_ELU: // α·e^x = y + α for x ≤ 0
      return v128.bitselect(dy, f32x4.mul(dy, f32x4.add(y, a)), f32x4.gt(x, zero));
    case ACT_GELU: // Φ(x) + x·φ(x)
      return f32x4.mul(dy, f32x4.add(normalCdfv(x), f32x4.mul(x, normalPdfv(x))));
    case ACT_SOFTPLUS: // σ(x)
      return f32x4.mul(dy, sigmoidv(x));
    case ACT_SILU: { // σ(x)·(1 + x·(1 − σ(x))), with 1 − σ(x) = σ(−x) (no cancellation for large x)
      const u = expv(f32x4.neg(f32x4.abs(x)));
      const s = sigmoidFromExp(x, u);
      const c = sigmoidFromExp(f32x4.neg(x), u);
      return f32x4.mul(dy, f32x4.mul(s, f32x4.add(one, f32x4.mul(x, c))));
    }
    case ACT_HARD_SIGMOID: // a where 0 < y < 1, else 0 (also at the kinks, as relu′(0) = 0)
      return v128.and(f32x4.mul(dy, a), v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)));
    case ACT_MISH: { // t + x·σ(x)·(1 − t²), with σ = u/(1 + u) and 1 − t² = 4(n + 1)/(n + 2)²: one division
      const xc = f32x4.min(x, f32x4.splat(12.0));
      const u = mishU(x);
      const n = mishN(u);
      const d = f32x4.add(n, f32x4.splat(2.0));
      const t = f32x4.div(n, d);
      const num = f32x4.mul(f32x4.mul(xc, u), f32x4.mul(f32x4.splat(4.0), f32x4.add(n, one)));
      const den = f32x4.mul(f32x4.add(one, u), f32x4.mul(d, d));
      return f32x4.mul(dy, f32x4.add(t, f32x4.div(num, den)));
    }
    case ACT_IDENTITY:
      return dy;
    case ACT_STEP: // derivative 0 (src/backend/contract.ts); the kernels fill with 0 instead.
      return zero;
    default:
      unreachable();
      return zero;
  }
}

/** y = f(x) over len elements: whole vectors, then the zero-padded tail. */
// @ts-ignore: decorator
@inline function forwardRun(act: i32, x: usize, y: usize, len: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, forward4(act, v128.load(x + o), a));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(y + o, forward4(act, tailLoad(x + o, rem), a), rem);
  }
}

// @ts-ignore: decorator
@inline function backwardRun(act: i32, x: usize, y: usize, dy: usize, dx: usize, len: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, backward4(act, v128.load(x + o), v128.load(y + o), v128.load(dy + o), a));
  }
  const rem = len & 3;
  if (rem) {
    const o = <usize>whole << 2;
    const v = backward4(act, tailLoad(x + o, rem), tailLoad(y + o, rem), tailLoad(dy + o, rem), a);
    tailStore(dx + o, v, rem);
  }
}

/**
 * The fused epilogue on an m×n matrix: z[i, j] += bias[j]; y[i, j] = f(z[i, j]), in one pass. When y
 * is z, the store of y overwrites the store of z at the same address (cheaper than a second copy of
 * the loop without it).
 */
// @ts-ignore: decorator
@inline function biasActRun(act: i32, z: usize, bias: usize, y: usize, m: i32, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const rowBytes = <usize>n << 2;
  const whole = n & ~3;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const zr = z + <usize>i * rowBytes;
    const yr = y + <usize>i * rowBytes;
    for (let j = 0; j < whole; j += 4) {
      const o = <usize>j << 2;
      const v = f32x4.add(v128.load(zr + o), v128.load(bias + o));
      v128.store(zr + o, v);
      v128.store(yr + o, forward4(act, v, a));
    }
    if (rem) {
      const o = <usize>whole << 2;
      const v = f32x4.add(tailLoad(zr + o, rem), tailLoad(bias + o, rem));
      tailStore(zr + o, v, rem);
      tailStore(yr + o, forward4(act, v, a), rem);
    }
  }
}

/** y = f(x), elementwise; y may be x. */
export function activationForward(act: i32, x: usize, y: usize, len: i32, alpha: f32): void {
  switch (act) {
    case ACT_STEP: forwardRun(ACT_STEP, x, y, len, alpha); break;
    case ACT_SIGMOID: forwardRun(ACT_SIGMOID, x, y, len, alpha); break;
    case ACT_TANH: forwardRun(ACT_TANH, x, y, len, alpha); break;
    case ACT_RELU: forwardRun(ACT_RELU, x, y, len, alpha); break;
    case ACT_LEAKY_RELU: forwardRun(ACT_LEAKY_RELU, x, y, len, alpha); break;
    case ACT_ELU: forwardRun(ACT_ELU, x, y, len, alpha); break;
    case ACT_GELU: forwardRun(ACT_GELU, x, y, len, alpha); break;
    case ACT_SOFTPLUS: forwardRun(ACT_SOFTPLUS, x, y, len, alpha); break;
    case ACT_SILU: forwardRun(ACT_SILU, x, y, len, alpha); break;
    case ACT_HARD_SIGMOID: forwardRun(ACT_HARD_SIGMOID, x, y, len, alpha); break;
    case ACT_MISH: forwardRun(ACT_MISH, x, y, len, alpha); break;
    case ACT_IDENTITY: if (y != x) memory.copy(y, x, <usize>len << 2); break;
    default: unreachable(); // the callers check the id (src/backend/checked.ts)
  }
}

/** dx = dy ⊙ f′(x) (from x or y = f(x), whichever is cheaper); dx may be dy. */
export function activationBackward(act: i32, x: usize, y: usize, dy: usize, dx: usize, len: i32, alpha: f32): void {
  switch (act) {
    case ACT_STEP: memory.fill(dx, 0, <usize>len << 2); break;
    case ACT_SIGMOID: backwardRun(ACT_SIGMOID, x, y, dy, dx, len, alpha); break;
    case ACT_TANH: backwardRun(ACT_TANH, x, y, dy, dx, len, alpha); break;
    case ACT_RELU: backwardRun(ACT_RELU, x, y, dy, dx, len, alpha); break;
    case ACT_LEAKY_RELU: backwardRun(ACT_LEAKY_RELU, x, y, dy, dx, len, alpha); break;
    case ACT_ELU: backwardRun(ACT_ELU, x, y, dy, dx, len, alpha); break;
    case ACT_GELU: backwardRun(ACT_GELU, x, y, dy, dx, len, alpha); break;
    case ACT_SOFTPLUS: backwardRun(ACT_SOFTPLUS, x, y, dy, dx, len, alpha); break;
    case ACT_SILU: backwardRun(ACT_SILU, x, y, dy, dx, len, alpha); break;
    case ACT_HARD_SIGMOID: backwardRun(ACT_HARD_SIGMOID, x, y, dy, dx, len, alpha); break;
    case ACT_MISH: backwardRun(ACT_MISH, x, y, dy, dx, len, alpha); break;
    case ACT_IDENTITY: if (dx != dy) memory.copy(dx, dy, <usize>len << 2); break;
    default: unreachable();
  }
}

/**
 * The dense layer's epilogue on an m×n row-major matrix: z[i, j] += bias[j] (bias = 0: no bias),
 * then y = f(z). y may be z. Without a bias it is activationForward over the m·n elements.
 */
export function biasActivation(act: i32, z: usize, bias: usize, y: usize, m: i32, n: i32, alpha: f32): void {
  if (bias == 0) {
    activationForward(act, z, y, m * n, alpha);
    return;
  }
  switch (act) {
    case ACT_STEP: biasActRun(ACT_STEP, z, bias, y, m, n, alpha); break;
    case ACT_SIGMOID: biasActRun(ACT_SIGMOID, z, bias, y, m, n, alpha); break;
    case ACT_TANH: biasActRun(ACT_TANH, z, bias, y, m, n, alpha); break;
    case ACT_RELU: biasActRun(ACT_RELU, z, bias, y, m, n, alpha); break;
    case ACT_LEAKY_RELU: biasActRun(ACT_LEAKY_RELU, z, bias, y, m, n, alpha); break;
    case ACT_ELU: biasActRun(ACT_ELU, z, bias, y, m, n, alpha); break;
    case ACT_GELU: biasActRun(ACT_GELU, z, bias, y, m, n, alpha); break;
    case ACT_SOFTPLUS: biasActRun(ACT_SOFTPLUS, z, bias, y, m, n, alpha); break;
    case ACT_SILU: biasActRun(ACT_SILU, z, bias, y, m, n, alpha); break;
    case ACT_HARD_SIGMOID: biasActRun(ACT_HARD_SIGMOID, z, bias, y, m, n, alpha); break;
    case ACT_MISH: biasActRun(ACT_MISH, z, bias, y, m, n, alpha); break;
    // The bias add alone, then a copy when y is not z. (When this case, too, was a biasActRun, the
    // cases differed only in a constant and the optimizer merged them back into one loop with a
    // switch per vector.)
    case ACT_IDENTITY:
      biasAdd(z, bias, m, n);
      if (y != z) memory.copy(y, z, (<usize>m * <usize>n) << 2);
      break;
    default: unreachable();
  }
}
