/**
 * Turns Settings into the library's objects: the data (toy set, train/test split), the learning
 * rate (a number or a schedule), the optimizer and the compiled model. The worker builds the run with
 * these; the page uses learningRate() to draw the schedule's curve.
 */
import type { Backend } from '../../../src/backend/contract.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { blobs, toyDataset } from '../../../src/data/toy.js';
import { trainValTestSplit } from '../../../src/data/preprocess.js';
import { dense, dropout, sequential, type Layer, type Sequential } from '../../../src/model/index.js';
import {
  adagrad, adam, l1l2, rmsprop, schedules, sgd, type LearningRate, type Optimizer,
} from '../../../src/train/index.js';
import { classCount, type Settings } from './settings.js';

/** The square of input space the heat map covers. */
export interface Bounds {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

export interface PlaygroundData {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly classes: number;
  readonly bounds: Bounds;
}

/** The toy set of `s`, split into train and test (stratified, so both hold every class). */
export function makeData(s: Settings): PlaygroundData {
  const options = { n: s.points, noise: s.noise, seed: s.seed };
  const classes = classCount(s);
  const all = s.data === 'blobs' ? blobs({ ...options, classes }) : toyDataset(s.data, options);
  const { train, test } = trainValTestSplit(all, { val: 0, test: 1 - s.split, seed: s.seed, stratify: true });
  return { train, test, classes, bounds: squareBounds(all.x) };
}

/**
 * A square around the points with a margin of 10% of the larger span: equal scales on both axes, so
 * a circle in the data stays a circle on the heat map.
 */
function squareBounds(xy: Float32Array): Bounds {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]);
    x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]);
    y1 = Math.max(y1, xy[i + 1]);
  }
  const half = 0.6 * Math.max(x1 - x0, y1 - y0, 1e-3);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/**
 * The centres of a size × size grid over `bounds`, as (x, y) pairs, row-major from the top-left cell
 * (so cell i is pixel i of an image whose y axis points down).
 */
export function gridInputs(bounds: Bounds, size: number): Float32Array {
  const xy = new Float32Array(2 * size * size);
  const dx = (bounds.xMax - bounds.xMin) / size;
  const dy = (bounds.yMax - bounds.yMin) / size;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      xy[2 * i] = bounds.xMin + (c + 0.5) * dx;
      xy[2 * i + 1] = bounds.yMax - (r + 0.5) * dy;
    }
  }
  return xy;
}

/** The learning rate of `s`: the initial rate alone, or a schedule that starts from it (t counts epochs). */
export function learningRate(s: Settings): LearningRate {
  const initial = s.lr;
  switch (s.schedule) {
    case 'constant': return initial;
    case 'inverseTime': return schedules.inverseTimeDecay({ initial, rate: s.decay });
    case 'exponential': return schedules.exponentialDecay({ initial, lambda: s.decay });
    case 'step': return schedules.stepDecay({ initial, factor: 0.5, every: s.decay });
    case 'cosine': return schedules.cosineDecay({ initial, steps: s.decay, alpha: 0.01 });
    case 'plateau': return schedules.reduceOnPlateau({ initial, factor: 0.5, patience: s.decay });
  }
}

function makeOptimizer(s: Settings): Optimizer {
  const lr = learningRate(s);
  switch (s.optimizer) {
    case 'sgd': return sgd({ lr });
    case 'momentum': return sgd({ lr, momentum: 0.9 });
    case 'adam': return adam({ lr });
    case 'rmsprop': return rmsprop({ lr });
    case 'adagrad': return adagrad({ lr });
  }
}

/** fit()'s batchSize for the batch mode. */
export function batchSize(s: Settings): number | 'full' {
  return s.batch === 'full' ? 'full' : s.batch === 'online' ? 1 : s.batchSize;
}

/**
 * The compiled model. A network: hidden dense layers (each followed by dropout when the rate is
 * above 0) and a dense layer of one logit per class, trained on the softmax cross-entropy. A neuron:
 * one dense unit with the chosen activation, trained on the squared error against the 0/1 class
 * (the course's formal neuron). L1 and L2 penalise every kernel.
 */
export function makeModel(s: Settings, classes: number, backend: Backend): Sequential {
  const kernelRegularizer = s.l1 > 0 || s.l2 > 0 ? l1l2({ l1: s.l1, l2: s.l2 }) : null;
  // The slope a is the sigmoid's parameter; the other activations keep their own defaults.
  const alpha = s.activation === 'sigmoid' ? { activationAlpha: s.slope } : {};
  const layers: Layer[] = [];
  if (s.model === 'neuron') {
    layers.push(dense({ units: 1, activation: s.activation, ...alpha, kernelRegularizer }));
  } else {
    for (const units of s.layers) {
      layers.push(dense({ units, activation: s.activation, ...alpha, kernelRegularizer }));
      if (s.dropout > 0) layers.push(dropout({ rate: s.dropout }));
    }
    layers.push(dense({ units: classes, kernelRegularizer }));
  }
  const model = sequential(layers, { inputSize: 2, backend, seed: s.seed });
  model.compile({
    loss: s.model === 'neuron' ? 'meanSquaredError' : 'softmaxCrossEntropy',
    optimizer: makeOptimizer(s),
    metrics: ['accuracy', 'zeroOneLoss'],
  });
  return model;
}

/** '2 → 16 → 16 → 3': the layer widths of `s`. */
export function architecture(s: Settings, classes: number): string {
  const widths = s.model === 'neuron' ? [2, 1] : [2, ...s.layers, classes];
  return widths.join(' → ');
}
