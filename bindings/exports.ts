/** The raw exports of the simdnet wasm module (assembly/index.ts): addresses and counts only. */
export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;

  matmul(layout: number, a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number): void;
  biasAdd(x: number, bias: number, m: number, n: number): void;
  biasGrad(dy: number, db: number, m: number, n: number, accumulate: number): void;
  activationForward(act: number, x: number, y: number, len: number, alpha: number): void;
  activationBackward(act: number, x: number, y: number, dy: number, dx: number, len: number, alpha: number): void;
  biasActivation(act: number, z: number, bias: number, y: number, m: number, n: number, alpha: number): void;
  softmax(x: number, y: number, m: number, n: number): void;
  softmaxCrossEntropy(logits: number, labels: number, probs: number, grad: number, m: number, n: number, gradScale: number): number;
  sigmoidCrossEntropy(logits: number, targets: number, grad: number, len: number, gradScale: number): number;
  meanSquaredError(pred: number, targets: number, grad: number, len: number, gradScale: number): number;
  sumSquares(x: number, len: number): number;
  sumAbs(x: number, len: number): number;
  axpy(y: number, x: number, len: number, alpha: number): void;
  addSign(y: number, x: number, len: number, alpha: number): void;
  scale(x: number, len: number, s: number): void;
  mul(out: number, a: number, b: number, len: number): void;
  argmaxRows(x: number, out: number, m: number, n: number): void;
  countCorrect(x: number, labels: number, m: number, n: number): number;
  firstNonFinite(x: number, len: number): number;
  dropoutMask(mask: number, len: number, rate: number, seed: number, stream: number): void;
  sgdStep(w: number, g: number, len: number, lr: number, weightDecay: number): void;
  momentumStep(w: number, g: number, v: number, len: number, lr: number, momentum: number, nesterov: number, weightDecay: number): void;
  adamStep(w: number, g: number, m: number, v: number, len: number, lr: number, beta1: number, beta2: number, eps: number, step: number, weightDecay: number): void;
  rmspropStep(w: number, g: number, s: number, len: number, lr: number, rho: number, eps: number, weightDecay: number): void;
  adagradStep(w: number, g: number, s: number, len: number, lr: number, eps: number, weightDecay: number): void;
}
