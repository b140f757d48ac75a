/**
 * Peer parity with TensorFlow.js (tfjs-layers on tfjs-core's cpu backend): the same 784-64(relu)-10
 * network, the same initial weights and the same 50 batches of 32 real MNIST digits, trained by plain
 * SGD (lr 0.1) on the mean softmax cross-entropy, leave every weight of the two libraries within
 * 1e-4 — on both simdnet backends. One step must already agree within 1e-6, so a systematic error
 * (a gradient scaled by 1/N twice, a wrong bias gradient) cannot hide inside 50 steps of float noise;
 * and a 10% change of simdnet's learning rate must break the 1e-4 bound, so the bound means something.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { dense, sequential, sgd, type ReadyBackend, type WeightTensor } from '../../src/index.js';
import { loadMnist } from '../../src/data/node.js';
import { backends } from '../support/helpers.js';

const INPUTS = 784;
const HIDDEN = 64;
const CLASSES = 10;
const BATCH = 32;
const STEPS = 50;
const LR = 0.1;
const TOLERANCE = 1e-4;
const ONE_STEP_TOLERANCE = 1e-6;

const { wasm, js } = await backends();

interface Run {
  readonly weights: WeightTensor[];
  /** The mean over the steps of each batch's loss, taken before that batch's update. */
  readonly meanLoss: number;
}

/** The largest |a − b| over every value of every tensor (shapes must match). */
function maxAbsDiff(a: readonly WeightTensor[], b: readonly WeightTensor[]): number {
  expect(a.map((t) => t.shape)).toEqual(b.map((t) => t.shape));
  let worst = 0;
  a.forEach((t, i) => {
    for (let j = 0; j < t.values.length; j++) worst = Math.max(worst, Math.abs(t.values[j] - b[i].values[j]));
  });
  return worst;
}

function network(backend: ReadyBackend) {
  return sequential([dense({ units: HIDDEN, activation: 'relu', kernelInitializer: 'heNormal' }), dense({ units: CLASSES })], {
    inputSize: INPUTS,
    backend,
    seed: 7,
  });
}

/** simdnet: `steps` SGD steps over the first steps·32 rows, in order (fit, one epoch, no shuffling). */
async function trainSimdnet(backend: ReadyBackend, initial: readonly WeightTensor[], x: Float32Array, y: Int32Array, steps: number, lr: number): Promise<Run> {
  const model = network(backend);
  try {
    model.setWeights(initial);
    model.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr }) });
    const rows = steps * BATCH;
    const h = await model.fit(x.subarray(0, rows * INPUTS), y.subarray(0, rows), { epochs: 1, batchSize: BATCH, shuffle: false });
    expect(model.batchesTrained).toBe(steps);
    return { weights: model.getWeights(), meanLoss: h.history.dataLoss[0] };
  } finally {
    model.dispose();
  }
}

/**
 * tfjs: a tfjs-layers sequential model of the same shape (logits out), given the same weights, and a
 * hand-written loop of optimizer.minimize over tf.losses.softmaxCrossEntropy, whose default reduction
 * (SUM_BY_NONZERO_WEIGHTS without weights) is the mean over the batch: simdnet's loss exactly.
 */
function trainTfjs(initial: readonly WeightTensor[], x: Float32Array, y: Int32Array, steps: number, lr: number): Run {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [INPUTS], units: HIDDEN, activation: 'relu' }),
      tfl.layers.dense({ units: CLASSES, activation: 'linear' }),
    ],
  });
  const optimizer = tf.train.sgd(lr);
  try {
    tf.tidy(() => model.setWeights(initial.map((w) => tf.tensor(w.values, [...w.shape], 'float32'))));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let lossSum = 0;
    for (let k = 0; k < steps; k++) {
      const cost = tf.tidy(() => {
        const xb = tf.tensor2d(x.subarray(k * BATCH * INPUTS, (k + 1) * BATCH * INPUTS), [BATCH, INPUTS]);
        const yb = tf.cast(tf.oneHot(tf.tensor1d(y.subarray(k * BATCH, (k + 1) * BATCH), 'int32'), CLASSES), 'float32');
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor2D) as tf.Scalar, true, vars)!;
      });
      lossSum += cost.dataSync()[0];
      cost.dispose();
    }
    const names = initial.map((w) => w.name);
    const weights = model.getWeights().map((t, i) => ({ name: names[i], shape: t.shape, values: t.dataSync() as Float32Array }));
    return { weights, meanLoss: lossSum / steps };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

describe('parity with TensorFlow.js (cpu): 784-64-10, SGD lr 0.1, 32 MNIST digits per batch', () => {
  let x: Float32Array;
  let y: Int32Array;
  let initial: WeightTensor[];
  let tfOne: Run;
  let tfAll: Run;

  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    await tf.ready();
    const { train } = await loadMnist();
    // Copies of the first 1600 digits, so the 188 MB of the full training set can be collected.
    x = train.x.slice(0, STEPS * BATCH * INPUTS);
    y = train.y.slice(0, STEPS * BATCH);
    const m = network(js);
    initial = m.getWeights();
    m.dispose();
    const before = tf.memory().numTensors;
    tfOne = trainTfjs(initial, x, y, 1, LR);
    tfAll = trainTfjs(initial, x, y, STEPS, LR);
    expect(tf.memory().numTensors, 'tfjs tensors leaked by the reference runs').toBe(before);
  });

  test('the reference runs train: weights move far beyond both tolerances and the loss falls below chance', () => {
    const moved = maxAbsDiff(initial, tfAll.weights);
    console.log(`peer-tfjs: 50 steps move the weights by up to ${moved.toExponential(2)}; tfjs mean batch loss ${tfAll.meanLoss.toFixed(4)}`);
    expect(moved).toBeGreaterThan(100 * TOLERANCE);
    // One step alone moves weights by far more than the one-step bound, so that bound is not met by standing still.
    expect(maxAbsDiff(initial, tfOne.weights)).toBeGreaterThan(1000 * ONE_STEP_TOLERANCE);
    // Chance is ln 10 ≈ 2.30; 50 SGD steps on MNIST bring the running mean well below it.
    expect(tfAll.meanLoss).toBeLessThan(Math.log(CLASSES));
  });

  for (const backend of [wasm, js]) {
    test(`${backend.name}: after one step every weight agrees within ${ONE_STEP_TOLERANCE}`, async () => {
      const one = await trainSimdnet(backend, initial, x, y, 1, LR);
      const d = maxAbsDiff(one.weights, tfOne.weights);
      console.log(`peer-tfjs ${backend.name}: max |Δw| after 1 step ${d.toExponential(2)} (moved by ${maxAbsDiff(initial, tfOne.weights).toExponential(2)})`);
      expect(d).toBeLessThanOrEqual(ONE_STEP_TOLERANCE);
      expect(Math.abs(one.meanLoss - tfOne.meanLoss)).toBeLessThanOrEqual(1e-5 * tfOne.meanLoss);
    });

    test(`${backend.name}: after ${STEPS} steps every weight agrees within ${TOLERANCE}`, async () => {
      const t0 = performance.now();
      const all = await trainSimdnet(backend, initial, x, y, STEPS, LR);
      const ms = performance.now() - t0;
      const d = maxAbsDiff(all.weights, tfAll.weights);
      console.log(`peer-tfjs ${backend.name}: max |Δw| after ${STEPS} steps ${d.toExponential(2)}; mean batch loss ${all.meanLoss.toFixed(6)} vs tfjs ${tfAll.meanLoss.toFixed(6)}; simdnet ${ms.toFixed(0)} ms`);
      expect(d).toBeLessThanOrEqual(TOLERANCE);
      expect(Math.abs(all.meanLoss - tfAll.meanLoss)).toBeLessThanOrEqual(1e-5 * tfAll.meanLoss);
    });
  }

  test('negative control: simdnet at lr 0.11 against tfjs at 0.1 differs by more than the tolerance', async () => {
    const off = await trainSimdnet(js, initial, x, y, STEPS, 0.11);
    const d = maxAbsDiff(off.weights, tfAll.weights);
    console.log(`peer-tfjs negative control (lr 0.11 vs 0.1): max |Δw| ${d.toExponential(2)}`);
    expect(d).toBeGreaterThan(TOLERANCE);
  });
});
