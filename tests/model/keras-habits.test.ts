/**
 * Keras / TensorFlow.js spellings that work: a softmax or sigmoid last layer fused into the matching
 * cross-entropy (same bits as the logits model), the loss aliases, inputShape on the first layer,
 * the Keras summary table with printFn, and error messages that never print more than an excerpt of
 * the user's data.
 */
import { describe, expect, test } from 'vitest';
import { dense, dropout, flatten, loadModel, sequential, sgd, type Sequential } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, randomArray, randomLabels, softmaxRows } from '../support/helpers.js';
import { bits } from '../support/model-data.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];

async function using<T>(models: Sequential[], run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } finally {
    for (const m of models) m.dispose();
  }
}

const x = randomArray(24 * 5, 3);
const labels = randomLabels(24, 4, 4);

describe("dense({ activation: 'softmax' }) with categoricalCrossentropy", () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: predicts probabilities before and after compile, and trains exactly as the logits model`, async () => {
      const keras = sequential([dense({ units: 6, activation: 'tanh' }), dense({ units: 4, activation: 'softmax' })], { inputSize: 5, backend, seed: 3 });
      const logits = sequential([dense({ units: 6, activation: 'tanh' }), dense({ units: 4 })], { inputSize: 5, backend, seed: 3 });
      await using([keras, logits], async () => {
        expect(bits(keras.getFlatWeights())).toEqual(bits(logits.getFlatWeights()));
        const before = keras.predict(x);
        const reference = softmaxRows(logits.predict(x), 4);
        before.forEach((p, i) => expect(Math.abs(p - reference[i])).toBeLessThan(1e-6));
        keras.compile({ loss: 'categoricalCrossentropy', optimizer: sgd({ lr: 0.2 }) });
        logits.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.2 }) });
        expect(keras.compiled!.loss.name).toBe('softmaxCrossEntropy');
        expect(bits(keras.predict(x))).toEqual(bits(before));
        const one = keras.computeGradients(x, labels);
        const two = logits.computeGradients(x, labels);
        expect(bits(one.gradients)).toEqual(bits(two.gradients));
        const h1 = await keras.fit(x, labels, { epochs: 3, batchSize: 8 });
        const h2 = await logits.fit(x, labels, { epochs: 3, batchSize: 8 });
        expect(bits(keras.getFlatWeights())).toEqual(bits(logits.getFlatWeights()));
        expect(h1.history.loss).toEqual(h2.history.loss);
        expect(bits(keras.predict(x))).toEqual(bits(logits.predict(x)));
      });
    });
  }

  test("one-hot rows ('categoricalCrossentropy') and class indices ('sparseCategoricalCrossentropy') give the same loss", async () => {
    const m = sequential([dense({ units: 4, activation: 'softmax' })], { inputSize: 5, backend: js });
    await using([m], () => {
      const oneHot = Array.from(labels, (c) => [0, 1, 2, 3].map((j) => (j === c ? 1 : 0)));
      const a = m.compile({ loss: 'categoricalCrossentropy' }).evaluate(x, oneHot).loss;
      const b = m.compile({ loss: 'sparseCategoricalCrossentropy' }).evaluate(x, labels).loss;
      expect(a).toBe(b);
      expect(a).toBeGreaterThan(0);
    });
  });

  test('a saved softmax model loads with its softmax and its fusion', async () => {
    const m = sequential([dense({ units: 3, activation: 'relu' }), dense({ units: 4, activation: 'softmax' })], { inputSize: 5, backend: js, seed: 5 });
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd() });
    await m.fit(x, labels, { epochs: 1 });
    const loaded = await loadModel(m.toBytes(), { backend: js });
    await using([m, loaded], () => {
      expect((loaded.layers[1].toConfig() as unknown as { activation: string }).activation).toBe('softmax');
      expect(bits(loaded.predict(x))).toEqual(bits(m.predict(x)));
      expect(bits(loaded.computeGradients(x, labels).gradients)).toEqual(bits(m.computeGradients(x, labels).gradients));
    });
  });

  test('softmax elsewhere is refused naming the layer', async () => {
    const middle = sequential([dense({ units: 4, activation: 'softmax', name: 'probs' }), dense({ units: 3 })], { inputSize: 5, backend: js });
    const withMse = sequential([dense({ units: 4, activation: 'softmax', name: 'out' })], { inputSize: 5, backend: js });
    const beforeDropout = sequential([dense({ units: 4, activation: 'softmax', name: 'soft' }), dropout({ rate: 0.5 })], { inputSize: 5, backend: js });
    await using([middle, withMse, beforeDropout], () => {
      expect(() => middle.compile({ loss: 'categoricalCrossentropy' })).toThrow(/layer 'probs' applies softmax.*only on the last layer/);
      expect(() => withMse.compile({ loss: 'mse' })).toThrow(/layer 'out' applies softmax.*for loss 'meanSquaredError'/);
      expect(() => beforeDropout.compile({ loss: 'categoricalCrossentropy' })).toThrow(/layer 'soft' applies softmax/);
      expect(() => withMse.compile({ loss: 'binaryCrossentropy' })).toThrow(/layer 'out' applies softmax/);
    });
  });
});

describe("dense({ activation: 'sigmoid' }) with binaryCrossentropy", () => {
  const yBinary = Array.from(labels, (c) => (c % 2));
  for (const backend of BACKENDS) {
    test(`${backend.name}: fused into the sigmoid cross-entropy: the logits model's bits`, async () => {
      const keras = sequential([dense({ units: 6, activation: 'relu' }), dense({ units: 1, activation: 'sigmoid' })], { inputSize: 5, backend, seed: 8 });
      const logits = sequential([dense({ units: 6, activation: 'relu' }), dense({ units: 1 })], { inputSize: 5, backend, seed: 8 });
      await using([keras, logits], async () => {
        const before = keras.predict(x);
        keras.compile({ loss: 'binaryCrossentropy', optimizer: sgd({ lr: 0.3 }) });
        logits.compile({ loss: 'sigmoidCrossEntropy', optimizer: sgd({ lr: 0.3 }) });
        expect(bits(keras.predict(x))).toEqual(bits(before));
        expect(bits(keras.predict(x))).toEqual(bits(logits.predict(x)));
        await keras.fit(x, yBinary, { epochs: 2, batchSize: 6 });
        await logits.fit(x, yBinary, { epochs: 2, batchSize: 6 });
        expect(bits(keras.getFlatWeights())).toEqual(bits(logits.getFlatWeights()));
        expect(keras.predictClasses(x)).toEqual(logits.predictClasses(x));
        // Compiled for another loss, the layer applies its sigmoid again.
        keras.compile({ loss: 'mse' });
        const p = keras.predict(x);
        const z = logits.predict(x);
        p.forEach((v, i) => expect(Math.abs(v - z[i])).toBeLessThan(1e-6));
      });
    });
  }

  test('a sigmoid of another slope is refused (the fused loss is σ of slope 1)', async () => {
    const m = sequential([dense({ units: 1, activation: 'sigmoid', activationAlpha: 2, name: 'neuron' })], { inputSize: 5, backend: js });
    await using([m], () => {
      expect(() => m.compile({ loss: 'binaryCrossentropy' })).toThrow(/layer 'neuron' applies 'sigmoid' with slope 2/);
      expect(() => m.compile({ loss: 'mse' })).not.toThrow();
    });
  });
});

describe('loss names', () => {
  test("'mse' is meanSquaredError; an unknown name lists the aliases", async () => {
    const m = sequential([dense({ units: 2 })], { inputSize: 5, backend: js });
    await using([m], () => {
      expect(m.compile({ loss: 'mse' }).compiled!.loss.name).toBe('meanSquaredError');
      expect(() => m.compile({ loss: 'hinge' as never })).toThrow(/unknown loss 'hinge'.*categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, mse/);
    });
  });
});

describe("Keras's inputShape on the first layer", () => {
  test('dense({ units, inputShape }) needs no inputSize', async () => {
    const m = sequential([dense({ units: 8, inputShape: [5], activation: 'relu' }), dense({ units: 4 })], { backend: js });
    const shaped = sequential([flatten({ inputShape: [2, 3] }), dense({ units: 2 })], { backend: js });
    await using([m, shaped], () => {
      expect(m.inputSize).toBe(5);
      expect(m.predict(x)).toHaveLength(24 * 4);
      expect(shaped.inputShape).toEqual([2, 3]);
      expect(shaped.toConfig().inputShape).toEqual([2, 3]);
    });
  });

  test('a disagreement with sequential() or a later layer is refused', () => {
    expect(() => sequential([dense({ units: 8, inputShape: [5] })], { inputSize: 6, backend: js }))
      .toThrow(/first layer's inputShape \[5\] differs from sequential\(\)'s inputSize 6/);
    expect(() => sequential([dense({ units: 8 }), dense({ units: 2, inputShape: [7], name: 'second' })], { inputSize: 5, backend: js }))
      .toThrow(/layer 'second' says inputShape \[7\] but receives rows of shape \[8\]/);
    expect(() => sequential([dense({ units: 8 })], { backend: js })).toThrow(/inputSize must be given.*inputShape on the first layer/);
    expect(() => dense({ units: 2, inputShape: [0] })).toThrow(/inputShape\[0\] must be a finite integer ≥ 1/);
  });

  test('agreeing shapes in both places are fine', async () => {
    const m = sequential([dense({ units: 3, inputShape: [5] }), dense({ units: 2, inputShape: [3] })], { inputSize: 5, backend: js });
    await using([m], () => expect(m.outputSize).toBe(2));
  });
});

describe('summary()', () => {
  test('the Keras table, returned and (with printFn) printed line by line', async () => {
    const m = sequential([dense({ units: 16, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3, activation: 'softmax', name: 'probs' })], { inputSize: 784, backend: js });
    await using([m], () => {
      const lines: string[] = [];
      const table = m.summary(undefined, undefined, (l) => lines.push(l));
      expect(lines.join('\n')).toBe(table);
      expect(lines[0]).toBe('_'.repeat(65));
      expect(lines[1]).toMatch(/^ Layer \(type\)\s+Output shape\s+Param #$/);
      expect(lines[1].indexOf('Output shape')).toBe(Math.floor(0.45 * 65));
      expect(lines[1].indexOf('Param #')).toBe(Math.floor(0.85 * 65));
      expect(table).toMatch(/ dense_1 \(Dense\)\s+\[null,16\]\s+12560\n/);
      expect(table).toMatch(/ dropout_1 \(Dropout\)\s+\[null,16\]\s+0\n/);
      expect(table).toMatch(/ probs \(Dense\)\s+\[null,3\]\s+51\n=+\n/);
      expect(table).toContain('Total params: 12,611\nTrainable params: 12,611\nNon-trainable params: 0');
      const wide = m.summary(100, [30, 60, 80]);
      expect(wide.split('\n')[0]).toHaveLength(100);
      expect(wide.split('\n')[1].indexOf('Param #')).toBe(60);
      expect(() => m.summary(5)).toThrow(/lineLength must be an integer from 20 to 1000, got 5/);
      expect(() => m.summary(undefined, [0.5, 0.2, 1])).toThrow(/positions must be three increasing/);
      expect(() => m.summary(undefined, undefined, 'log' as never)).toThrow(/printFn must be a function/);
    });
  });
});

describe('error messages never print the data', () => {
  const hugeRows = Array.from({ length: 20000 }, (_, i) => [i + 0.123456789, i * 3.14159]);
  const hugeFlat = Array.from({ length: 100000 }, (_, i) => i * 1.000001);

  test('bad options holding a whole data set give a short message', async () => {
    const m = sequential([dense({ units: 2 })], { inputSize: 2, backend: js }).compile({ loss: 'softmaxCrossEntropy' });
    await using([m], async () => {
      const messages: string[] = [];
      const capture = async (f: () => unknown): Promise<void> => {
        try {
          await f();
          messages.push('(no error)');
        } catch (e) {
          messages.push((e as Error).message);
        }
      };
      await capture(() => m.fit(hugeRows, hugeFlat.slice(0, 20000).map((v) => v % 2), { validationData: hugeRows as never }));
      await capture(() => m.fit(hugeRows.slice(0, 4), [0, 1, 0, 1], { validationData: { x: hugeRows } as never }));
      await capture(() => m.fit(hugeRows.slice(0, 4), [0, 1, 0, 1], { epochs: hugeFlat as never }));
      await capture(() => m.fit(hugeRows.slice(0, 4), [0, 1, 0, 1], { callbacks: hugeFlat as never }));
      await capture(() => m.compile({ loss: hugeFlat as never }));
      await capture(() => m.compile({ loss: 'mse', metrics: hugeFlat as never }));
      await capture(() => m.compile({ loss: 'mse', metrics: 'x'.repeat(100000) as never }));
      await capture(() => dense({ units: hugeRows as never }));
      await capture(() => sequential(hugeFlat as never, { inputSize: 2, backend: js }));
      await capture(() => m.fit(hugeRows.slice(0, 4), [0, 1, 0, 1], { classWeight: hugeFlat as never }));
      for (const message of messages) {
        expect(message).not.toBe('(no error)');
        expect(message.length, message.slice(0, 400)).toBeLessThan(300);
        // At most the few values of an excerpt, never the data set.
        expect((message.match(/\d+\.\d{3,}/g) ?? []).length, message).toBeLessThanOrEqual(8);
      }
      expect(messages[0]).toMatch(/validationData must be \{ x, y \} or \[x, y\] \(Keras's pair\), got an array of 20000/);
      expect(messages[2]).toMatch(/epochs must be a finite integer ≥ 1, got \[0, 1\.000001, 2\.000002, [\d.]+, …\] \(100000 items\)/);
    });
  });
});
