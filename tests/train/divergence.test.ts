/**
 * Divergence that stays finite (src/train/divergence.ts): a loss grown by four orders of magnitude
 * over the first batch's (above a floor), or weights whose L2 norm passed 1e8 after an epoch, stop
 * fit() with the same error as a non-finite loss. Normal training is far from both bounds.
 */
import { describe, expect, test } from 'vitest';
import { adam, dense, sequential, sgd, type Sequential } from '../../src/index.js';
import { DivergenceWatch, LOSS_FLOOR, LOSS_GROWTH, WEIGHT_NORM_LIMIT } from '../../src/train/divergence.js';
import { backends, withModel } from '../support/helpers.js';
import { gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const BACKENDS = [wasm, js];
const blobs = gaussianBlobs(120, 3, 4, 7);

const classifier = (backend: typeof wasm): Sequential =>
  sequential([dense({ units: 16, activation: 'relu' }), dense({ units: 3 })], { inputSize: 4, backend, seed: 1 });

describe('finite divergence stops fit()', () => {
  test('a learning rate of 1e6 with softmax-CE is stopped when the loss has grown 10^4-fold (it used to run to the end)', async () => {
    for (const backend of BACKENDS) {
      await withModel(classifier(backend), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 1e6 }) });
        const losses: number[] = [];
        const fit = m.fit(blobs.x, blobs.y, { epochs: 5, batchSize: 16, callbacks: [{ onBatchEnd: (_k, logs) => void losses.push(logs.loss) }] });
        await expect(fit).rejects.toThrow(
          /^simdnet fit: training diverged: the loss grew to \S+, over 10000 × max\(the first batch's \S+, 1\) at epoch 1 of 5, batch \d+ of 8; try a lower learning rate \(this step's was 1000000\)$/,
        );
        // Every loss before the stop was finite: the old check (non-finite only) would not have fired.
        expect(losses.length).toBeGreaterThan(0);
        expect(losses.every(Number.isFinite)).toBe(true);
      });
    }
  });

  test('weights past the norm bound stop fit() after the epoch, even while the loss looks normal', async () => {
    for (const backend of BACKENDS) {
      await withModel(sequential([dense({ units: 3 })], { inputSize: 4, backend, seed: 2 }), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
        // With all-zero inputs the kernel neither moves (its gradient is 0) nor shows in the loss.
        m.setWeights([{ values: new Float32Array(12).fill(1e9) }, { values: new Float32Array(3) }]);
        const zeros = new Float32Array(blobs.x.length);
        const epochs: number[] = [];
        await expect(m.fit(zeros, blobs.y, { epochs: 3, batchSize: 40, callbacks: [{ onEpochEnd: (e) => void epochs.push(e) }] }))
          .rejects.toThrow(/^simdnet fit: training diverged: the weights' L2 norm is 3\.464e\+9, over 100000000 after epoch 1 of 3; try a lower learning rate/);
        expect(epochs, 'stopped before the first epoch ended').toEqual([]);
      });
    }
  });

  test('normal training is far from both bounds (and the bounds are what the README states)', async () => {
    expect([LOSS_GROWTH, LOSS_FLOOR, WEIGHT_NORM_LIMIT]).toEqual([1e4, 1, 1e8]);
    for (const optimizer of [sgd({ lr: 0.5, momentum: 0.9 }), adam({ lr: 0.05 })]) {
      await withModel(classifier(wasm), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer });
        const h = await m.fit(blobs.x, blobs.y, { epochs: 20, batchSize: 8 });
        expect(h.stopReason).toBe('completed');
        expect(h.epochs).toBe(20);
      });
    }
  });
});

describe('DivergenceWatch', () => {
  test('the loss rule: growth over the first batch, measured from at least the floor', () => {
    const small = new DivergenceWatch();
    expect(small.batch(1e-3, true)).toBeNull();
    // A resumed model near zero loss: an ordinary bad batch stays under LOSS_GROWTH × LOSS_FLOOR.
    expect(small.batch(9_999, true)).toBeNull();
    expect(small.batch(10_001, true)).toMatch(/the loss grew to 1\.000e\+4, over 10000 × max\(the first batch's 0\.001000, 1\)/);
    const large = new DivergenceWatch();
    expect(large.batch(50, true)).toBeNull();
    expect(large.batch(4.9e5, true)).toBeNull();
    expect(large.batch(5.1e5, true)).toMatch(/the loss grew to 5\.100e\+5/);
    expect(large.batch(NaN, true)).toBe('the loss is NaN');
    expect(large.batch(Infinity, true)).toBe('the loss is Infinity');
    expect(large.batch(1, false)).toBe('the gradient is not finite');
  });

  test('the weight rule: the L2 norm over the bound, NaN included', () => {
    const watch = new DivergenceWatch();
    for (const backend of BACKENDS) {
      const w = backend.f32([3e7, 4e7]);
      try {
        expect(watch.weights(backend, w, 2), 'norm 5e7').toBeNull();
        w.data[1] = 1e8;
        expect(watch.weights(backend, w, 2)).toMatch(/the weights' L2 norm is 1\.044e\+8, over 100000000/);
        w.data[0] = NaN;
        expect(watch.weights(backend, w, 2)).toMatch(/the weights' L2 norm is NaN/);
      } finally {
        backend.free(w);
      }
    }
  });
});
