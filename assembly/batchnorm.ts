// Batch normalization over the columns of an m×n matrix (src/backend/contract.ts, Kernels:
// batchNormStats, batchNormForward, batchNormBackward). A conv output [m, h, w, c] is m·h·w rows of
// c channels; a dense output m rows of n features: either way one column = one channel.
//
// Columns are independent, so every kernel works on blocks of 4 columns (one f32x4 across a row,
// the last n % 4 through tail.ts), streaming the block's column slice of every row. The sums over
// rows (the batch statistics, the gradient sums) are taken in f64, one lane per column, in row order
// (f32 values and their products are exact in f64, so each term is exact and only the adds round):
// the js twin sums each column in the same order in JS numbers, which gives the same bits, and
// splitting the columns across threads cannot change them. The per-column coefficients are formed
// in f64 and rounded once to f32; the elementwise passes are f32 with every operation rounded, as
// the twin does with Math.fround.
//
//   stats:    μ = Σx / m,  σ² = Σ(x − μ)² / m         (two passes, μ in f64; both stored as f32)
//   forward:  s = 1/√(σ² + ε),  y = (x − μ)·f32(γ·s) + β
//   backward: x̂·σ = xc = x − μ;  Σdy, Σdy·xc (f64)
//             ∂β = Σdy,  ∂γ = s·Σdy·xc
//             ∂x = f32(γ·s)·((dy − f32(Σdy/m)) − xc·f32(s²·Σdy·xc/m))
// γ null means 1 (scale off), β null means 0 (center off); a null ∂γ / ∂β is not written.
import { tailLoad, tailStore } from './tail';

// @ts-ignore: decorator
@inline function load4(p: usize, cnt: i32): v128 {
  return cnt == 4 ? v128.load(p) : tailLoad(p, cnt);
}

// @ts-ignore: decorator
@inline function store4(p: usize, v: v128, cnt: i32): void {
  if (cnt == 4) v128.store(p, v);
  else tailStore(p, v, cnt);
}

/** The high two f32 lanes of v as f64x2. */
// @ts-ignore: decorator
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

/** Lane l (0..3) of a pair of f64x2 vectors. */
// @ts-ignore: decorator
@inline function laneOf(lo: v128, hi: v128, l: i32): f64 {
  if (l == 0) return f64x2.extract_lane(lo, 0);
  if (l == 1) return f64x2.extract_lane(lo, 1);
  if (l == 2) return f64x2.extract_lane(hi, 0);
  return f64x2.extract_lane(hi, 1);
}

/** f32 column j of an optional buffer, or `def` when it is null. */
// @ts-ignore: decorator
@inline function column(ptr: usize, j: i32, def: f32): f32 {
  return ptr == 0 ? def : load<f32>(ptr + (<usize>j << 2));
}

/** The vector of 4 per-column values (lanes past cnt are 0). */
// @ts-ignore: decorator
@inline function vec(a: f32, b: f32, c: f32, d: f32): v128 {
  let v = f32x4.splat(a);
  v = f32x4.replace_lane(v, 1, b);
  v = f32x4.replace_lane(v, 2, c);
  return f32x4.replace_lane(v, 3, d);
}

/** 1/√(σ² + ε) of column j, in f64. */
// @ts-ignore: decorator
@inline function invStd(variance: usize, j: i32, epsilon: f32): f64 {
  return 1.0 / Math.sqrt(<f64>load<f32>(variance + (<usize>j << 2)) + <f64>epsilon);
}

/** mean[j] = f32(Σ_i x[i, j] / m), variance[j] = f32(Σ_i (x[i, j] − μ_j)² / m), μ_j the f64 mean. */
export function batchNormStats(x: usize, mean: usize, variance: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  const rows = f64x2.splat(<f64>m);
  for (let j0 = 0; j0 < n; j0 += 4) {
    const cnt = min(4, n - j0);
    const col = x + (<usize>j0 << 2);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (let i = 0; i < m; i++) {
      const v = load4(col + <usize>i * rowBytes, cnt);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, promoteHigh(v));
    }
    const mu0 = f64x2.div(s0, rows), mu1 = f64x2.div(s1, rows);
    let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
    for (let i = 0; i < m; i++) {
      const v = load4(col + <usize>i * rowBytes, cnt);
      const d0 = f64x2.sub(f64x2.promote_low_f32x4(v), mu0);
      const d1 = f64x2.sub(promoteHigh(v), mu1);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
    }
    const v0 = f64x2.div(q0, rows), v1 = f64x2.div(q1, rows);
    for (let l = 0; l < cnt; l++) {
      const o = <usize>(j0 + l) << 2;
      store<f32>(mean + o, <f32>laneOf(mu0, mu1, l));
      store<f32>(variance + o, <f32>laneOf(v0, v1, l));
    }
  }
}

/** y = (x − μ)·f32(γ/√(σ² + ε)) + β per column (see the file comment). */
export function batchNormForward(x: usize, mean: usize, variance: usize, gamma: usize, beta: usize, y: usize, m: i32, n: i32, epsilon: f32): void {
  const rowBytes = <usize>n << 2;
  for (let j0 = 0; j0 < n; j0 += 4) {
    const cnt = min(4, n - j0);
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
    let m0: f32 = 0, m1: f32 = 0, m2: f32 = 0, m3: f32 = 0;
    for (let l = 0; l < cnt; l++) {
      const j = j0 + l;
      const a = <f32>(<f64>column(gamma, j, 1) * invStd(variance, j, epsilon));
      const b = column(beta, j, 0);
      const mu = load<f32>(mean + (<usize>j << 2));
      if (l == 0) { a0 = a; b0 = b; m0 = mu; } else if (l == 1) { a1 = a; b1 = b; m1 = mu; } else if (l == 2) { a2 = a; b2 = b; m2 = mu; } else { a3 = a; b3 = b; m3 = mu; }
    }
    const scale = vec(a0, a1, a2, a3), shift = vec(b0, b1, b2, b3), mu = vec(m0, m1, m2, m3);
    const o = <usize>j0 << 2;
    for (let i = 0; i < m; i++) {
      const r = <usize>i * rowBytes + o;
      store4(y + r, f32x4.add(f32x4.mul(f32x4.sub(load4(x + r, cnt), mu), scale), shift), cnt);
    }
  }
}

/**
 * ∂x, ∂γ, ∂β of batchNormForward: with the batch's own statistics (`training`: the mean and variance
 * depend on x, the file comment's formula), or with fixed ones (inference: ∂x = f32(γ·s)·dy).
 */
export function batchNormBackward(
  x: usize, dy: usize, mean: usize, variance: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize, m: i32, n: i32, epsilon: f32,
  training: bool,
): void {
  const rowBytes = <usize>n << 2;
  const rows: f64 = <f64>m;
  for (let j0 = 0; j0 < n; j0 += 4) {
    const cnt = min(4, n - j0);
    const o = <usize>j0 << 2;
    let m0: f32 = 0, m1: f32 = 0, m2: f32 = 0, m3: f32 = 0;
    for (let l = 0; l < cnt; l++) {
      const mu = load<f32>(mean + (<usize>(j0 + l) << 2));
      if (l == 0) m0 = mu; else if (l == 1) m1 = mu; else if (l == 2) m2 = mu; else m3 = mu;
    }
    const mu = vec(m0, m1, m2, m3);
    let g0 = f64x2.splat(0), g1 = f64x2.splat(0), h0 = f64x2.splat(0), h1 = f64x2.splat(0);
    for (let i = 0; i < m; i++) {
      const r = <usize>i * rowBytes + o;
      const d = load4(dy + r, cnt);
      const xc = f32x4.sub(load4(x + r, cnt), mu);
      const dLo = f64x2.promote_low_f32x4(d), dHi = promoteHigh(d);
      g0 = f64x2.add(g0, dLo);
      g1 = f64x2.add(g1, dHi);
      h0 = f64x2.add(h0, f64x2.mul(dLo, f64x2.promote_low_f32x4(xc)));
      h1 = f64x2.add(h1, f64x2.mul(dHi, promoteHigh(xc)));
    }
    let p0: f32 = 0, p1: f32 = 0, p2: f32 = 0, p3: f32 = 0;
    let q0: f32 = 0, q1: f32 = 0, q2: f32 = 0, q3: f32 = 0;
    let r0: f32 = 0, r1: f32 = 0, r2: f32 = 0, r3: f32 = 0;
    for (let l = 0; l < cnt; l++) {
      const j = j0 + l;
      const s = invStd(variance, j, epsilon);
      const sdy = laneOf(g0, g1, l), sdyxc = laneOf(h0, h1, l);
      if (dbeta != 0) store<f32>(dbeta + (<usize>j << 2), <f32>sdy);
      if (dgamma != 0) store<f32>(dgamma + (<usize>j << 2), <f32>(sdyxc * s));
      const p = <f32>(<f64>column(gamma, j, 1) * s);
      const q: f32 = training ? <f32>(sdy / rows) : 0;
      const r: f32 = training ? <f32>(s * s * sdyxc / rows) : 0;
      if (l == 0) { p0 = p; q0 = q; r0 = r; } else if (l == 1) { p1 = p; q1 = q; r1 = r; } else if (l == 2) { p2 = p; q2 = q; r2 = r; } else { p3 = p; q3 = q; r3 = r; }
    }
    const P = vec(p0, p1, p2, p3), Q = vec(q0, q1, q2, q3), R = vec(r0, r1, r2, r3);
    for (let i = 0; i < m; i++) {
      const r = <usize>i * rowBytes + o;
      const xc = f32x4.sub(load4(x + r, cnt), mu);
      const t = f32x4.sub(f32x4.sub(load4(dy + r, cnt), Q), f32x4.mul(xc, R));
      store4(dx + r, f32x4.mul(t, P), cnt);
    }
  }
}
