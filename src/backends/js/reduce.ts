// STUB: pure-JS twin of assembly/reduce.ts
export function sumSquares(x: Float32Array, len: number): number { throw new Error('not implemented'); }
export function sumAbs(x: Float32Array, len: number): number { throw new Error('not implemented'); }
export function axpy(y: Float32Array, x: Float32Array, len: number, alpha: number): void { throw new Error('not implemented'); }
export function addSign(y: Float32Array, x: Float32Array, len: number, alpha: number): void { throw new Error('not implemented'); }
export function scale(x: Float32Array, len: number, s: number): void { throw new Error('not implemented'); }
export function mul(out: Float32Array, a: Float32Array, b: Float32Array, len: number): void { throw new Error('not implemented'); }
export function argmaxRows(x: Float32Array, out: Int32Array, m: number, n: number): void { throw new Error('not implemented'); }
export function countCorrect(x: Float32Array, labels: Int32Array, m: number, n: number): number { throw new Error('not implemented'); }
export function firstNonFinite(x: Float32Array, len: number): number { throw new Error('not implemented'); }
