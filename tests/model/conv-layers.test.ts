/**
 * conv2d and the pooling layers inside models: shapes inferred from inputShape and impossible ones
 * refused naming the layer, bad options refused naming the option, a save/load round trip (same
 * config, weights, batch normalization state and predictions, bit for bit), batch normalization's
 * training vs inference behaviour, training that lowers the loss, and the same bits on
 * the wasm and js backends (every image kernel promises bits; the matmuls and column sums agree within
 * their tolerances, so the two runs are compared closely, and each backend with itself exactly).
 */
import { describe, expect, test } from 'vitest';
import {
  BatchNormalization, avgPool2d, batchNormalization, conv2d, dense, exportSafetensors, flatten, globalAvgPool2d, loadModel, maxPool2d, sequential, sgd,
  toPyTorchSource,
  type Sequential,
} from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import type { Layer } from '../../src/model/layers.js';
import { backends, expectClose, randomArray, randomLabels, withModel } from '../support/helpers.js';
import { bits } from '../support/model-data.js';

const { wasm, js } = await backends();

function lenet(backend: ReadyBackend, seed = 3): Sequential {
  return sequential([
    conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), maxPool2d(),
    conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'tanh' }), avgPool2d({ poolSize: 2, strides: 1 }),
    flatten(), dense({ units: 3 }),
  ], { inputShape: [10, 9, 2], backend, seed }).compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
}

const N = 24;
const x = randomArray(N * 10 * 9 * 2, 4);
const y = randomLabels(N, 3, 5);

describe('shapes', () => {
  test('inferred from inputShape through every layer', () => {
    return withModel(lenet(js), (m) => {
      expect(m.layers.map((l) => l.outputShape)).toEqual([[8, 7, 4], [4, 3, 4], [4, 3, 6], [3, 2, 6], [36], [3]]);
      expect(m.getWeights().map((w) => [w.name, w.shape])).toEqual([
        ['conv2d_1/kernel', [3, 3, 2, 4]], ['conv2d_1/bias', [4]], ['conv2d_2/kernel', [3, 3, 4, 6]], ['conv2d_2/bias', [6]],
        ['dense_1/kernel', [36, 3]], ['dense_1/bias', [3]],
      ]);
    });
  });

  test('same padding gives ⌈size / stride⌉, dilation widens the kernel', () => {
    const m = sequential([conv2d({ filters: 2, kernelSize: 4, strides: 3, padding: 'same' }), conv2d({ filters: 1, kernelSize: 3, dilation: 2 }), globalAvgPool2d()], { inputShape: [17, 16, 1], backend: js });
    return withModel(m, () => expect(m.layers.map((l) => l.outputShape)).toEqual([[6, 6, 2], [2, 2, 1], [1]]));
  });

  const refuse = (layers: () => Layer[], shape: number[], message: RegExp) =>
    expect(() => sequential(layers(), { inputShape: shape, backend: js })).toThrow(message);

  test('a window larger than the image is refused, naming the layer', () => {
    refuse(() => [conv2d({ filters: 2, kernelSize: 5 })], [3, 3, 1], /layer 'conv2d_1' \(conv2d\) cannot take input shape \[3, 3, 1\]: expected an image at least 5x5 for a 5x5 kernel with padding 'valid'/);
    refuse(() => [conv2d({ filters: 2, kernelSize: 3, dilation: 3 })], [6, 6, 1], /at least 7x7 for a 3x3 kernel \(dilation 3x3\)/);
    refuse(() => [conv2d({ filters: 2, kernelSize: 3 }), maxPool2d({ poolSize: 4, name: 'pool' })], [5, 5, 1], /layer 'pool' \(maxPool2d\) cannot take input shape \[3, 3, 2\]: expected an image at least 4x4 for a 4x4 pool/);
  });

  test('a flat input is refused, saying to give inputShape', () => {
    expect(() => sequential([conv2d({ filters: 2, kernelSize: 3 }), dense({ units: 2 })], { inputSize: 784, backend: js }))
      .toThrow(/layer 'conv2d_1' \(conv2d\) cannot take input shape \[784\]: expected an image \[height, width, channels\] \(give the model inputShape: \[h, w, c\]/);
    refuse(() => [dense({ units: 8 }), avgPool2d()], [4, 4, 1], /layer 'avgPool2d_1' \(avgPool2d\) cannot take input shape \[8\]: expected an image/);
  });

  test('bad options are refused naming the option', () => {
    expect(() => conv2d({ filters: 0, kernelSize: 3 })).toThrow(/simdnet conv2d: filters must be/);
    expect(() => conv2d({ filters: 2, kernelSize: [3, 0] as unknown as [number, number] })).toThrow(/simdnet conv2d: kernelSize must be an integer ≥ 1 or \[height, width\]/);
    expect(() => conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/simdnet conv2d: padding must be one of 'valid', 'same'/);
    expect(() => conv2d({ filters: 2, kernelSize: 3, activation: 'softmax' as 'relu' })).toThrow(/simdnet conv2d: activation must be an elementwise activation/);
    expect(() => conv2d({ filters: 2 } as never)).toThrow(/simdnet conv2d: kernelSize must be given/);
    expect(() => maxPool2d({ strides: 1.5 })).toThrow(/simdnet maxPool2d: strides must be/);
    expect(() => maxPool2d({ size: 2 } as never)).toThrow(/simdnet maxPool2d: unknown option 'size'/);
  });
});

describe('training', () => {
  test('fit lowers the loss, on both backends, and they agree closely; each repeats itself bit for bit', async () => {
    const runs: Float32Array[] = [];
    for (const backend of [wasm, js]) {
      for (let k = 0; k < 2; k++) {
        await withModel(lenet(backend), async (m) => {
          const before = m.evaluate(x, y).loss;
          await m.fit(x, y, { epochs: 5, batchSize: 8 });
          expect(m.evaluate(x, y).loss, backend.name).toBeLessThan(before * 0.9);
          runs.push(m.getFlatWeights());
        });
      }
    }
    expect(bits(runs[1])).toEqual(bits(runs[0]));
    expect(bits(runs[3])).toEqual(bits(runs[2]));
    expectClose(runs[0], runs[2], 1e-5, 1e-4, 'wasm vs js weights after 15 steps');
  });

  test('a batch larger than one chunk of columns gives the gradients of the whole batch', async () => {
    // 40·40 positions × 25 taps = 40k floats of columns per image: with a budget of 2^22, 104 images a chunk.
    const big = (backend: ReadyBackend) => sequential([conv2d({ filters: 2, kernelSize: 5, padding: 'same' }), flatten(), dense({ units: 2 })], { inputShape: [40, 40, 1], backend, seed: 1 })
      .compile({ loss: 'softmaxCrossEntropy', optimizer: sgd() });
    const n = 230;
    const bx = randomArray(n * 1600, 8);
    const by = randomLabels(n, 2, 9);
    await withModel(big(wasm), async (m) => {
      const whole = m.computeGradients(bx, by).gradients;
      // The same sum over three separate passes of ≤ 104 images each, weighted by their share of the mean.
      const parts = [[0, 100], [100, 200], [200, 230]].map(([a, b]) => {
        const g = m.computeGradients(bx.subarray(a * 1600, b * 1600), by.subarray(a, b)).gradients;
        return g.map((v) => (v * (b - a)) / n);
      });
      const summed = whole.map((_, i) => parts[0][i] + parts[1][i] + parts[2][i]);
      expectClose(whole, summed, 1e-6, 1e-4, 'gradients of 230 images in chunks');
    });
  });
});

describe('export', () => {
  test('safetensors and the PyTorch source refuse the image layers by name, for now', () => withModel(lenet(js), (m) => {
    expect(() => exportSafetensors(m)).toThrow(/simdnet exportSafetensors: layer 'conv2d_1' is of type 'conv2d', which has no PyTorch equivalent yet/);
    expect(() => toPyTorchSource(m)).toThrow(/simdnet toPyTorchSource: layer 'conv2d_1' is of type 'conv2d', which has no PyTorch equivalent yet/);
  }));
});

describe('save and load', () => {
  test('toBytes → loadModel: same config, weights and predictions, bit for bit', async () => {
    const a = lenet(wasm);
    await withModel(a, async () => {
      await a.fit(x, y, { epochs: 1, batchSize: 8 });
      const b = await loadModel(a.toBytes(), { backend: wasm });
      await withModel(b, () => {
        expect(b.toConfig()).toEqual(a.toConfig());
        expect(b.getWeights()).toEqual(a.getWeights());
        expect(bits(b.predict(x))).toEqual(bits(a.predict(x)));
        expect(b.summary()).toBe(a.summary());
      });
    });
  });
});

function bnModel(backend: ReadyBackend): Sequential {
  return sequential([
    conv2d({ filters: 3, kernelSize: 3, useBias: false }), batchNormalization({ momentum: 0.9 }), maxPool2d(),
    flatten(), dense({ units: 5 }), batchNormalization(), dense({ units: 3 }),
  ], { inputShape: [10, 9, 2], backend, seed: 6 }).compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
}

const bnOf = (m: Sequential, i: number) => m.layers[i] as BatchNormalization;

describe('batch normalization: state and modes', () => {
  test('starts at mean 0, variance 1; a training pass moves them by the momentum toward the batch statistics', () => withModel(bnModel(wasm), (m) => {
    const bn = bnOf(m, 1);
    expect(Array.from(bn.movingMean)).toEqual([0, 0, 0]);
    expect(Array.from(bn.movingVariance)).toEqual([1, 1, 1]);
    // Keras's summary counts the moving statistics as the layer's non-trainable params.
    const summary = m.summary(100);
    expect(summary).toMatch(/batchNormalization_1 \(BatchNormalization\) +\[null,8,7,3\] +12\n/);
    expect(summary).toMatch(/Total params: 289\nTrainable params: 273\nNon-trainable params: 16\n/);
    expect(m.getWeights().map((w) => w.name)).toEqual(['conv2d_1/kernel', 'batchNormalization_1/gamma', 'batchNormalization_1/beta', 'dense_1/kernel', 'dense_1/bias', 'batchNormalization_2/gamma', 'batchNormalization_2/beta', 'dense_2/kernel', 'dense_2/bias']);
    // The conv output, per channel, by hand (float64): the batch statistics of its 8·7 positions × N images.
    const k = m.getWeights()[0].values;
    const stats = [0, 1, 2].map(() => ({ s: 0, q: 0 }));
    const z: number[][] = [[], [], []];
    for (let n = 0; n < N; n++) for (let oy = 0; oy < 8; oy++) for (let ox = 0; ox < 7; ox++) for (let o = 0; o < 3; o++) {
      let v = 0;
      for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) for (let c = 0; c < 2; c++) v += x[((n * 10 + oy + ky) * 9 + ox + kx) * 2 + c] * k[((ky * 3 + kx) * 2 + c) * 3 + o];
      z[o].push(v);
    }
    z.forEach((vals, o) => {
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      stats[o] = { s: mean, q: vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length };
    });
    m.computeGradients(x, y, { training: true });
    expectClose(bn.movingMean, stats.map((t) => 0.1 * t.s), 1e-6, 1e-5, 'moving mean after one training pass');
    expectClose(bn.movingVariance, stats.map((t) => 0.9 + 0.1 * t.q), 1e-6, 1e-5, 'moving variance after one training pass');
    // Inference passes leave them alone.
    const mean = bn.movingMean;
    m.predict(x);
    m.evaluate(x, y);
    m.computeGradients(x, y);
    expect(bits(bn.movingMean)).toEqual(bits(mean));
  }));

  test('predict normalizes with the moving statistics: a model whose moving stats are the batch stats predicts as in training mode', async () => {
    const m = sequential([batchNormalization({ momentum: 0, inputShape: [4] }), dense({ units: 2 })], { backend: js, seed: 2 })
      .compile({ loss: 'meanSquaredError', optimizer: sgd({ lr: 0 }) });
    await withModel(m, async () => {
      const rows = randomArray(12 * 4, 3);
      const before = m.predict(rows);
      // momentum 0: one training pass sets the moving statistics to this batch's, so inference then normalizes the same way.
      await m.fit(rows, randomArray(12 * 2, 4), { epochs: 1, batchSize: 12, shuffle: false });
      const out = m.predict(rows);
      expect(bits(out)).not.toEqual(bits(before));
      const bn = bnOf(m, 0);
      // The normalized columns have mean ≈ 0: the dense layer's output mean is then its bias.
      const w = m.getWeights()[3].values;
      for (let j = 0; j < 2; j++) {
        let mean = 0;
        for (let i = 0; i < 12; i++) mean += out[i * 2 + j] / 12;
        expect(Math.abs(mean - w[j]), `output ${j} mean`).toBeLessThan(1e-5);
      }
      expect(bn.movingVariance.every((v) => v > 0 && v !== 1)).toBe(true);
    });
  });

  test('fit, save, load: weights, moving statistics and predictions come back bit for bit; resumed training matches', async () => {
    const straight = bnModel(js);
    const first = bnModel(js);
    await withModel(straight, () => withModel(first, async () => {
      await straight.fit(x, y, { epochs: 2, batchSize: 8 });
      await first.fit(x, y, { epochs: 1, batchSize: 8 });
      const loaded = await loadModel(first.toBytes(), { backend: js });
      await withModel(loaded, async () => {
        expect(bits(bnOf(loaded, 1).movingVariance)).toEqual(bits(bnOf(first, 1).movingVariance));
        expect(bits(bnOf(loaded, 5).movingMean)).toEqual(bits(bnOf(first, 5).movingMean));
        expect(bits(loaded.predict(x))).toEqual(bits(first.predict(x)));
        await loaded.fit(x, y, { epochs: 1, batchSize: 8 });
        expect(bits(loaded.getFlatWeights())).toEqual(bits(straight.getFlatWeights()));
        expect(bits(bnOf(loaded, 1).movingMean)).toEqual(bits(bnOf(straight, 1).movingMean));
      });
    }));
  });

  test('a file whose layer state does not fit its architecture is refused', async () => {
    await withModel(bnModel(js), async (m) => {
      const snap = m.snapshot();
      const { encodeModel } = await import('../../src/index.js');
      const short = encodeModel({ ...snap, layerState: { tensors: snap.layerState!.tensors.slice(1), values: snap.layerState!.values.slice(3) } });
      await expect(loadModel(short, { backend: js })).rejects.toThrow(/simdnet loadModel: the file is corrupt: it holds 13 values of layer state for an architecture with 16/);
      const none = encodeModel({ ...snap, layerState: undefined });
      await expect(loadModel(none, { backend: js })).rejects.toThrow(/it holds 0 values of layer state for an architecture with 16/);
    });
  });

  test('wasm and js give the same moving statistics after a training pass (up to the matmul rounding before them)', async () => {
    const runs: Float32Array[] = [];
    for (const backend of [wasm, js]) {
      await withModel(bnModel(backend), async (m) => {
        // One step from the same weights: the conv output and its batch statistics are the same on both backends up to the matmul's rounding.
        m.computeGradients(x, y, { training: true });
        runs.push(m.network.stateValues());
      });
    }
    expectClose(runs[0], runs[1], 1e-7, 1e-5, 'moving statistics wasm vs js');
  });
});

