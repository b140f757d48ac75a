// The wasm module's exports: every kernel, plus the allocator the bindings use.
// Kernels take byte addresses into linear memory and element counts, never AssemblyScript objects;
// the TypeScript side (src/backend/contract.ts) documents each one and validates arguments before calling.
export { matmul, matmulRows } from './matmul';
export { matmulSkinny, matmulSkinnyRows } from './matmul-skinny';
export { biasAdd, biasGrad } from './bias';
export { activationForward, activationBackward, biasActivation } from './activation';
export { softmax, softmaxCrossEntropy, sigmoidCrossEntropy, meanSquaredError } from './loss';
export {
  sumSquares, sumAbs, axpy, addSign, scale, mul, argmaxRows, countCorrect, firstNonFinite,
} from './reduce';
export { dropoutMask } from './dropout';
export { sgdStep, momentumStep, adamStep, rmspropStep, adagradStep } from './optim';
export { im2col, col2im } from './conv';
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool';
export { batchNormStats, batchNormForward, batchNormBackward } from './batchnorm';
export { alloc, free, threadScratchBytes, setThreadScratch } from './memory';
export { sgdOuterStep } from './optim-outer';
export { packB, matmulPacked, matmulPackedCols } from './matmul-prepacked';
