/**
 * The training step as plain functions over a Network and a loss: one forward and backward pass
 * into the flat gradient buffer, and the loss and metrics over data in chunks. They never touch the
 * optimizer, the counters or the callbacks: the loop (fit.ts) ties those together, as PyTorch's loop
 * ties a module and an optimizer that know nothing of each other.
 *
 * Nothing here allocates on the backend: passes run in the network's arena, sized beforehand.
 */
import { uncheckedKernels } from '../backend/checked.js';
import type { F32Buffer } from '../backend/contract.js';
import type { Arena } from '../model/arena.js';
import type { DeviceData } from '../model/data.js';
import type { BatchTargets, Loss } from '../model/losses.js';
import { MetricAccumulator, accumulate, countCorrect, type MetricSetup, type MetricValues } from '../model/metrics.js';
import type { Network } from '../model/network.js';
import type { Optimizer, StepInfo } from './types.js';

/**
 * The model's loss and metrics on a data set: accuracy and zeroOneLoss always, the other metrics
 * (precision, recall, f1 and their per-class arrays, topKAccuracy, mae) when compile() asked for them.
 */
export interface Evaluation extends MetricValues {
  /** dataLoss + penalty. */
  readonly loss: number;
  /** The mean loss over the data (see the loss table in losses.ts for what the mean is over). */
  readonly dataLoss: number;
  /** The regularizers' penalty at the current weights (0 without regularizers). */
  readonly penalty: number;
  /** The fraction of rows whose predicted class is the true class. */
  readonly accuracy: number;
  /** 1 − accuracy. */
  readonly zeroOneLoss: number;
}

/** The result of one gradientStep, as means over the batch (fit() passes one object for every step). */
export interface StepResult {
  dataLoss: number;
  penalty: number;
  /** Rows whose predicted class was right (before the update). */
  correct: number;
  /** ∂loss/∂x [m, inputSize] (an arena view) when asked for, else null. */
  inputGradient: F32Buffer | null;
}

/** What a step may do besides the plain mean loss. */
export interface StepExtras {
  /**
   * One weight per class (fit's classWeight): row i's loss and gradient are multiplied by
   * weights[class of row i]; the mean still divides by the row count, as Keras's weighted mean does.
   */
  readonly classWeights?: Float64Array | null;
  /** Receives the batch's outputs (before the update) for the metrics beyond accuracy. */
  readonly metrics?: MetricAccumulator | null;
  /**
   * Leave the first kernel's gradient of a one-row batch deferred (Network.deferredGradient) for
   * applyUpdate to fuse into the optimizer step; ignored where the network cannot defer it.
   */
  readonly deferKernel?: boolean;
}

/**
 * The class-weighted summed loss of a batch: each row through the loss's kernel on its own (views,
 * no copy), its gradient scaled by weight / terms, so ∂(Σ w·ℓ / terms)/∂output lands in `grad`.
 */
function weightedSum(net: Network, loss: Loss, out: F32Buffer, y: BatchTargets, grad: F32Buffer, m: number, n: number, weights: Float64Array): number {
  const terms = loss.terms(m, n);
  const labels = y.labels.data;
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const w = weights[labels[i]];
    const row: BatchTargets = { labels: y.labels.view(i, 1), targets: y.targets === null ? null : y.targets.view(i * n, n) };
    sum += w * loss.scaledSum(uncheckedKernels(net.backend), out.view(i * n, n), row, grad.view(i * n, n), 1, n, w / terms);
  }
  return sum;
}

/**
 * One forward and backward pass over a batch x [m, inputSize] with targets y: fills net.grads with
 * ∂(dataLoss + penalty)/∂params (but a deferred kernel gradient: see StepExtras.deferKernel). Does
 * not update the weights. The result goes into `out` when given.
 */
export function gradientStep(
  net: Network, loss: Loss, x: F32Buffer, y: BatchTargets, m: number, training: boolean, inputGradient = false, extras: StepExtras = {},
  out: StepResult = { dataLoss: 0, penalty: 0, correct: 0, inputGradient: null },
): StepResult {
  // Buffers of the network's arena and the batch, whose sizes fit() checked: no per-call checks.
  const b = uncheckedKernels(net.backend);
  const n = net.outputSize;
  const arena = net.arenaFor(m, inputGradient);
  const o = net.forward(arena, x, m, training);
  const weights = extras.classWeights ?? null;
  const sum = weights === null ? loss.sum(b, o, y, arena.lossGrad, m, n) : weightedSum(net, loss, o, y, arena.lossGrad, m, n, weights);
  const correct = countCorrect(b, o, y.labels, m, n, loss.threshold);
  if (extras.metrics) accumulate(extras.metrics, o, y.labels, y.targets, m, () => loss.predictions(b, o, arena.predictions, m, n));
  out.inputGradient = net.backward(arena, arena.lossGrad, m, training, inputGradient, extras.deferKernel === true);
  out.penalty = net.penalty();
  net.addPenaltyGradient();
  out.dataLoss = sum / loss.terms(m, n);
  out.correct = correct;
  return out;
}

/**
 * The optimizer's update after a gradientStep: fused with a deferred kernel gradient when the
 * optimizer can take it so (sgd without momentum or clipping: Kernels.sgdOuterStep, the same bits
 * as writing the gradient and applying sgdStep), else the gradient written out and apply(). Returns
 * the learning rate used.
 */
export function applyUpdate(net: Network, optimizer: Optimizer, info: StepInfo): number {
  // First: even an update that throws part way leaves no packed panel or row flag of the old weights in use.
  const deferred = net.beginUpdate();
  let lr: number | null = null;
  // The network's own buffers, of its own sizes: the kernels run without the per-call checks.
  const kernels = uncheckedKernels(net.backend);
  if (deferred !== null && optimizer.applyRankOne !== undefined) lr = optimizer.applyRankOne(net.backend, net.params, net.grads, net.size, info, deferred, kernels);
  if (lr === null) {
    net.writeDeferredGradient();
    lr = optimizer.apply(net.backend, net.params, net.grads, net.size, info, kernels);
  }
  net.updated();
  return lr;
}

/** Runs `run` over consecutive chunks of at most `size` rows of data, in one arena sized for a chunk. */
export function inChunks(net: Network, data: DeviceData, size: number, run: (chunk: DeviceData, start: number, m: number, arena: Arena) => void): void {
  const arena = net.arenaFor(Math.min(size, data.n));
  for (let start = 0; start < data.n; start += size) {
    const m = Math.min(size, data.n - start);
    run(data.slice(start, m), start, m, arena);
  }
}

/**
 * The loss and metrics on data already in backend memory (with y), dropout off, in chunks of `chunk`
 * rows; `metrics` (when given) adds the metrics beyond accuracy that compile() asked for.
 */
export function evaluateData(net: Network, loss: Loss, data: DeviceData, chunk: number, metrics: Omit<MetricSetup, 'outputs' | 'threshold'> | null = null): Evaluation {
  const n = net.outputSize;
  const acc = metrics === null ? null : new MetricAccumulator({ ...metrics, outputs: n, threshold: loss.threshold });
  let sum = 0;
  let correct = 0;
  inChunks(net, data, chunk, (part, _start, m, arena) => {
    const o = net.forward(arena, part.x, m, false);
    sum += loss.sum(net.backend, o, part.y!, null, m, n);
    correct += countCorrect(net.backend, o, part.y!.labels, m, n, loss.threshold);
    if (acc !== null) accumulate(acc, o, part.y!.labels, part.y!.targets, m, () => loss.predictions(net.backend, o, arena.predictions, m, n));
  });
  const dataLoss = sum / loss.terms(data.n, n);
  const penalty = net.penalty();
  const accuracy = correct / data.n;
  return { loss: dataLoss + penalty, dataLoss, penalty, accuracy, zeroOneLoss: 1 - accuracy, ...acc?.values() };
}
