// STUB
export function sgdStep(w: usize, g: usize, len: i32, lr: f32, weightDecay: f32): void { unreachable(); }
export function momentumStep(w: usize, g: usize, v: usize, len: i32, lr: f32, momentum: f32, nesterov: bool, weightDecay: f32): void { unreachable(); }
export function adamStep(w: usize, g: usize, m: usize, v: usize, len: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, step: i32, weightDecay: f32): void { unreachable(); }
export function rmspropStep(w: usize, g: usize, s: usize, len: i32, lr: f32, rho: f32, eps: f32, weightDecay: f32): void { unreachable(); }
export function adagradStep(w: usize, g: usize, s: usize, len: i32, lr: f32, eps: f32, weightDecay: f32): void { unreachable(); }
