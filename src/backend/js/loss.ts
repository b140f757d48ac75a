/**
 * Pure-JS twin of assembly/loss.ts: the same formulas in float64 (Math.exp, Math.log, Math.log1p),
 * rounded to f32 only when stored. Optional outputs are null when absent (address 0 in wasm).
 * gradScale is an f32 on the wasm side, so it is rounded the same way here.
 */

function rowMax(x: Float32Array, row: number, n: number): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) mx = Math.max(mx, x[row + j]);
  return mx;
}

/** e[j] = exp(x[row + j] − mx) in float64 (mx the row maximum, so e ≤ 1); returns Σ e, which is ≥ 1. */
function expRow(x: Float32Array, row: number, n: number, mx: number, e: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < n; j++) {
    e[j] = Math.exp(x[row + j] - mx);
    sum += e[j];
  }
  return sum;
}

/** Row-wise softmax exp(x − max)/Σ of an m×n matrix; y may be x (a row is read into e first). */
export function softmax(x: Float32Array, y: Float32Array, m: number, n: number): void {
  const e = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    const sum = expRow(x, row, n, rowMax(x, row, n), e);
    for (let j = 0; j < n; j++) y[row + j] = e[j] / sum;
  }
}

/**
 * Σ_i −log p_i[label_i] by log-sum-exp (loss_i = log Σ_j e^(z_ij − max) + max − z_i,label ≥ 0, finite
 * for any finite logits); probs = softmax, grad = (probs − onehot)·gradScale when given.
 * probs or grad may be logits (each row's logits are read into e before anything is written).
 */
export function softmaxCrossEntropy(
  logits: Float32Array, labels: Int32Array, probs: Float32Array | null, grad: Float32Array | null,
  m: number, n: number, gradScale: number,
): number {
  const gs = Math.fround(gradScale);
  const e = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    const label = labels[i];
    const mx = rowMax(logits, row, n);
    const zl = logits[row + label];
    const sum = expRow(logits, row, n, mx, e);
    loss += Math.log(sum) + (mx - zl);
    for (let j = 0; j < n; j++) {
      const p = e[j] / sum;
      if (probs !== null) probs[row + j] = p;
      if (grad !== null) grad[row + j] = (j === label ? p - 1 : p) * gs;
    }
  }
  return loss;
}

/** Σ [max(z, 0) − z·t + log(1 + e^(−|z|))]; grad = (σ(z) − t)·gradScale when given (may be logits). */
export function sigmoidCrossEntropy(
  logits: Float32Array, targets: Float32Array, grad: Float32Array | null, len: number, gradScale: number,
): number {
  const gs = Math.fround(gradScale);
  let loss = 0;
  for (let i = 0; i < len; i++) {
    const z = logits[i];
    const t = targets[i];
    const u = Math.exp(-Math.abs(z));
    loss += Math.max(z, 0) - z * t + Math.log1p(u);
    // σ(z) from the same u: no overflow of e^(−z) for very negative z.
    if (grad !== null) grad[i] = ((z >= 0 ? 1 / (1 + u) : u / (1 + u)) - t) * gs;
  }
  return loss;
}

/** Σ (p − t)²; grad = 2(p − t)·gradScale when given (may be pred). */
export function meanSquaredError(
  pred: Float32Array, targets: Float32Array, grad: Float32Array | null, len: number, gradScale: number,
): number {
  const gs = Math.fround(gradScale);
  let loss = 0;
  for (let i = 0; i < len; i++) {
    const d = pred[i] - targets[i];
    loss += d * d;
    if (grad !== null) grad[i] = 2 * d * gs;
  }
  return loss;
}
