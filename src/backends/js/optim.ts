// STUB: pure-JS twin of assembly/optim.ts
export function sgdStep(w: Float32Array, g: Float32Array, len: number, lr: number, weightDecay: number): void { throw new Error('not implemented'); }
export function momentumStep(w: Float32Array, g: Float32Array, v: Float32Array, len: number, lr: number, momentum: number, nesterov: boolean, weightDecay: number): void { throw new Error('not implemented'); }
export function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, len: number, lr: number, beta1: number, beta2: number, eps: number, step: number, weightDecay: number): void { throw new Error('not implemented'); }
export function rmspropStep(w: Float32Array, g: Float32Array, s: Float32Array, len: number, lr: number, rho: number, eps: number, weightDecay: number): void { throw new Error('not implemented'); }
export function adagradStep(w: Float32Array, g: Float32Array, s: Float32Array, len: number, lr: number, eps: number, weightDecay: number): void { throw new Error('not implemented'); }
