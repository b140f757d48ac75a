/**
 * The model API outside fit(): construction and its errors, predict/predictClasses/evaluate against
 * float64 references computed from getWeights(), weights in Keras order, metrics, memory ownership,
 * the documented single-neuron and softmax-regression examples, and input validation.
 */
import { afterAll, describe, expect, test } from 'vitest';
import {
  activation, confusionMatrix, dense, dropout, l2, mlp, sequential, sgd, type Sequential,
} from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, expectClose, randomArray, randomLabels, softmaxRows } from '../support/helpers.js';
import { XOR_X, bits, gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];
const made: Sequential[] = [];
afterAll(() => {
  for (const m of made) m.dispose();
});

/** Tracks models so a failing test does not leak (the leak tests check counts themselves). */
function track(m: Sequential): Sequential {
  made.push(m);
  return m;
}

/** Float64 forward pass of a dense stack from getWeights(): (activations per layer given). */
function reference(model: Sequential, x: Float32Array, acts: Array<(z: number) => number>): Float64Array {
  const w = model.getWeights();
  let h = Float64Array.from(x);
  let width = model.inputSize;
  const n = x.length / width;
  for (let l = 0; l < acts.length; l++) {
    const kernel = w[2 * l], bias = w[2 * l + 1];
    const out = kernel.shape[1];
    const next = new Float64Array(n * out);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < out; j++) {
        let z = bias.values[j];
        for (let k = 0; k < width; k++) z += h[i * width + k] * kernel.values[k * out + j];
        next[i * out + j] = acts[l](z);
      }
    }
    h = next;
    width = out;
  }
  return h;
}

describe('construction', () => {
  test('names layers per type, lays weights out in Keras order, counts parameters', () => {
    const m = track(sequential([
      dense({ units: 4, activation: 'relu' }), dropout({ rate: 0.5 }), activation('tanh'), dense({ units: 3, name: 'logits' }),
    ], { inputSize: 5, backend: js }));
    expect(m.layers.map((l) => l.name)).toEqual(['dense_1', 'dropout_1', 'activation_1', 'logits']);
    const w = m.getWeights();
    expect(w.map((t) => [t.name, t.shape])).toEqual([
      ['dense_1/kernel', [5, 4]], ['dense_1/bias', [4]], ['logits/kernel', [4, 3]], ['logits/bias', [3]],
    ]);
    expect(m.parameterCount).toBe(5 * 4 + 4 + 4 * 3 + 3);
    expect(m.outputSize).toBe(3);
    // Default initialisers: Glorot-uniform kernels (|w| ≤ √(6/(in+out))), zero biases.
    expect(Math.max(...w[0].values.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 9));
    expect([...w[1].values]).toEqual([0, 0, 0, 0]);
    expect(m.summary()).toMatch(/ logits \(Dense\)\s+\[null,3\]\s+15\n/);
  });

  test('inputShape is flattened; a flat weight vector is getWeights() concatenated', () => {
    const m = track(sequential([dense({ units: 2 })], { inputShape: [2, 3], backend: js }));
    expect(m.inputSize).toBe(6);
    const flat = m.getFlatWeights();
    expect(flat.length).toBe(14);
    expect([...flat.subarray(0, 12)]).toEqual([...m.getWeights()[0].values]);
  });

  test('mlp() builds dense → dropout → ... → dense(logits) with l2 on every kernel', () => {
    const m = track(mlp({ inputSize: 10, hidden: [8, 6], outputs: 3, activation: 'relu', dropout: 0.2, l2: 1e-3, backend: js }));
    expect(m.layers.map((l) => l.toConfig().type)).toEqual(['dense', 'dropout', 'dense', 'dropout', 'dense']);
    const configs = m.toConfig().layers;
    expect(configs[0]).toMatchObject({ units: 8, activation: 'relu', kernelRegularizer: { name: 'l2', alpha: 1e-3 }, biasRegularizer: null });
    expect(configs[4]).toMatchObject({ units: 3, activation: 'identity', kernelRegularizer: { name: 'l2', alpha: 1e-3 } });
    expect(m.parameterCount).toBe(10 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
    expect(configs[0]).toMatchObject({ kernelInitializer: { name: 'heNormal' } });
  });

  test('mlp() takes a kernel initializer for its hidden layers (tanh defaults to Glorot)', () => {
    const tanh = track(mlp({ inputSize: 4, hidden: [5], outputs: 2, activation: 'tanh', backend: js }));
    expect(tanh.toConfig().layers[0]).toMatchObject({ kernelInitializer: { name: 'glorotUniform' } });
    const he = track(mlp({ inputSize: 4, hidden: [5], outputs: 2, activation: 'tanh', kernelInitializer: 'heNormal', backend: js }));
    expect(he.toConfig().layers[0]).toMatchObject({ kernelInitializer: { name: 'heNormal' } });
  });

  test('the same seed gives the same initial weights on both backends; another seed does not', () => {
    const make = (backend: ReadyBackend, seed: number) => track(sequential([dense({ units: 7, activation: 'relu' }), dense({ units: 3 })], { inputSize: 5, backend, seed }));
    expect(bits(make(wasm, 3).getFlatWeights())).toEqual(bits(make(js, 3).getFlatWeights()));
    expect(bits(make(js, 3).getFlatWeights())).not.toEqual(bits(make(js, 4).getFlatWeights()));
  });

  test('errors name what is wrong', () => {
    const layers = () => [dense({ units: 2 })];
    expect(() => sequential(layers(), { inputSize: 3 } as never)).toThrow(/backend.*init\(\)/);
    expect(() => sequential(layers(), { backend: js } as never)).toThrow(/inputSize/);
    expect(() => sequential(layers(), { inputSize: 4, inputShape: [3], backend: js })).toThrow(/inputSize must be equal to the product of inputShape/);
    expect(() => sequential([], { inputSize: 3, backend: js })).toThrow(/non-empty array of layers/);
    expect(() => sequential([activation('relu')], { inputSize: 3, backend: js })).toThrow(/no layer with parameters/);
    expect(() => sequential([dense({ units: 2, name: 'a' }), dense({ units: 2, name: 'a' })], { inputSize: 3, backend: js })).toThrow(/two layers are named 'a'/);
    expect(() => dense({ units: 0 })).toThrow(/dense: units must be a finite integer ≥ 1, got 0/);
    expect(() => dense({ units: 2, activation: 'swish' as never })).toThrow(/unknown activation 'swish'; expected one of identity, step/);
    expect(() => activation('softmax' as never)).toThrow(/softmax is not an elementwise activation: give the last dense layer activation 'softmax'/);
    expect(() => activation('nope' as never)).toThrow(/activation: unknown activation 'nope'/);
    expect(() => dense({ units: 2, unit: 3 } as never)).toThrow(/dense: unknown option 'unit'/);
    expect(() => dense({ units: 2, kernelInitializer: 'glorot' })).toThrow(/unknown initializer 'glorot'/);
    expect(() => dropout({ rate: 1 })).toThrow(/dropout: rate must be a finite number ≥ 0 and < 1, got 1/);
    const reused = dense({ units: 2 });
    track(sequential([reused], { inputSize: 3, backend: js }));
    expect(() => sequential([reused], { inputSize: 3, backend: js })).toThrow(/layers\[0\] \('dense_1'\) is already part of a model/);
  });

  test('compile() checks the loss against the model and resolves optimizer names', async () => {
    const m = track(sequential([dense({ units: 3, activation: 'sigmoid' })], { inputSize: 2, backend: js }));
    expect(() => m.compile({ loss: 'softmaxCrossEntropy' })).toThrow(/takes logits, but layer 'dense_1' applies 'sigmoid'/);
    expect(() => m.compile({ loss: 'hinge' as never })).toThrow(/unknown loss 'hinge'; expected one of softmaxCrossEntropy/);
    expect(() => m.compile({ loss: 'meanSquaredError', optimizer: 'adamm' })).toThrow(/unknown optimizer 'adamm'/);
    expect(() => m.compile({ loss: 'meanSquaredError', metrics: ['auc' as never] })).toThrow(/unknown metric 'auc'/);
    expect(m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' }).compiled?.optimizer.config.name).toBe('sgd');
    const one = track(sequential([dense({ units: 1 })], { inputSize: 2, backend: js }));
    expect(() => one.compile({ loss: 'softmaxCrossEntropy' })).toThrow(/needs at least 2 outputs.*sigmoidCrossEntropy/);
    await expect(one.fit([[1, 2]], [1])).rejects.toThrow(/fit: call model.compile\(\{ loss, optimizer \}\) first/);
  });
});

describe('predict, predictClasses, evaluate against float64 references', () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: softmax probabilities, argmax classes, cross-entropy and accuracy`, () => {
      const m = track(sequential([dense({ units: 6, activation: 'tanh', biasInitializer: 'randomNormal' }), dense({ units: 4 })], { inputSize: 5, backend, seed: 2 }));
      m.compile({ loss: 'softmaxCrossEntropy' });
      const n = 11;
      const x = randomArray(n * 5, 21, 2);
      const y = randomLabels(n, 4, 22);
      const ref = softmaxRows(reference(m, x, [Math.tanh, (z) => z]), 4);
      const p = m.predict(x, { batchSize: 4 }); // three chunks: 4, 4, 3
      expectClose(p, ref, 1e-6, 1e-5, `${backend.name} predict 11×5→6→4`);
      const classes = m.predictClasses(x);
      let correct = 0, ce = 0;
      for (let i = 0; i < n; i++) {
        const row = Array.from(ref.subarray(i * 4, i * 4 + 4));
        expect(classes[i]).toBe(row.indexOf(Math.max(...row)));
        if (classes[i] === y[i]) correct++;
        ce -= Math.log(row[y[i]]);
      }
      const e = m.evaluate(x, y, { batchSize: 5 });
      expect(e.dataLoss).toBeCloseTo(ce / n, 5);
      expect(e.penalty).toBe(0);
      expect(e.loss).toBe(e.dataLoss);
      expect(e.accuracy).toBe(correct / n);
      expect(e.zeroOneLoss).toBe(1 - correct / n);
    });
  }

  test('sigmoidCrossEntropy predicts σ(logits); meanSquaredError the raw outputs; loss terms are means over n·outputs', () => {
    const x = randomArray(6 * 3, 31);
    const targets = randomArray(6 * 2, 32).map((v) => (v + 1) / 2);
    const bce = track(sequential([dense({ units: 2, biasInitializer: 'randomNormal' })], { inputSize: 3, backend: js, seed: 5 })).compile({ loss: 'sigmoidCrossEntropy' });
    const z = reference(bce, x, [(v) => v]);
    expectClose(bce.predict(x), z.map((v) => 1 / (1 + Math.exp(-v))), 1e-6, 1e-5, 'sigmoid predict');
    let sum = 0;
    z.forEach((v, i) => (sum += Math.max(v, 0) - v * targets[i] + Math.log1p(Math.exp(-Math.abs(v)))));
    expect(bce.evaluate(x, targets).dataLoss).toBeCloseTo(sum / 12, 5);

    const mse = track(sequential([dense({ units: 2, biasInitializer: 'randomNormal' })], { inputSize: 3, backend: js, seed: 5 })).compile({ loss: 'meanSquaredError' });
    expectClose(mse.predict(x), z, 1e-6, 1e-5, 'mse predict');
    let sq = 0;
    z.forEach((v, i) => (sq += (v - targets[i]) ** 2));
    expect(mse.evaluate(x, targets).dataLoss).toBeCloseTo(sq / 12, 5);
  });

  test('evaluate() reports the regularizers\' penalty separately: loss = dataLoss + penalty', () => {
    const m = track(sequential([dense({ units: 3, kernelRegularizer: l2(0.1), biasInitializer: 'ones', biasRegularizer: l2(0.5) })], { inputSize: 4, backend: js })).compile({ loss: 'softmaxCrossEntropy' });
    const w = m.getWeights();
    const expected = 0.1 * w[0].values.reduce((s, v) => s + v * v, 0) + 0.5 * 3;
    const e = m.evaluate(randomArray(8, 41), [0, 2]);
    expect(e.penalty).toBeCloseTo(expected, 5);
    expect(e.loss).toBeCloseTo(e.dataLoss + e.penalty, 10);
  });

  test('one-output models predict class 1 at probability ≥ ½; confusionMatrix counts truth × prediction', () => {
    const m = track(sequential([dense({ units: 1 })], { inputSize: 1, backend: js })).compile({ loss: 'sigmoidCrossEntropy' });
    m.setWeights([{ values: [1] }, { values: [0] }]);
    expect([...m.predictClasses([[-2], [-0.1], [0], [3]])]).toEqual([0, 0, 1, 1]);
    expect(m.confusionMatrix([[-2], [-0.1], [0], [3]], [0, 1, 1, 0])).toEqual([[1, 1], [1, 1]]);
    expect(confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], 3)).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 1]]);
  });

  test('dropout is off at inference: predict() is deterministic and ignores the layer', () => {
    const withDrop = track(sequential([dense({ units: 5, activation: 'relu' }), dropout({ rate: 0.5 }), dense({ units: 2 })], { inputSize: 3, backend: js, seed: 9 }));
    const without = track(sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 2 })], { inputSize: 3, backend: js, seed: 9 }));
    without.setWeights(withDrop.getWeights());
    const x = randomArray(12, 51);
    expect(bits(withDrop.predict(x))).toEqual(bits(without.predict(x)));
    expect(bits(withDrop.predict(x))).toEqual(bits(withDrop.predict(x)));
  });
});

describe('weights', () => {
  test('setWeights(getWeights()) round-trips; errors name the tensor', () => {
    const a = track(sequential([dense({ units: 3 }), dense({ units: 2 })], { inputSize: 4, backend: js, seed: 1 }));
    const b = track(sequential([dense({ units: 3 }), dense({ units: 2 })], { inputSize: 4, backend: wasm, seed: 2 }));
    b.setWeights(a.getWeights());
    expect(bits(b.getFlatWeights())).toEqual(bits(a.getFlatWeights()));
    const w = a.getWeights();
    expect(() => b.setWeights(w.slice(1))).toThrow(/expected 4 tensors \(dense_1\/kernel, dense_1\/bias, dense_2\/kernel, dense_2\/bias\), got 3/);
    expect(() => b.setWeights([w[0], { ...w[1], shape: [4] }, w[2], w[3]])).toThrow(/weights\[1\] \(dense_1\/bias, shape \[3\]\) has shape \[4\]/);
    expect(() => b.setWeights([w[0], { values: [1, 2] }, w[2], w[3]])).toThrow(/has 2 values, expected 3/);
    expect(() => b.setWeights([w[0], { values: [1, NaN, 2] }, w[2], w[3]])).toThrow(/values\[1\] is NaN/);
    expect(() => b.setFlatWeights(new Float32Array(3))).toThrow(/expected 23 values/);
  });
});

describe('documented examples', () => {
  test('a single neuron with a sigmoid of slope a computes σ(a·(w·x + b)) and learns AND', async () => {
    const a = 3;
    const neuron = track(sequential([dense({ units: 1, activation: 'sigmoid', activationAlpha: a })], { inputSize: 2, backend: js }));
    neuron.compile({ loss: 'meanSquaredError', optimizer: sgd({ lr: 2 }) });
    neuron.setWeights([{ values: [0.5, -0.25] }, { values: [0.1] }]);
    const out = neuron.predict([[1, 2], [-1, 0.5]]);
    expectClose(out, [1 / (1 + Math.exp(-a * 0.1)), 1 / (1 + Math.exp(-a * (-0.5 - 0.125 + 0.1)))], 1e-6, 1e-6, 'σ(a·z)');
    await neuron.fit(XOR_X, [0, 0, 0, 1], { epochs: 300, batchSize: 'full' });
    expect([...neuron.predictClasses(XOR_X)]).toEqual([0, 0, 0, 1]);
  });

  test('softmax regression: one dense layer of logits with softmaxCrossEntropy', async () => {
    const { x, y } = gaussianBlobs(150, 3, 2, 61);
    const logreg = track(sequential([dense({ units: 3 })], { inputSize: 2, backend: wasm }));
    logreg.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
    await logreg.fit(x, y, { epochs: 20, batchSize: 16 });
    expect(logreg.evaluate(x, y).accuracy).toBeGreaterThan(0.97);
  });

  test('a step unit passes no gradient (a network of step units cannot learn by backprop)', () => {
    const m = track(sequential([dense({ units: 3, activation: 'step' }), dense({ units: 2 })], { inputSize: 2, backend: js })).compile({ loss: 'softmaxCrossEntropy' });
    const g = m.computeGradients([[0.3, -1], [1, 1]], [0, 1]).gradients;
    expect(g.subarray(0, 2 * 3 + 3).every((v) => v === 0)).toBe(true);
    expect(g.subarray(9).some((v) => v !== 0)).toBe(true);
  });
});

test('one SGD step raises the probability of the true class', async () => {
  for (const backend of BACKENDS) {
    const m = track(sequential([dense({ units: 8, activation: 'relu' }), dense({ units: 4 })], { inputSize: 6, backend, seed: 4 }));
    m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
    const x = randomArray(6, 71);
    const before = m.predict(x)[2];
    await m.fit(x, [2], { epochs: 1, batchSize: 1 });
    const after = m.predict(x)[2];
    expect(after, backend.name).toBeGreaterThan(before);
  }
});

describe('memory', () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: the model owns everything; dispose() returns liveBuffers to where it was`, async () => {
      const start = backend.liveBuffers;
      const m = sequential([dense({ units: 16, activation: 'relu' }), dropout({ rate: 0.3 }), dense({ units: 3 })], { inputSize: 4, backend });
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: 'adam' });
      expect(backend.liveBuffers - start).toBe(2); // parameters and gradients
      const { x, y } = gaussianBlobs(40, 3, 4, 81);
      await m.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.25 });
      // params, grads, arena floats + classes, Adam's m and v: nothing left from the fit data.
      const steady = backend.liveBuffers;
      expect(steady - start).toBe(6);
      m.predict(x);
      m.evaluate(x, y);
      m.computeGradients(x, y, { training: true });
      await m.fit(x, y, { epochs: 1, batchSize: 8 });
      // + predict()'s input staging buffer, kept for the next predict; on wasm, + each dense kernel
      // packed for inference (packed-weights.ts), kept while the weights do not change.
      const kept = backend.name === 'wasm' ? 3 : 1;
      expect(backend.liveBuffers).toBe(steady + kept);
      await expect(m.fit(x, y.map((v) => v + 5))).rejects.toThrow(/y\[0\] = 5/);
      expect(() => m.predict(new Float32Array([1, 2, 3, NaN]))).toThrow(/row 0, column 3 is NaN/);
      expect(backend.liveBuffers).toBe(steady + kept);
      m.dispose();
      m.dispose();
      expect(backend.liveBuffers).toBe(start);
      expect(() => m.predict(x)).toThrow(/disposed/);
    });
  }
});

describe('bad input names what is wrong', () => {
  const m = track(sequential([dense({ units: 3 })], { inputSize: 2, backend: js })).compile({ loss: 'softmaxCrossEntropy' });
  test('x', () => {
    expect(() => m.predict(new Float32Array(5))).toThrow(/predict: x has 5 values, which is not a multiple of the model's inputSize 2/);
    expect(() => m.predict([[1, 2], [3]])).toThrow(/predict: x\[1\] has 1 values, expected 2/);
    expect(() => m.predict([])).toThrow(/x has no rows/);
    expect(() => m.evaluate([[1, 2], [3, Infinity]], [0, 1])).toThrow(/evaluate: x row 1, column 1 is Infinity/);
    expect(() => m.predict('abc' as never)).toThrow(/x must be a Float32Array/);
  });
  test('y', async () => {
    const x = [[1, 2], [3, 4], [5, 6]];
    expect(() => m.evaluate(x, [0, 1])).toThrow(/y has 2 values but x has 3 rows/);
    expect(() => m.evaluate(x, [0, 1, 3])).toThrow(/y\[2\] = 3 is not a class index: labels must be integers in \[0, 2\]/);
    expect(() => m.evaluate(x, [0, 1.5, 2])).toThrow(/y\[1\] = 1.5 is not a class index/);
    expect(() => m.evaluate(x, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])).toThrow(/y row 1 is not one-hot: it has 2 ones/);
    expect(() => m.evaluate(x, [[1, 0, 0], [0, 0.5, 0.5], [0, 0, 1]])).toThrow(/y row 1 is not one-hot: y\[1\]\[1\] = 0.5/);
    expect(() => m.evaluate(x, [[1, 0], [0, 1], [0, 1]])).toThrow(/y\[0\] must be a row of 3 values/);
    await expect(m.fit(x, [0, 1, 7])).rejects.toThrow(/fit: y\[2\] = 7/);
    const bce = track(sequential([dense({ units: 1 })], { inputSize: 2, backend: js })).compile({ loss: 'sigmoidCrossEntropy' });
    expect(() => bce.evaluate(x, [0, 1, 2])).toThrow(/y\[2\] = 2 is outside \[0, 1\]/);
    expect(() => bce.evaluate(x, [0, NaN, 1])).toThrow(/y\[1\] is NaN/);
  });
  test('one-hot rows and integer labels give the same result', () => {
    const x = randomArray(8, 91);
    const a = m.evaluate(x, [2, 0, 1, 2]);
    const b = m.evaluate(x, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const c = m.evaluate(x, new Float32Array([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});
