// STUB. Activation ids follow ACTIVATIONS in src/backend.ts.
export function activationForward(act: i32, x: usize, y: usize, len: i32, alpha: f32): void { unreachable(); }
export function activationBackward(act: i32, x: usize, y: usize, dy: usize, dx: usize, len: i32, alpha: f32): void { unreachable(); }
export function biasActivation(act: i32, z: usize, bias: usize, y: usize, m: i32, n: i32, alpha: f32): void { unreachable(); }
