/**
 * Gradient checks by central differences (tests/gradcheck-helper.ts) for every activation (fused in
 * dense and as its own layer), every loss, every regularizer, dropout, a bias-free layer and a deep
 * stack, on odd shapes (5 rows × 7 features → 3 outputs), on both backends.
 */
import { describe, expect, test } from 'vitest';
import {
  ACTIVATIONS, ACTIVATION_DEFAULT_ALPHA, activation, dense, dropout, l1, l1l2, l2, sequential, sgd,
  type ActivationName, type LossName, type Regularizer,
} from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import type { Layer } from '../../src/model/layers.js';
import { gradcheck, inputs } from '../support/gradcheck.js';
import { randomArray, randomLabels } from '../support/helpers.js';

const N = 5, FEATURES = 7, OUTPUTS = 3;
const x = inputs(N, FEATURES, 11);
const labels = randomLabels(N, OUTPUTS, 12);
// Biases start non-zero so the checks see them at work.
const biasInitializer = { name: 'randomUniform', min: -0.5, max: 0.5 };

function model(backend: ReadyBackend, layers: Layer[], loss: LossName = 'softmaxCrossEntropy') {
  return sequential(layers, { inputSize: FEATURES, backend, seed: 7 }).compile({ loss, optimizer: sgd() });
}

/** A non-default alpha where the activation has one, to check the kernels use it. */
const ALPHA: Partial<Record<ActivationName, number>> = { sigmoid: 2.5, leakyRelu: 0.2, elu: 0.7 };

describe('every activation, fused into dense', () => {
  for (const act of ACTIVATIONS) {
    test(act, async () => {
      const { checked } = await gradcheck({
        label: `dense(${act}) 5×7→6→3 softmaxCrossEntropy`,
        build: (b) => model(b, [
          dense({ units: 6, activation: act, activationAlpha: ALPHA[act] ?? ACTIVATION_DEFAULT_ALPHA[act], biasInitializer }),
          dense({ units: OUTPUTS, biasInitializer }),
        ]),
        x,
        y: labels,
      });
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('every activation, as its own layer', () => {
  for (const act of ACTIVATIONS) {
    test(act, async () => {
      await gradcheck({
        label: `dense → activation(${act}) → dense`,
        build: (b) => model(b, [
          dense({ units: 6, biasInitializer }),
          activation({ name: act, alpha: ALPHA[act] }),
          dense({ units: OUTPUTS, biasInitializer }),
        ]),
        x,
        y: labels,
      });
    });
  }

  test('an activation as the first layer (its input gradient is the model\'s)', async () => {
    await gradcheck({
      label: 'activation(tanh) → dense',
      build: (b) => model(b, [activation('tanh'), dense({ units: OUTPUTS, biasInitializer })]),
      x,
      y: labels,
    });
  });
});

describe('every loss', () => {
  test('softmaxCrossEntropy with one-hot rows', async () => {
    const oneHot = Array.from(labels, (c) => Array.from({ length: OUTPUTS }, (_, j) => (j === c ? 1 : 0)));
    await gradcheck({
      label: 'softmaxCrossEntropy one-hot',
      build: (b) => model(b, [dense({ units: 4, activation: 'tanh', biasInitializer }), dense({ units: OUTPUTS, biasInitializer })]),
      x,
      y: oneHot,
    });
  });

  test('sigmoidCrossEntropy with soft targets on 3 outputs', async () => {
    const targets = randomArray(N * OUTPUTS, 13).map((v) => (v + 1) / 2);
    await gradcheck({
      label: 'sigmoidCrossEntropy 5×7→4→3',
      build: (b) => model(b, [dense({ units: 4, activation: 'tanh', biasInitializer }), dense({ units: OUTPUTS, biasInitializer })], 'sigmoidCrossEntropy'),
      x,
      y: targets,
    });
  });

  test('sigmoidCrossEntropy with one output and 0/1 labels', async () => {
    await gradcheck({
      label: 'sigmoidCrossEntropy 5×7→1',
      build: (b) => model(b, [dense({ units: 1, biasInitializer })], 'sigmoidCrossEntropy'),
      x,
      y: randomLabels(N, 2, 14),
    });
  });

  test('meanSquaredError on a sigmoid of slope 2 (the classic neuron)', async () => {
    await gradcheck({
      label: 'meanSquaredError 5×7→3 sigmoid(a=2)',
      build: (b) => model(b, [dense({ units: OUTPUTS, activation: 'sigmoid', activationAlpha: 2, biasInitializer })], 'meanSquaredError'),
      x,
      y: randomArray(N * OUTPUTS, 15),
    });
  });

  test('meanSquaredError with integer labels (one-hot targets)', async () => {
    await gradcheck({
      label: 'meanSquaredError 5×7→4→3 labels',
      build: (b) => model(b, [dense({ units: 4, activation: 'elu', biasInitializer }), dense({ units: OUTPUTS, biasInitializer })], 'meanSquaredError'),
      x,
      y: labels,
    });
  });
});

describe('every regularizer, on kernel and bias', () => {
  const cases: Array<[string, () => Regularizer]> = [
    ['l2', () => l2(0.05)],
    ['l1', () => l1(0.05)],
    ['l1l2', () => l1l2({ l1: 0.03, l2: 0.04 })],
  ];
  for (const [name, make] of cases) {
    test(name, async () => {
      const { checked } = await gradcheck({
        label: `${name} on kernels and biases`,
        build: (b) => model(b, [
          dense({ units: 4, activation: 'tanh', kernelRegularizer: make(), biasRegularizer: make(), biasInitializer }),
          dense({ units: OUTPUTS, kernelRegularizer: make(), biasInitializer }),
        ]),
        x,
        y: labels,
      });
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('layer variants', () => {
  test('dropout in training mode (the same mask for every evaluation)', async () => {
    await gradcheck({
      label: 'dense → dropout(0.4) → dense, training',
      build: (b) => model(b, [dense({ units: 8, activation: 'tanh', biasInitializer }), dropout({ rate: 0.4 }), dense({ units: OUTPUTS, biasInitializer })]),
      x,
      y: labels,
      training: true,
    });
  });

  test('dropout at inference is the identity', async () => {
    await gradcheck({
      label: 'dense → dropout(0.4) → dense, inference',
      build: (b) => model(b, [dense({ units: 8, activation: 'tanh', biasInitializer }), dropout({ rate: 0.4 }), dense({ units: OUTPUTS, biasInitializer })]),
      x,
      y: labels,
    });
  });

  test('layers without bias', async () => {
    await gradcheck({
      label: 'useBias false',
      build: (b) => model(b, [dense({ units: 4, activation: 'sigmoid', useBias: false }), dense({ units: OUTPUTS, useBias: false })]),
      x,
      y: labels,
    });
  });

  test('a deep stack of odd widths', async () => {
    await gradcheck({
      label: '7→5→9→2→3',
      build: (b) => model(b, [
        dense({ units: 5, activation: 'tanh', biasInitializer }),
        dense({ units: 9, activation: 'softplus', biasInitializer }),
        dropout({ rate: 0.25 }),
        dense({ units: 2, activation: 'silu', biasInitializer }),
        dense({ units: OUTPUTS, biasInitializer }),
      ]),
      x,
      y: labels,
      training: true,
    });
  });
});
