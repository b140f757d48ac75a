/**
 * The passes a model runs outside training, as functions over a Network and data already in backend
 * memory: predicted classes in chunks (dropout off), and the gradient at the current weights over all
 * rows as one batch (what a training step computes, without the update). predict() is predict-into.ts.
 */
import type { DeviceData } from './data.js';
import type { Loss } from './losses.js';
import { predictedClasses } from './metrics.js';
import type { Network } from './network.js';
import { gradientStep, inChunks } from '../train/step.js';

/** Options of predict(), predictClasses() and evaluate(). */
export interface PredictOptions {
  /**
   * Rows per forward pass (bounds the scratch memory; the result does not depend on it).
   * @default 256, or the arena's size if larger
   */
  batchSize?: number;
}

/** Options of computeGradients(). */
export interface GradientOptions {
  /**
   * Run as in training (dropout on, drawing the next masks).
   * @default false
   */
  training?: boolean;
  /**
   * Also return ∂loss/∂x.
   * @default false
   */
  inputGradients?: boolean;
  /**
   * Weight each row's loss by its class, as fit()'s classWeight does.
   * @default null
   */
  classWeight?: Readonly<Record<number, number>> | null;
}

/** The loss and its gradient at the current weights (computeGradients()). */
export interface Gradients {
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** ∂loss/∂params, flat, in the layout of getFlatWeights(). */
  readonly gradients: Float32Array;
  /** ∂loss/∂x [n, inputSize] when asked for, else null. */
  readonly inputGradients: Float32Array | null;
}

/** The predicted class of every row of data (argmax, or output ≥ threshold for one output). */
export function classRows(net: Network, threshold: number, data: DeviceData, chunk: number): Int32Array {
  const n = net.outputSize;
  const out = new Int32Array(data.n);
  inChunks(net, data, chunk, (part, start, m, arena) => {
    const o = net.forward(arena, part.x, m, false);
    predictedClasses(net.backend, o, arena.classes, m, n, threshold);
    out.set(arena.classes.data.subarray(0, m), start);
  });
  return out;
}

/** The loss and its gradients (copies) over all rows of data (with y) as one batch; the weights do not change. */
export function gradientsAt(net: Network, loss: Loss, data: DeviceData, training: boolean, inputGradients: boolean, classWeights: Float64Array | null = null): Gradients {
  const step = gradientStep(net, loss, data.x, data.y!, data.n, training, inputGradients, { classWeights });
  return {
    loss: step.dataLoss + step.penalty,
    dataLoss: step.dataLoss,
    penalty: step.penalty,
    gradients: net.grads.data.slice(0, net.size),
    inputGradients: step.inputGradient === null ? null : step.inputGradient.data.slice(0, data.n * net.inputSize),
  };
}
