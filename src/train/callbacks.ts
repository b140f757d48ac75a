/**
 * The training loop's public vocabulary: fit()'s options and history, and the callbacks: objects
 * with any of the hooks below, called by fit() in this order:
 * onTrainBegin, then per epoch onEpochBegin, onBatchEnd after each batch, onEpochEnd; onTrainEnd once
 * training stops (normally, by a stop request, by stopWhen or by the abort signal; not when fit()
 * throws). A hook may return a promise; fit() awaits it. To stop training, a hook calls
 * `model.requestStop(reason)`: fit() stops after the current epoch with stopReason = reason.
 */
import type { Features, Targets } from '../model/data.js';
import type { Evaluation } from './step.js';

/**
 * What a callback sees of the model being trained (a Sequential is one): enough to stop training,
 * keep or restore weights, read the counters and measure the model on other data.
 */
export interface CallbackModel {
  /** Epochs fit() has completed on this model (over its whole life). */
  readonly epochsTrained: number;
  /** Optimizer steps fit() has completed on this model. */
  readonly batchesTrained: number;
  /** Asks fit() to stop after the current epoch, with stopReason `reason`. */
  requestStop(reason?: string): void;
  /** All weights as one Float32Array (a copy). */
  getFlatWeights(): Float32Array;
  /** Sets all weights from one array in getFlatWeights()' layout. */
  setFlatWeights(values: ArrayLike<number>): void;
  /** The model's predictions for x (dropout off). */
  predict(x: Features): Float32Array;
  /** The loss and metrics on (x, y) (dropout off). */
  evaluate(x: Features, y: Targets): Evaluation;
  /** Trains the model (refused while it is already training, e.g. from inside its own fit()). */
  fit(x: Features, y: Targets, options?: FitOptions): Promise<History>;
}

/** Why fit() stopped: 'completed' (all epochs ran), 'gradNormSquared' (stopWhen), 'aborted' (signal), or a reason passed to requestStop() (e.g. 'earlyStopping'). */
export type StopReason = 'completed' | 'gradNormSquared' | 'aborted' | (string & {});

/** After each batch: the values of that batch, before its update. */
export interface BatchLogs {
  /** The epoch (0-based, counted over the model's whole training: model.epochsTrained at its start). */
  readonly epoch: number;
  /** The batch within the epoch (0-based). */
  readonly batch: number;
  /** Rows in this batch (the last batch of an epoch may be smaller). */
  readonly size: number;
  /** dataLoss + penalty. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** The batch's training accuracy (dropout on). */
  readonly accuracy: number;
  /** The learning rate of this batch's update. */
  readonly lr: number;
  /** ‖∇‖² of the full flat gradient of this batch (data loss + penalty), before any clipping. */
  readonly gradNormSquared: number;
}

/**
 * After each epoch. loss, dataLoss, penalty and accuracy are the means over the epoch's batches
 * (weighted by batch size, measured before each update, dropout on), as in Keras; the val* values are
 * measured on the validation data after the epoch, dropout off. accuracy/zeroOneLoss (and their val
 * forms) appear when compile()'s metrics list them; val* only with validation data.
 */
export interface EpochLogs {
  /** The epoch (0-based, over the model's whole training). */
  readonly epoch: number;
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  readonly accuracy?: number;
  readonly zeroOneLoss?: number;
  readonly valLoss?: number;
  readonly valDataLoss?: number;
  readonly valAccuracy?: number;
  readonly valZeroOneLoss?: number;
  /** The learning rate of the epoch's last update. */
  readonly lr: number;
  /** Training rows per second over the epoch (training passes only, validation excluded). */
  readonly samplesPerSec: number;
  /** ‖∇‖² of the full flat gradient of the epoch's last batch (the true gradient with batchSize 'full'). */
  readonly gradNormSquared: number;
}

/** When training ends: what this fit() call did. */
export interface TrainEndLogs {
  /** Epochs completed by this fit() call. */
  readonly epochs: number;
  readonly stopReason: StopReason;
}

type Awaitable = void | Promise<void>;

/**
 * A training callback: any of these hooks, each optionally async (see the file comment).
 * @example
 *     const log: Callback = { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) };
 *     await model.fit(x, y, { epochs: 10, callbacks: [log, earlyStopping({ patience: 3 })] });
 */
export interface Callback {
  /** Before the first epoch of a fit() call. */
  onTrainBegin?(model: CallbackModel): Awaitable;
  /** `epoch` is 0-based over the model's whole training (see BatchLogs.epoch). */
  onEpochBegin?(epoch: number, model: CallbackModel): Awaitable;
  /** After each batch's optimizer step (fit() computes ‖∇‖² per batch only when some callback has this hook). */
  onBatchEnd?(batch: number, logs: BatchLogs, model: CallbackModel): Awaitable;
  /** After each epoch (and its validation); a requestStop() here ends training after this epoch. */
  onEpochEnd?(epoch: number, logs: EpochLogs, model: CallbackModel): Awaitable;
  /** Once training stops, normally or by a stop request, stopWhen or the abort signal (not when fit() throws). */
  onTrainEnd?(logs: TrainEndLogs, model: CallbackModel): Awaitable;
}

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/** Checks a callbacks list: each must be an object whose known hooks are functions. */
export function checkCallbacks(value: unknown): readonly Callback[] {
  if (!Array.isArray(value)) throw new TypeError(`simdnet fit: callbacks must be an array of callback objects, got ${String(value)}`);
  value.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new TypeError(`simdnet fit: callbacks[${i}] must be an object with hooks (${HOOKS.join(', ')}), got ${String(c)}`);
    for (const hook of HOOKS) {
      const f = (c as Record<string, unknown>)[hook];
      if (f !== undefined && typeof f !== 'function') throw new TypeError(`simdnet fit: callbacks[${i}].${hook} must be a function, got ${typeof f}`);
    }
  });
  return value as Callback[];
}

/** Stopping criteria besides the epoch count (FitOptions.stopWhen). */
export interface StopWhen {
  /**
   * Stop when ‖∇‖², the squared L2 norm of the full flat gradient (data loss + penalty) of the epoch's
   * last batch, falls under this value. It is checked after each epoch; with batchSize 'full' it is the
   * norm of the true gradient at the weights before the last step. stopReason is 'gradNormSquared'.
   * @default undefined (no gradient criterion)
   */
  gradNormSquared?: number;
}

/** Options of fit(). */
export interface FitOptions {
  /**
   * Epochs to run in this call (a model's epochs keep counting across calls: model.epochsTrained).
   * @default 1
   */
  epochs?: number;
  /**
   * Rows per gradient step: 'full' for full-batch gradient descent, 1 for online SGD, n for mini-batches.
   * A number above the training rows means 'full'.
   * @default 32
   */
  batchSize?: number | 'full';
  /**
   * Visit the training rows in a new random order each epoch (mini-batch and online only; a full
   * batch's gradient does not depend on the order).
   * @default true
   */
  shuffle?: boolean;
  /**
   * Seeds the shuffling (epoch e's order depends only on seed and e).
   * @default the model's seed
   */
  seed?: number;
  /**
   * The fraction of rows held out for validation: the LAST ⌊n·split⌋ rows of x and y, before any
   * shuffling (as in Keras), so the split is the same every run. Not with validationData.
   * @default 0
   */
  validationSplit?: number;
  /**
   * Validation data, evaluated after each epoch (valLoss, valAccuracy). Not with validationSplit.
   * @default null
   */
  validationData?: { readonly x: Features; readonly y: Targets } | null;
  /**
   * Objects with hooks called during training (see Callback), e.g. earlyStopping().
   * @default []
   */
  callbacks?: readonly Callback[];
  /**
   * A stopping criterion besides the epoch count.
   * @default null
   */
  stopWhen?: StopWhen | null;
  /**
   * Stops training cleanly between two batches when aborted: fit() resolves with stopReason 'aborted'
   * (the epoch in progress is not recorded in the history). fit() yields to the event loop every few
   * tens of milliseconds so a timer or a UI can abort it.
   * @default undefined (no signal)
   */
  signal?: AbortSignal;
  /**
   * Print one line per epoch (loss, metrics, lr, speed) with console.log.
   * @default false
   */
  verbose?: boolean;
}

/** What fit() resolves to: the epochs run, why it stopped, and the per-epoch logs. */
export interface History {
  /** Epochs completed by this fit() call. */
  readonly epochs: number;
  readonly stopReason: StopReason;
  /** Each numeric EpochLogs value per completed epoch: loss, dataLoss, penalty, accuracy, valLoss, lr, ... */
  readonly history: Record<string, number[]>;
}
