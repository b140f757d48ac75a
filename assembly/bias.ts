// STUB
export function biasAdd(x: usize, bias: usize, m: i32, n: i32): void { unreachable(); }
export function biasGrad(dy: usize, db: usize, m: i32, n: i32, accumulate: bool): void { unreachable(); }
