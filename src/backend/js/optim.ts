/**
 * Pure-JS twin of assembly/optim.ts, which documents the formulas and their order of operations.
 * Every operation is rounded to f32 (f = Math.fround) exactly where wasm's f32x4 arithmetic rounds,
 * and the hyper-parameters are first rounded to f32 as the wasm exports receive them, so both
 * backends produce the same bits. (Rounding an f64 result of +, −, ×, ÷ or √ of f32 values to f32
 * gives the correctly rounded f32 result: f64 has more than 2·24 + 2 bits.)
 */
const f = Math.fround;

/** baseⁿ (n ≥ 1) by repeated squaring: the same f64 multiplies as powInt in assembly/optim.ts. */
function powInt(base: number, n: number): number {
  let r = 1;
  let b = base;
  while (n !== 0) {
    if (n & 1) r *= b;
    b *= b;
    n >>>= 1;
  }
  return r;
}

export function sgdStep(w: Float32Array, g: Float32Array, len: number, lr: number, weightDecay: number): void {
  const rate = f(lr);
  const decay = f(rate * f(weightDecay));
  for (let i = 0; i < len; i++) {
    const wi = f(w[i] - f(decay * w[i]));
    w[i] = wi - f(rate * g[i]);
  }
}

export function momentumStep(
  w: Float32Array, g: Float32Array, v: Float32Array, len: number, lr: number, momentum: number, nesterov: boolean, weightDecay: number,
): void {
  const rate = f(lr);
  const mu = f(momentum);
  const decay = f(rate * f(weightDecay));
  for (let i = 0; i < len; i++) {
    const gi = g[i];
    const vi = f(f(mu * v[i]) + gi);
    const d = nesterov ? f(gi + f(mu * vi)) : vi;
    const wi = f(w[i] - f(decay * w[i]));
    v[i] = vi;
    w[i] = wi - f(rate * d);
  }
}

export function adamStep(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, len: number,
  lr: number, beta1: number, beta2: number, eps: number, step: number, weightDecay: number,
): void {
  const rate = f(lr);
  const b1 = f(beta1);
  const b2 = f(beta2);
  const omb1 = f(1 - b1);
  const omb2 = f(1 - b2);
  const e = f(eps);
  const lrt = f(rate / (1 - powInt(b1, step)));
  const c = f(1 / Math.sqrt(1 - powInt(b2, step)));
  const decay = f(rate * f(weightDecay));
  for (let i = 0; i < len; i++) {
    const gi = g[i];
    const mi = f(f(b1 * m[i]) + f(omb1 * gi));
    const vi = f(f(b2 * v[i]) + f(omb2 * f(gi * gi)));
    const wi = f(w[i] - f(decay * w[i]));
    const den = f(f(f(Math.sqrt(vi)) * c) + e);
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - f(f(lrt * mi) / den);
  }
}

export function rmspropStep(
  w: Float32Array, g: Float32Array, s: Float32Array, len: number, lr: number, rho: number, eps: number, weightDecay: number,
): void {
  const rate = f(lr);
  const r = f(rho);
  const omr = f(1 - r);
  const e = f(eps);
  const decay = f(rate * f(weightDecay));
  for (let i = 0; i < len; i++) {
    const gi = g[i];
    const si = f(f(r * s[i]) + f(omr * f(gi * gi)));
    s[i] = si;
    w[i] = scaledStep(w[i], gi, si, rate, e, decay);
  }
}

export function adagradStep(
  w: Float32Array, g: Float32Array, s: Float32Array, len: number, lr: number, eps: number, weightDecay: number,
): void {
  const rate = f(lr);
  const e = f(eps);
  const decay = f(rate * f(weightDecay));
  for (let i = 0; i < len; i++) {
    const gi = g[i];
    const si = f(s[i] + f(gi * gi));
    s[i] = si;
    w[i] = scaledStep(w[i], gi, si, rate, e, decay);
  }
}

/** The decayed w minus lr·g / (√s + eps), shared by rmsprop and adagrad (s already updated). */
function scaledStep(w: number, g: number, s: number, lr: number, eps: number, decay: number): number {
  const wi = f(w - f(decay * w));
  return f(wi - f(f(lr * g) / f(f(Math.sqrt(s)) + eps)));
}

/**
 * Twin of assembly/optim-outer.ts: W[m,n] ← (W − lr·weightDecay·W) − lr·(xᵀ·dy), in its order of
 * operations; rows[i] = 1 when row i is then all finite and free of −0, else 0; returns the rows
 * flagged 0. Every row is updated (rowsKnown unused): the rows the wasm kernel skips come out of
 * the update unchanged, with the flag they had.
 */
export function sgdOuterStep(w: Float32Array, x: Float32Array, dy: Float32Array, m: number, n: number, lr: number, weightDecay: number, rows: Int32Array | null = null, _rowsKnown = false): number {
  const rate = f(lr);
  const decay = f(rate * f(weightDecay));
  let notOk = 0;
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    const row = i * n;
    let ok = true;
    for (let j = 0; j < n; j++) {
      const g = f(0 + f(xi * dy[j]));
      const wi = f(w[row + j] - f(decay * w[row + j]));
      const next = f(wi - f(rate * g));
      w[row + j] = next;
      if (!Number.isFinite(next) || Object.is(next, -0)) ok = false;
    }
    if (rows !== null) rows[i] = ok ? 1 : 0;
    if (!ok) notOk++;
  }
  return notOk;
}
