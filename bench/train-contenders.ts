/**
 * The contenders of `npm run bench:train`: one way to train a dense ReLU network with softmax outputs
 * by mini-batch SGD, per library and backend, behind one small interface (Trainer), so the bench can
 * feed them all the same batches and time them the same way.
 *
 * Every contender starts from the same initial weights (Keras layout: per layer a kernel [in, out]
 * then a bias [out]), copied into its own layout, so accuracy differences come from the library and
 * not from the draw. What each one runs:
 *
 * - wasm, js: this library's `mlp(...)` + `fit(x, labels, { batchSize, shuffle: false })`, softmax
 *   cross-entropy from logits, `sgd({ lr })`.
 * - tfjs*Fit: tfjs-layers `tf.sequential` of dense layers (softmax on the last), categorical
 *   cross-entropy, `tf.train.sgd(lr)`, `model.fit(x, oneHot, { batchSize, epochs: 1, shuffle: false })`.
 * - tfjs*Loop: tf.variables and a hand-written loop, per batch
 *   `tf.tidy(() => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x))))`, the batch's
 *   x and y made from host memory.
 * - brain: brain.js 1.6.1 NeuralNetwork (activation 'relu'). It has no mini-batches and no softmax:
 *   every layer, the output layer too, is ReLU, and its output delta is (target − output), the
 *   squared-error gradient. It updates after every sample, so it is driven through its per-sample
 *   trainPattern() with learningRate lr/batch (moving the weights as far per `batch` samples as one
 *   mini-batch step of lr) and momentum 0; its train() would refuse momentum 0 and recompute the
 *   training error each pass.
 * - convnetjs: ConvNetJS 0.3.0 Net (input 1×1×784, fc+relu layers, softmax), SGDTrainer with
 *   batch_size = batch (it averages the gradient over the batch), momentum 0, l2_decay 0. It trains
 *   one sample per call (Float64 arithmetic); one input Vol is reused.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { mlp, sgd, type ReadyBackend, type WeightTensor } from '../src/index.js';

export const CONTENDERS = ['wasm', 'js', 'tfjsWasmFit', 'tfjsWasmLoop', 'tfjsCpuFit', 'tfjsCpuLoop', 'brain', 'convnetjs'] as const;
export type Contender = (typeof CONTENDERS)[number];

/** A dense network: 784 inputs, ReLU hidden layers, 10 softmax outputs, trained by SGD on `batch`-row batches. */
export interface NetworkSpec {
  /** '784-128-10' */
  readonly name: string;
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
  readonly batch: number;
  readonly lr: number;
}

/** Consecutive whole batches of the shared training stream, rows already in training order. */
export interface Segment {
  /** [rows, inputs] */
  readonly x: Float32Array;
  /** [rows] class ids */
  readonly labels: Int32Array;
  /** [rows, outputs] one-hot targets (for tfjs) */
  readonly oneHot: Float32Array;
  readonly rows: number;
  readonly batches: number;
  readonly batchSize: number;
}

/** Timestamps a trainer takes: begin() just before its first batch, tick() after each batch. */
export interface Marks {
  begin(): void;
  tick(): void;
}

export interface Trainer {
  /** Trains on seg's batches in order, one optimizer step per batch. */
  train(seg: Segment, marks: Marks): Promise<void>;
  /** The predicted class of each of the n rows of x (row-major [n, inputs]). */
  predict(x: Float32Array, n: number): Promise<Int32Array>;
  dispose(): void;
}

/** What every contender needs besides the network: our two backends and the shared initial weights. */
export interface TrainerContext {
  readonly wasm: ReadyBackend;
  readonly js: ReadyBackend;
  readonly initialWeights: readonly WeightTensor[];
  readonly seed: number;
}

export async function makeTrainer(who: Contender, net: NetworkSpec, ctx: TrainerContext): Promise<Trainer> {
  switch (who) {
    case 'wasm': return simdnetTrainer(ctx.wasm, net, ctx);
    case 'js': return simdnetTrainer(ctx.js, net, ctx);
    case 'tfjsWasmFit': return tfjsFitTrainer('wasm', net, ctx);
    case 'tfjsWasmLoop': return tfjsLoopTrainer('wasm', net, ctx);
    case 'tfjsCpuFit': return tfjsFitTrainer('cpu', net, ctx);
    case 'tfjsCpuLoop': return tfjsLoopTrainer('cpu', net, ctx);
    case 'brain': return brainTrainer(net, ctx);
    case 'convnetjs': return convnetTrainer(net, ctx);
  }
}

/** An mlp on `backend` (He-normal hidden kernels, Glorot-uniform output kernel, zero biases), weights not yet set. */
export function simdnetModel(backend: ReadyBackend, net: NetworkSpec, seed: number): ReturnType<typeof mlp> {
  const model = mlp({ inputSize: net.inputs, hidden: net.hidden, outputs: net.outputs, activation: 'relu', backend, seed });
  model.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: net.lr }) });
  return model;
}

function simdnetTrainer(backend: ReadyBackend, net: NetworkSpec, ctx: TrainerContext): Trainer {
  const model = simdnetModel(backend, net, ctx.seed);
  model.setWeights(ctx.initialWeights);
  return {
    async train(seg, marks) {
      // onEpochBegin runs after fit() has copied the segment into backend memory: the copy is not timed.
      await model.fit(seg.x, seg.labels, {
        epochs: 1, batchSize: seg.batchSize, shuffle: false,
        callbacks: [{ onEpochBegin: () => marks.begin(), onBatchEnd: () => marks.tick() }],
      });
    },
    predict: async (x) => model.predictClasses(x),
    dispose: () => model.dispose(),
  };
}

/** Index of the largest of the first n values of a (the first one on ties). */
function argmax(a: ArrayLike<number>, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[j] > a[best]) best = j;
  return best;
}

type TfBackend = 'wasm' | 'cpu';

/** Makes tfjs's `backend` current: tensors live on the backend active when they were made, so each contender keeps to its own. */
async function useTf(backend: TfBackend): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
}

async function tfjsFitTrainer(backend: TfBackend, net: NetworkSpec, ctx: TrainerContext): Promise<Trainer> {
  await useTf(backend);
  const model = tfl.sequential();
  const widths = [...net.hidden, net.outputs];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(tfl.layers.dense({ units, activation: last ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [net.inputs] } : {}) }));
  });
  const optimizer = tf.train.sgd(net.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const initial = ctx.initialWeights.map((w) => tf.tensor(w.values, [...w.shape]));
  model.setWeights(initial);
  tf.dispose(initial);
  return {
    async train(seg, marks) {
      await useTf(backend);
      const xs = tf.tensor2d(seg.x, [seg.rows, net.inputs]);
      const ys = tf.tensor2d(seg.oneHot, [seg.rows, net.outputs]);
      try {
        await model.fit(xs, ys, {
          batchSize: seg.batchSize, epochs: 1, shuffle: false, verbose: 0,
          callbacks: { onBatchBegin: async (batch) => { if (batch === 0) marks.begin(); }, onBatchEnd: async () => marks.tick() },
        });
      } finally {
        tf.dispose([xs, ys]);
      }
    },
    async predict(x, n) {
      await useTf(backend);
      const classes = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(x, [n, net.inputs]), { batchSize: 1000 }) as tf.Tensor2D, 1));
      const out = Int32Array.from(await classes.data());
      classes.dispose();
      return out;
    },
    dispose: () => {
      // The model frees only optimizers it made itself (from a name), not one passed in.
      model.dispose();
      optimizer.dispose();
    },
  };
}

async function tfjsLoopTrainer(backend: TfBackend, net: NetworkSpec, ctx: TrainerContext): Promise<Trainer> {
  await useTf(backend);
  const initial = ctx.initialWeights.map((w) => tf.tensor(w.values, [...w.shape]));
  const vars = initial.map((t) => tf.variable(t));
  tf.dispose(initial);
  const layers = vars.length / 2;
  const optimizer = tf.train.sgd(net.lr);
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    let h = x;
    for (let l = 0; l < layers; l++) {
      h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
      if (l < layers - 1) h = tf.relu(h);
    }
    return h;
  };
  return {
    async train(seg, marks) {
      await useTf(backend);
      const b = seg.batchSize;
      marks.begin();
      for (let k = 0; k < seg.batches; k++) {
        tf.tidy(() => {
          // Batch tensors straight from host memory: tf.slice of a segment-sized tensor costs 7 ms (cpu)
          // to 17 ms (wasm) per 64-row batch in tfjs 4.22, more than the training step itself.
          const xb = tf.tensor2d(seg.x.subarray(k * b * net.inputs, (k + 1) * b * net.inputs), [b, net.inputs]);
          const yb = tf.tensor2d(seg.oneHot.subarray(k * b * net.outputs, (k + 1) * b * net.outputs), [b, net.outputs]);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, logits(xb)) as tf.Scalar, false, vars);
        });
        marks.tick();
      }
    },
    async predict(x, n) {
      await useTf(backend);
      const classes = tf.tidy(() => tf.argMax(logits(tf.tensor2d(x, [n, net.inputs])), 1));
      const out = Int32Array.from(await classes.data());
      classes.dispose();
      return out;
    },
    dispose: () => {
      tf.dispose(vars);
      optimizer.dispose();
    },
  };
}

const requireHere = createRequire(import.meta.url);

/** The parts of brain.js 1.6.1's NeuralNetwork used here (it ships no types). */
interface BrainNet {
  sizes: number[];
  /** weights[layer][node][k]: from node k of layer−1 to node `node` of layer (layer ≥ 1). */
  weights: Float32Array[][];
  biases: Float32Array[];
  trainOpts: { learningRate: number; momentum: number };
  initialize(): void;
  trainPattern(value: { input: ArrayLike<number>; output: ArrayLike<number> }): void;
  run(input: ArrayLike<number>): ArrayLike<number>;
}

function brainTrainer(net: NetworkSpec, ctx: TrainerContext): Trainer {
  const brain = requireHere('brain.js') as { NeuralNetwork: new (o: object) => BrainNet };
  const nn = new brain.NeuralNetwork({ hiddenLayers: [...net.hidden], activation: 'relu' });
  nn.sizes = [net.inputs, ...net.hidden, net.outputs];
  nn.initialize();
  layersByUnit(ctx.initialWeights).forEach(({ rows, bias }, i) => {
    // brain.js's layer 0 is the input layer, which has no weights.
    nn.biases[i + 1].set(bias);
    rows.forEach((row, j) => nn.weights[i + 1][j].set(row));
  });
  // Per-sample SGD: lr/batch per sample moves the weights as far per `batch` samples as one mini-batch step.
  nn.trainOpts.learningRate = net.lr / net.batch;
  nn.trainOpts.momentum = 0;
  const targets = Array.from({ length: net.outputs }, (_, c) => Float32Array.from({ length: net.outputs }, (_, j) => (j === c ? 1 : 0)));
  return perSampleTrainer(
    net,
    (input, label) => nn.trainPattern({ input, output: targets[label] }),
    (input) => nn.run(input),
  );
}

/** The parts of ConvNetJS 0.3.0 used here (it ships no types). */
interface ConvVol { w: Float64Array }
interface ConvLayer { layer_type: string; filters?: ConvVol[]; biases?: ConvVol }
interface ConvNet {
  layers: ConvLayer[];
  makeLayers(defs: object[]): void;
  forward(v: ConvVol, training: boolean): ConvVol;
}
interface ConvNetJs {
  Net: new () => ConvNet;
  Vol: new (sx: number, sy: number, depth: number, fill: number) => ConvVol;
  SGDTrainer: new (net: ConvNet, options: object) => { train(x: ConvVol, label: number): unknown };
}

function convnetTrainer(net: NetworkSpec, ctx: TrainerContext): Trainer {
  const convnetjs = requireHere('convnetjs') as ConvNetJs;
  const cn = new convnetjs.Net();
  cn.makeLayers([
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: net.inputs },
    ...net.hidden.map((units) => ({ type: 'fc', num_neurons: units, activation: 'relu' })),
    { type: 'softmax', num_classes: net.outputs },
  ]);
  // makeLayers puts an fc layer before the softmax; fc layers hold filters[unit].w[input] and biases.w[unit].
  const fc = cn.layers.filter((l) => l.layer_type === 'fc');
  layersByUnit(ctx.initialWeights).forEach(({ rows, bias }, i) => {
    fc[i].biases!.w.set(bias);
    rows.forEach((row, j) => fc[i].filters![j].w.set(row));
  });
  const trainer = new convnetjs.SGDTrainer(cn, { learning_rate: net.lr, batch_size: net.batch, momentum: 0, l2_decay: 0 });
  const v = new convnetjs.Vol(1, 1, net.inputs, 0);
  return perSampleTrainer(
    net,
    (input, label) => {
      v.w.set(input);
      trainer.train(v, label);
    },
    (input) => {
      v.w.set(input);
      return cn.forward(v, false).w;
    },
  );
}

/**
 * The shared initial weights per dense layer, in the layout of brain.js and ConvNetJS: one row of
 * input weights per unit, rows[j][k] = kernel[k, j] (our kernel is [inputs, units], row-major).
 */
function layersByUnit(weights: readonly WeightTensor[]): { rows: Float32Array[]; bias: Float32Array }[] {
  const layers: { rows: Float32Array[]; bias: Float32Array }[] = [];
  for (let i = 0; i < weights.length; i += 2) {
    const [inputs, units] = weights[i].shape;
    const kernel = weights[i].values;
    const rows = Array.from({ length: units }, (_, j) => Float32Array.from({ length: inputs }, (_, k) => kernel[k * units + j]));
    layers.push({ rows, bias: weights[i + 1].values });
  }
  return layers;
}

/**
 * A Trainer for the libraries that take one sample per call (brain.js, ConvNetJS): `learn` trains on
 * one row and its label, `forward` returns one row's outputs. A batch is `batchSize` learn calls.
 */
function perSampleTrainer(
  net: NetworkSpec,
  learn: (input: Float32Array, label: number) => void,
  forward: (input: Float32Array) => ArrayLike<number>,
): Trainer {
  const d = net.inputs;
  const row = (x: Float32Array, r: number): Float32Array => x.subarray(r * d, (r + 1) * d);
  return {
    async train(seg, marks) {
      marks.begin();
      for (let k = 0; k < seg.batches; k++) {
        for (let r = k * seg.batchSize; r < (k + 1) * seg.batchSize; r++) learn(row(seg.x, r), seg.labels[r]);
        marks.tick();
      }
    },
    async predict(x, n) {
      const out = new Int32Array(n);
      for (let r = 0; r < n; r++) out[r] = argmax(forward(row(x, r)), net.outputs);
      return out;
    },
    dispose: () => {},
  };
}
