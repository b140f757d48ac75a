/**
 * The training loop behind `model.fit(x, y, options)`. It drives a model through the small interface
 * Trainee (its network, its compiled settings, its TrainingState) and the step functions of step.ts;
 * the model, the optimizer and the step never call back into the loop, which owns the callbacks.
 *
 * Data is validated and copied into backend memory once; each epoch, the training rows are visited
 * in an order shuffled by Rng(seed, epoch) and gathered batch by batch into reused buffers. Per
 * batch: forward, fused loss + gradient, backward into the flat gradient buffer, regularizer
 * gradients, then one optimizer pass over the flat parameter buffer. Nothing is allocated on the
 * backend inside the loop.
 *
 * batchSize: 'full' is full-batch gradient descent (one step per epoch, the true gradient), 1 is
 * online SGD, n is mini-batch (the last batch of an epoch holds the remaining rows).
 *
 * Reproducibility: the shuffle (and the augmentation, augment.ts) of epoch e depends only on (seed, e) where e counts the model's epochs
 * over its whole life (model.epochsTrained), the dropout masks only on the model's dropout seed and
 * stream counter, and schedules on the model's global batch/epoch counts; all three are saved with
 * the model. So fit(4 epochs) gives the same weights, bit for bit, as fit(2), save, load, fit(2).
 * The wasm and js backends draw the same shuffles and masks; their weights differ only by float32
 * summation order inside the kernels (measured: 1.2e-7 after 72 Adam steps of a 2-16-8-3 net; the
 * test bound is 1e-5·(1 + |w|)).
 */
import { Rng } from '../math/random.js';
import type { Compiled } from '../model/compile.js';
import { BatchBuffers, DeviceData, type Features, type Targets } from '../model/data.js';
import type { Network } from '../model/network.js';
import { MetricAccumulator, needsExtraMetrics, type MetricName, type MetricValues } from '../model/metrics.js';
import type { Callback, CallbackModel, EpochLogs, FitOptions, History, StopReason } from './callbacks.js';
import { DivergenceWatch, divergedError } from './divergence.js';
import { classWeights, resolveFitOptions } from './fit-options.js';
import { Augmenter } from './augment.js';
import { StepLogs } from './batch-logs.js';
import { applyUpdate, evaluateData, gradientStep, type StepResult } from './step.js';
import type { TrainingState } from './training-state.js';

// fit()'s option and result types live with the callbacks they reference (one module, no cycle).
export type { FitOptions, History, StopWhen } from './callbacks.js';

/**
 * What fit() needs of a model (a Sequential is one): the numeric core, what compile() fixed, the seed
 * of its shuffles, and its TrainingState (counters, lock, stop request). Callbacks get the model as a
 * CallbackModel.
 */
export interface Trainee extends CallbackModel {
  /** The layers over the flat parameter and gradient buffers. */
  readonly network: Network;
  /** compile()'s result, or null before compile() (fit() then refuses to start). */
  readonly compiled: Compiled | null;
  /** The default seed of fit()'s shuffles. */
  readonly seed: number;
  /** Counters fit() advances, the training lock, and a pending stop request. */
  readonly state: TrainingState;
}

/** The seed of epoch e's shuffle: a function of (seed, e) only, so resumed runs shuffle alike. */
function epochSeed(seed: number, epoch: number): number {
  return (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Lets timers and events (an abort from a UI or a timeout) run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
const YIELD_EVERY_MS = 25;

/**
 * Runs `hook` of each callback in order. A promise only when a hook returned one (the later hooks
 * then wait for it), so synchronous callbacks cost the batch loop no microtask turn.
 */
function call<K extends keyof Callback>(callbacks: readonly Callback[], hook: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> | undefined {
  for (let i = 0; i < callbacks.length; i++) {
    const c = callbacks[i];
    const f = c[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (f === undefined) continue;
    const result = f.apply(c, args);
    if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(() => call(callbacks.slice(i + 1), hook, ...args));
    }
  }
  return undefined;
}

function format(logs: EpochLogs, epoch: number, total: number): string {
  const parts = [`epoch ${epoch}/${total}`];
  for (const [key, value] of Object.entries(logs)) {
    if (key === 'epoch' || key === 'samplesPerSec') continue;
    parts.push(`${key} ${Number((value as number).toPrecision(4))}`);
  }
  parts.push(`${Math.round(logs.samplesPerSec)} samples/s`);
  return parts.join('  ');
}

/** Copies the extra metrics' numbers (not the per-class arrays) into an epoch's logs, as `prefix` + Name. */
function addMetricLogs(logs: Record<string, number>, prefix: string, names: readonly MetricName[], values: MetricValues): void {
  for (const name of names) {
    const v = (values as Record<string, unknown>)[name];
    if (typeof v === 'number') logs[prefix === '' ? name : `${prefix}${name[0].toUpperCase()}${name.slice(1)}`] = v;
  }
}

/**
 * Trains `model` on (x, y): see FitOptions and the file comment. Resolves to the history once
 * training stops; throws (after freeing what it allocated) on bad input or divergence.
 */
export async function fit(model: Trainee, x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
  const net = model.network;
  net.checkAlive();
  if (model.compiled === null) throw new Error('simdnet fit: call model.compile({ loss, optimizer }) first');
  const { loss, optimizer, metrics } = model.compiled;
  const o = resolveFitOptions(options, model.seed);
  const state = model.state;
  if (state.training) throw new Error('simdnet fit: this model is already training (await the running fit() before starting another)');
  const b = net.backend;
  const owned: Array<{ dispose(): void }> = [];
  state.training = true;
  try {
    const all = DeviceData.of(net, 'fit', x, y, loss);
    owned.push(all);
    let train: DeviceData = all;
    let val: DeviceData | null = null;
    if (o.validationData !== null) {
      val = DeviceData.of(net, 'fit validationData', o.validationData.x, o.validationData.y, loss);
      owned.push(val);
    } else if (o.validationSplit > 0) {
      const nVal = Math.floor(all.n * o.validationSplit);
      if (nVal < 1 || nVal >= all.n) {
        throw new RangeError(`simdnet fit: validationSplit ${o.validationSplit} of ${all.n} rows leaves ${all.n - nVal} for training and ${nVal} for validation; each needs at least one`);
      }
      train = all.slice(0, all.n - nVal);
      val = all.slice(all.n - nVal, nVal);
    }
    const n = train.n;
    const size = o.batchSize === 'full' ? n : Math.min(o.batchSize, n);
    const batches = Math.ceil(n / size);
    // Shuffled or augmented mini-batches are gathered into reused buffers; otherwise batches are
    // contiguous views of the data.
    const augmenter = o.augment === null ? null : new Augmenter(o.augment, net.inputShape, o.seed);
    const copyRow = augmenter === null ? undefined : augmenter.copyRow.bind(augmenter);
    const gathered = (o.shuffle && size < n) || augmenter !== null ? new BatchBuffers(b, size, net.inputSize, net.outputSize, loss.usesTargets) : null;
    if (gathered !== null) owned.push(gathered);
    const order = gathered !== null ? new Int32Array(n) : null;
    // Size the arena once for the largest pass (a training batch or a validation chunk), so it is
    // not reallocated mid-training.
    const evalChunk = Math.max(256, size);
    net.arenaFor(Math.max(size, val === null ? 0 : Math.min(evalChunk, val.n)));

    const wantsBatchLogs = o.callbacks.some((c) => c.onBatchEnd !== undefined);
    // Online SGD: the first kernel's gradient may stay an outer product for the optimizer to fuse
    // into its update (applyUpdate); ‖∇‖² may wait for a callback to read it when the optimizer
    // leaves the gradient buffer as it is (no clipping).
    const eagerNorms = wantsBatchLogs && optimizer.keepsGradients !== true;
    // ‖∇‖² for a hook that reads it (StepLogs): a deferred kernel gradient is written out first.
    const measureNorm = (): number => {
      net.writeDeferredGradient();
      return b.sumSquares(net.grads, net.size);
    };
    const deferKernel = size === 1 && !eagerNorms && net.canDeferKernelGradient && optimizer.applyRankOne !== undefined;
    // One step result and one StepInfo for every batch (no allocation per batch).
    const step: StepResult = { dataLoss: 0, penalty: 0, correct: 0, inputGradient: null };
    const info = { batch: 0, epoch: 0 };
    const wantsBatchBegin = o.callbacks.some((c) => c.onBatchBegin !== undefined);
    const weights = o.classWeight === null ? null : classWeights(o.classWeight, Math.max(2, net.outputSize));
    const extraMetrics = needsExtraMetrics(metrics) ? { names: metrics, k: model.compiled.topK } : null;
    const history: Record<string, number[]> = {};
    let stopReason: StopReason = 'completed';
    let epochsRun = 0;
    let lastYield = now();
    const watch = new DivergenceWatch();
    state.takeStopRequest();
    await call(o.callbacks, 'onTrainBegin', { epochs: o.epochs, batches, samples: n }, model);

    training: for (let e = 0; e < o.epochs; e++) {
      if (o.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const epoch = state.epochs;
      await call(o.callbacks, 'onEpochBegin', epoch, model);
      if (order !== null) {
        for (let i = 0; i < n; i++) order[i] = i;
        if (o.shuffle && size < n) new Rng(epochSeed(o.seed, epoch)).shuffle(order);
      }
      augmenter?.startEpoch(epoch);
      const t0 = now();
      const epochMetrics = extraMetrics === null ? null : new MetricAccumulator({ ...extraMetrics, outputs: net.outputSize, threshold: loss.threshold });
      const extras = { classWeights: weights, metrics: epochMetrics, deferKernel };
      // The last batch's ‖∇‖² goes into the epoch's logs: its gradient is written whole.
      const lastExtras = { classWeights: weights, metrics: epochMetrics };
      let lossSum = 0, penaltySum = 0, correct = 0, lr = NaN, gradNormSquared = NaN;
      for (let k = 0; k < batches; k++) {
        if (o.signal?.aborted) {
          stopReason = 'aborted';
          break training;
        }
        const start = k * size;
        const m = Math.min(size, n - start);
        if (wantsBatchBegin) {
          const p = call(o.callbacks, 'onBatchBegin', k, { epoch, batch: k, size: m }, model);
          if (p !== undefined) await p;
        }
        const last = k === batches - 1;
        const how = last ? lastExtras : extras;
        if (gathered !== null && order !== null) {
          const targets = gathered.gather(train, order, start, m, copyRow);
          gradientStep(net, loss, gathered.x, targets, m, true, false, how, step);
        } else {
          const part = m === n ? train : train.slice(start, m);
          gradientStep(net, loss, part.x, part.y!, m, true, false, how, step);
        }
        // ‖∇‖² costs one pass over the parameters: before the update only for the last batch (the
        // epoch's logs) or for a callback when the optimizer may clip the gradient in place;
        // otherwise when a callback reads BatchLogs.gradNormSquared.
        const norm = last || eagerNorms ? b.sumSquares(net.grads, net.size) : null;
        info.batch = state.batches;
        info.epoch = epoch;
        const total = step.dataLoss + step.penalty;
        const diverged = watch.batch(total, norm === null || Number.isFinite(norm));
        if (diverged !== null) throw divergedError(diverged, `at epoch ${e + 1} of ${o.epochs}, batch ${k + 1} of ${batches}`, optimizer.learningRate(info));
        lr = applyUpdate(net, optimizer, info);
        state.batches++;
        lossSum += step.dataLoss * m;
        penaltySum += step.penalty * m;
        correct += step.correct;
        if (last && norm !== null) gradNormSquared = norm;
        if (wantsBatchLogs) {
          const logs = new StepLogs(epoch, k, m, step.dataLoss + step.penalty, step.dataLoss, step.penalty, step.correct / m, lr, norm, measureNorm);
          const p = call(o.callbacks, 'onBatchEnd', k, logs, model);
          if (p !== undefined) await p;
          logs.close();
        }
        net.dropDeferredGradient();
        if (now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = now();
        }
      }
      const grown = watch.weights(b, net.params, net.size);
      if (grown !== null) throw divergedError(grown, `after epoch ${e + 1} of ${o.epochs}`, lr);
      const seconds = (now() - t0) / 1000;
      state.epochs++;
      const dataLoss = lossSum / n;
      const penalty = penaltySum / n;
      const logs: Record<string, number> = { epoch, loss: dataLoss + penalty, dataLoss, penalty };
      if (metrics.includes('accuracy')) logs.accuracy = correct / n;
      if (metrics.includes('zeroOneLoss')) logs.zeroOneLoss = 1 - correct / n;
      if (epochMetrics !== null) addMetricLogs(logs, '', metrics, epochMetrics.values());
      if (val !== null) {
        const v = evaluateData(net, loss, val, evalChunk, extraMetrics);
        logs.valLoss = v.loss;
        logs.valDataLoss = v.dataLoss;
        if (metrics.includes('accuracy')) logs.valAccuracy = v.accuracy;
        if (metrics.includes('zeroOneLoss')) logs.valZeroOneLoss = v.zeroOneLoss;
        addMetricLogs(logs, 'val', metrics, v);
      }
      logs.lr = lr;
      logs.samplesPerSec = seconds > 0 ? n / seconds : Infinity;
      logs.gradNormSquared = gradNormSquared;
      // Plateau schedules watch the validation loss (the training loss without validation data).
      optimizer.schedule?.report?.(logs.valLoss ?? logs.loss, epoch);
      for (const [key, value] of Object.entries(logs)) if (key !== 'epoch') (history[key] ??= []).push(value);
      epochsRun++;
      // verbose: the user asked for a line per epoch on the console.
      // eslint-disable-next-line no-console
      if (o.verbose) console.log(format(logs as unknown as EpochLogs, e + 1, o.epochs));
      await call(o.callbacks, 'onEpochEnd', epoch, logs as unknown as EpochLogs, model);
      const requested = state.takeStopRequest();
      if (requested !== null) {
        stopReason = requested;
        break;
      }
      if (o.gradNormSquared !== null && gradNormSquared < o.gradNormSquared) {
        stopReason = 'gradNormSquared';
        break;
      }
    }
    await call(o.callbacks, 'onTrainEnd', { epochs: epochsRun, stopReason }, model);
    return { epochs: epochsRun, stopReason, history };
  } finally {
    state.training = false;
    // A hook that threw may leave a deferred gradient whose input row is about to be freed.
    net.dropDeferredGradient();
    for (const d of owned.reverse()) d.dispose();
  }
}
