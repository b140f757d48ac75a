/**
 * fit()'s Keras spellings: validationData as a pair, a callbacks object, the six hooks in Keras's
 * order with their arguments, verbose 0/1/2, and classWeight (the weighted loss against a float64
 * reference, its gradient by central differences, and training that favours a weighted class).
 */
import { describe, expect, test, vi } from 'vitest';
import { dense, sequential, sgd, type Callback, type Sequential } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, randomArray, randomLabels, withModel } from '../support/helpers.js';
import { bits, gaussianBlobs } from '../support/model-data.js';
import { gradcheck } from '../support/gradcheck.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];

const blobs = gaussianBlobs(60, 3, 2, 5);
const classifier = (backend: ReadyBackend, seed = 1): Sequential =>
  sequential([dense({ units: 6, activation: 'tanh' }), dense({ units: 3 })], { inputSize: 2, backend, seed });

describe('validationData', () => {
  test('[x, y] (Keras) gives the history { x, y } gives', async () => {
    const vx = blobs.x.subarray(0, 20), vy = blobs.y.subarray(0, 10);
    const a = classifier(js), b = classifier(js);
    await withModel(a, () => withModel(b, async () => {
      a.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
      b.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
      const ha = await a.fit(blobs.x, blobs.y, { epochs: 2, validationData: [vx, vy] });
      const hb = await b.fit(blobs.x, blobs.y, { epochs: 2, validationData: { x: vx, y: vy } });
      expect(ha.history.valLoss).toHaveLength(2);
      expect(ha.history.valLoss).toEqual(hb.history.valLoss);
      await expect(a.fit(blobs.x, blobs.y, { validationData: [vx] as never })).rejects.toThrow(/validationData must be \{ x, y \} or \[x, y\].*array of 1/);
      await expect(a.fit(blobs.x, blobs.y, { validationData: [vx, vy], validationSplit: 0.2 })).rejects.toThrow(/validationSplit must be 0 when validationData is given/);
    }));
  });
});

describe('callbacks', () => {
  test('hooks run in Keras order with Keras arguments (then the model); one object works as a list', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
      const events: string[] = [];
      const cb: Callback = {
        onTrainBegin: (logs, model) => {
          events.push(`trainBegin ${logs.epochs} ${logs.batches} ${logs.samples}`);
          expect(model).toBe(m);
        },
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchBegin: (b, logs, model) => {
          events.push(`batchBegin ${logs.epoch}.${b} ${logs.size}`);
          expect(logs.batch).toBe(b);
          expect(model.batchesTrained).toBe(logs.epoch * 2 + b);
        },
        onBatchEnd: (b, logs) => void events.push(`batchEnd ${logs.epoch}.${b}`),
        onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${'valLoss' in logs}`),
        onTrainEnd: (logs) => void events.push(`trainEnd ${logs.epochs} ${logs.stopReason}`),
      };
      // 60 rows, validationSplit 0.25: 45 training rows in batches of 30 and 15.
      await m.fit(blobs.x, blobs.y, { epochs: 2, batchSize: 30, validationSplit: 0.25, callbacks: cb });
      expect(events).toEqual([
        'trainBegin 2 2 45',
        'epochBegin 0', 'batchBegin 0.0 30', 'batchEnd 0.0', 'batchBegin 0.1 15', 'batchEnd 0.1', 'epochEnd 0 true',
        'epochBegin 1', 'batchBegin 1.0 30', 'batchEnd 1.0', 'batchBegin 1.1 15', 'batchEnd 1.1', 'epochEnd 1 true',
        'trainEnd 2 completed',
      ]);
      await expect(m.fit(blobs.x, blobs.y, { callbacks: { onBatchBegin: 3 } as never })).rejects.toThrow(/callbacks\[0\]\.onBatchBegin must be a function, got number/);
      await expect(m.fit(blobs.x, blobs.y, { callbacks: 'log' as never })).rejects.toThrow(/callbacks must be a callback object or an array of them, got 'log'/);
    });
  });
});

describe('verbose', () => {
  for (const [verbose, lines] of [[0, 0], [false, 0], [1, 3], [2, 3], [true, 3]] as const) {
    test(`verbose ${verbose}: ${lines} lines for 3 epochs`, async () => {
      await withModel(classifier(js), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy' });
        const log = vi.spyOn(console, 'log').mockImplementation(() => {});
        try {
          await m.fit(blobs.x, blobs.y, { epochs: 3, verbose });
          expect(log).toHaveBeenCalledTimes(lines);
          if (lines > 0) expect(String(log.mock.calls[2][0])).toMatch(/^epoch 3\/3 {2}loss /);
        } finally {
          log.mockRestore();
        }
      });
    });
  }

  test('verbose 3 is refused', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      await expect(m.fit(blobs.x, blobs.y, { verbose: 3 as never })).rejects.toThrow(/verbose must be 0, 1 or 2 \(or false \/ true\), got 3/);
    });
  });
});

describe('classWeight', () => {
  const x = randomArray(9 * 4, 21);
  const y = randomLabels(9, 3, 22);
  const weights = { 0: 0.5, 1: 3, 2: 1.25 };

  for (const backend of BACKENDS) {
    test(`${backend.name}: the loss is the mean of classWeight[y]·(−log p_y), against float64`, async () => {
      await withModel(sequential([dense({ units: 3 })], { inputSize: 4, backend, seed: 2 }), (m) => {
        m.compile({ loss: 'softmaxCrossEntropy' });
        const p = m.predict(x);
        let expected = 0;
        for (let i = 0; i < 9; i++) expected += weights[y[i] as 0 | 1 | 2] * -Math.log(p[i * 3 + y[i]]);
        expected /= 9;
        const g = m.computeGradients(x, y, { classWeight: weights });
        expect(Math.abs(g.loss - expected)).toBeLessThan(1e-5 * expected);
        // All weights 1 is the unweighted gradient, bit for bit (each row's gradient is scaled by 1/m either way).
        const ones = m.computeGradients(x, y, { classWeight: { 0: 1, 1: 1, 2: 1 } });
        expect(bits(ones.gradients)).toEqual(bits(m.computeGradients(x, y).gradients));
        // A class not named weighs 1.
        expect(m.computeGradients(x, y, { classWeight: { 1: 3 } }).loss).toBeCloseTo(m.computeGradients(x, y, { classWeight: { 0: 1, 1: 3, 2: 1 } }).loss, 12);
      });
    });
  }

  test('its gradient passes the central-difference check (softmax and sigmoid cross-entropy)', async () => {
    await gradcheck({
      label: 'classWeight softmaxCrossEntropy 9×4→5→3',
      build: (b) => sequential([dense({ units: 5, activation: 'tanh' }), dense({ units: 3 })], { inputSize: 4, backend: b, seed: 4 }).compile({ loss: 'softmaxCrossEntropy' }),
      x, y, classWeight: weights,
    });
    await gradcheck({
      label: 'classWeight binaryCrossentropy 9×4→1',
      build: (b) => sequential([dense({ units: 1, activation: 'sigmoid' })], { inputSize: 4, backend: b, seed: 4 }).compile({ loss: 'binaryCrossentropy' }),
      x, y: Array.from(y, (c) => (c === 1 ? 1 : 0)), classWeight: { 0: 0.2, 1: 4 },
    });
  });

  test('weighting a class up makes training predict it more often', async () => {
    const counts: number[] = [];
    for (const classWeight of [null, { 2: 20 }]) {
      await withModel(sequential([dense({ units: 3 })], { inputSize: 2, backend: wasm, seed: 3 }), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
        // Overlapping blobs, so the boundary has somewhere to move.
        const overlap = gaussianBlobs(90, 3, 2, 9, 1.5);
        const h = await m.fit(overlap.x, overlap.y, { epochs: 20, batchSize: 10, classWeight });
        expect(Number.isFinite(h.history.loss.at(-1))).toBe(true);
        counts.push(m.predictClasses(overlap.x).filter((c) => c === 2).length);
      });
    }
    expect(counts[1]).toBeGreaterThan(counts[0]);
  });

  test('bad classWeight values are refused naming the key', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      await expect(m.fit(blobs.x, blobs.y, { classWeight: { 3: 1 } })).rejects.toThrow(/classWeight names class 3, but the model has 3 classes \(0 to 2\)/);
      await expect(m.fit(blobs.x, blobs.y, { classWeight: { 1: -1 } })).rejects.toThrow(/classWeight\[1\] must be a finite number ≥ 0, got -1/);
      await expect(m.fit(blobs.x, blobs.y, { classWeight: { cat: 1 } as never })).rejects.toThrow(/classWeight's keys must be class indices.*got the key 'cat'/);
      await expect(m.fit(blobs.x, blobs.y, { classWeight: [1, 2, 3] as never })).rejects.toThrow(/classWeight must be an object \{ \[class index\]: weight \}, got \[1, 2, 3\]/);
    });
  });
});
