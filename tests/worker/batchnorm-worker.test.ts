/**
 * trainInWorker with batch normalization (on the dist/ build): the layers' non-trainable state (the
 * moving statistics) comes back from the worker with the weights, bit for bit as fit() in the main
 * thread gives them, so the trained model predicts the same in inference mode.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import type { BatchNormalization, ReadyBackend, Sequential } from '../../dist/simdnet.js';
import { expectSameBits, randomArray, randomLabels } from '../support/helpers.js';

const { init, trainInWorker, sequential, conv2d, batchNormalization, maxPool2d, flatten, dense, sgd } = simdnet;
let wasm: ReadyBackend;

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/worker.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  wasm = await init();
});

const model = (): Sequential => sequential([
  conv2d({ filters: 3, kernelSize: 3, useBias: false }), batchNormalization({ momentum: 0.8 }), maxPool2d(), flatten(), dense({ units: 3 }),
], { inputShape: [8, 8, 1], backend: wasm, seed: 3 }).compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });

describe('trainInWorker with batch normalization', () => {
  it('brings the moving statistics back with the weights, bit for bit as fit() in the main thread', async () => {
    const x = randomArray(40 * 64, 1);
    const y = randomLabels(40, 3, 2);
    const main = model();
    const inWorker = model();
    try {
      await main.fit(x, y, { epochs: 2, batchSize: 10 });
      await trainInWorker(inWorker, x.slice(), y.slice(), { epochs: 2, batchSize: 10 });
      expectSameBits(inWorker.getFlatWeights(), main.getFlatWeights(), 'weights');
      const bn = (m: Sequential) => m.layers[1] as BatchNormalization;
      expect(Array.from(bn(main).movingMean).some((v) => v !== 0)).toBe(true);
      expectSameBits(bn(inWorker).movingMean, bn(main).movingMean, 'moving mean');
      expectSameBits(bn(inWorker).movingVariance, bn(main).movingVariance, 'moving variance');
      expectSameBits(inWorker.predict(x), main.predict(x), 'predictions');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });
});
