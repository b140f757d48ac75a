/**
 * The training loop's public vocabulary: fit()'s options and history, and the callbacks: objects
 * with any of the hooks below, called by fit() in Keras's order:
 * onTrainBegin, then per epoch onEpochBegin, per batch onBatchBegin and onBatchEnd, then onEpochEnd
 * (after the epoch's validation); onTrainEnd once training stops (normally, by a stop request, by stopWhen or by the abort signal; not when fit()
 * throws). The arguments are Keras's (an index, then logs) with the model as the last argument:
 * onTrainBegin(logs, model), onEpochBegin(epoch, model), onBatchBegin(batch, logs, model),
 * onBatchEnd(batch, logs, model), onEpochEnd(epoch, logs, model), onTrainEnd(logs, model). fit() takes
 * a list of callbacks or one callbacks object (as tfjs does). A hook may return a promise; fit() awaits it. To stop training, a hook calls
 * `model.requestStop(reason)`: fit() stops after the current epoch with stopReason = reason.
 */
import type { AugmentOptions } from './augment.js';
import type { Features, Targets } from '../model/data.js';
import type { Evaluation } from './step.js';
import { excerpt } from './pieces.js';

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
  /** The loss of the data alone (mean over the batch's rows). */
  readonly dataLoss: number;
  /** The regularizers' penalty at the weights before the update (0 without regularizers). */
  readonly penalty: number;
  /** The batch's training accuracy (dropout on). */
  readonly accuracy: number;
  /** The learning rate of this batch's update. */
  readonly lr: number;
  /**
   * ‖∇‖² of the full flat gradient of this batch (data loss + penalty), before any clipping. It costs
   * a pass over the parameters, so fit() computes it when a hook first reads it; read after the hooks
   * have returned (the next batch has overwritten the gradient), it is NaN unless read before. It is a
   * getter of the logs object's class, so a spread copy (`{ ...logs }`) leaves it out: copy it by name
   * (`{ ...logs, gradNormSquared: logs.gradNormSquared }`).
   */
  readonly gradNormSquared: number;
}

/**
 * After each epoch. loss, dataLoss, penalty and accuracy are the means over the epoch's batches
 * (weighted by batch size, measured before each update, dropout on), as in Keras; the val* values are
 * measured on the validation data after the epoch, dropout off. Each metric (and its val form)
 * appears when compile()'s metrics list it (precision, recall and f1 as their macro means: per class
 * they are in evaluate()); val* only with validation data.
 */
export interface EpochLogs {
  /** The epoch (0-based, over the model's whole training). */
  readonly epoch: number;
  /** dataLoss + penalty, the mean over the epoch's batches. */
  readonly loss: number;
  /** The data loss alone, the mean over the epoch's batches. */
  readonly dataLoss: number;
  /** The regularizers' penalty, the mean over the epoch's batches. */
  readonly penalty: number;
  /** The training accuracy over the epoch's batches (classification losses). */
  readonly accuracy?: number;
  /** 1 − accuracy. */
  readonly zeroOneLoss?: number;
  /** The loss (data loss + penalty) on the validation data after the epoch. */
  readonly valLoss?: number;
  /** The data loss on the validation data (what earlyStopping compares across l2 values). */
  readonly valDataLoss?: number;
  /** The accuracy on the validation data. */
  readonly valAccuracy?: number;
  /** 1 − valAccuracy. */
  readonly valZeroOneLoss?: number;
  /** Macro precision over the epoch's batches, when compile() lists 'precision' (src/model/metrics.ts). */
  readonly precision?: number;
  /** Macro recall over the epoch's batches, when compile() lists 'recall'. */
  readonly recall?: number;
  /** Macro F1 over the epoch's batches, when compile() lists 'f1'. */
  readonly f1?: number;
  /** Top-k accuracy over the epoch's batches, when compile() lists { name: 'topKAccuracy', k }. */
  readonly topKAccuracy?: number;
  /** Mean absolute error over the epoch's batches, when compile() lists 'mae'. */
  readonly mae?: number;
  /** precision on the validation data. */
  readonly valPrecision?: number;
  /** recall on the validation data. */
  readonly valRecall?: number;
  /** f1 on the validation data. */
  readonly valF1?: number;
  /** topKAccuracy on the validation data. */
  readonly valTopKAccuracy?: number;
  /** mae on the validation data. */
  readonly valMae?: number;
  /** The learning rate of the epoch's last update. */
  readonly lr: number;
  /** Training rows per second over the epoch (training passes only, validation excluded). */
  readonly samplesPerSec: number;
  /** ‖∇‖² of the full flat gradient of the epoch's last batch (the true gradient with batchSize 'full'). */
  readonly gradNormSquared: number;
}

/** When training begins: what this fit() call is about to do. */
export interface TrainBeginLogs {
  /** Epochs this fit() call will run (fewer if it stops early). */
  readonly epochs: number;
  /** Batches per epoch. */
  readonly batches: number;
  /** Training rows (after a validationSplit took its share). */
  readonly samples: number;
}

/** Before each batch: which rows it holds. */
export interface BatchBeginLogs {
  /** The epoch (0-based, over the model's whole training). */
  readonly epoch: number;
  /** The batch within the epoch (0-based). */
  readonly batch: number;
  /** Rows in this batch. */
  readonly size: number;
}

/** When training ends: what this fit() call did. */
export interface TrainEndLogs {
  /** Epochs completed by this fit() call. */
  readonly epochs: number;
  /** Why it stopped: 'completed', 'earlyStopping', 'gradNormSquared', 'aborted' or a callback's reason. */
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
  onTrainBegin?(logs: TrainBeginLogs, model: CallbackModel): Awaitable;
  /** `epoch` is 0-based over the model's whole training (see BatchLogs.epoch). */
  onEpochBegin?(epoch: number, model: CallbackModel): Awaitable;
  /** Before each batch's forward pass. */
  onBatchBegin?(batch: number, logs: BatchBeginLogs, model: CallbackModel): Awaitable;
  /** After each batch's optimizer step (logs.gradNormSquared is computed only when read). */
  onBatchEnd?(batch: number, logs: BatchLogs, model: CallbackModel): Awaitable;
  /** After each epoch (and its validation); a requestStop() here ends training after this epoch. */
  onEpochEnd?(epoch: number, logs: EpochLogs, model: CallbackModel): Awaitable;
  /** Once training stops, normally or by a stop request, stopWhen or the abort signal (not when fit() throws). */
  onTrainEnd?(logs: TrainEndLogs, model: CallbackModel): Awaitable;
}

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/** Checks a callbacks list: each must be an object whose known hooks are functions. */
export function checkCallbacks(value: unknown): readonly Callback[] {
  if (!Array.isArray(value)) throw new TypeError(`simdnet fit: callbacks must be a callback object or an array of them, got ${excerpt(value)}`);
  value.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new TypeError(`simdnet fit: callbacks[${i}] must be an object with hooks (${HOOKS.join(', ')}), got ${excerpt(c)}`);
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
   * Validation data, evaluated after each epoch (valLoss, valAccuracy, ...): `{ x, y }` or Keras's
   * pair `[x, y]`. Not with validationSplit.
   * @default null
   */
  validationData?: {
    /** The validation rows' features. */
    readonly x: Features;
    /** Their labels or targets. */
    readonly y: Targets;
  } | readonly [Features, Targets] | null;
  /**
   * Objects with hooks called during training (see Callback), e.g. earlyStopping(); one object
   * alone (tfjs's `callbacks: { onEpochEnd }`) is a list of one.
   * @default []
   */
  callbacks?: readonly Callback[] | Callback;
  /**
   * Keras's class_weight: the loss of a row of true class c is multiplied by classWeight[c] (and so
   * is its gradient), for training only (the validation and evaluate() losses are unweighted, as in
   * Keras). Classes not named weigh 1. The weighted mean still divides by the batch's row count.
   * A row's class is the one accuracy uses (its label, the argmax of its target row, or
   * target ≥ 0.5 for one output).
   * @example
   *     await model.fit(x, y, { classWeight: { 0: 1, 1: 5 } })   // errors on class 1 cost 5×
   * @default null (every row weighs 1)
   */
  classWeight?: Readonly<Record<number, number>> | null;
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
   * Keras's verbose: 0 (or false) prints nothing; 1 and 2 (or true) print one line per epoch (loss,
   * metrics, lr, speed) with console.log. Keras's 1 draws a progress bar per batch: simdnet has no
   * progress bar (a batch is too short to redraw a terminal line for), so 1 is 2.
   * @default 0
   */
  verbose?: boolean | 0 | 1 | 2;
  /**
   * Random moves (and mirror images) of image rows, drawn afresh for every training batch from the
   * seed: see AugmentOptions. The validation rows are never moved. Mini-batches are then always
   * gathered into a staging buffer (also without shuffle), the data set is never copied.
   * @example
   *     await model.fit(x, y, { augment: { shift: 2 } })             // MNIST: moves of up to 2 pixels
   *     await model.fit(x, y, { augment: { shift: 4, flip: true } }) // CIFAR-10
   * @default null (rows as given)
   */
  augment?: AugmentOptions | null;
}

/** What fit() resolves to: the epochs run, why it stopped, and the per-epoch logs. */
export interface History {
  /** Epochs completed by this fit() call. */
  readonly epochs: number;
  /** Why it stopped: 'completed', 'earlyStopping', 'gradNormSquared', 'aborted' or a callback's reason. */
  readonly stopReason: StopReason;
  /** Each numeric EpochLogs value per completed epoch: loss, dataLoss, penalty, accuracy, valLoss, lr, ... */
  readonly history: Record<string, number[]>;
}
