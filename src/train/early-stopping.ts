/**
 * `earlyStopping({ monitor: 'valLoss', patience, minDelta, restoreBestWeights })`: a callback that
 * stops fit() when the monitored value has not improved by more than minDelta for `patience` epochs,
 * and can put back the weights of the best epoch.
 */
import { OptionReader } from '../train/pieces.js';
import type { Callback, CallbackModel, EpochLogs, TrainEndLogs } from './callbacks.js';

/** Options of earlyStopping(). */
export interface EarlyStoppingOptions {
  /**
   * The epoch log value to watch: 'valLoss', 'loss', 'valAccuracy', 'accuracy', ... (see EpochLogs).
   * @default 'valLoss'
   */
  monitor?: string;
  /**
   * Stop after this many epochs in a row without improvement (0 and 1 both stop at the first one).
   * @default 0
   */
  patience?: number;
  /**
   * The smallest change that counts as an improvement.
   * @default 0
   */
  minDelta?: number;
  /**
   * Whether smaller or larger is better; 'auto' means 'max' for accuracies and 'min' otherwise.
   * @default 'auto'
   */
  mode?: 'min' | 'max' | 'auto';
  /**
   * When training ends (stopped early or not), put back the weights of the best epoch if a later
   * epoch was worse. Costs one copy of the weights per improvement.
   * @default false
   */
  restoreBestWeights?: boolean;
}

/** The callback earlyStopping() returns, with what it found. */
export interface EarlyStopping extends Callback {
  /** The epoch (as in EpochLogs.epoch) with the best monitored value in the last fit(), or −1. */
  readonly bestEpoch: number;
  /** The best monitored value in the last fit() (NaN before any epoch). */
  readonly best: number;
}

/**
 * A callback that stops fit() once the monitored epoch value stops improving (see EarlyStoppingOptions).
 * @example
 *     await model.fit(x, y, { epochs: 100, validationSplit: 0.1, callbacks: [earlyStopping({ patience: 5, restoreBestWeights: true })] });
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  const r = new OptionReader('earlyStopping', options, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights']);
  const monitorOption = r.raw('monitor') ?? 'valLoss';
  if (typeof monitorOption !== 'string' || monitorOption === '') r.fail('monitor', 'the name of an epoch log value (e.g. valLoss)', monitorOption);
  const monitor = monitorOption as string;
  const patience = r.number('patience', 0, { min: 0, integer: true });
  const minDelta = Math.abs(r.number('minDelta', 0, { min: 0 }));
  const modeOption = r.oneOf('mode', ['min', 'max', 'auto'] as const, 'auto');
  const mode = modeOption === 'auto' ? (/accuracy/i.test(monitor) ? 'max' : 'min') : modeOption;
  const restoreBestWeights = r.boolean('restoreBestWeights', false);

  let best = NaN;
  let bestEpoch = -1;
  let lastEpoch = -1;
  let wait = 0;
  let bestWeights: Float32Array | null = null;
  const improved = (value: number): boolean =>
    Number.isNaN(best) || (mode === 'min' ? value < best - minDelta : value > best + minDelta);

  return {
    get best() {
      return best;
    },
    get bestEpoch() {
      return bestEpoch;
    },
    onTrainBegin() {
      best = NaN;
      bestEpoch = -1;
      lastEpoch = -1;
      wait = 0;
      bestWeights = null;
    },
    onEpochEnd(epoch: number, logs: EpochLogs, model: CallbackModel) {
      const value = (logs as unknown as Record<string, number | undefined>)[monitor];
      if (value === undefined) {
        const hint = monitor.startsWith('val') ? ' (give fit() validationData or validationSplit, or monitor a training value such as \'loss\')' : '';
        throw new RangeError(`simdnet earlyStopping: the epoch logs have no '${monitor}'${hint}; they have ${Object.keys(logs).join(', ')}`);
      }
      lastEpoch = epoch;
      if (improved(value)) {
        best = value;
        bestEpoch = epoch;
        wait = 0;
        if (restoreBestWeights) bestWeights = model.getFlatWeights();
        return;
      }
      wait++;
      // As in Keras: stop after `patience` epochs in a row without improvement (0 behaves as 1).
      if (wait >= Math.max(patience, 1)) model.requestStop('earlyStopping');
    },
    onTrainEnd(_logs: TrainEndLogs, model: CallbackModel) {
      if (restoreBestWeights && bestWeights !== null && bestEpoch !== lastEpoch) model.setFlatWeights(bestWeights);
      bestWeights = null;
    },
  };
}
