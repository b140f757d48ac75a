// STUB: pure-JS twin of assembly/activation.ts. `act` is the index in ACTIVATIONS (src/backend.ts).
export function activationForward(act: number, x: Float32Array, y: Float32Array, len: number, alpha: number): void { throw new Error('not implemented'); }
export function activationBackward(act: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, len: number, alpha: number): void { throw new Error('not implemented'); }
/** bias may be null (no bias). */
export function biasActivation(act: number, z: Float32Array, bias: Float32Array | null, y: Float32Array, m: number, n: number, alpha: number): void { throw new Error('not implemented'); }
