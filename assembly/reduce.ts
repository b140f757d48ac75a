// STUB
export function sumSquares(x: usize, len: i32): f64 { unreachable(); return 0; }
export function sumAbs(x: usize, len: i32): f64 { unreachable(); return 0; }
export function axpy(y: usize, x: usize, len: i32, alpha: f32): void { unreachable(); }
export function addSign(y: usize, x: usize, len: i32, alpha: f32): void { unreachable(); }
export function scale(x: usize, len: i32, s: f32): void { unreachable(); }
export function mul(out: usize, a: usize, b: usize, len: i32): void { unreachable(); }
export function argmaxRows(x: usize, out: usize, m: i32, n: i32): void { unreachable(); }
export function countCorrect(x: usize, labels: usize, m: i32, n: i32): i32 { unreachable(); return 0; }
export function firstNonFinite(x: usize, len: i32): i32 { unreachable(); return 0; }
