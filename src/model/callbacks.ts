/**
 * Training callbacks: objects with any of the hooks below, called by fit() in this order:
 * onTrainBegin, then per epoch onEpochBegin, onBatchEnd after each batch, onEpochEnd; onTrainEnd once
 * training stops (normally, by a stop request, by stopWhen or by the abort signal; not when fit()
 * throws). A hook may return a promise; fit() awaits it. To stop training, a hook calls
 * `model.requestStop(reason)`: fit() stops after the current epoch with stopReason = reason.
 */
import type { Sequential } from './sequential.js';

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

export interface TrainEndLogs {
  /** Epochs completed by this fit() call. */
  readonly epochs: number;
  readonly stopReason: StopReason;
}

type Awaitable = void | Promise<void>;

export interface Callback {
  onTrainBegin?(model: Sequential): Awaitable;
  /** `epoch` is 0-based over the model's whole training (see BatchLogs.epoch). */
  onEpochBegin?(epoch: number, model: Sequential): Awaitable;
  onBatchEnd?(batch: number, logs: BatchLogs, model: Sequential): Awaitable;
  onEpochEnd?(epoch: number, logs: EpochLogs, model: Sequential): Awaitable;
  onTrainEnd?(logs: TrainEndLogs, model: Sequential): Awaitable;
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
