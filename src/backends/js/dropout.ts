// STUB: pure-JS twin of assembly/dropout.ts
export function dropoutMask(mask: Float32Array, len: number, rate: number, seed: number, stream: number): void { throw new Error('not implemented'); }
