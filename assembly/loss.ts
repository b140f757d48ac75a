// STUB. Optional buffers (probs, grad) are passed as address 0 when absent.
export function softmax(x: usize, y: usize, m: i32, n: i32): void { unreachable(); }
export function softmaxCrossEntropy(logits: usize, labels: usize, probs: usize, grad: usize, m: i32, n: i32, gradScale: f32): f64 { unreachable(); return 0; }
export function sigmoidCrossEntropy(logits: usize, targets: usize, grad: usize, len: i32, gradScale: f32): f64 { unreachable(); return 0; }
export function meanSquaredError(pred: usize, targets: usize, grad: usize, len: i32, gradScale: f32): f64 { unreachable(); return 0; }
