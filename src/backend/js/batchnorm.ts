/**
 * Pure-JS twins of assembly/batchnorm.ts, column by column in the kernels' order: the sums over rows
 * in JS numbers (f64) in row order, the coefficients in f64 rounded once, the elementwise passes
 * rounded to f32 at every operation (Math.fround), so they give the same bits.
 */
const f = Math.fround;

export function batchNormStats(x: Float32Array, mean: Float32Array, variance: Float32Array, m: number, n: number): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += x[i * n + j];
    const mu = s / m;
    let q = 0;
    for (let i = 0; i < m; i++) {
      const d = x[i * n + j] - mu;
      q += d * d;
    }
    mean[j] = mu;
    variance[j] = q / m;
  }
}

const invStd = (variance: Float32Array, j: number, epsilon: number): number => 1 / Math.sqrt(variance[j] + f(epsilon));

export function batchNormForward(
  x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array,
  m: number, n: number, epsilon: number,
): void {
  for (let j = 0; j < n; j++) {
    const a = f((gamma === null ? 1 : gamma[j]) * invStd(variance, j, epsilon));
    const b = beta === null ? 0 : beta[j];
    const mu = mean[j];
    for (let i = 0; i < m; i++) y[i * n + j] = f(f(x[i * n + j] - mu) * a) + b;
  }
}

export function batchNormBackward(
  x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null,
  dx: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null, m: number, n: number, epsilon: number, training: boolean,
): void {
  for (let j = 0; j < n; j++) {
    const mu = mean[j];
    let sdy = 0, sdyxc = 0;
    for (let i = 0; i < m; i++) {
      const d = dy[i * n + j];
      sdy += d;
      sdyxc += d * f(x[i * n + j] - mu);
    }
    const s = invStd(variance, j, epsilon);
    if (dbeta !== null) dbeta[j] = sdy;
    if (dgamma !== null) dgamma[j] = sdyxc * s;
    const p = f((gamma === null ? 1 : gamma[j]) * s);
    const q = training ? f(sdy / m) : 0;
    const r = training ? f((s * s * sdyxc) / m) : 0;
    for (let i = 0; i < m; i++) {
      const xc = f(x[i * n + j] - mu);
      dx[i * n + j] = f(f(dy[i * n + j] - q) - f(xc * r)) * p;
    }
  }
}
