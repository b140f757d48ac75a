/**
 * Gradient checks by central differences (tests/support/gradcheck.ts, over the public gradientCheck())
 * for conv2d (valid and same padding, strides 2 and 3, dilation, 1x1, no bias, a regularizer),
 * maxPool2d, avgPool2d, globalAvgPool2d and batchNormalization (training mode, through the batch's
 * statistics, and inference mode, with the moving ones; over conv channels and dense features), on
 * small odd images, on both backends: every weight and every input value.
 */
import { describe, expect, test } from 'vitest';
import { avgPool2d, batchNormalization, conv2d, dense, flatten, globalAvgPool2d, l2, maxPool2d, sequential, sgd } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import type { Layer } from '../../src/model/layers.js';
import { gradcheck, inputs } from '../support/gradcheck.js';
import { randomLabels } from '../support/helpers.js';

const N = 3, CLASSES = 3;
const labels = randomLabels(N, CLASSES, 5);
const biasInitializer = { name: 'randomUniform', min: -0.5, max: 0.5 };

function model(backend: ReadyBackend, shape: readonly number[], layers: Layer[]) {
  return sequential([...layers, flatten(), dense({ units: CLASSES, biasInitializer })], { inputShape: shape, backend, seed: 7 })
    .compile({ loss: 'softmaxCrossEntropy', optimizer: sgd() });
}

const CASES: { label: string; shape: [number, number, number]; layers: () => Layer[]; training?: boolean }[] = [
  { label: 'conv2d 3x3 valid, tanh', shape: [6, 5, 2], layers: () => [conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', biasInitializer })] },
  { label: 'conv2d 3x2 same, stride 2', shape: [7, 6, 3], layers: () => [conv2d({ filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', biasInitializer })] },
  { label: 'conv2d 2x2 valid, stride 3, no bias', shape: [8, 7, 2], layers: () => [conv2d({ filters: 3, kernelSize: 2, strides: 3, useBias: false })] },
  { label: 'conv2d 3x3 dilation 2, same, sigmoid', shape: [6, 6, 1], layers: () => [conv2d({ filters: 2, kernelSize: 3, dilation: 2, padding: 'same', activation: 'sigmoid', biasInitializer })] },
  { label: 'conv2d 1x1 (a plain product), relu', shape: [3, 4, 5], layers: () => [conv2d({ filters: 3, kernelSize: 1, activation: 'relu', biasInitializer })] },
  { label: 'conv2d with an l2 kernel regularizer', shape: [5, 5, 2], layers: () => [conv2d({ filters: 2, kernelSize: 3, kernelRegularizer: l2(0.05), biasInitializer })] },
  { label: 'conv2d → conv2d (input gradient through col2im)', shape: [7, 7, 2], layers: () => [conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', biasInitializer }), conv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', biasInitializer })] },
  { label: 'conv2d → maxPool2d 2x2', shape: [6, 6, 2], layers: () => [conv2d({ filters: 3, kernelSize: 3, padding: 'same', biasInitializer }), maxPool2d()] },
  { label: 'maxPool2d 3x3 stride 2 same', shape: [7, 5, 3], layers: () => [maxPool2d({ poolSize: 3, strides: 2, padding: 'same' })] },
  { label: 'avgPool2d 2x3 stride 1', shape: [5, 6, 2], layers: () => [avgPool2d({ poolSize: [2, 3], strides: 1 })] },
  { label: 'avgPool2d 3x3 stride 2 same', shape: [7, 5, 2], layers: () => [avgPool2d({ poolSize: 3, strides: 2, padding: 'same' })] },
  { label: 'conv2d → globalAvgPool2d', shape: [5, 4, 2], layers: () => [conv2d({ filters: 4, kernelSize: 2, activation: 'tanh', biasInitializer }), globalAvgPool2d()] },
  { label: 'conv2d → batchNormalization (training: batch statistics) → tanh', shape: [5, 4, 2], training: true, layers: () => [conv2d({ filters: 3, kernelSize: 2, activation: 'identity', biasInitializer }), batchNormalization(), conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' })] },
  { label: 'batchNormalization (inference: moving statistics), no center', shape: [3, 3, 5], layers: () => [batchNormalization({ center: false }), conv2d({ filters: 2, kernelSize: 2, activation: 'tanh' })] },
  { label: 'batchNormalization over dense features (training), no scale', shape: [2, 3, 2], training: true, layers: () => [flatten(), dense({ units: 7, biasInitializer }), batchNormalization({ scale: false, epsilon: 0.01 }), dense({ units: 4, activation: 'tanh' })] },
];

describe('conv2d, pooling and batch normalization gradients by central differences', () => {
  for (const c of CASES) {
    test(c.label, async () => {
      const x = inputs(N, c.shape[0] * c.shape[1] * c.shape[2], 11);
      const { checked } = await gradcheck({ label: c.label, build: (b) => model(b, c.shape, c.layers()), x, y: labels, training: c.training });
      expect(checked).toBeGreaterThan(c.shape[0] * c.shape[1] * c.shape[2]);
    });
  }
});
