// STUB: pure-JS twin of assembly/loss.ts. Optional outputs are null when absent (address 0 in wasm).
export function softmax(x: Float32Array, y: Float32Array, m: number, n: number): void { throw new Error('not implemented'); }
export function softmaxCrossEntropy(logits: Float32Array, labels: Int32Array, probs: Float32Array | null, grad: Float32Array | null, m: number, n: number, gradScale: number): number { throw new Error('not implemented'); }
export function sigmoidCrossEntropy(logits: Float32Array, targets: Float32Array, grad: Float32Array | null, len: number, gradScale: number): number { throw new Error('not implemented'); }
export function meanSquaredError(pred: Float32Array, targets: Float32Array, grad: Float32Array | null, len: number, gradScale: number): number { throw new Error('not implemented'); }
