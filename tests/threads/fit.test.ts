/**
 * A whole fit() gives the same weights with 1 and 2 threads: the scenario of the cross-environment
 * tests (tests/browser/scenario.js: dropout, L2, Adam, a schedule, class weights, tanh) with every
 * kernel call split (minWork 1), and a wider network at the default crossovers, so the split matmuls
 * of a real training step run too. One thread is the plain (not shared-memory) build.
 */
import { describe, expect, it } from 'vitest';
import * as simdnet from '../../src/index.js';
import { threadedBackend } from '../../src/backend/threads.js';
import { FIT, makeData, makeModel } from '../browser/scenario.js';
import { gaussianBlobs } from '../support/model-data.js';
import { expectSameBits } from '../support/helpers.js';

async function trainScenario(backend: simdnet.ReadyBackend): Promise<{ weights: Float32Array; loss: number[] }> {
  // scenario.d.ts types it against dist/; the sources are the same API.
  const lib = simdnet as never;
  const data = makeData(lib);
  const model = makeModel(lib, backend as never, data.classes) as unknown as simdnet.Sequential;
  try {
    const history = await model.fit(data.x, data.y, FIT);
    return { weights: model.getFlatWeights().slice(), loss: history.history.loss };
  } finally {
    model.dispose();
  }
}

async function trainWide(backend: simdnet.ReadyBackend): Promise<Float32Array> {
  const { x, y } = gaussianBlobs(512, 10, 64, 3);
  const model = simdnet.mlp({ inputSize: 64, hidden: [256, 256], outputs: 10, activation: 'relu', seed: 7, backend })
    .compile({ loss: 'softmaxCrossEntropy', optimizer: simdnet.adam({ lr: 0.001 }) });
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 128 });
    return model.getFlatWeights().slice();
  } finally {
    model.dispose();
  }
}

describe('threads: fit() gives the same weights with 1 and 2 threads', () => {
  it('the scenario run, every kernel call split', async () => {
    const one = await simdnet.init({ threads: 1 });
    const two = await threadedBackend(2, { minWork: 1 });
    try {
      const a = await trainScenario(one);
      const b = await trainScenario(two);
      expectSameBits(b.weights, a.weights, 'weights, 2 threads vs 1');
      expect(b.loss).toEqual(a.loss);
    } finally {
      two.dispose();
    }
  });

  it('a 64-256-256-10 network at batch 128, default crossovers (init({ threads: 2 }))', async () => {
    const one = await simdnet.init({ threads: 1 });
    const two = await simdnet.init({ threads: 2 });
    try {
      expect(two.threads).toBe(2);
      expectSameBits(await trainWide(two), await trainWide(one), 'weights, 2 threads vs 1');
    } finally {
      two.dispose();
    }
  });
});
