/**
 * The contenders of `npm run bench:cnn`: one way to train the same small CNN by mini-batch SGD per
 * library and backend, behind train-contenders.ts's Trainer interface, so the bench feeds them all the
 * same batches and times them the same way.
 *
 * The network (CnnSpec): per conv block a valid k×k convolution with ReLU then a 2×2 max pool
 * (stride 2), then flatten, ReLU dense layers and a dense output of `outputs` logits (softmax in the
 * loss); e.g. conv(32,5×5)-pool-conv(64,5×5)-pool-dense(128)-10 on 28×28×1 digits. Every contender
 * starts from the same initial weights in Keras order and layout (conv kernel [kh, kw, inC, outC],
 * bias [outC]; dense kernel [in, out], bias [out]), copied into its own layout. Rows are HWC (NHWC
 * batches), which is also tfjs's layout and ConvNetJS's Vol order (((y·sx) + x)·depth + d).
 *
 * - wasm, js: this library's sequential(conv2d, maxPool2d, ..., flatten, dense) + fit(x, labels,
 *   { batchSize, shuffle: false }), softmax cross-entropy from logits, sgd({ lr }); 'wasm' at one
 *   thread, 'wasmThreads' at init({ threads }) (all cores by default).
 * - tfjs*Fit: tfjs-layers tf.sequential (conv2d, maxPooling2d, flatten, dense; softmax on the last),
 *   categorical cross-entropy, tf.train.sgd(lr), model.fit(x, oneHot, { batchSize, shuffle: false }).
 * - tfjs*Loop: tf.variables and a hand-written loop, per batch
 *   tf.tidy(() => opt.minimize(() => softmaxCrossEntropy(y, logits(x)))), tf.conv2d / tf.maxPool.
 *   tfjs-wasm has no Conv2DBackpropFilter kernel (tfjs issue 8474): both wasm rows throw on their
 *   first step, and the bench reports the error in the table.
 * - convnetjs: ConvNetJS 0.3.0 Net (input 28×28×1, conv with relu, pool 2/2, fc relu, softmax),
 *   SGDTrainer with batch_size = batch (gradient averaged over the batch), momentum 0, l2_decay 0;
 *   one sample per call, Float64 arithmetic.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import type { WeightTensor } from '../src/index.js';
import type { Trainer } from './train-contenders.js';

export const CNN_CONTENDERS = ['wasm', 'wasmThreads', 'js', 'tfjsCpuFit', 'tfjsCpuLoop', 'tfjsWasmFit', 'tfjsWasmLoop', 'convnetjs'] as const;
export type CnnContender = (typeof CNN_CONTENDERS)[number];

/** A LeNet-like CNN: conv blocks (valid conv + ReLU + 2×2 max pool), ReLU dense layers, logits. */
export interface CnnSpec {
  /** 'conv32x5-pool2-conv64x5-pool2-dense128-10' */
  readonly name: string;
  /** [height, width, channels] of a row. */
  readonly inputShape: readonly [number, number, number];
  readonly convs: readonly { readonly filters: number; readonly kernel: number }[];
  readonly dense: readonly number[];
  readonly outputs: number;
  readonly batch: number;
  readonly lr: number;
}

/** The spec's name from its layers. */
export function cnnName(spec: Omit<CnnSpec, 'name'>): string {
  return [...spec.convs.map((c) => `conv${c.filters}x${c.kernel}-pool2`), ...spec.dense.map((u) => `dense${u}`), String(spec.outputs)].join('-');
}

/** The shape after each conv block: [h, w, c] of the last one's pooled output. */
export function cnnShapes(spec: CnnSpec): { conv: [number, number, number]; pooled: [number, number, number] }[] {
  let [h, w, c] = spec.inputShape;
  return spec.convs.map(({ filters, kernel }) => {
    const conv: [number, number, number] = [h - kernel + 1, w - kernel + 1, filters];
    if (conv[0] < 2 || conv[1] < 2) throw new RangeError(`bench:cnn: ${kernel}×${kernel} conv on [${h}, ${w}, ${c}] leaves nothing to pool`);
    [h, w, c] = [Math.floor(conv[0] / 2), Math.floor(conv[1] / 2), filters];
    return { conv, pooled: [h, w, c] };
  });
}

/** Values per row entering the first dense layer (the last pooled output, flattened). */
export function flatSize(spec: CnnSpec): number {
  const shapes = cnnShapes(spec);
  const [h, w, c] = shapes.length === 0 ? spec.inputShape : shapes[shapes.length - 1].pooled;
  return h * w * c;
}

/** The parameter tensors in Keras order, with their shapes. */
export function cnnWeightShapes(spec: CnnSpec): number[][] {
  const shapes: number[][] = [];
  let channels = spec.inputShape[2];
  for (const { filters, kernel } of spec.convs) {
    shapes.push([kernel, kernel, channels, filters], [filters]);
    channels = filters;
  }
  let inputs = flatSize(spec);
  for (const units of [...spec.dense, spec.outputs]) {
    shapes.push([inputs, units], [units]);
    inputs = units;
  }
  return shapes;
}

/**
 * Matmul flops per training sample that the convolutions and dense layers execute: for each layer
 * 2·MACs forward, 2·MACs for ∂W, and 2·MACs for ∂x in every layer but the first (nothing needs the
 * input's gradient). A conv's MACs are out_h·out_w·k²·inC·outC (its im2col product).
 */
export function cnnExecutedFlops(spec: CnnSpec): number {
  const shapes = cnnShapes(spec);
  let flops = 0;
  let channels = spec.inputShape[2];
  let first = true;
  const add = (macs: number): void => {
    flops += (first ? 4 : 6) * macs;
    first = false;
  };
  spec.convs.forEach(({ filters, kernel }, i) => {
    const [oh, ow] = shapes[i].conv;
    add(oh * ow * kernel * kernel * channels * filters);
    channels = filters;
  });
  let inputs = flatSize(spec);
  for (const units of [...spec.dense, spec.outputs]) {
    add(inputs * units);
    inputs = units;
  }
  return flops;
}

export type TfBackend = 'wasm' | 'cpu';

/** Makes tfjs's `backend` current (tensors live on the backend active when they were made). */
export async function useTf(backend: TfBackend): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
}

/** Index of the largest of the first n values of a (the first one on ties). */
function argmax(a: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
}

/** Classes of n rows from tfjs logits or probabilities [n, outputs]. */
async function classesOf(t: tf.Tensor2D): Promise<Int32Array> {
  const classes = tf.argMax(t, 1);
  const out = Int32Array.from(await classes.data());
  tf.dispose([classes, t]);
  return out;
}

/** tfjs-layers' tf.sequential for the spec, with the shared weights set; softmax on the last layer. */
export function tfjsLayersModel(spec: CnnSpec, initialWeights: readonly WeightTensor[]): tfl.Sequential {
  const model = tfl.sequential();
  spec.convs.forEach(({ filters, kernel }, i) => {
    model.add(tfl.layers.conv2d({ filters, kernelSize: kernel, activation: 'relu', ...(i === 0 ? { inputShape: [...spec.inputShape] } : {}) }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tfl.layers.flatten(spec.convs.length === 0 ? { inputShape: [...spec.inputShape] } : {}));
  spec.dense.forEach((units) => model.add(tfl.layers.dense({ units, activation: 'relu' })));
  model.add(tfl.layers.dense({ units: spec.outputs, activation: 'softmax' }));
  const initial = initialWeights.map((w) => tf.tensor(w.values, [...w.shape]));
  model.setWeights(initial);
  tf.dispose(initial);
  return model;
}

export async function tfjsFitTrainer(backend: TfBackend, spec: CnnSpec, initialWeights: readonly WeightTensor[]): Promise<Trainer> {
  await useTf(backend);
  const model = tfjsLayersModel(spec, initialWeights);
  const optimizer = tf.train.sgd(spec.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const [h, w, c] = spec.inputShape;
  return {
    async train(seg, marks) {
      await useTf(backend);
      const xs = tf.tensor4d(seg.x, [seg.rows, h, w, c]);
      const ys = tf.tensor2d(seg.oneHot, [seg.rows, spec.outputs]);
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
      return classesOf(tf.tidy(() => model.predict(tf.tensor4d(x, [n, h, w, c]), { batchSize: 500 }) as tf.Tensor2D));
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

/** The spec's logits as tfjs ops over `vars` (Keras order), for the hand loop. */
export function tfjsLogits(spec: CnnSpec, vars: readonly tf.Tensor[]): (x: tf.Tensor4D) => tf.Tensor2D {
  return (x) => {
    let v = 0;
    let h: tf.Tensor4D = x;
    for (let i = 0; i < spec.convs.length; i++) {
      h = tf.relu(tf.add(tf.conv2d(h, vars[v++] as tf.Tensor4D, 1, 'valid'), vars[v++])) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
    }
    let z: tf.Tensor2D = tf.reshape(h, [x.shape[0], flatSize(spec)]);
    for (let l = 0; l <= spec.dense.length; l++) {
      z = tf.add(tf.matMul(z, vars[v++] as tf.Tensor2D), vars[v++]);
      if (l < spec.dense.length) z = tf.relu(z);
    }
    return z;
  };
}

export async function tfjsLoopTrainer(backend: TfBackend, spec: CnnSpec, initialWeights: readonly WeightTensor[]): Promise<Trainer> {
  await useTf(backend);
  const initial = initialWeights.map((w) => tf.tensor(w.values, [...w.shape]));
  const vars = initial.map((t) => tf.variable(t));
  tf.dispose(initial);
  const optimizer = tf.train.sgd(spec.lr);
  const logits = tfjsLogits(spec, vars);
  const [h, w, c] = spec.inputShape;
  const d = h * w * c;
  return {
    async train(seg, marks) {
      await useTf(backend);
      const b = seg.batchSize;
      marks.begin();
      for (let k = 0; k < seg.batches; k++) {
        tf.tidy(() => {
          // Batch tensors straight from host memory (a tf.slice of a segment tensor costs more than a step).
          const xb = tf.tensor4d(seg.x.subarray(k * b * d, (k + 1) * b * d), [b, h, w, c]);
          const yb = tf.tensor2d(seg.oneHot.subarray(k * b * spec.outputs, (k + 1) * b * spec.outputs), [b, spec.outputs]);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, logits(xb)) as tf.Scalar, false, vars);
        });
        marks.tick();
      }
    },
    async predict(x, n) {
      await useTf(backend);
      const out = new Int32Array(n);
      // In chunks: a 10 000-row conv activation is 737 MB on tfjs's cpu backend.
      for (let s = 0; s < n; s += 500) {
        const m = Math.min(500, n - s);
        out.set(await classesOf(tf.tidy(() => logits(tf.tensor4d(x.subarray(s * d, (s + m) * d), [m, h, w, c])))), s);
      }
      return out;
    },
    dispose: () => {
      tf.dispose(vars);
      optimizer.dispose();
    },
  };
}

const requireHere = createRequire(import.meta.url);

/** The parts of ConvNetJS 0.3.0 used here (it ships no types). */
interface ConvVol { w: Float64Array }
interface ConvLayer { layer_type: string; filters?: ConvVol[]; biases?: ConvVol }
export interface ConvNet {
  layers: ConvLayer[];
  makeLayers(defs: object[]): void;
  forward(v: ConvVol, training: boolean): ConvVol;
}
interface ConvNetJs {
  Net: new () => ConvNet;
  Vol: new (sx: number, sy: number, depth: number, fill: number) => ConvVol;
  SGDTrainer: new (net: ConvNet, options: object) => { train(x: ConvVol, label: number): unknown };
}

/**
 * A ConvNetJS Net for the spec with the shared weights: a conv layer's filters[o] is a Vol(k, k, inC)
 * whose w[((ky·k) + kx)·inC + ci] is our kernel[ky, kx, ci, o]; an fc layer's filters[j].w[i] is our
 * kernel[i, j].
 */
export function convnetNet(spec: CnnSpec, initialWeights: readonly WeightTensor[]): { net: ConvNet; convnetjs: ConvNetJs } {
  const convnetjs = requireHere('convnetjs') as ConvNetJs;
  const net = new convnetjs.Net();
  const [h, w, c] = spec.inputShape;
  net.makeLayers([
    { type: 'input', out_sx: w, out_sy: h, out_depth: c },
    ...spec.convs.flatMap(({ filters, kernel }) => [
      { type: 'conv', sx: kernel, filters, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
    ]),
    ...spec.dense.map((units) => ({ type: 'fc', num_neurons: units, activation: 'relu' })),
    { type: 'softmax', num_classes: spec.outputs },
  ]);
  const withWeights = net.layers.filter((l) => l.layer_type === 'conv' || l.layer_type === 'fc');
  withWeights.forEach((layer, i) => {
    const kernel = initialWeights[2 * i];
    const outs = kernel.shape[kernel.shape.length - 1];
    const ins = kernel.values.length / outs;
    layer.biases!.w.set(initialWeights[2 * i + 1].values);
    // Both layouts put the output channel last in ours and first in ConvNetJS's: a transpose of [ins, outs].
    for (let o = 0; o < outs; o++) {
      const f = layer.filters![o].w;
      for (let k = 0; k < ins; k++) f[k] = kernel.values[k * outs + o];
    }
  });
  return { net, convnetjs };
}

export function convnetTrainer(spec: CnnSpec, initialWeights: readonly WeightTensor[]): Trainer {
  const { net, convnetjs } = convnetNet(spec, initialWeights);
  const trainer = new convnetjs.SGDTrainer(net, { learning_rate: spec.lr, batch_size: spec.batch, momentum: 0, l2_decay: 0 });
  const [h, w, c] = spec.inputShape;
  const d = h * w * c;
  const v = new convnetjs.Vol(w, h, c, 0);
  return {
    async train(seg, marks) {
      marks.begin();
      for (let k = 0; k < seg.batches; k++) {
        for (let r = k * seg.batchSize; r < (k + 1) * seg.batchSize; r++) {
          v.w.set(seg.x.subarray(r * d, (r + 1) * d));
          trainer.train(v, seg.labels[r]);
        }
        marks.tick();
      }
    },
    async predict(x, n) {
      const out = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        v.w.set(x.subarray(r * d, (r + 1) * d));
        out[r] = argmax(net.forward(v, false).w, 0, spec.outputs);
      }
      return out;
    },
    dispose: () => {},
  };
}
