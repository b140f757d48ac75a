/**
 * Dense kernels packed once for inference (src/model/packed-weights.ts) are never used stale: after
 * every writer of the weights (an optimizer step, batched and online; setWeights; setFlatWeights;
 * early stopping's restore; a load), predictions of every row count (the panels serve some counts,
 * matmul() the others) equal, bit for bit, those of a fresh model given the same weights, whose
 * first predict packs them anew. The wasm backend packs (the js backend's matmul does not).
 */
import { describe, expect, test } from 'vitest';
import { dense, earlyStopping, loadModel, sequential, sgd, type Sequential } from '../../src/index.js';
import { backends, randomArray, randomLabels, withModel } from '../support/helpers.js';
import { bits } from '../support/model-data.js';

const { wasm } = await backends();

const INPUTS = 20;
/** 20-300-40-5: a 300-wide kernel (panels for 4–16 rows too) and narrow ones. */
function model(seed = 3): Sequential {
  return sequential([dense({ units: 300, activation: 'relu' }), dense({ units: 40, activation: 'tanh' }), dense({ units: 5, activation: 'softmax' })], { inputSize: INPUTS, backend: wasm, seed });
}

const x = randomArray(60 * INPUTS, 11, 2);
const y = randomLabels(60, 5, 12);
/** Row counts on every side of the panel/matmul choices (packedPays). */
const ROWS = [1, 3, 4, 8, 17, 60];

function predictions(m: Sequential): Int32Array[] {
  return ROWS.map((n) => bits(m.predict(x.subarray(0, n * INPUTS)) as Float32Array));
}

/** What a model that never packed these weights before predicts. */
async function fresh(of: Sequential): Promise<Int32Array[]> {
  return withModel(model(99), (m) => {
    m.setFlatWeights(of.getFlatWeights());
    return predictions(m);
  });
}

async function expectFresh(m: Sequential, label: string): Promise<void> {
  const want = await fresh(m);
  predictions(m).forEach((p, i) => expect(p, `${label}, ${ROWS[i]} rows`).toEqual(want[i]));
}

describe('packed weights for inference', () => {
  test('are packed on first use, kept, and freed with the model', async () => {
    const before = wasm.liveBuffers;
    const m = model();
    const built = wasm.liveBuffers;
    m.predict(x.subarray(0, 17 * INPUTS));
    const packed = wasm.liveBuffers;
    expect(packed).toBeGreaterThan(built);
    m.predict(x.subarray(0, 17 * INPUTS));
    m.setFlatWeights(m.getFlatWeights());
    m.predict(x.subarray(0, 17 * INPUTS));
    expect(wasm.liveBuffers, 'repacking reuses the panels').toBe(packed);
    m.dispose();
    expect(wasm.liveBuffers).toBe(before);
  });

  test('for a few rows, only the second product with the same weights packs them', () => {
    const m = model();
    try {
      const row = x.subarray(0, INPUTS);
      m.predict(row);
      const staged = wasm.liveBuffers;
      m.setFlatWeights(m.getFlatWeights());
      m.predict(row);
      expect(wasm.liveBuffers, 'one predict per weight change: nothing packed').toBe(staged);
      m.predict(row);
      expect(wasm.liveBuffers, 'the second: the kernels that pay are packed').toBeGreaterThan(staged);
    } finally {
      m.dispose();
    }
  });

  test('predictions after each writer of the weights match a fresh model', async () => {
    await withModel(model(), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
      await expectFresh(m, 'initial');
      await m.fit(x, y, { epochs: 1, batchSize: 8 });
      await expectFresh(m, 'after fit (batches of 8)');
      await m.fit(x, y, { epochs: 1, batchSize: 1 });
      await expectFresh(m, 'after fit (online SGD, fused update)');
      await m.fit(x, y, { epochs: 1, batchSize: 1, validationSplit: 0.25 });
      await expectFresh(m, 'after fit with validation (packed during the epoch)');
      m.setWeights(m.getWeights().map((w) => ({ values: w.values.map((v) => v * 0.5) })));
      await expectFresh(m, 'after setWeights');
      m.setFlatWeights(m.getFlatWeights().map((v) => -v));
      await expectFresh(m, 'after setFlatWeights');
      await m.fit(x, y, { epochs: 6, batchSize: 4, validationSplit: 0.3, callbacks: [earlyStopping({ patience: 1, restoreBestWeights: true })] });
      await expectFresh(m, 'after early stopping restored the best weights');
      const loaded = await loadModel(m.toBytes(), { backend: wasm });
      try {
        await expectFresh(loaded, 'a loaded model');
        predictions(m).forEach((p, i) => expect(p, `loaded, ${ROWS[i]} rows`).toEqual(predictions(loaded)[i]));
      } finally {
        loaded.dispose();
      }
    });
  });

  test('evaluate() between training steps sees each step\'s weights', async () => {
    await withModel(model(), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
      for (let e = 0; e < 3; e++) {
        await m.fit(x, y, { epochs: 1, batchSize: 20 });
        const got = m.evaluate(x, y).loss;
        const want = await withModel(model(99), (f) => {
          f.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
          f.setFlatWeights(m.getFlatWeights());
          return f.evaluate(x, y).loss;
        });
        expect(got).toBe(want);
      }
    });
  });

  test('panels of a kernel that is not all finite never skip zero inputs: an infinite weight under a 0 gives NaN', () => {
    // setFlatWeights refuses ±Infinity; training can overflow to it. White box: written directly, then
    // weightsChanged() as every writer calls it. The packing scans the kernel and clears `finite`.
    const m = model();
    try {
      m.network.params.data[0] = Infinity; // kernel row 0, column 0: under input 0
      m.network.weightsChanged();
      // Mostly zeros (the row kernel skips only when at least an eighth of the inputs are 0).
      const row = x.slice(0, INPUTS).map((v, i) => (i % 4 === 3 ? v : 0));
      // The first predict after a change runs matmul() (nothing packed), the next ones the panels.
      for (let call = 0; call < 3; call++) expect(Array.from(m.predict(row)).every(Number.isNaN), `call ${call}`).toBe(true);
      m.network.params.data[0] = 0.5;
      m.network.weightsChanged();
      for (let call = 0; call < 3; call++) expect(Array.from(m.predict(row)).every(Number.isFinite), `finite again, call ${call}`).toBe(true);
    } finally {
      m.dispose();
    }
  });
});
