/** Pure-JS twin of assembly/bias.ts. */

/** x[i, j] += bias[j] for an m×n row-major matrix. */
export function biasAdd(x: Float32Array, bias: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) x[row + j] += bias[j];
  }
}

/**
 * db[j] (+)= Σ_i dy[i, j]. Each column is summed in float64 (a plain JS number) and rounded once
 * when stored, so this is the exact-as-possible reference for the wasm kernel's f32 sums.
 */
export function biasGrad(dy: Float32Array, db: Float32Array, m: number, n: number, accumulate: boolean): void {
  const sums = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) sums[j] += dy[row + j];
  }
  for (let j = 0; j < n; j++) db[j] = accumulate ? db[j] + sums[j] : sums[j];
}
