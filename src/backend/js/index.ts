/** The `js` backend: the pure-JS twins behind the Kernels interface. */
import type { F32Buffer, Kernels } from '../contract.js';
import { adaptKernels, idConverter, type ConverterFor } from '../adapter.js';
import type { KernelName } from '../manifest.js';
import { matmul } from './matmul.js';
import { matmulSkinny } from './matmul-skinny.js';
import { matmulPacked, packB } from './matmul-prepacked.js';
import { biasAdd, biasGrad } from './bias.js';
import { activationBackward, activationForward, biasActivation } from './activation.js';
import { meanSquaredError, sigmoidCrossEntropy, softmax, softmaxCrossEntropy } from './loss.js';
import { addSign, argmaxRows, axpy, countCorrect, firstNonFinite, mul, scale, sumAbs, sumSquares } from './reduce.js';
import { dropoutMask } from './dropout.js';
import { col2im, im2col } from './conv.js';
import { batchNormBackward, batchNormForward, batchNormStats } from './batchnorm.js';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './pool.js';
import { adagradStep, adamStep, momentumStep, rmspropStep, sgdOuterStep, sgdStep } from './optim.js';

/** The twins take the wasm kernels' arguments, with typed arrays for addresses (null stays null). */
const toJs: ConverterFor = (arg) => {
  switch (arg.kind) {
    case 'f32':
    case 'i32':
      return arg.nullable ? (b) => (b === null ? null : (b as F32Buffer).data) : (b) => (b as F32Buffer).data;
    case 'flag':
      return (v) => Boolean(v);
    case 'layout':
    case 'activation':
    case 'activationParam':
      return idConverter(arg);
    case 'size':
    case 'scalar':
    case 'seed':
      return undefined;
  }
};

const TWINS = {
  matmul, matmulSkinny, packB, matmulPacked, biasAdd, biasGrad, activationForward, activationBackward, biasActivation,
  softmax, softmaxCrossEntropy, sigmoidCrossEntropy, meanSquaredError,
  sumSquares, sumAbs, axpy, addSign, scale, mul, argmaxRows, countCorrect, firstNonFinite,
  dropoutMask, sgdStep, momentumStep, adamStep, rmspropStep, adagradStep, sgdOuterStep,
  im2col, col2im, maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward,
  batchNormStats, batchNormForward, batchNormBackward,
} satisfies Record<KernelName, unknown>;

export const jsKernels: Kernels = adaptKernels(TWINS as unknown as Record<string, (...args: unknown[]) => unknown>, toJs);
