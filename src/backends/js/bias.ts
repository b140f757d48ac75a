// STUB: pure-JS twin of assembly/bias.ts
export function biasAdd(x: Float32Array, bias: Float32Array, m: number, n: number): void { throw new Error('not implemented'); }
export function biasGrad(dy: Float32Array, db: Float32Array, m: number, n: number, accumulate: boolean): void { throw new Error('not implemented'); }
