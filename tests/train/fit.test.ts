/**
 * model.fit(): learning (XOR, Gaussian blobs), the three batch modes, stopping (stopWhen, abort,
 * divergence, early stopping), callbacks and logs, schedules that watch the validation loss,
 * reproducibility (same seed → same bits; fit(4) = fit(2) + fit(2)) and wasm vs js agreement.
 */
import { describe, expect, test, vi } from 'vitest';
import {
  adam, dense, dropout, earlyStopping, l2, schedules, sequential, sgd,
  type Callback, type EpochLogs, type LearningRateSchedule, type Sequential,
} from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, expectClose, withModel } from '../support/helpers.js';
import { XOR_X, XOR_Y, bits, gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];

const blobs = gaussianBlobs(120, 3, 2, 5);

function classifier(backend: ReadyBackend, seed = 1, hidden = 8): Sequential {
  return sequential([dense({ units: hidden, activation: 'relu' }), dense({ units: 3 })], { inputSize: 2, backend, seed });
}

describe('learning', () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: a 2-8-2 tanh net learns XOR to 100%`, async () => {
      await withModel(sequential([dense({ units: 8, activation: 'tanh' }), dense({ units: 2 })], { inputSize: 2, backend, seed: 1 }), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.05 }) });
        const h = await m.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 'full' });
        expect(h.history.accuracy.at(-1)).toBe(1);
        expect([...m.predictClasses(XOR_X)]).toEqual(XOR_Y);
        expect(m.evaluate(XOR_X, XOR_Y).loss).toBeLessThan(0.01);
      });
    });

    test(`${backend.name}: softmax regression on separable Gaussian blobs converges`, async () => {
      await withModel(sequential([dense({ units: 3 })], { inputSize: 2, backend }), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
        const h = await m.fit(blobs.x, blobs.y, { epochs: 30, batchSize: 10, validationSplit: 0.25 });
        const loss = h.history.loss;
        expect(loss.at(-1)).toBeLessThan(loss[0] / 4);
        expect(h.history.valAccuracy.at(-1)).toBeGreaterThanOrEqual(0.97);
        expect(m.evaluate(blobs.x, blobs.y).accuracy).toBeGreaterThanOrEqual(0.97);
      });
    });
  }
});

describe('batch modes', () => {
  const x = blobs.x.subarray(0, 10 * 2);
  const y = blobs.y.subarray(0, 10);

  for (const [batchSize, sizes] of [['full', [10]], [1, Array(10).fill(1)], [4, [4, 4, 2]], [50, [10]]] as const) {
    test(`batchSize ${batchSize}: batches of ${sizes.join(', ')} per epoch, and the loss falls`, async () => {
      await withModel(classifier(js), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
        const seen: number[][] = [];
        const cb: Callback = {
          onEpochBegin: () => void seen.push([]),
          onBatchEnd: (_b, logs) => void seen.at(-1)!.push(logs.size),
        };
        const h = await m.fit(x, y, { epochs: 5, batchSize, callbacks: [cb] });
        expect(seen).toEqual(Array(5).fill(sizes));
        expect(m.batchesTrained).toBe(5 * sizes.length);
        expect(m.epochsTrained).toBe(5);
        expect(h.history.loss.at(-1)).toBeLessThan(h.history.loss[0]);
      });
    });
  }

  test("'full' is gradient descent: one epoch is w − lr·∇L(w), ∇ from computeGradients", async () => {
    for (const backend of BACKENDS) {
      await withModel(sequential([dense({ units: 5, activation: 'tanh', kernelRegularizer: l2(0.01) }), dense({ units: 3 })], { inputSize: 2, backend }), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.3 }) });
        const w = m.getFlatWeights();
        const { gradients } = m.computeGradients(x, y);
        const h = await m.fit(x, y, { epochs: 1, batchSize: 'full' });
        expectClose(m.getFlatWeights(), w.map((v, i) => v - 0.3 * gradients[i]), 1e-7, 1e-6, `${backend.name} one full-batch step`);
        // The logged ‖∇‖² is the squared norm of that gradient.
        expect(h.history.gradNormSquared[0]).toBeCloseTo(gradients.reduce((s, g) => s + g * g, 0), 6);
      });
    }
  });
});

describe('stopping', () => {
  test('stopWhen gradNormSquared stops full-batch descent once ‖∇‖² < tol', async () => {
    await withModel(sequential([dense({ units: 3, kernelRegularizer: l2(0.01) })], { inputSize: 2, backend: wasm }), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.5 }) });
      const h = await m.fit(blobs.x, blobs.y, { epochs: 5000, batchSize: 'full', stopWhen: { gradNormSquared: 1e-6 } });
      expect(h.stopReason).toBe('gradNormSquared');
      expect(h.epochs).toBeLessThan(5000);
      expect(h.epochs).toBeGreaterThan(10);
      expect(h.history.gradNormSquared.at(-1)).toBeLessThan(1e-6);
      expect(h.history.gradNormSquared.at(-2)).toBeGreaterThanOrEqual(1e-6);
    });
  });

  test('an abort signal stops cleanly between batches', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd() });
      const controller = new AbortController();
      const cb: Callback = {
        onBatchEnd: (batch, logs) => {
          if (logs.epoch === 1 && batch === 3) controller.abort();
        },
      };
      const h = await m.fit(blobs.x, blobs.y, { epochs: 10, batchSize: 10, callbacks: [cb], signal: controller.signal });
      expect(h.stopReason).toBe('aborted');
      expect(h.epochs).toBe(1);
      expect(h.history.loss).toHaveLength(1);
      expect(m.batchesTrained).toBe(12 + 4);
      // The model stays usable.
      expect(m.evaluate(blobs.x, blobs.y).loss).toBeGreaterThan(0);
      const again = await m.fit(blobs.x, blobs.y, { epochs: 1, signal: controller.signal });
      expect(again).toEqual({ epochs: 0, stopReason: 'aborted', history: {} });
    });
  });

  test('a timer can abort a long fit (fit yields to the event loop)', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd() });
      const h = await m.fit(blobs.x, blobs.y, { epochs: 1_000_000, batchSize: 1, signal: AbortSignal.timeout(100) });
      expect(h.stopReason).toBe('aborted');
      expect(h.epochs).toBeLessThan(1_000_000);
    });
  });

  test('a diverging run stops with an error naming the epoch and batch and suggesting a lower learning rate', async () => {
    for (const backend of BACKENDS) {
      await withModel(classifier(backend), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 1e30 }) });
        await expect(m.fit(blobs.x.map((v) => v * 100), blobs.y, { epochs: 3, batchSize: 40 }))
          .rejects.toThrow(/fit: training diverged: the (loss|gradient) is (NaN|Infinity|not finite) at epoch 1 of 3, batch [23] of 3; try a lower learning rate \(this step's was 1e\+30\)/);
      });
    }
  });

  test('earlyStopping stops when valLoss stops improving and restores the best epoch\'s weights', async () => {
    for (const restoreBestWeights of [true, false]) {
      await withModel(classifier(js, 3), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
        // Validation labels rotated by one class: the better the model fits, the worse valLoss gets,
        // after a first epoch or two that only calibrates the logits.
        const val = { x: blobs.x, y: blobs.y.map((c) => (c + 1) % 3) };
        const snapshots: Float32Array[] = [];
        const record: Callback = { onEpochEnd: (_e, _logs, model) => void snapshots.push(model.getFlatWeights()) };
        const stopper = earlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights });
        const h = await m.fit(blobs.x, blobs.y, { epochs: 50, batchSize: 10, validationData: val, callbacks: [record, stopper] });
        const valLoss = h.history.valLoss;
        const best = valLoss.indexOf(Math.min(...valLoss));
        expect(h.stopReason).toBe('earlyStopping');
        expect(h.epochs).toBe(best + 1 + 2);
        expect(stopper.bestEpoch).toBe(best);
        expect(bits(m.getFlatWeights())).toEqual(bits(snapshots[restoreBestWeights ? best : h.epochs - 1]));
      });
    }
  });

  test('earlyStopping on a value the logs lack says what to do', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      await expect(m.fit(blobs.x, blobs.y, { callbacks: [earlyStopping()] }))
        .rejects.toThrow(/earlyStopping: the epoch logs have no 'valLoss' \(give fit\(\) validationData or validationSplit/);
    });
  });
});

describe('callbacks, logs and history', () => {
  test('hooks run in order, are awaited, and see complete logs', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }), metrics: ['accuracy', 'zeroOneLoss'] });
      const events: string[] = [];
      let epochLogs: EpochLogs | null = null;
      const cb: Callback = {
        onTrainBegin: () => void events.push('trainBegin'),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchEnd: (b, logs) => {
          events.push(`batch ${logs.epoch}.${b}`);
          expect(logs.loss).toBe(logs.dataLoss + logs.penalty);
          expect(logs.gradNormSquared).toBeGreaterThan(0);
          expect(logs.lr).toBe(0.1);
        },
        onEpochEnd: async (e, logs) => {
          await new Promise((r) => setTimeout(r, 5));
          events.push(`epochEnd ${e}`);
          epochLogs = logs;
        },
        onTrainEnd: (logs) => void events.push(`trainEnd ${logs.epochs} ${logs.stopReason}`),
      };
      const h = await m.fit(blobs.x.subarray(0, 40 * 2), blobs.y.subarray(0, 40), { epochs: 2, batchSize: 15, validationSplit: 0.25, callbacks: [cb] });
      expect(events).toEqual([
        'trainBegin', 'epochBegin 0', 'batch 0.0', 'batch 0.1', 'epochEnd 0', 'epochBegin 1', 'batch 1.0', 'batch 1.1', 'epochEnd 1', 'trainEnd 2 completed',
      ]);
      expect(Object.keys(h.history).sort()).toEqual([
        'accuracy', 'dataLoss', 'gradNormSquared', 'loss', 'lr', 'penalty', 'samplesPerSec', 'valAccuracy', 'valDataLoss', 'valLoss', 'valZeroOneLoss', 'zeroOneLoss',
      ]);
      expect(h.history.zeroOneLoss[1]).toBeCloseTo(1 - h.history.accuracy[1], 12);
      expect(epochLogs!.epoch).toBe(1);
      expect(epochLogs!.samplesPerSec).toBeGreaterThan(0);
      // Validation is the last 10 rows, evaluated after the epoch with the final weights.
      const v = m.evaluate(blobs.x.subarray(30 * 2, 40 * 2), blobs.y.subarray(30, 40));
      expect(h.history.valLoss[1]).toBe(v.loss);
      expect(h.history.valAccuracy[1]).toBe(v.accuracy);
    });
  });

  test('learning-rate schedules are evaluated per epoch, and plateau schedules get the validation loss', async () => {
    await withModel(classifier(js), async (m) => {
      const reported: number[] = [];
      const inner = schedules.stepDecay({ initial: 0.1, factor: 0.5, every: 1 });
      const spy = Object.assign((t: number) => inner(t), {
        unit: 'epoch' as const,
        config: inner.config,
        report: (value: number) => void reported.push(value),
      }) as LearningRateSchedule;
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: spy }) });
      const h = await m.fit(blobs.x, blobs.y, { epochs: 3, batchSize: 40, validationSplit: 0.2 });
      expect(h.history.lr).toEqual([0.1, 0.05, 0.025]);
      expect(reported).toEqual(h.history.valLoss);
      reported.length = 0;
      const h2 = await m.fit(blobs.x, blobs.y, { epochs: 2, batchSize: 40 });
      expect(reported).toEqual(h2.history.loss);
    });
  });

  test('reduceOnPlateau lowers the rate when the validation loss stalls', async () => {
    await withModel(classifier(js), async (m) => {
      const plateau = schedules.reduceOnPlateau({ initial: 0.1, factor: 0.5, patience: 1, minDelta: 10 });
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: plateau }) });
      const h = await m.fit(blobs.x, blobs.y, { epochs: 4, batchSize: 40, validationSplit: 0.2 });
      // minDelta 10 makes every epoch after the first a non-improvement: the rate halves each epoch.
      expect(h.history.lr).toEqual([0.1, 0.1, 0.05, 0.025]);
    });
  });

  test('verbose prints one line per epoch', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await m.fit(blobs.x, blobs.y, { epochs: 2, verbose: true, validationSplit: 0.5 });
        expect(log).toHaveBeenCalledTimes(2);
        expect(String(log.mock.calls[1][0])).toMatch(/^epoch 2\/2 {2}loss \S+ {2}dataLoss \S+ {2}penalty 0 {2}accuracy \S+ {2}valLoss \S+ .* lr 0.001 .* \d+ samples\/s$/);
      } finally {
        log.mockRestore();
      }
    });
  });

  test('a second fit() while one runs is refused; predict() from a callback is safe', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      let inner: Promise<unknown> | null = null;
      let predicted: Float32Array | null = null;
      const cb: Callback = {
        onBatchEnd: (b, _logs, model) => {
          if (b !== 0) return;
          inner ??= model.fit(blobs.x, blobs.y).catch((e: Error) => e.message);
          predicted = model.predict(blobs.x); // a larger pass than the batch: the arena grows between steps
        },
      };
      const h = await m.fit(blobs.x, blobs.y, { epochs: 2, batchSize: 8, callbacks: [cb] });
      expect(await inner).toMatch(/fit: this model is already training/);
      expect(predicted!.length).toBe(120 * 3);
      expect(h.history.loss[1]).toBeLessThan(h.history.loss[0]);
    });
  });

  test('fit options are checked, each error naming the option', async () => {
    await withModel(classifier(js), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy' });
      const { x, y } = blobs;
      await expect(m.fit(x, y, { batchSize: 0 })).rejects.toThrow(/fit: batchSize must be a finite integer ≥ 1, got 0/);
      await expect(m.fit(x, y, { batchSize: 'all' as never })).rejects.toThrow(/fit: batchSize must be/);
      await expect(m.fit(x, y, { epochs: 0 })).rejects.toThrow(/fit: epochs must be a finite integer ≥ 1, got 0/);
      await expect(m.fit(x, y, { validationSplit: 1 })).rejects.toThrow(/validationSplit must be a finite number ≥ 0 and < 1/);
      await expect(m.fit(x, y, { validationSplit: 0.001 })).rejects.toThrow(/validationSplit 0.001 of 120 rows leaves 120 for training and 0 for validation/);
      await expect(m.fit(x, y, { validationSplit: 0.2, validationData: { x, y } })).rejects.toThrow(/validationSplit must be 0 when validationData is given/);
      await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/fit: unknown option 'epoch'/);
      await expect(m.fit(x, y, { stopWhen: { gradNorm: 1 } as never })).rejects.toThrow(/fit stopWhen: unknown option 'gradNorm'/);
      await expect(m.fit(x, y, { callbacks: [{ onEpochEnd: 3 }] as never })).rejects.toThrow(/callbacks\[0\].onEpochEnd must be a function/);
      await expect(m.fit(x, y.subarray(1))).rejects.toThrow(/fit: y has 119 values but x has 120 rows/);
      await expect(m.fit(x.subarray(1), y)).rejects.toThrow(/fit: x has 239 values, which is not a multiple of the model's inputSize 2/);
      const bad = Float32Array.from(x);
      bad[2 * 7 + 1] = NaN;
      await expect(m.fit(bad, y)).rejects.toThrow(/fit: x row 7, column 1 is NaN/);
      await expect(m.fit(x, y, { validationData: { x: [[1, 2]], y: [3] } })).rejects.toThrow(/fit validationData: y\[0\] = 3 is not a class index/);
      expect(m.epochsTrained).toBe(0);
    });
  });
});

describe('reproducibility', () => {
  /** A run that uses every source of randomness: init, shuffling, dropout. */
  async function run(backend: ReadyBackend, seed: number, fitSeed?: number, split: number[] = [4]): Promise<Float32Array> {
    return withModel(sequential([
      dense({ units: 16, activation: 'relu' }), dropout({ rate: 0.3 }), dense({ units: 8, activation: 'tanh' }), dense({ units: 3 }),
    ], { inputSize: 2, backend, seed }), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
      for (const epochs of split) await m.fit(blobs.x, blobs.y, { epochs, batchSize: 7, seed: fitSeed });
      return m.getFlatWeights();
    });
  }

  test('the same seed gives identical weights after training, bit for bit; another seed does not', async () => {
    for (const backend of BACKENDS) {
      const a = await run(backend, 11);
      expect(bits(await run(backend, 11)), backend.name).toEqual(bits(a));
      expect(bits(await run(backend, 12)), backend.name).not.toEqual(bits(a));
      expect(bits(await run(backend, 11, 99)), backend.name).not.toEqual(bits(a));
    }
  });

  test('fit(4 epochs) equals fit(2) then fit(2): shuffles, masks and schedules follow the model\'s counters', async () => {
    expect(bits(await run(js, 11, undefined, [2, 2]))).toEqual(bits(await run(js, 11, undefined, [4])));
  });

  test('wasm and js agree after training within 1e-5·(1 + |w|) (same masks; summation order differs)', async () => {
    const a = await run(wasm, 11);
    const b = await run(js, 11);
    // Measured: the largest difference after 4 epochs (72 Adam steps) is 1.2e-7, about one float32
    // ulp of the weights; the bound leaves ~100× for rounding differences to grow over longer runs.
    expectClose(a, b, 1e-5, 1e-5, 'wasm vs js after 4 epochs of 16-8-3 with dropout');
  });
});
